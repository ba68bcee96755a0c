//! API tokens: a user's long-lived credentials for integrations, by the SHA-256 of the token
//! (never the token), with their scopes and when they were last used.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{api_tokens, users};
use super::users::Author;
use super::{Conn, DbError};
use crate::domain::{Role, Scope};

/// Most tokens one user may hold: enough for every integration of a newsroom, few enough that
/// a leaked password cannot be turned into an endless supply of them.
pub const MAX_PER_USER: i64 = 100;

/// A token as its owner and admins see it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::sqlite::Sqlite))]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    scopes: String,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl ApiToken {
    /// The token's scopes, in the order they were granted.
    pub fn scopes(&self) -> Vec<Scope> {
        parse_scopes(&self.scopes)
    }
}

/// Scopes as stored: space-separated names (only known ones are ever written).
fn parse_scopes(stored: &str) -> Vec<Scope> {
    stored.split_whitespace().filter_map(|s| s.parse().ok()).collect()
}

/// A new token of a user.
pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub scopes: &'a [Scope],
    pub expires_at: Option<NaiveDateTime>,
}

/// Stores `new` and returns it with its owner; a [`DbError::Conflict`] when its user holds
/// [`MAX_PER_USER`] tokens already.
pub fn create(conn: &mut Conn, new: &NewToken, now: NaiveDateTime) -> Result<(ApiToken, Author), DbError> {
    super::write_within(conn, |conn| {
        let held: i64 = api_tokens::table.filter(api_tokens::user_id.eq(new.user_id)).count().get_result(conn)?;
        if held >= MAX_PER_USER {
            return Err(DbError::Conflict(format!(
                "a user holds at most {MAX_PER_USER} API tokens; delete one that is no longer used"
            )));
        }
        let scopes: Vec<&str> = new.scopes.iter().map(|s| s.as_str()).collect();
        let id: i64 = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::user_id.eq(new.user_id),
                api_tokens::name.eq(new.name),
                api_tokens::token_hash.eq(new.token_hash),
                api_tokens::prefix.eq(new.prefix),
                api_tokens::scopes.eq(scopes.join(" ")),
                api_tokens::expires_at.eq(new.expires_at),
                api_tokens::created_at.eq(now),
            ))
            .returning(api_tokens::id)
            .get_result(conn)?;
        find(conn, id)
    })
}

/// One page of tokens, newest first, with their owners and the total: those of user `owner`,
/// or everyone's.
pub fn list(
    conn: &mut Conn,
    owner: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<(ApiToken, Author)>, i64), DbError> {
    let mine = |query: api_tokens::BoxedQuery<'static, super::Backend>| match owner {
        Some(id) => query.filter(api_tokens::user_id.eq(id)),
        None => query,
    };
    let total: i64 = mine(api_tokens::table.into_boxed()).count().get_result(conn)?;
    let rows = mine(api_tokens::table.into_boxed())
        .inner_join(users::table)
        .order(api_tokens::id.desc())
        .offset(offset)
        .limit(limit)
        .select((ApiToken::as_select(), Author::as_select()))
        .load(conn)?;
    Ok((rows, total))
}

/// Token `id` with its owner.
pub fn find(conn: &mut Conn, id: i64) -> Result<(ApiToken, Author), DbError> {
    Ok(api_tokens::table
        .find(id)
        .inner_join(users::table)
        .select((ApiToken::as_select(), Author::as_select()))
        .first(conn)?)
}

/// Deletes token `id`; [`DbError::NotFound`] when there is none.
pub fn delete(conn: &mut Conn, id: i64) -> Result<(), DbError> {
    match diesel::delete(api_tokens::table.find(id)).execute(conn)? {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}

/// Who a presented token (by its hash) acts for at `now`.
#[derive(Debug, Clone)]
pub struct Holder {
    pub token_id: i64,
    pub token_name: String,
    pub user_id: i64,
    pub role: Role,
    pub display_name: String,
    pub scopes: Vec<Scope>,
}

/// The holder of the token whose hash is `token_hash`: `None` when there is no such token, it
/// has expired, or its user is deactivated.
pub fn holder(conn: &mut Conn, token_hash: &str, now: NaiveDateTime) -> Result<Option<Holder>, DbError> {
    type Row = (i64, String, String, i64, String, String);
    let found: Option<Row> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::expires_at.is_null().or(api_tokens::expires_at.gt(now)))
        .filter(users::active.eq(true))
        .select((api_tokens::id, api_tokens::name, api_tokens::scopes, users::id, users::role, users::display_name))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(token_id, token_name, scopes, user_id, role, display_name)| {
        let role = role.parse().ok()?;
        Some(Holder { token_id, token_name, user_id, role, display_name, scopes: parse_scopes(&scopes) })
    }))
}

/// Writes when tokens were last used: one statement per token used since the last batch;
/// a time never goes back, whichever instance wrote last.
pub fn record_usage(conn: &mut Conn, used: &[(i64, NaiveDateTime)]) -> Result<(), DbError> {
    if used.is_empty() {
        return Ok(());
    }
    super::write(conn, |conn| {
        for (id, at) in used {
            diesel::update(
                api_tokens::table
                    .find(id)
                    .filter(api_tokens::last_used_at.is_null().or(api_tokens::last_used_at.lt(at))),
            )
            .set(api_tokens::last_used_at.eq(at))
            .execute(conn)?;
        }
        Ok(())
    })
}
