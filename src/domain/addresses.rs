//! Public addresses: where the frontend shows an article, a category, a tag or an author
//! (`WARTA_ARTICLE_URL` and its siblings), which slug a path of the frontend names, and paths
//! normalised so that an old link matches however it was typed.

use chrono::{Datelike, NaiveDateTime};
use std::fmt;

/// The placeholders a URL template may hold.
const PLACEHOLDERS: [&str; 5] = ["{slug}", "{id}", "{yyyy}", "{mm}", "{dd}"];

/// A URL template such as `https://kabarharapan.example/{yyyy}/{mm}/{slug}`: an http(s) URL
/// with `{slug}` or `{id}` in its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate(String);

impl UrlTemplate {
    /// Accepts `s` when it is an http(s) URL naming the resource by `{slug}` or `{id}`, each a
    /// whole path segment (so that a path can be read back), and holding no other placeholder
    /// than those of [`PLACEHOLDERS`]; the date ones only with `dates` (articles have a date).
    pub fn parse(s: &str, dates: bool) -> Result<UrlTemplate, String> {
        if !dates && ["{yyyy}", "{mm}", "{dd}"].iter().any(|p| s.contains(p)) {
            return Err(format!("`{s}`: only article addresses have a date for {{yyyy}}, {{mm}} or {{dd}}"));
        }
        for placeholder in PLACEHOLDERS {
            let whole = s.split('/').all(|segment| !segment.contains(placeholder) || segment == placeholder);
            if !whole {
                return Err(format!("`{s}`: {placeholder} must be a whole path segment, as in /berita/{placeholder}"));
            }
        }
        let plain = PLACEHOLDERS.iter().fold(s.to_owned(), |text, p| text.replace(p, "x"));
        let url = url::Url::parse(&plain).map_err(|_| format!("`{s}` is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{s}` is not an http(s) URL"));
        }
        if plain.contains(['{', '}']) {
            return Err(format!("`{s}` holds a placeholder other than {}", PLACEHOLDERS.join(", ")));
        }
        if !s.contains("{slug}") && !s.contains("{id}") {
            return Err(format!("`{s}` names neither {{slug}} nor {{id}}"));
        }
        Ok(UrlTemplate(s.to_owned()))
    }

    /// The address of the resource with `slug` and `id`, published at `at` (for the date parts).
    pub fn fill(&self, slug: &str, id: i64, at: Option<NaiveDateTime>) -> String {
        let mut out = self.0.replace("{slug}", slug).replace("{id}", &id.to_string());
        if let Some(at) = at {
            out = out
                .replace("{yyyy}", &format!("{:04}", at.year()))
                .replace("{mm}", &format!("{:02}", at.month()))
                .replace("{dd}", &format!("{:02}", at.day()));
        }
        out
    }

    /// The slug a normalised `path` of the frontend names under this template, if the path has
    /// the template's shape: its literal segments equal (case ignored), its number placeholders
    /// digits.
    pub fn slug_in(&self, path: &str) -> Option<String> {
        let after_scheme = self.0.split_once("://").map_or(self.0.as_str(), |(_, rest)| rest);
        let template_path = after_scheme.find('/').map_or("/", |at| &after_scheme[at..]);
        let template_path = normalize_path(template_path);
        let wanted: Vec<&str> = template_path.split('/').filter(|s| !s.is_empty()).collect();
        let given: Vec<&str> = path.split('?').next().unwrap_or("").split('/').filter(|s| !s.is_empty()).collect();
        if wanted.len() != given.len() {
            return None;
        }
        let mut slug = None;
        for (w, g) in wanted.iter().zip(&given) {
            match *w {
                "{slug}" => slug = Some((*g).to_owned()),
                "{id}" | "{yyyy}" | "{mm}" | "{dd}" => {
                    if !g.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                }
                literal if literal == *g => {}
                _ => return None,
            }
        }
        slug
    }
}

impl fmt::Display for UrlTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest path a redirect matches, in bytes.
pub const MAX_PATH_BYTES: usize = 2000;

/// `path` as redirects store and match it: percent-decoded, lower-cased, without a trailing
/// slash (`/` stays), and of its query only WordPress's `?p={id}` (other parameters are
/// tracking or paging, not the address). `/Berita/Kaf%C3%A9/` and `/berita/kafé` are one path.
pub fn normalize_path(path: &str) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy().to_lowercase();
    let mut out = String::with_capacity(decoded.len() + 1);
    if !decoded.starts_with('/') {
        out.push('/');
    }
    out.push_str(decoded.trim_end_matches('/'));
    if out.is_empty() {
        out.push('/');
    }
    let post = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, value)| *key == "p" && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()));
    if let Some((_, id)) = post {
        out.push_str("?p=");
        out.push_str(id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_however_they_were_typed() {
        assert_eq!(normalize_path("/Berita/Kaf%C3%A9/"), "/berita/kafé");
        assert_eq!(normalize_path("/berita/kafé"), "/berita/kafé");
        assert_eq!(normalize_path("berita"), "/berita");
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path("///"), "/");
        assert_eq!(normalize_path("/?p=123&utm_source=x"), "/?p=123");
        assert_eq!(normalize_path("/kopi/?utm_source=x"), "/kopi");
        assert_eq!(normalize_path("/?p=abc"), "/");
    }

    #[test]
    fn a_template_fills_and_reads_back_its_slug() {
        let t = UrlTemplate::parse("https://kabar.example/{yyyy}/{mm}/{slug}", true).unwrap();
        let at = NaiveDateTime::parse_from_str("2024-03-05 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(t.fill("harga-kopi", 7, Some(at)), "https://kabar.example/2024/03/harga-kopi");
        assert_eq!(t.slug_in("/2024/03/harga-kopi").as_deref(), Some("harga-kopi"));
        assert_eq!(t.slug_in("/2024/maret/harga-kopi"), None);
        assert_eq!(t.slug_in("/harga-kopi"), None);
        let tags = UrlTemplate::parse("https://kabar.example/Tag/{slug}/", false).unwrap();
        assert_eq!(tags.slug_in("/tag/iran").as_deref(), Some("iran"));
        assert_eq!(tags.slug_in("/kategori/iran"), None);
        let by_id = UrlTemplate::parse("https://kabar.example/p/{id}", false).unwrap();
        assert_eq!(by_id.slug_in("/p/7"), None, "no slug in it");
    }

    #[test]
    fn only_http_templates_with_a_known_placeholder_parse() {
        assert!(UrlTemplate::parse("https://kabar.example/{slug}", false).is_ok());
        assert!(UrlTemplate::parse("ftp://kabar.example/{slug}", false).is_err());
        assert!(UrlTemplate::parse("https://kabar.example/berita", false).is_err());
        assert!(UrlTemplate::parse("https://kabar.example/{judul}/{slug}", false).is_err());
        assert!(UrlTemplate::parse("not a url {slug}", false).is_err());
        // A path that could never be read back, or a date a category does not have.
        assert!(UrlTemplate::parse("https://kabar.example/{yyyy}/{slug}.html", true).is_err());
        assert!(UrlTemplate::parse("https://kabar.example/{yyyy}/{slug}", true).is_ok());
        assert!(UrlTemplate::parse("https://kabar.example/{yyyy}/category/{slug}", false).is_err());
    }
}
