//! Redirects: the old slugs of articles, categories and tags, which keep leading to what they
//! named after a rename. Each old slug points at its resource by id, so a chain of renames
//! lands on the current slug in one hop; an old slug counts as taken when a slug is made, and
//! one that an editor sets explicitly is taken over (its redirect goes).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::redirects;
use super::{Conn, DbError};
use crate::domain::invalidation::Change;
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
fn record_rename(conn: &mut Conn, owner: SlugOwner, old: &str, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
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

/// Moves resource `id` of `owner` from slug `from` to slug `to`, in the caller's transaction:
/// `to` is its own now (a redirect of it goes) and `from` leads to it from now on.
pub fn rename(
    conn: &mut Conn,
    owner: SlugOwner,
    from: &str,
    to: &str,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    take_over(conn, owner, to)?;
    record_rename(conn, owner, from, id, now)
}

/// Drops the redirect of `slug` of `owner`, if any: a resource has taken the slug itself. Where
/// the old path led changes then even when the resource that took it is a draft the public
/// cannot see, so a dropped redirect is a change of its own.
pub fn take_over(conn: &mut Conn, owner: SlugOwner, slug: &str) -> Result<(), DbError> {
    let dropped = diesel::delete(
        redirects::table.filter(redirects::source_type.eq(owner.as_str())).filter(redirects::source.eq(slug)),
    )
    .execute(conn)?;
    if dropped > 0 {
        super::changes::record(conn, Change::Redirect)?;
    }
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

/// Drops every old slug that leads to resource `id` of `owner`, which is being deleted. The rules
/// made by hand stay (an editor's decision; their lookup answers 404 while the target is gone).
pub fn forget(conn: &mut Conn, owner: SlugOwner, id: i64) -> Result<(), DbError> {
    diesel::delete(
        redirects::table
            .filter(redirects::source_type.eq(owner.as_str()))
            .filter(redirects::target_type.eq(owner.as_str()))
            .filter(redirects::target_id.eq(id)),
    )
    .execute(conn)?;
    Ok(())
}

/// What a redirect leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetType {
    Article,
    Category,
    Tag,
    Author,
    Url,
}

impl TargetType {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Article => "article",
            TargetType::Category => "category",
            TargetType::Tag => "tag",
            TargetType::Author => "author",
            TargetType::Url => "url",
        }
    }

    /// The type a stored name stands for.
    pub fn parse(s: &str) -> Option<TargetType> {
        [TargetType::Article, TargetType::Category, TargetType::Tag, TargetType::Author, TargetType::Url]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// A redirect of a path, made by hand or by an import.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = redirects, check_for_backend(diesel::sqlite::Sqlite))]
pub struct PathRule {
    pub id: i64,
    #[diesel(column_name = source)]
    pub path: String,
    pub status: i32,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub url: Option<String>,
    pub created_at: NaiveDateTime,
}

const PATH: &str = "path";

/// The rule of the normalised `path`, if there is one.
pub fn rule_for(conn: &mut Conn, path: &str) -> Result<Option<PathRule>, DbError> {
    Ok(redirects::table
        .filter(redirects::source_type.eq(PATH))
        .filter(redirects::source.eq(path))
        .select(PathRule::as_select())
        .first(conn)
        .optional()?)
}

/// One page of the path rules, newest first, and how many there are.
pub fn rules(conn: &mut Conn, offset: i64, limit: i64) -> Result<(Vec<PathRule>, i64), DbError> {
    super::read_snapshot(conn, |conn| {
        let total: i64 = redirects::table.filter(redirects::source_type.eq(PATH)).count().get_result(conn)?;
        let rows = redirects::table
            .filter(redirects::source_type.eq(PATH))
            .order(redirects::id.desc())
            .offset(offset)
            .limit(limit)
            .select(PathRule::as_select())
            .load(conn)?;
        Ok((rows, total))
    })
}

/// A new path rule: `path` normalised; a target (a resource or a URL) unless the status is 410.
#[derive(Debug, Clone)]
pub struct NewPathRule {
    pub path: String,
    pub status: i32,
    pub target: Option<(TargetType, Option<i64>, Option<String>)>,
}

/// Stores a path rule; a 409 when the path has one, a 422 on `target_id` when the resource
/// does not exist. Returns its id.
pub fn create_rule(conn: &mut Conn, new: &NewPathRule, now: NaiveDateTime) -> Result<i64, DbError> {
    super::write(conn, |conn| {
        if rule_for(conn, &new.path)?.is_some() {
            return Err(DbError::Conflict(format!("the path {} has a redirect already", new.path)));
        }
        if let Some((kind, Some(id), _)) = &new.target {
            if target_slug(conn, *kind, *id, None)?.is_none() {
                return Err(DbError::Invalid {
                    field: "target_id",
                    message: format!("no such {}: {id}", kind.as_str()),
                });
            }
        }
        let (target_type, target_id, url) = match &new.target {
            Some((kind, id, url)) => (Some(kind.as_str()), *id, url.clone()),
            None => (None, None, None),
        };
        let id = diesel::insert_into(redirects::table)
            .values((
                redirects::source_type.eq(PATH),
                redirects::source.eq(&new.path),
                redirects::status.eq(new.status),
                redirects::target_type.eq(target_type),
                redirects::target_id.eq(target_id),
                redirects::url.eq(url),
                redirects::created_at.eq(now),
            ))
            .returning(redirects::id)
            .get_result(conn)?;
        super::changes::record(conn, Change::Redirect)?;
        Ok(id)
    })
}

/// Deletes path rule `id`.
pub fn delete_rule(conn: &mut Conn, id: i64) -> Result<(), DbError> {
    super::write(conn, |conn| {
        let deleted =
            diesel::delete(redirects::table.filter(redirects::source_type.eq(PATH)).filter(redirects::id.eq(id)))
                .execute(conn)?;
        if deleted == 0 {
            return Err(DbError::NotFound);
        }
        super::changes::record(conn, Change::Redirect)
    })
}

/// The current slug (and, for an article, its publication time) of resource `id` of `kind`;
/// with `public_at`, an article only when the public sees it then.
pub fn target_slug(
    conn: &mut Conn,
    kind: TargetType,
    id: i64,
    public_at: Option<NaiveDateTime>,
) -> Result<Option<(String, Option<NaiveDateTime>)>, DbError> {
    use super::schema::{articles, categories, tags, users};
    let found = match kind {
        TargetType::Article => {
            let mut query = articles::table.filter(articles::id.eq(id)).into_boxed::<super::Backend>();
            if let Some(now) = public_at {
                query = query.filter(super::articles::is_public(now));
            }
            query.select((articles::slug, articles::published_at)).first(conn).optional()?
        }
        TargetType::Category => {
            categories::table.find(id).select(categories::slug).first(conn).optional()?.map(|s: String| (s, None))
        }
        TargetType::Tag => tags::table.find(id).select(tags::slug).first(conn).optional()?.map(|s: String| (s, None)),
        // An author page stays while the person does (their stories stay public after a
        // deactivation): the public author object knows no `active`.
        TargetType::Author => {
            users::table.find(id).select(users::slug).first(conn).optional()?.map(|s: String| (s, None))
        }
        TargetType::Url => None,
    };
    Ok(found)
}

/// Where the normalised `path` leads: its rule, else an old slug of an article, category or
/// tag that `slug_of` reads out of the path (by the frontend's URL templates).
pub fn resolve(
    conn: &mut Conn,
    path: &str,
    slug_of: impl Fn(SlugOwner) -> Option<String>,
) -> Result<Option<PathRule>, DbError> {
    if let Some(rule) = rule_for(conn, path)? {
        return Ok(Some(rule));
    }
    for owner in [SlugOwner::Article, SlugOwner::Category, SlugOwner::Tag] {
        let Some(slug) = slug_of(owner) else { continue };
        let found = redirects::table
            .filter(redirects::source_type.eq(owner.as_str()))
            .filter(redirects::source.eq(&slug))
            .select(PathRule::as_select())
            .first(conn)
            .optional()?;
        if let Some(mut rule) = found {
            rule.path = path.to_owned();
            return Ok(Some(rule));
        }
    }
    Ok(None)
}
