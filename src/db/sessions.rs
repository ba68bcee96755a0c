//! Logins as refresh-token families: each refresh spends one token and issues the next;
//! presenting a spent token again revokes the whole family (it was stolen or replayed).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{refresh_tokens, users};
use super::{Conn, DbError};

/// A login that holds a valid refresh token.
#[derive(Debug, Clone)]
pub struct Session {
    pub family: String,
    pub user_id: i64,
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was good: it is spent now, and the successor is stored in its place.
    Rotated(Session),
    /// The token was spent already: its whole login (of user `user_id`) has just been revoked.
    Reused { user_id: i64 },
    /// Unknown, expired, revoked, or its user is inactive.
    Invalid,
}

fn insert(
    conn: &mut Conn,
    session: Session,
    hash: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<Session, DbError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(session.user_id),
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::family.eq(&session.family),
            refresh_tokens::expires_at.eq((now + ttl).naive_utc()),
            refresh_tokens::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(session)
}

/// Starts login `session` with the refresh token whose hash is `hash` (the database never
/// sees a token itself); also clears tokens that expired long ago.
pub fn start(
    conn: &mut Conn,
    session: Session,
    hash: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<Session, DbError> {
    super::write(conn, |conn| {
        // A day's grace keeps recently expired tokens recognisable as reuse.
        diesel::delete(expired_before((now - Duration::days(1)).naive_utc())).execute(conn)?;
        insert(conn, session, hash, now, ttl)
    })
}

/// The tokens that expired before `cutoff`: a range of the `refresh_tokens_expiry` index.
fn expired_before(
    cutoff: NaiveDateTime,
) -> diesel::dsl::Filter<refresh_tokens::table, diesel::dsl::Lt<refresh_tokens::expires_at, NaiveDateTime>> {
    refresh_tokens::table.filter(refresh_tokens::expires_at.lt(cutoff))
}

/// Spends the token whose hash is `hash` and stores its successor (`next_hash`), or revokes
/// its family when it was spent before.
pub fn rotate(
    conn: &mut Conn,
    hash: &str,
    next_hash: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<Rotation, DbError> {
    super::write(conn, |conn| {
        let found = refresh_tokens::table
            .inner_join(users::table)
            .filter(refresh_tokens::token_hash.eq(hash))
            .select((
                refresh_tokens::id,
                refresh_tokens::user_id,
                refresh_tokens::family,
                refresh_tokens::expires_at,
                refresh_tokens::spent_at,
                refresh_tokens::revoked_at,
                users::active,
            ))
            .first::<(
                i64,
                i64,
                String,
                chrono::NaiveDateTime,
                Option<chrono::NaiveDateTime>,
                Option<chrono::NaiveDateTime>,
                bool,
            )>(conn)
            .optional()?;
        let Some((id, user_id, family, expires_at, spent_at, revoked_at, active)) = found else {
            return Ok(Rotation::Invalid);
        };
        if revoked_at.is_some() || !active {
            return Ok(Rotation::Invalid);
        }
        if spent_at.is_some() {
            revoke_family(conn, &family, now)?;
            return Ok(Rotation::Reused { user_id });
        }
        if expires_at <= now.naive_utc() {
            return Ok(Rotation::Invalid);
        }
        // Spent only if nobody spent it meanwhile: on PostgreSQL two refreshes with the same
        // token can run at once, and the second then waits here and finds it spent.
        let spent = diesel::update(
            refresh_tokens::table
                .find(id)
                .filter(refresh_tokens::spent_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::spent_at.eq(now.naive_utc()))
        .execute(conn)?;
        if spent == 0 {
            revoke_family(conn, &family, now)?;
            return Ok(Rotation::Reused { user_id });
        }
        Ok(Rotation::Rotated(insert(conn, Session { family, user_id }, next_hash, now, ttl)?))
    })
}

/// Ends the login of the token whose hash is `hash`, and answers whose it was; unknown
/// tokens are ignored (logging out twice is fine).
pub fn end(conn: &mut Conn, hash: &str, now: DateTime<Utc>) -> Result<Option<i64>, DbError> {
    super::write(conn, |conn| {
        let found: Option<(String, i64)> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash))
            .filter(refresh_tokens::revoked_at.is_null())
            .select((refresh_tokens::family, refresh_tokens::user_id))
            .first(conn)
            .optional()?;
        let Some((family, user_id)) = found else { return Ok(None) };
        revoke_family(conn, &family, now)?;
        Ok(Some(user_id))
    })
}

/// Ends every login of `user_id`: its refresh tokens stop renewing, and the access tokens of
/// those logins stop working at their next request. For changes that must reach every
/// device at once: a new password, a new role, deactivation.
pub fn end_all_of(conn: &mut Conn, user_id: i64, now: DateTime<Utc>) -> Result<usize, DbError> {
    end_all_of_but(conn, user_id, None, now)
}

/// [`end_all_of`], except the login `keep`.
pub fn end_all_of_but(conn: &mut Conn, user_id: i64, keep: Option<&str>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let live =
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null());
    let ended = match keep {
        Some(family) => diesel::update(live.filter(refresh_tokens::family.ne(family)))
            .set(refresh_tokens::revoked_at.eq(now.naive_utc()))
            .execute(conn)?,
        None => diesel::update(live).set(refresh_tokens::revoked_at.eq(now.naive_utc())).execute(conn)?,
    };
    Ok(ended)
}

fn revoke_family(conn: &mut Conn, family: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::family.eq(family)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now.naive_utc()))
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::{Integer, Text, Timestamp};

    #[derive(QueryableByName)]
    struct PlanStep {
        #[diesel(sql_type = Integer)]
        #[allow(dead_code)] // a column of EXPLAIN QUERY PLAN; only `detail` is checked
        id: i32,
        #[diesel(sql_type = Text)]
        detail: String,
    }

    #[test]
    fn pruning_expired_tokens_uses_the_expiry_index() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, _) = crate::db::connect(dir.path().join("plan.db").to_str().unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        let cutoff = Utc::now().naive_utc();
        let query =
            diesel::debug_query::<diesel::sqlite::Sqlite, _>(&diesel::delete(expired_before(cutoff))).to_string();
        let sql = query.split(" -- binds:").next().unwrap();
        let plan: Vec<PlanStep> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .bind::<Timestamp, _>(cutoff)
            .load(&mut conn)
            .unwrap();
        let details: Vec<&str> = plan.iter().map(|step| step.detail.as_str()).collect();
        assert!(
            details.iter().any(|d| d.contains("USING") && d.contains("INDEX refresh_tokens_expiry")),
            "{details:?}"
        );
        assert!(!details.iter().any(|d| d.starts_with("SCAN")), "{details:?}");
    }
}
