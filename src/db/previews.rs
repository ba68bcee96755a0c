//! Draft preview tokens: a token shows one article as it is now, published or not, until it
//! expires or every token of the article is revoked. Only their SHA-256 is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::preview_tokens;
use super::{Conn, DbError};

/// Stores a token of article `article_id` by its hash, valid until `expires_at`; expired tokens
/// of every article are deleted on the way (they are few: each lives an hour by default).
pub fn create(
    conn: &mut Conn,
    article_id: i64,
    token_hash: &str,
    created_by: i64,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    super::write_within(conn, |conn| {
        diesel::delete(preview_tokens::table.filter(preview_tokens::expires_at.le(now))).execute(conn)?;
        diesel::insert_into(preview_tokens::table)
            .values((
                preview_tokens::article_id.eq(article_id),
                preview_tokens::token_hash.eq(token_hash),
                preview_tokens::created_by.eq(Some(created_by)),
                preview_tokens::expires_at.eq(expires_at),
                preview_tokens::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// The article a token (by its hash) shows at `now`; [`DbError::NotFound`] when it is unknown,
/// revoked or expired.
pub fn article_of(conn: &mut Conn, token_hash: &str, now: NaiveDateTime) -> Result<i64, DbError> {
    Ok(preview_tokens::table
        .filter(preview_tokens::token_hash.eq(token_hash))
        .filter(preview_tokens::expires_at.gt(now))
        .select(preview_tokens::article_id)
        .first(conn)?)
}

/// Revokes every token of article `article_id`; returns how many there were.
pub fn revoke(conn: &mut Conn, article_id: i64) -> Result<usize, DbError> {
    Ok(diesel::delete(preview_tokens::table.filter(preview_tokens::article_id.eq(article_id))).execute(conn)?)
}
