//! What a write changes for the public, named once: every write path says what it did as a
//! [`Change`], and [`scopes_of`] says which public responses that can alter. The response
//! cache drops exactly those; the webhooks' `cache_tags` will say the same to frontends.
//!
//! A response depends on scopes too: an article list on [`Scope::Lists`] (which articles,
//! their summaries and counts), on [`Scope::Categories`], [`Scope::Tags`] and [`Scope::People`]
//! (the names it embeds); one article on [`Scope::Article`] with the same three. A write the public cannot
//! see (a pending comment, a login, a draft's edit) changes no scope.

use std::fmt;

/// A part of what the public sees, which a write can change as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Which articles are public and what lists, searches and counts of them show (summaries,
    /// comment counts, category article counts).
    Lists,
    /// Categories: their names and slugs (embedded in articles), hierarchy and counts.
    Categories,
    /// Tags: their names and slugs (embedded in articles) and counts.
    Tags,
    /// Public author objects (embedded in articles).
    People,
    /// The redirect rules made by hand or by an import.
    Redirects,
    /// Uploaded images as articles embed them (alt text, caption, credit, focal point, variants).
    Media,
    /// One article: its full representation and its public comments.
    Article(i64),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Lists => f.write_str("articles"),
            Scope::Categories => f.write_str("categories"),
            Scope::Tags => f.write_str("tags"),
            Scope::People => f.write_str("people"),
            Scope::Redirects => f.write_str("redirects"),
            Scope::Media => f.write_str("media"),
            Scope::Article(id) => write!(f, "article:{id}"),
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = ();

    fn from_str(s: &str) -> Result<Scope, ()> {
        match s {
            "articles" => Ok(Scope::Lists),
            "categories" => Ok(Scope::Categories),
            "tags" => Ok(Scope::Tags),
            "people" => Ok(Scope::People),
            "redirects" => Ok(Scope::Redirects),
            "media" => Ok(Scope::Media),
            other => other.strip_prefix("article:").and_then(|id| id.parse().ok()).map(Scope::Article).ok_or(()),
        }
    }
}

/// A committed write, as far as readers are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// An article was created, changed or deleted. `was_public`/`is_public`: whether the public
    /// could read it before and after (published and its time come); `filing_changed`: its
    /// categories or tags changed.
    Article { id: i64, was_public: bool, is_public: bool, filing_changed: bool },
    /// A comment of `article_id` was created, moderated, edited or deleted; `public`: whether the
    /// public could see it before or after (or any reply that moved with it).
    Comment { article_id: i64, public: bool },
    /// A category was created, changed or deleted.
    Category,
    /// A tag was created, changed or deleted.
    Tag,
    /// A redirect rule was created or deleted.
    Redirect,
    /// A staff account changed; `public`: in what its public author object shows, or by owning
    /// other articles (a delete with reassignment).
    Person { public: bool },
    /// An image that an article leads with changed what articles embed of it.
    Media,
    /// A scheduled article's time came: it joins the public lists with no write at that moment.
    ScheduledPublication,
}

/// The scopes a change alters; empty when the public sees no difference.
pub fn scopes_of(change: Change) -> Vec<Scope> {
    match change {
        Change::Article { id, was_public, is_public, filing_changed } => match (was_public, is_public) {
            (false, false) => vec![],
            // Still public: membership and counts stay as they were unless its filing moved.
            (true, true) if !filing_changed => vec![Scope::Lists, Scope::Article(id)],
            _ => vec![Scope::Lists, Scope::Categories, Scope::Tags, Scope::Article(id)],
        },
        // Lists show each article's comment count.
        Change::Comment { article_id, public: true } => vec![Scope::Lists, Scope::Article(article_id)],
        Change::Comment { public: false, .. } => vec![],
        Change::Category => vec![Scope::Categories],
        Change::Tag => vec![Scope::Tags],
        Change::Redirect => vec![Scope::Redirects],
        Change::Media => vec![Scope::Media],
        Change::Person { public: true } => vec![Scope::People],
        Change::Person { public: false } => vec![],
        Change::ScheduledPublication => vec![Scope::Lists, Scope::Categories, Scope::Tags],
    }
}

/// What a list of articles (a page, a search, a feed) shows.
pub fn list_reads() -> Vec<Scope> {
    vec![Scope::Lists, Scope::Categories, Scope::Tags, Scope::People, Scope::Media]
}

/// What one article shows.
pub fn article_reads(id: i64) -> Vec<Scope> {
    vec![Scope::Article(id), Scope::Categories, Scope::Tags, Scope::People, Scope::Media]
}

/// What the public comments of one article show.
pub fn comment_reads(article_id: i64) -> Vec<Scope> {
    vec![Scope::Article(article_id)]
}

/// What the site's settings show: they come from configuration, which no write changes.
pub fn site_reads() -> Vec<Scope> {
    Vec::new()
}

/// What a category or a list of them shows (article counts included).
pub fn category_reads() -> Vec<Scope> {
    vec![Scope::Categories]
}

/// Where an old path leads: a rule, or an old slug of a public article, a category, a tag (whose
/// renames change those scopes), to a public address that may name an author.
pub fn redirect_reads() -> Vec<Scope> {
    vec![Scope::Redirects, Scope::Lists, Scope::Categories, Scope::Tags, Scope::People]
}

/// What an author or the list of them shows: who has a public article, and their public fields.
pub fn author_reads() -> Vec<Scope> {
    vec![Scope::Lists, Scope::People]
}

/// What a tag or a list of them shows (article counts included).
pub fn tag_reads() -> Vec<Scope> {
    vec![Scope::Tags]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(was_public: bool, is_public: bool, filing_changed: bool) -> Vec<Scope> {
        scopes_of(Change::Article { id: 7, was_public, is_public, filing_changed })
    }

    #[test]
    fn a_draft_edit_changes_nothing_public() {
        assert!(article(false, false, true).is_empty());
    }

    #[test]
    fn publishing_or_unpublishing_changes_lists_counts_and_the_article() {
        let expected = vec![Scope::Lists, Scope::Categories, Scope::Tags, Scope::Article(7)];
        assert_eq!(article(false, true, false), expected);
        assert_eq!(article(true, false, false), expected);
    }

    #[test]
    fn editing_a_public_article_spares_category_counts_unless_its_filing_moves() {
        assert_eq!(article(true, true, false), vec![Scope::Lists, Scope::Article(7)]);
        assert!(article(true, true, true).contains(&Scope::Categories));
        assert!(article(true, true, true).contains(&Scope::Tags));
    }

    #[test]
    fn only_comments_the_public_sees_change_anything() {
        assert!(scopes_of(Change::Comment { article_id: 3, public: false }).is_empty());
        assert_eq!(scopes_of(Change::Comment { article_id: 3, public: true }), vec![Scope::Lists, Scope::Article(3)]);
    }

    #[test]
    fn a_category_change_spares_the_article_lists_themselves() {
        assert_eq!(scopes_of(Change::Category), vec![Scope::Categories]);
        assert_eq!(scopes_of(Change::Tag), vec![Scope::Tags]);
    }

    #[test]
    fn account_changes_the_public_cannot_see_change_nothing() {
        assert!(scopes_of(Change::Person { public: false }).is_empty());
        assert_eq!(scopes_of(Change::Person { public: true }), vec![Scope::People]);
    }

    #[test]
    fn scopes_read_back_from_their_names() {
        for scope in [
            Scope::Lists,
            Scope::Categories,
            Scope::Tags,
            Scope::People,
            Scope::Redirects,
            Scope::Media,
            Scope::Article(42),
        ] {
            assert_eq!(scope.to_string().parse::<Scope>(), Ok(scope));
        }
        assert!("article:x".parse::<Scope>().is_err());
    }
}
