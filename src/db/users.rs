//! Users: staff accounts, and the public author profile embedded in articles.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use super::schema::users;
use super::{Conn, DbError};
use crate::domain::{Role, Slug};

/// What the public sees of a user: never the email.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Sqlite))]
pub struct Author {
    pub id: i64,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
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
    let taken: Vec<String> = users::table
        .filter(users::slug.eq(base.as_str()).or(users::slug.like(format!("{base}-%"))))
        .select(users::slug)
        .load(conn)?;
    Ok(base.first_free(&taken))
}

/// Creates a user; the email is stored lower-cased and must be unused (409 otherwise).
pub fn create(conn: &mut Conn, new: &NewUser, now: DateTime<Utc>) -> Result<i64, DbError> {
    conn.transaction(|conn| {
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
        users::table
            .filter(users::role.eq(Role::Admin.as_str()))
            .filter(users::active.eq(true)),
    ))
    .get_result(conn)?)
}
