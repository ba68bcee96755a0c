//! Keyset pagination of article lists. A cursor names where the next page starts: just after
//! the last article of this one, by its sort key and id, so the database seeks there through
//! the list's index instead of counting past every earlier article (as `page` must). It also
//! carries the position, so that `meta.page` and the `Link` header still make sense.
//!
//! A cursor is opaque to clients (base64url of a small JSON object) and only valid for the
//! order it was made for; anything else in `cursor` is a 422 naming it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::db::articles::{ArticleMeta, ArticleOrder, Seek, SeekKey};

/// The longest cursor accepted, in bytes: room for the longest title even if every character
/// of it needed a JSON escape.
const MAX_LEN: usize = 4096;
const TIME: &str = "%Y-%m-%dT%H:%M:%S%.f";
/// The furthest position a cursor may name: the last item of the last page a number reaches.
const MAX_POSITION: i64 = super::pagination::MAX_PAGE * super::pagination::MAX_PER_PAGE;

#[derive(Serialize, Deserialize)]
struct Token {
    /// The order: `published_at`, `updated_at` or `title`.
    o: String,
    /// Descending.
    d: bool,
    /// The position of the next page's first article, from 0.
    n: i64,
    /// The sort key of the last article (none: a draft without publication time).
    k: Option<String>,
    /// The id of the last article.
    i: i64,
}

/// A decoded cursor: where to seek, and the position there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub seek: Seek,
    pub offset: i64,
}

fn order_name(order: ArticleOrder) -> Option<&'static str> {
    match order {
        ArticleOrder::PublishedAt => Some("published_at"),
        ArticleOrder::UpdatedAt => Some("updated_at"),
        ArticleOrder::Title => Some("title"),
        ArticleOrder::Relevance => None,
    }
}

/// The cursor of the page after `last`, whose successor sits at position `next`; none for
/// relevance order (search results are paged with `page`).
pub fn encode(order: ArticleOrder, descending: bool, next: i64, last: &ArticleMeta) -> Option<String> {
    let key = match order {
        ArticleOrder::PublishedAt => last.published_at.map(|t| t.format(TIME).to_string()),
        ArticleOrder::UpdatedAt => Some(last.updated_at.format(TIME).to_string()),
        ArticleOrder::Title => Some(last.title.clone()),
        ArticleOrder::Relevance => return None,
    };
    let token = Token { o: order_name(order)?.to_owned(), d: descending, n: next, k: key, i: last.id };
    Some(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).ok()?))
}

/// Reads `text` as a cursor for a list in `order`; the error says why it is not one.
pub fn decode(text: &str, order: ArticleOrder, descending: bool) -> Result<Cursor, String> {
    const NOT_OURS: &str = "is not a cursor from this API; use `meta.next_cursor` of a previous page";
    if text.len() > MAX_LEN {
        return Err(NOT_OURS.into());
    }
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| NOT_OURS.to_owned())?;
    let token: Token = serde_json::from_slice(&bytes).map_err(|_| NOT_OURS.to_owned())?;
    let Some(name) = order_name(order) else {
        return Err("cannot page results ordered by relevance; use `page`".into());
    };
    if token.o != name || token.d != descending {
        let direction = if token.d { "desc" } else { "asc" };
        return Err(format!("was made for order_by={}&order={direction}; keep the order of the first page", token.o));
    }
    // Positions past any archive are not ours (and would overflow the page arithmetic).
    if !(0..=MAX_POSITION).contains(&token.n) || token.i < 1 {
        return Err(NOT_OURS.into());
    }
    // A cursor is the client's to forge: its key must be one a stored article could have (a
    // year the database can hold, a title without NUL), not merely one serde can read.
    let time = |k: &str| {
        NaiveDateTime::parse_from_str(k, TIME)
            .ok()
            .filter(|t| (1..=9999).contains(&chrono::Datelike::year(t)))
            .ok_or_else(|| NOT_OURS.to_owned())
    };
    let key = match (order, token.k) {
        (ArticleOrder::PublishedAt, None) => SeekKey::Time(None),
        (ArticleOrder::PublishedAt | ArticleOrder::UpdatedAt, Some(k)) => SeekKey::Time(Some(time(&k)?)),
        (ArticleOrder::Title, Some(k)) if !k.contains('\0') => SeekKey::Text(k),
        _ => return Err(NOT_OURS.into()),
    };
    Ok(Cursor { seek: Seek { key, id: token.i }, offset: token.n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_or_mismatched_cursors_are_refused() {
        assert!(decode("bm90IGpzb24", ArticleOrder::PublishedAt, true).is_err());
        assert!(decode("!!!", ArticleOrder::PublishedAt, true).is_err());
        assert!(decode(&"A".repeat(5000), ArticleOrder::PublishedAt, true).is_err());
        let token = URL_SAFE_NO_PAD.encode(r#"{"o":"title","d":false,"n":10,"k":"Kopi","i":4}"#);
        assert_eq!(
            decode(&token, ArticleOrder::Title, false).unwrap(),
            Cursor { seek: Seek { key: SeekKey::Text("Kopi".into()), id: 4 }, offset: 10 }
        );
        assert!(decode(&token, ArticleOrder::Title, true).unwrap_err().contains("order_by=title&order=asc"));
        assert!(decode(&token, ArticleOrder::PublishedAt, false).is_err());
        let negative = URL_SAFE_NO_PAD.encode(r#"{"o":"title","d":false,"n":-1,"k":"Kopi","i":4}"#);
        assert!(decode(&negative, ArticleOrder::Title, false).is_err());
    }
}
