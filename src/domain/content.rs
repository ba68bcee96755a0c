//! Article text: Markdown rendered to sanitized HTML, and excerpts derived from the body.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

use super::nesting::{self, Nesting, TooDeep};

/// How long a derived excerpt may be, in characters (a written one may be up to 1000).
pub const DERIVED_EXCERPT_CHARS: usize = 300;

/// The Markdown parser every rendering and check uses, with Warta's extensions.
pub(crate) fn markdown_parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES)
}

/// Renders Markdown to HTML that is safe to insert into a page: no scripts, no event
/// handlers, no `javascript:` or `data:` URLs, no iframes, forms or styles. Raw HTML in the
/// Markdown passes through the same sanitizer. A body that nests too deeply
/// ([`nesting`]) is refused before the sanitizer sees it, so rendering takes time in
/// proportion to the body's length.
pub fn render_markdown(markdown: &str) -> Result<String, TooDeep> {
    let mut nesting = Nesting::default();
    let mut refused = None;
    let events = markdown_parser(markdown).map_while(|event| match nesting.observe(&event) {
        Ok(()) => Some(event),
        Err(e) => {
            refused = Some(e);
            None
        }
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut unsafe_html, events);
    if let Some(e) = refused {
        return Err(e);
    }
    // Markdown's own HTML nests as deep as the Markdown; raw HTML may nest however it likes.
    if nesting.saw_raw_html() {
        nesting::check_html(&unsafe_html)?;
    }
    Ok(ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(&unsafe_html)
        .to_string())
}

/// The plain text of the body's first paragraph (headings, images and HTML skipped),
/// cut at a word boundary to [`DERIVED_EXCERPT_CHARS`] with an ellipsis.
pub fn derive_excerpt(markdown: &str) -> String {
    let mut text = String::new();
    let mut in_paragraph = false;
    for event in markdown_parser(markdown) {
        match event {
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) => {
                if !text.trim().is_empty() {
                    break;
                }
                in_paragraph = false;
            }
            Event::Text(t) | Event::Code(t) if in_paragraph => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_paragraph => text.push(' '),
            _ => {}
        }
    }
    truncate_words(&collapse_whitespace(&text), DERIVED_EXCERPT_CHARS)
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate_words(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max_chars).collect();
    let at_word = match cut.rfind(' ') {
        Some(space) if space > 0 => &cut[..space],
        _ => &cut,
    };
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = render_markdown("## Judul\n\nTeks *miring* dan [tautan](https://example.com).").unwrap();
        assert!(html.contains("<h2>Judul</h2>"));
        assert!(html.contains("<em>miring</em>"));
        assert!(html.contains(r#"href="https://example.com""#));
    }

    #[test]
    fn scripts_handlers_and_dangerous_urls_are_removed() {
        let html = render_markdown(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) \
             <a href=\"data:text/html,x\">b</a> <iframe src=\"https://evil.example\"></iframe>",
        )
        .unwrap();
        for bad in ["<script", "onerror", "javascript:", "data:", "<iframe"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
    }

    #[test]
    fn the_excerpt_is_the_first_paragraph_as_plain_text() {
        let body = "## Kilas\n\nTeheran (Kabar Harapan) – Harga **kopi** naik\nhari ini.\n\nParagraf kedua.";
        assert_eq!(derive_excerpt(body), "Teheran (Kabar Harapan) – Harga kopi naik hari ini.");
    }

    #[test]
    fn a_long_first_paragraph_is_cut_at_a_word() {
        let excerpt = derive_excerpt(&"kata ".repeat(200));
        assert!(excerpt.chars().count() <= DERIVED_EXCERPT_CHARS + 1);
        assert!(excerpt.ends_with("kata…"));
    }

    #[test]
    fn an_empty_body_has_an_empty_excerpt() {
        assert_eq!(derive_excerpt(""), "");
    }

    #[test]
    fn too_deep_bodies_are_refused_and_a_few_levels_render() {
        assert_eq!(render_markdown(&">".repeat(64_000)), Err(TooDeep::Markdown));
        assert_eq!(render_markdown(&format!("Teks.\n\n{}", "<div>".repeat(1_000))), Err(TooDeep::Html));
        let body = "> > > > > dalam\n\n- satu\n  - dua\n    - tiga\n      - empat\n        - ***[lima](https://example.com)***";
        let html = render_markdown(body).unwrap();
        assert_eq!(html.matches("<blockquote>").count(), 5);
        assert_eq!(html.matches("<ul>").count(), 5);
        assert!(html.contains("<em><strong><a href=\"https://example.com\""), "{html}");
        let figures =
            "<figure><img src=\"https://example.com/a.jpg\"><figcaption>Foto</figcaption></figure>\n\n".repeat(50);
        assert_eq!(render_markdown(&figures).unwrap().matches("<figcaption>Foto</figcaption>").count(), 50);
    }
}
