//! Redirects: the old slugs of articles, categories and tags, which keep leading to what they
//! named after a rename. Each old slug points at its resource by id, so a chain of renames
//! lands on the current slug in one hop; an old slug counts as taken when a slug is made, and
//! one that an editor sets explicitly is taken over (its redirect goes).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::redirects;
use super::{Conn, DbError};
use crate::domain::IdOrSlug;

/// What kind of resource an old slug belonged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugOwner {
    Article,
    Category,
    Tag,
}

impl SlugOwner {
    fn as_str(self) -> &'static str {
        match self {
            SlugOwner::Article => "article",
            SlugOwner::Category => "category",
            SlugOwner::Tag => "tag",
        }
    }
}

/// A resource read by id or slug: found, or moved (the slug is an old one; the current slug).
#[derive(Debug)]
pub enum Lookup<T> {
    Found(T),
    Renamed(String),
}

/// Reads `key` with `find`; when it is a slug that names nothing now, `renamed` says where that
/// old slug leads (its resource's current slug, when the reader may see it). The one rule of
/// old slugs for every single-resource read.
pub fn find_or_follow<T>(
    conn: &mut Conn,
    key: &IdOrSlug,
    find: impl FnOnce(&mut Conn, &IdOrSlug) -> Result<T, DbError>,
    renamed: impl FnOnce(&mut Conn, &str) -> Result<Option<String>, DbError>,
) -> Result<Lookup<T>, DbError> {
    match find(conn, key) {
        Err(DbError::NotFound) => match key {
            IdOrSlug::Slug(old) => renamed(conn, old)?.map(Lookup::Renamed).ok_or(DbError::NotFound),
            IdOrSlug::Id(_) => Err(DbError::NotFound),
        },
        other => other.map(Lookup::Found),
    }
}

/// Records that resource `id` of `owner` left slug `old` behind, in the caller's transaction:
/// `old` leads to `id` from now on, whatever it led to before.
pub fn record_rename(conn: &mut Conn, owner: SlugOwner, old: &str, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    take_over(conn, owner, old)?;
    diesel::insert_into(redirects::table)
        .values((
            redirects::source_type.eq(owner.as_str()),
            redirects::source.eq(old),
            redirects::status.eq(301),
            redirects::target_type.eq(Some(owner.as_str())),
            redirects::target_id.eq(Some(id)),
            redirects::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Drops the redirect of `slug` of `owner`, if any: a resource has taken the slug itself.
pub fn take_over(conn: &mut Conn, owner: SlugOwner, slug: &str) -> Result<(), DbError> {
    diesel::delete(
        redirects::table.filter(redirects::source_type.eq(owner.as_str())).filter(redirects::source.eq(slug)),
    )
    .execute(conn)?;
    Ok(())
}

/// The old slugs of `owner` in `low <= slug < high` (a slug family, see `Slug::family_range`),
/// which a new slug must not take.
pub fn old_slugs_between(conn: &mut Conn, owner: SlugOwner, low: &str, high: &str) -> Result<Vec<String>, DbError> {
    Ok(redirects::table
        .filter(redirects::source_type.eq(owner.as_str()))
        .filter(redirects::source.ge(low).and(redirects::source.lt(high)))
        .select(redirects::source)
        .load(conn)?)
}

/// The id of the resource of `owner` that once had `slug`, if one did.
pub fn renamed(conn: &mut Conn, owner: SlugOwner, slug: &str) -> Result<Option<i64>, DbError> {
    let target: Option<Option<i64>> = redirects::table
        .filter(redirects::source_type.eq(owner.as_str()))
        .filter(redirects::source.eq(slug))
        .select(redirects::target_id)
        .first(conn)
        .optional()?;
    Ok(target.flatten())
}

/// Drops every old slug that leads to resource `id` of `owner`, which is being deleted.
pub fn forget(conn: &mut Conn, owner: SlugOwner, id: i64) -> Result<(), DbError> {
    diesel::delete(
        redirects::table.filter(redirects::target_type.eq(owner.as_str())).filter(redirects::target_id.eq(id)),
    )
    .execute(conn)?;
    Ok(())
}
