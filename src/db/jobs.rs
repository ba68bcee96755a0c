//! Periodic background jobs that must run once per period however many instances share the
//! database (pruning what every instance has long read). Each instance asks [`claim`] when its
//! own timer says a job may be due; exactly one claim per period succeeds, and only that
//! instance does the work.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use super::{Conn, DbError};

/// Claims job `$1` when it is due at `$3` (or was never run): its next due time becomes `$2`.
/// One statement, so two instances cannot both claim one period: PostgreSQL orders them on the
/// row's lock and checks the second against the row the first left; SQLite runs one writer
/// at a time. A claim that finds the job not yet due changes nothing.
const CLAIM: &str = "INSERT INTO job_runs (name, due_at, claimed_at) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at, claimed_at = excluded.claimed_at \
     WHERE job_runs.due_at <= excluded.claimed_at";

/// Whether this caller runs job `name` now: true for exactly one caller per `every`, the first
/// to ask once the job is due. The claim is its own statement; the job's work may follow in
/// the same transaction or not (a job that fails waits for its next period).
pub fn claim(conn: &mut Conn, name: &str, every: Duration, now: NaiveDateTime) -> Result<bool, DbError> {
    let claimed = crate::numbered_query!(conn, CLAIM, |q, c| q
        .bind::<Text, _>(name)
        .bind::<Timestamp, _>(now + every)
        .bind::<Timestamp, _>(now)
        .execute(c))?;
    Ok(claimed == 1)
}
