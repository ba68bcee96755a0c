//! Tags: flat labels of articles beside the category hierarchy, with public article counts
//! and the prefix search of an editor's autocomplete.

use super::Backend;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

use super::redirects::{self, SlugOwner};
use super::schema::{article_tags, articles, tags};
use super::{Conn, DbError};
use crate::domain::invalidation::Change;
use crate::domain::{slug, IdOrSlug, Slug};

/// A tag as articles embed it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags, check_for_backend(diesel::sqlite::Sqlite))]
pub struct TagRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A tag row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Tag {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A tag with the number of articles the public can see under it.
#[derive(Debug, Clone)]
pub struct TagView {
    pub tag: Tag,
    pub article_count: i64,
}

/// What a tag list is narrowed to: tags whose name, or a word of it, starts with this text
/// (already folded by [`slug::fold`]; `None`: every tag).
#[derive(Debug, Clone, Default)]
pub struct TagFilter {
    pub name_prefix: Option<String>,
}

/// One page of tags, by name, and the number of all that match.
pub fn list(
    conn: &mut Conn,
    filter: &TagFilter,
    offset: i64,
    limit: i64,
    now: NaiveDateTime,
) -> Result<(Vec<TagView>, i64), DbError> {
    super::read_snapshot(conn, |conn| {
        let filtered = || {
            let query = tags::table.into_boxed::<Backend>();
            match &filter.name_prefix {
                // The folded prefix holds only [a-z0-9-]: nothing in it is a LIKE wildcard.
                Some(prefix) => query
                    .filter(tags::name_key.like(format!("{prefix}%")).or(tags::name_key.like(format!("%-{prefix}%")))),
                None => query,
            }
        };
        let total: i64 = filtered().count().get_result(conn)?;
        let rows: Vec<Tag> = filtered()
            .order((tags::name.asc(), tags::id.asc()))
            .offset(offset)
            .limit(limit)
            .select(Tag::as_select())
            .load(conn)?;
        let views = with_counts(conn, rows, now)?;
        Ok((views, total))
    })
}

/// The tag `key` names.
pub fn find(conn: &mut Conn, key: &IdOrSlug, now: NaiveDateTime) -> Result<TagView, DbError> {
    let query = tags::table.into_boxed::<Backend>();
    let query = match key {
        IdOrSlug::Id(id) => query.filter(tags::id.eq(*id)),
        IdOrSlug::Slug(slug) => query.filter(tags::slug.eq(slug.clone())),
    };
    let row: Tag = query.select(Tag::as_select()).first(conn)?;
    let mut views = with_counts(conn, vec![row], now)?;
    views.pop().ok_or(DbError::NotFound)
}

/// The current slug of the tag that once had the slug `old`: where an old link leads.
pub fn renamed_to(conn: &mut Conn, old: &str) -> Result<Option<String>, DbError> {
    let Some(id) = redirects::renamed(conn, SlugOwner::Tag, old)? else {
        return Ok(None);
    };
    Ok(tags::table.find(id).select(tags::slug).first(conn).optional()?)
}

/// Counts publicly visible articles per tag in one grouped query.
fn with_counts(conn: &mut Conn, rows: Vec<Tag>, now: NaiveDateTime) -> Result<Vec<TagView>, DbError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let counts: HashMap<i64, i64> = article_tags::table
        .inner_join(articles::table)
        .filter(article_tags::tag_id.eq_any(&ids))
        .filter(super::articles::is_public_story(now))
        .group_by(article_tags::tag_id)
        .select((article_tags::tag_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows.into_iter().map(|tag| TagView { article_count: counts.get(&tag.id).copied().unwrap_or(0), tag }).collect())
}

/// The tags of each of `article_ids`, by name, in one query: what lists and single articles embed.
pub fn of_articles(conn: &mut Conn, article_ids: &[i64]) -> Result<HashMap<i64, Vec<TagRef>>, DbError> {
    let mut tags_of: HashMap<i64, Vec<TagRef>> = HashMap::new();
    let links: Vec<(i64, TagRef)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(article_ids))
        .order((tags::name.asc(), tags::id.asc()))
        .select((article_tags::article_id, TagRef::as_select()))
        .load(conn)?;
    for (article_id, tag) in links {
        tags_of.entry(article_id).or_default().push(tag);
    }
    Ok(tags_of)
}

/// A 422 on `tag_ids` unless every id names a tag.
pub fn check_ids(conn: &mut Conn, ids: &[i64]) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<i64> = tags::table.filter(tags::id.eq_any(ids)).select(tags::id).load(conn)?;
    let missing: Vec<String> = ids.iter().filter(|id| !found.contains(id)).map(|id| id.to_string()).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DbError::Invalid { field: "tag_ids", message: format!("no such tag: {}", missing.join(", ")) })
    }
}

/// Replaces the tags of article `id`.
pub fn set_for_article(conn: &mut Conn, id: i64, tag_ids: &[i64]) -> Result<(), DbError> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    let rows: Vec<_> = tag_ids.iter().map(|t| (article_tags::article_id.eq(id), article_tags::tag_id.eq(*t))).collect();
    if !rows.is_empty() {
        super::bulk::insert_rows!(conn, article_tags::table, &rows)?;
    }
    Ok(())
}

/// A new tag.
#[derive(Debug, Clone)]
pub struct NewTag {
    pub name: String,
    pub slug: Option<Slug>,
    pub description: String,
}

/// Creates a tag with a unique slug; returns its id.
pub fn create(conn: &mut Conn, new: &NewTag, now: DateTime<Utc>) -> Result<i64, DbError> {
    super::write(conn, |conn| {
        let slug = match &new.slug {
            Some(wanted) => {
                available_slug(conn, wanted, 0)?;
                redirects::take_over(conn, SlugOwner::Tag, wanted.as_str())?;
                wanted.clone()
            }
            None => {
                let base = Slug::from_title(&new.name, "tag");
                let (low, high) = base.family_range();
                let mut taken: Vec<String> =
                    tags::table.filter(tags::slug.ge(&low).and(tags::slug.lt(&high))).select(tags::slug).load(conn)?;
                taken.extend(redirects::old_slugs_between(conn, SlugOwner::Tag, &low, &high)?);
                base.first_free(&taken)
            }
        };
        let id = diesel::insert_into(tags::table)
            .values((
                tags::name.eq(&new.name),
                tags::slug.eq(slug.as_str()),
                tags::name_key.eq(slug::fold(&new.name)),
                tags::description.eq(&new.description),
                tags::created_at.eq(now.naive_utc()),
                tags::updated_at.eq(now.naive_utc()),
            ))
            .returning(tags::id)
            .get_result(conn)?;
        super::changes::record(conn, Change::Tag)?;
        Ok(id)
    })
}

/// `wanted` if no other tag has it, else a 409.
fn available_slug(conn: &mut Conn, wanted: &Slug, except_id: i64) -> Result<(), DbError> {
    let taken: bool = diesel::select(diesel::dsl::exists(
        tags::table.filter(tags::slug.eq(wanted.as_str())).filter(tags::id.ne(except_id)),
    ))
    .get_result(conn)?;
    if taken {
        return Err(DbError::Conflict(format!("another tag has the slug {wanted}")));
    }
    Ok(())
}

/// Changes to a tag.
#[derive(Debug, Clone, Default)]
pub struct TagChanges {
    pub name: Option<String>,
    pub slug: Option<Slug>,
    pub description: Option<String>,
}

/// Applies `changes` to tag `id`, keeping slugs unique.
pub fn update(conn: &mut Conn, id: i64, changes: &TagChanges, now: DateTime<Utc>) -> Result<(), DbError> {
    super::write(conn, |conn| {
        let current: String = tags::table.find(id).select(tags::slug).first(conn)?;
        if let Some(slug) = changes.slug.as_ref().filter(|s| s.as_str() != current) {
            available_slug(conn, slug, id)?;
            redirects::rename(conn, SlugOwner::Tag, &current, slug.as_str(), id, now.naive_utc())?;
        }
        diesel::update(tags::table.find(id))
            .set((
                changes.name.as_ref().map(|v| tags::name.eq(v)),
                changes.name.as_ref().map(|v| tags::name_key.eq(slug::fold(v))),
                changes.slug.as_ref().map(|v| tags::slug.eq(v.as_str())),
                changes.description.as_ref().map(|v| tags::description.eq(v)),
                tags::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        super::changes::record(conn, Change::Tag)
    })
}

/// Deletes tag `id` and answers its name; its articles simply lose it.
pub fn delete(conn: &mut Conn, id: i64) -> Result<String, DbError> {
    super::write(conn, |conn| {
        let name: String = diesel::delete(tags::table.find(id))
            .returning(tags::name)
            .get_result(conn)
            .optional()?
            .ok_or(DbError::NotFound)?;
        redirects::forget(conn, SlugOwner::Tag, id)?;
        // The articles that carried it embed it no more: they read the tags scope.
        super::changes::record(conn, Change::Tag)?;
        Ok(name)
    })
}
