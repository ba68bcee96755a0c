//! Users: staff accounts, and the public author profile embedded in articles.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

use super::schema::users;
use super::{Conn, DbError};
use crate::domain::invalidation::Change;
use crate::domain::{Role, Slug};

/// What the public sees of a user: never the email.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Author {
    pub id: i64,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
}

/// The authors of articles as last read, so that a list, a search or an article does not read
/// them again: a few hundred people write a newsroom's thousands of articles. The cache is
/// current while no person's public fields changed (the People scope, which the content-change
/// poll also moves for writes of other instances); the scope's generation is read before the
/// rows, so a change committed meanwhile makes the next read fetch again.
#[derive(Debug, Default)]
pub struct AuthorCache {
    /// The generation the authors were read at, and the authors.
    entries: std::sync::Mutex<(u64, HashMap<i64, Author>)>,
}

/// Authors kept before the cache starts afresh.
const MAX_CACHED_AUTHORS: usize = 10_000;

impl AuthorCache {
    /// The authors `ids`, from the cache where current, else read (and kept) through `conn`.
    fn load(&self, conn: &mut Conn, generation: u64, ids: &[i64]) -> Result<HashMap<i64, Author>, DbError> {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                match entries.1.get(id).filter(|_| entries.0 == generation) {
                    Some(author) => {
                        found.insert(*id, author.clone());
                    }
                    None if !missing.contains(id) => missing.push(*id),
                    None => {}
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let read = read_authors(conn, &missing)?;
        {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if generation > entries.0 || entries.1.len() >= MAX_CACHED_AUTHORS {
                *entries = (generation, HashMap::new());
            }
            // Rows read at an older generation than the cache's may be stale: not kept.
            if entries.0 == generation {
                entries.1.extend(read.iter().map(|a| (a.id, a.clone())));
            }
        }
        found.extend(read.into_iter().map(|a| (a.id, a)));
        Ok(found)
    }
}

fn read_authors(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Author>, DbError> {
    Ok(users::table.filter(users::id.eq_any(ids)).select(Author::as_select()).load::<Author>(conn)?)
}

/// The public author objects of `ids` (deduplicated by the caller or not), through the cache of
/// the pool `conn` came from.
pub fn authors(conn: &mut Conn, ids: &[i64]) -> Result<HashMap<i64, Author>, DbError> {
    // Inside a transaction the rows may be its own uncommitted writes, which a rollback would
    // leave in the cache: only reads outside one use it.
    let outside_transactions = super::transaction_depth(conn) == Some(0);
    match super::pool::stats_of(conn).filter(|_| outside_transactions) {
        Some(stats) => stats.authors.load(conn, stats.generations.people(), ids),
        None => Ok(read_authors(conn, ids)?.into_iter().map(|a| (a.id, a)).collect()),
    }
}

/// A new staff account; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub bio: String,
}

/// A slug no other user has, made from the display name.
fn unique_slug(conn: &mut Conn, display_name: &str) -> Result<Slug, DbError> {
    let base = Slug::from_title(display_name, "user");
    let (low, high) = base.family_range();
    let taken: Vec<String> =
        users::table.filter(users::slug.ge(&low).and(users::slug.lt(&high))).select(users::slug).load(conn)?;
    Ok(base.first_free(&taken))
}

/// Creates a user; the email is stored lower-cased and must be unused (409 otherwise).
pub fn create(conn: &mut Conn, new: &NewUser, now: DateTime<Utc>) -> Result<i64, DbError> {
    super::write(conn, |conn| {
        let email = new.email.trim().to_lowercase();
        let taken: bool =
            diesel::select(diesel::dsl::exists(users::table.filter(users::email.eq(&email)))).get_result(conn)?;
        if taken {
            return Err(DbError::Conflict(format!("a user with email {email} exists already")));
        }
        let slug = unique_slug(conn, &new.display_name)?;
        let id = diesel::insert_into(users::table)
            .values((
                users::email.eq(&email),
                users::display_name.eq(&new.display_name),
                users::slug.eq(slug.as_str()),
                users::bio.eq(&new.bio),
                users::password_hash.eq(&new.password_hash),
                users::role.eq(new.role.as_str()),
                users::active.eq(true),
                users::created_at.eq(now.naive_utc()),
                users::updated_at.eq(now.naive_utc()),
            ))
            .returning(users::id)
            .get_result(conn)?;
        Ok(id)
    })
}

/// Whether an active admin exists.
pub fn admin_exists(conn: &mut Conn) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table.filter(users::role.eq(Role::Admin.as_str())).filter(users::active.eq(true)),
    ))
    .get_result(conn)?)
}

/// A staff account as admins see it (never the password hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    pub role: String,
    pub active: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// The user `id`.
pub fn find(conn: &mut Conn, id: i64) -> Result<User, DbError> {
    Ok(users::table.find(id).select(User::as_select()).first(conn)?)
}

/// The user with `email` (any case) and the password hash to check, if any.
pub fn find_for_login(conn: &mut Conn, email: &str) -> Result<Option<(User, String)>, DbError> {
    if email.contains('\0') {
        // No stored email holds NUL, and PostgreSQL refuses to compare text holding it.
        return Ok(None);
    }
    Ok(users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select((User::as_select(), users::password_hash))
        .first(conn)
        .optional()?)
}

/// The id, current role and name of `user_id` if the user is active and login `session` is one
/// of theirs that has not been revoked: what every authenticated request checks, in one
/// statement (the user by its key, the login through the family index).
pub fn session_holder(conn: &mut Conn, user_id: i64, session: &str) -> Result<Option<(i64, Role, String)>, DbError> {
    use super::schema::refresh_tokens;
    // Revoking a login marks every token of its family, so a family with a token that is
    // not revoked is a live login; one without any row (never issued) is not.
    let live = refresh_tokens::table
        .filter(refresh_tokens::family.eq(session))
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null());
    let found: Option<(i64, String, String)> = users::table
        .filter(users::id.eq(user_id))
        .filter(users::active.eq(true))
        .filter(diesel::dsl::exists(live))
        .select((users::id, users::role, users::display_name))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(id, role, name)| role.parse().ok().map(|role| (id, role, name))))
}

/// The users with at least one story public at `now`: the staff the public may know of.
fn public_authors(now: NaiveDateTime) -> users::BoxedQuery<'static, super::Backend> {
    use super::schema::articles;
    let wrote = articles::table.filter(articles::author_id.eq(users::id)).filter(super::articles::is_public_story(now));
    users::table.filter(diesel::dsl::exists(wrote)).into_boxed()
}

/// One page of the public authors by name, with their total.
pub fn list_authors(
    conn: &mut Conn,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Author>, i64), DbError> {
    super::read_snapshot(conn, |conn| {
        let total = public_authors(now).count().get_result(conn)?;
        let rows = public_authors(now)
            .order((users::display_name.asc(), users::id.asc()))
            .offset(offset)
            .limit(limit)
            .select(Author::as_select())
            .load(conn)?;
        Ok((rows, total))
    })
}

/// The public author `key` names (a user without a public article is not found).
pub fn find_author(conn: &mut Conn, key: &crate::domain::IdOrSlug, now: NaiveDateTime) -> Result<Author, DbError> {
    use crate::domain::IdOrSlug;
    let query = match key {
        IdOrSlug::Id(id) => public_authors(now).filter(users::id.eq(*id)),
        IdOrSlug::Slug(slug) => public_authors(now).filter(users::slug.eq(slug.clone())),
    };
    Ok(query.select(Author::as_select()).first(conn)?)
}

/// One page of users by id, with the total.
pub fn list(conn: &mut Conn, offset: i64, limit: i64) -> Result<(Vec<User>, i64), DbError> {
    super::read_snapshot(conn, |conn| {
        let total = users::table.count().get_result(conn)?;
        let rows =
            users::table.order(users::id.asc()).offset(offset).limit(limit).select(User::as_select()).load(conn)?;
        Ok((rows, total))
    })
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    pub bio: Option<String>,
    pub active: Option<bool>,
}

/// Applies `changes` to user `id`. Refuses (409) to leave no active admin, and to take an
/// email another user has. A new password, a new role or a deactivation ends every login
/// of the user (in the same transaction), so that no token issued before outlives it.
pub fn update(conn: &mut Conn, id: i64, changes: &UserChanges, now: DateTime<Utc>) -> Result<User, DbError> {
    super::write(conn, |conn| {
        let current = find(conn, id)?;
        if let Some(email) = &changes.email {
            let email = email.trim().to_lowercase();
            let taken: bool = diesel::select(diesel::dsl::exists(
                users::table.filter(users::email.eq(&email)).filter(users::id.ne(id)),
            ))
            .get_result(conn)?;
            if taken {
                return Err(DbError::Conflict(format!("a user with email {email} exists already")));
            }
        }
        let stays_admin = changes.role.map_or(current.role == Role::Admin.as_str(), |r| r == Role::Admin)
            && changes.active.unwrap_or(current.active);
        if current.role == Role::Admin.as_str() && current.active && !stays_admin && active_admins(conn)? <= 1 {
            return Err(DbError::Conflict("this is the last active admin".into()));
        }
        diesel::update(users::table.find(id))
            .set((
                changes.email.as_ref().map(|e| users::email.eq(e.trim().to_lowercase())),
                changes.display_name.as_ref().map(|n| users::display_name.eq(n)),
                changes.password_hash.as_ref().map(|h| users::password_hash.eq(h)),
                changes.role.map(|r| users::role.eq(r.as_str())),
                changes.bio.as_ref().map(|b| users::bio.eq(b)),
                changes.active.map(|a| users::active.eq(a)),
                users::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        let new_role = changes.role.is_some_and(|r| r.as_str() != current.role);
        let deactivated = changes.active == Some(false) && current.active;
        if changes.password_hash.is_some() || new_role || deactivated {
            super::sessions::end_all_of(conn, id, now)?;
        }
        let updated = find(conn, id)?;
        // The public author object shows the name and bio (and the slug, made at creation).
        let public = updated.display_name != current.display_name || updated.bio != current.bio;
        super::changes::record(conn, Change::Person { public })?;
        Ok(updated)
    })
}

/// Gives user `id` the password `hash` and ends their logins, all but the login `keep` (the
/// one a user changing their own password is using).
pub fn set_password(
    conn: &mut Conn,
    id: i64,
    hash: &str,
    keep: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    super::write_within(conn, |conn| {
        let changed = diesel::update(users::table.find(id))
            .set((users::password_hash.eq(hash), users::updated_at.eq(now.naive_utc())))
            .execute(conn)?;
        if changed == 0 {
            return Err(DbError::NotFound);
        }
        super::sessions::end_all_of_but(conn, id, keep, now)?;
        Ok(())
    })
}

/// The password hash of an account without a password (made to be invited): no password
/// matches it.
pub const NO_PASSWORD: &str = "!invite";

/// The email and stored password hash of user `id` (what a change of one's own password
/// throttles and checks).
pub fn credentials_of(conn: &mut Conn, id: i64) -> Result<(String, String), DbError> {
    Ok(users::table.find(id).select((users::email, users::password_hash)).first(conn)?)
}

/// How many active admins there are, for a write that may remove one. On PostgreSQL their rows
/// are locked until the write commits, so that two writes removing two different admins at
/// once cannot both see the other one still there (SQLite's write lock already orders them).
fn active_admins(conn: &mut Conn) -> Result<i64, DbError> {
    let admins = users::table.filter(users::role.eq(Role::Admin.as_str())).filter(users::active.eq(true));
    #[cfg(feature = "postgres")]
    if let Some(pg) = super::as_postgres(conn) {
        return Ok(admins.select(users::id).for_no_key_update().load::<i64>(pg)?.len() as i64);
    }
    Ok(admins.count().get_result(conn)?)
}

/// Deletes user `id`. Their articles go to `reassign_to` when given; a user who wrote
/// articles and no `reassign_to` is a 409, and so is deleting the last active admin.
pub fn delete(conn: &mut Conn, id: i64, reassign_to: Option<i64>) -> Result<(), DbError> {
    use super::schema::articles;
    super::write(conn, |conn| {
        let user = find(conn, id)?;
        if user.role == Role::Admin.as_str() && user.active && active_admins(conn)? <= 1 {
            return Err(DbError::Conflict("this is the last active admin".into()));
        }
        let written: i64 = articles::table.filter(articles::author_id.eq(id)).count().get_result(conn)?;
        match reassign_to {
            Some(heir) if heir == id => {
                return Err(DbError::Conflict("cannot reassign articles to the user being deleted".into()))
            }
            Some(heir) => {
                find(conn, heir).map_err(|e| match e {
                    DbError::NotFound => DbError::Conflict(format!("reassign_to: no user {heir}")),
                    other => other,
                })?;
                diesel::update(articles::table.filter(articles::author_id.eq(id)))
                    .set(articles::author_id.eq(heir))
                    .execute(conn)?;
            }
            None if written > 0 => {
                return Err(DbError::Conflict(format!(
                    "the user wrote {written} article(s): give ?reassign_to={{user_id}} to hand them over"
                )))
            }
            None => {}
        }
        diesel::delete(users::table.find(id)).execute(conn)?;
        // Their articles now show another author.
        super::changes::record(conn, Change::Person { public: written > 0 })
    })
}
