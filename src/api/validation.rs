//! Field rules shared by request bodies, as `validator` custom functions.

use std::borrow::Cow;
use validator::ValidationError;

use crate::config::is_language_tag;
use crate::domain::{nesting, slug};

fn error(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
}

/// Text with something besides white space.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(error("blank", "must not be blank"));
    }
    Ok(())
}

/// An absolute http(s) URL with a host and nothing that could break out of an HTML
/// attribute or be read differently by another parser: no white space, control characters,
/// quotes, backslashes or angle brackets, no user name or password; at most 2048 bytes. The
/// scheme may be written in any case (`HTTPS://`).
pub fn http_url(value: &str) -> Result<(), ValidationError> {
    let suspicious = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '\\' | '<' | '>' | '`');
    let ok = value.len() <= 2048
        && !value.chars().any(suspicious)
        // The URL parser reads `https:x`, `https:/x` and `https:///x` as `https://x/`; only
        // the written-out form `scheme://host` is taken.
        && value.split_once(':').is_some_and(|(_, rest)| rest.starts_with("//") && !rest.starts_with("///"))
        && url::Url::parse(value).is_ok_and(|url| {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|host| !host.is_empty())
                && url.username().is_empty()
                && url.password().is_none()
        });
    if !ok {
        return Err(error("url", "must be an http:// or https:// URL"));
    }
    Ok(())
}

/// A slug: `[a-z0-9]+(-[a-z0-9]+)*`, at most 200 characters.
pub fn slug_format(value: &str) -> Result<(), ValidationError> {
    if value.len() > 200 || !slug::is_valid(value) {
        return Err(error("slug", "must be lowercase letters and digits in words joined by single hyphens"));
    }
    Ok(())
}

/// A BCP 47 language tag such as `id` or `en-US`.
pub fn language_tag(value: &str) -> Result<(), ValidationError> {
    if value.len() > 35 || !is_language_tag(value) {
        return Err(error("language", "must be a BCP 47 language tag such as id or en-US"));
    }
    Ok(())
}

/// An article body: at most 1 MiB of UTF-8, nesting at most
/// [`MAX_NESTING`](nesting::MAX_NESTING) levels deep.
pub fn article_body(value: &str) -> Result<(), ValidationError> {
    if value.len() > 1024 * 1024 {
        return Err(error("length", "must be at most 1 MiB (1048576 bytes)"));
    }
    nesting::check_markdown(value).map_err(|e| ValidationError::new("nesting").with_message(Cow::Owned(e.to_string())))
}

/// A password of at least 10 characters.
/// Ids name rows, which start at 1: anything else is a 422 before any rule that reads the
/// database (an `If-Match`, a permission) gets to answer instead.
pub fn positive_ids(ids: &[i64]) -> Result<(), ValidationError> {
    if ids.iter().any(|id| *id < 1) {
        return Err(error("range", "must hold ids, which are whole numbers from 1"));
    }
    Ok(())
}

pub fn password_strength(value: &str) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n < 10 {
        return Err(error("weak", "must be at least 10 characters"));
    }
    if n > 1024 {
        return Err(error("length", "must be at most 1024 characters"));
    }
    Ok(())
}

/// Reads a field that may be absent (`None`), `null` (`Some(None)`) or a value, so that a
/// PATCH can tell "leave it" from "clear it".
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_host() {
        for good in [
            "https://example.com/a.jpg",
            "http://images.example.com:8080/x?y=1#z",
            "HTTPS://example.com/x",
            "Http://[::1]:8080/",
            "https://bücher.example/straße?q=%22",
        ] {
            assert!(http_url(good).is_ok(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:image/png;base64,xx",
            "ftp://x",
            "https://",
            "https:///x",
            "https://a b",
            "//x.example",
            "https://user@evil",
            "https://example.com/\"onmouseover=alert(1)",
            "https://example.com/'x",
            "https://example.com\\evil",
            "https:\\\\evil.example",
            "https:evil.example",
            "https:/evil.example",
            "https://example.com/\u{0}",
            "https://example.com/\u{85}",
            "https://:80/",
            "https://example.com:99999/",
            &format!("https://example.com/{}", "a".repeat(2048)),
        ] {
            assert!(http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(password_strength("123456789").is_err());
        assert!(password_strength("kopi-tubruk").is_ok());
        assert!(password_strength("ééééééééé").is_err());
    }
}
