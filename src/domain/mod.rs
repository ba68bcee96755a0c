//! Pure types and rules of the newsroom: no I/O, no HTTP, no database.

pub mod addresses;
pub mod content;
pub mod diff;
pub mod invalidation;
pub mod nesting;
pub mod permissions;
pub mod responsive;
pub mod scopes;
pub mod search;
pub mod slug;
pub mod spam;
pub mod status;

pub use slug::Slug;
pub use status::{ArticleKind, ArticleStatus, CommentPolicy, CommentStatus, Role, Scope};

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// How far the shared clock (the database's, on PostgreSQL) is ahead of this machine's, in ms.
static CLOCK_OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// The current time, to the second: every stored time has this precision, so what a
/// client reads back (`...T08:30:00Z`) is exactly what is compared and ordered on.
/// Several instances on one PostgreSQL database take it from the database's clock (see
/// [`set_clock_offset_ms`]), so that a scheduled article appears on all of them at once.
pub fn now() -> DateTime<Utc> {
    let offset = CLOCK_OFFSET_MS.load(Ordering::Relaxed);
    (Utc::now() + chrono::Duration::milliseconds(offset)).trunc_subsecs(0)
}

/// Sets how far the shared clock is ahead of this machine's (the content-change poll measures it).
pub fn set_clock_offset_ms(offset: i64) {
    CLOCK_OFFSET_MS.store(offset, Ordering::Relaxed);
}

/// How a path names a resource: a number is an id, anything else a slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    Id(i64),
    Slug(String),
}

impl IdOrSlug {
    /// Reads a path segment or filter value: `None` for text that is not a well-formed slug.
    /// A number too large to be an id reads as id 0, which names nothing (ids start at 1).
    pub fn parse(s: &str) -> Option<IdOrSlug> {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(IdOrSlug::Id(s.parse().unwrap_or(0)));
        }
        slug::is_valid(s).then(|| IdOrSlug::Slug(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_ids_and_the_rest_slugs() {
        assert_eq!(IdOrSlug::parse("42"), Some(IdOrSlug::Id(42)));
        assert_eq!(IdOrSlug::parse("luar-negeri"), Some(IdOrSlug::Slug("luar-negeri".into())));
        assert_eq!(IdOrSlug::parse("2024-pemilu"), Some(IdOrSlug::Slug("2024-pemilu".into())));
    }

    #[test]
    fn what_can_name_nothing_is_none() {
        assert_eq!(IdOrSlug::parse("0"), Some(IdOrSlug::Id(0)));
        assert_eq!(IdOrSlug::parse("99999999999999999999999"), Some(IdOrSlug::Id(0)));
        for s in ["", "Luar Negeri", "../x", "-1"] {
            assert_eq!(IdOrSlug::parse(s), None, "{s}");
        }
    }
}
