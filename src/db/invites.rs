//! Invites: one-time tokens, stored as hashes, with which a staff member sets their own
//! password instead of being handed one.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{invites, users};
use super::{Conn, DbError};

/// Stores a new invite of `user_id` (who must exist) whose token hashes to `hash`, valid for
/// `ttl`, in place of any open one of theirs; answers when it expires.
pub fn create(
    conn: &mut Conn,
    user_id: i64,
    hash: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<NaiveDateTime, DbError> {
    super::write(conn, |conn| {
        diesel::delete(invites::table.filter(invites::user_id.eq(user_id)).filter(invites::used_at.is_null()))
            .execute(conn)?;
        let expires_at = (now + ttl).naive_utc();
        diesel::insert_into(invites::table)
            .values((
                invites::user_id.eq(user_id),
                invites::token_hash.eq(hash),
                invites::expires_at.eq(expires_at),
                invites::created_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        Ok(expires_at)
    })
}

/// Spends the open, unexpired invite whose token hashes to `hash`, of an active user, and
/// gives that user the password `password_hash`, ending every login they had. Answers the
/// user's id; `None` (nothing written) for any other token.
pub fn accept(conn: &mut Conn, hash: &str, password_hash: &str, now: DateTime<Utc>) -> Result<Option<i64>, DbError> {
    super::write_within(conn, |conn| {
        let found: Option<(i64, i64)> = invites::table
            .inner_join(users::table)
            .filter(invites::token_hash.eq(hash))
            .filter(invites::used_at.is_null())
            .filter(invites::expires_at.gt(now.naive_utc()))
            .filter(users::active.eq(true))
            .select((invites::id, invites::user_id))
            .first(conn)
            .optional()?;
        let Some((id, user_id)) = found else { return Ok(None) };
        // Spent only if nobody spent it meanwhile (two accepts at once on PostgreSQL).
        let spent = diesel::update(invites::table.find(id).filter(invites::used_at.is_null()))
            .set(invites::used_at.eq(now.naive_utc()))
            .execute(conn)?;
        if spent == 0 {
            return Ok(None);
        }
        super::users::set_password(conn, user_id, password_hash, None, now)?;
        Ok(Some(user_id))
    })
}
