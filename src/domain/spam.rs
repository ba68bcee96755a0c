//! Spam signals of a public comment. A flagged comment is stored as `spam`, never rejected,
//! so that a moderator can still rescue it.

/// More links than this in one comment look like spam.
pub const MAX_LINKS: usize = 2;

/// Why a comment looks like spam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpamSignal {
    /// The hidden `website` field, which people never see, was filled in (a bot).
    Honeypot,
    /// The body carries more than [`MAX_LINKS`] links.
    TooManyLinks,
    /// The same body was posted to the same article a moment ago.
    Duplicate,
}

/// Links in `text`: URLs with a scheme, and bare `www.` addresses.
pub fn count_links(text: &str) -> usize {
    let lower = text.to_lowercase();
    let schemes = lower.matches("http://").count() + lower.matches("https://").count();
    let bare = lower.match_indices("www.").filter(|(at, _)| !lower[..*at].ends_with("://")).count();
    schemes + bare
}

/// The first spam signal of a submission, judged on its own (duplicates need the database).
pub fn signal(body: &str, honeypot: Option<&str>) -> Option<SpamSignal> {
    if honeypot.is_some_and(|h| !h.trim().is_empty()) {
        return Some(SpamSignal::Honeypot);
    }
    if count_links(body) > MAX_LINKS {
        return Some(SpamSignal::TooManyLinks);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_counted_with_or_without_a_scheme() {
        assert_eq!(count_links("lihat https://a.example dan http://b.example"), 2);
        assert_eq!(count_links("www.a.example, WWW.b.example, https://www.c.example"), 3);
        assert_eq!(count_links("tidak ada tautan"), 0);
    }

    #[test]
    fn a_filled_honeypot_or_many_links_is_spam() {
        assert_eq!(signal("Setuju", Some("https://spam.example")), Some(SpamSignal::Honeypot));
        assert_eq!(signal("Setuju", Some("  ")), None);
        assert_eq!(signal("a https://1.example b https://2.example", None), None);
        assert_eq!(signal("https://1.example https://2.example www.3.example", None), Some(SpamSignal::TooManyLinks));
        assert_eq!(signal("Artikel yang bagus, terima kasih.", None), None);
    }
}
