//! Responsive images in a body: an `<img>` that shows a Warta media file gets `srcset`, `sizes`,
//! `width` and `height` from that image's variants, so a phone downloads the 640-pixel WebP
//! instead of the 12-megapixel original and the page does not jump while it loads.
//!
//! This runs on the sanitizer's output, whose form is fixed: every attribute value is in double
//! quotes (a quote inside one is `&quot;`) and a `<` in text is `&lt;`, so `<img` starts a tag
//! and only a tag. The attributes added are built here from the database's sizes and the image's
//! own sanitized address; a writer's own `srcset` never survives the sanitizer.

use crate::media::store;

/// What the database knows of a stored image: its size, its original's name and its variants'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSizes {
    pub width: u32,
    pub height: u32,
    pub original: String,
    /// `(file name, width)`, narrowest first.
    pub variants: Vec<(String, u32)>,
}

/// The widest a body image is shown on a large screen, in CSS pixels: an article column.
pub const BODY_COLUMN_PX: u32 = 800;

/// The content keys of the Warta media files the `<img>` tags of `html` show, each once.
pub fn media_keys(html: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for tag in img_tags(html) {
        if let Some(key) = attribute(&html[tag.clone()], "src").and_then(|src| key_of_src(src)) {
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_owned());
            }
        }
    }
    keys
}

/// `html` with `srcset`, `sizes`, `width` and `height` on every `<img>` whose file `sizes_of`
/// knows (by content key). Tags that already carry a `width` or `height` keep their own and get
/// none of ours; everything else of the HTML is left byte for byte.
pub fn add_srcsets(html: &str, sizes_of: impl Fn(&str) -> Option<ImageSizes>) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 4);
    let mut copied = 0;
    for tag in img_tags(html) {
        let text = &html[tag.clone()];
        let Some(src) = attribute(text, "src") else { continue };
        let Some(sizes) = key_of_src(src).and_then(&sizes_of) else { continue };
        let Some(extra) = responsive_attributes(src, &sizes, text) else { continue };
        // Before the tag's `>` (or `/>`, and the spaces before it).
        let close = tag.end - if text.ends_with("/>") { 2 } else { 1 };
        let end = tag.start + html[tag.start..close].trim_end().len();
        out.push_str(&html[copied..end]);
        out.push_str(&extra);
        copied = end;
    }
    out.push_str(&html[copied..]);
    out
}

/// ` srcset="..." sizes="..." width=".." height=".."` for the tag `tag` showing `src`.
fn responsive_attributes(src: &str, sizes: &ImageSizes, tag: &str) -> Option<String> {
    // The variants sit beside the original, at the same address but for the name.
    let (base, _) = src.split_once(['?', '#']).map_or((src, ""), |(path, rest)| (path, rest));
    let base = &base[..base.rfind('/')? + 1];
    if base.contains([',', ' ']) {
        // A srcset candidate cannot hold a comma or a space.
        return None;
    }
    let mut candidates: Vec<String> = sizes.variants.iter().map(|(name, w)| format!("{base}{name} {w}w")).collect();
    candidates.push(format!("{base}{} {}w", sizes.original, sizes.width));
    let shown = sizes.width.min(BODY_COLUMN_PX);
    let mut extra = format!(r#" srcset="{}" sizes="(max-width: {shown}px) 100vw, {shown}px""#, candidates.join(", "));
    if attribute(tag, "width").is_none() && attribute(tag, "height").is_none() {
        extra.push_str(&format!(r#" width="{}" height="{}""#, sizes.width, sizes.height));
    }
    Some(extra)
}

/// The content key of the file an image address names, when it is a name Warta writes.
fn key_of_src(src: &str) -> Option<&str> {
    let path = src.split(['?', '#']).next()?;
    store::key_of_name(path.rsplit('/').next()?)
}

/// The byte ranges of the `<img ...>` tags of sanitized `html`.
fn img_tags(html: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let start = from + html.get(from..)?.find("<img")?;
        let after = start + "<img".len();
        from = after;
        if !html[after..].starts_with([' ', '>', '/']) {
            continue;
        }
        // The tag ends at the first `>` outside a quoted value.
        let mut quoted = false;
        for (i, b) in html.as_bytes()[after..].iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'>' if !quoted => {
                    from = after + i + 1;
                    return Some(start..from);
                }
                _ => {}
            }
        }
        return None;
    })
}

/// The value of attribute `name` in the tag `tag`, as written (entities left as they are).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag.strip_prefix("<img")?;
    loop {
        rest = rest.trim_start();
        let end = rest.find(|c: char| c == '=' || c == '>' || c == '/' || c.is_whitespace())?;
        let (attr, after) = rest.split_at(end);
        if let Some(value) = after.strip_prefix("=\"") {
            let close = value.find('"')?;
            if attr.eq_ignore_ascii_case(name) {
                return Some(&value[..close]);
            }
            rest = &value[close + 1..];
        } else if attr.is_empty() {
            return None;
        } else {
            rest = after;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    fn sizes() -> ImageSizes {
        ImageSizes {
            width: 1200,
            height: 800,
            original: format!("{KEY}.jpg"),
            variants: vec![(format!("{KEY}-320.webp"), 320), (format!("{KEY}-640.webp"), 640)],
        }
    }

    fn known(key: &str) -> Option<ImageSizes> {
        (key == KEY).then(sizes)
    }

    #[test]
    fn a_media_image_gets_its_variants_sizes_and_dimensions() {
        let html = format!(
            r#"<p>Banjir.</p><p><img src="https://kabar.test/media/{KEY}-640.webp" alt="Jalan &quot;tergenang&quot; > 1 m"></p>"#
        );
        assert_eq!(media_keys(&html), vec![KEY.to_owned()]);
        let out = add_srcsets(&html, known);
        let base = "https://kabar.test/media/";
        assert_eq!(
            out,
            format!(
                r#"<p>Banjir.</p><p><img src="{base}{KEY}-640.webp" alt="Jalan &quot;tergenang&quot; > 1 m" srcset="{base}{KEY}-320.webp 320w, {base}{KEY}-640.webp 640w, {base}{KEY}.jpg 1200w" sizes="(max-width: 800px) 100vw, 800px" width="1200" height="800"></p>"#
            )
        );
    }

    #[test]
    fn other_images_and_the_rest_of_the_html_are_left_alone() {
        let html = format!(
            r#"<img src="https://elsewhere.test/photo.jpg"><img alt="x"><p>&lt;img src="{KEY}.jpg"&gt;</p><img src="/media/{}.jpg"><imgx src="/media/{KEY}.jpg">"#,
            "f".repeat(32)
        );
        assert_eq!(add_srcsets(&html, known), html);
        assert_eq!(media_keys(&html), vec!["f".repeat(32)], "known to the database or not, a name is a candidate");
    }

    #[test]
    fn a_tag_with_its_own_size_keeps_it_and_a_query_is_no_part_of_the_name() {
        let html = format!(r#"<img width="300" src="/media/{KEY}.jpg?v=2" /><img src="/media/{KEY}.jpg#x">"#);
        let out = add_srcsets(&html, known);
        assert_eq!(out.matches("srcset=\"/media/").count(), 2, "{out}");
        assert_eq!(out.matches("width=").count(), 2, "{out}");
        assert!(out.starts_with(&format!(r#"<img width="300" src="/media/{KEY}.jpg?v=2" srcset="#)), "{out}");
        assert!(out.contains(r#"800px" />"#), "{out}");
        let narrow = ImageSizes { width: 500, height: 400, original: format!("{KEY}.png"), variants: vec![] };
        let out = add_srcsets(&format!(r#"<img src="/m/{KEY}.png">"#), |_| Some(narrow.clone()));
        assert_eq!(
            out,
            format!(
                r#"<img src="/m/{KEY}.png" srcset="/m/{KEY}.png 500w" sizes="(max-width: 500px) 100vw, 500px" width="500" height="400">"#
            )
        );
    }

    #[test]
    fn an_unclosed_tag_or_an_address_that_cannot_be_a_candidate_changes_nothing() {
        let open = format!(r#"<img src="/media/{KEY}.jpg""#);
        assert_eq!(add_srcsets(&open, known), open);
        let comma = format!(r#"<img src="/a,b/{KEY}.jpg">"#);
        assert_eq!(add_srcsets(&comma, known), comma);
    }
}
