//! The counts of the shared limits in `rate_limits (key, window_start, count)`: one atomic
//! statement per operation, so that instances counting the same key never both take its last
//! slot (the row lock orders them on PostgreSQL, the write lock on SQLite).
//!
//! A window starts at its key's first event and has passed once `window_start <= passed`
//! (the caller's `now - window`). The count of a refused event is kept one above the limit, so
//! that the row the upsert returns tells a refusal from the hit that took the last slot.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use super::{Conn, DbError};

/// A key's window as a statement left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Window {
    /// Events counted in the window; `limit + 1` after a refusal.
    #[diesel(sql_type = Integer)]
    pub count: i32,
    #[diesel(sql_type = Timestamp)]
    pub window_start: NaiveDateTime,
}

/// Counts one event: a window that has passed starts again at `now` with this event; a current
/// one takes it while it has fewer than `limit`, else it is marked refused (`limit + 1`).
const HIT: &str = "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1) \
     ON CONFLICT (key) DO UPDATE SET \
     count = CASE WHEN rate_limits.window_start <= $3 THEN 1 \
                  WHEN rate_limits.count < $4 THEN rate_limits.count + 1 \
                  ELSE $4 + 1 END, \
     window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
     RETURNING count, window_start";

/// The current window of a key, if it has one.
const CHECK: &str = "SELECT count, window_start FROM rate_limits WHERE key = $1 AND window_start > $2";

/// Takes back one counted event of a current window (a refusal's mark first).
const RELEASE: &str = "UPDATE rate_limits SET count = CASE WHEN count > $3 THEN $3 - 1 ELSE count - 1 END \
     WHERE key = $1 AND window_start > $2 AND count > 0";

const CLEAR: &str = "DELETE FROM rate_limits WHERE key = $1";

/// At most `$2` rows whose windows started at or before `$1`, oldest first (by the index on
/// `window_start`, so the work is bounded whatever the table holds).
const PRUNE: &str = "DELETE FROM rate_limits WHERE key IN \
     (SELECT key FROM rate_limits WHERE window_start <= $1 ORDER BY window_start LIMIT $2)";

/// Counts an event for `key` at `now` (see [`HIT`]): the window as it stands after it. The
/// event passed when the count is at most `limit`.
pub fn hit(
    conn: &mut Conn,
    key: &str,
    now: NaiveDateTime,
    passed: NaiveDateTime,
    limit: i32,
) -> Result<Window, DbError> {
    let window = crate::numbered_query!(conn, HIT, |q, c| q
        .bind::<Text, _>(key)
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(passed)
        .bind::<Integer, _>(limit)
        .get_result::<Window>(c))?;
    Ok(window)
}

/// The current window of `key`, if it has one.
pub fn check(conn: &mut Conn, key: &str, passed: NaiveDateTime) -> Result<Option<Window>, DbError> {
    let window = crate::numbered_query!(conn, CHECK, |q, c| q
        .bind::<Text, _>(key)
        .bind::<Timestamp, _>(passed)
        .get_result::<Window>(c)
        .optional())?;
    Ok(window)
}

/// Takes back one event of the current window of `key`.
pub fn release(conn: &mut Conn, key: &str, passed: NaiveDateTime, limit: i32) -> Result<(), DbError> {
    crate::numbered_query!(conn, RELEASE, |q, c| q
        .bind::<Text, _>(key)
        .bind::<Timestamp, _>(passed)
        .bind::<Integer, _>(limit)
        .execute(c))?;
    Ok(())
}

/// Forgets `key`.
pub fn clear(conn: &mut Conn, key: &str) -> Result<(), DbError> {
    crate::numbered_query!(conn, CLEAR, |q, c| q.bind::<Text, _>(key).execute(c))?;
    Ok(())
}

/// Deletes at most `max` rows whose windows started at or before `before`; returns how many.
pub fn prune(conn: &mut Conn, before: NaiveDateTime, max: i64) -> Result<usize, DbError> {
    let deleted =
        crate::numbered_query!(conn, PRUNE, |q, c| q.bind::<Timestamp, _>(before).bind::<BigInt, _>(max).execute(c))?;
    Ok(deleted)
}

/// How many rows the table holds.
pub fn rows(conn: &mut Conn) -> Result<i64, DbError> {
    use super::schema::rate_limits;
    Ok(rate_limits::table.count().get_result(conn)?)
}
