//! Categories: the hierarchy that organises articles, with public article counts.

use super::Backend;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

use super::redirects::{self, SlugOwner};
use super::schema::{article_categories, articles, categories};
use super::{Conn, DbError};
use crate::domain::invalidation::Change;
use crate::domain::{IdOrSlug, Slug};

/// A category as articles embed it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::sqlite::Sqlite))]
pub struct CategoryRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A category row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub parent_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A category with the number of articles the public can see in it.
#[derive(Debug, Clone)]
pub struct CategoryView {
    pub category: Category,
    pub article_count: i64,
}

/// Which parent a list is restricted to.
#[derive(Debug, Clone)]
pub enum ParentFilter {
    /// Any category.
    Any,
    /// Top-level categories only.
    Root,
    /// Children of the category with this id or slug.
    Of(IdOrSlug),
}

/// One page of categories, by name, and the number of all that match.
pub fn list(
    conn: &mut Conn,
    parent: &ParentFilter,
    offset: i64,
    limit: i64,
    now: NaiveDateTime,
) -> Result<(Vec<CategoryView>, i64), DbError> {
    super::read_snapshot(conn, |conn| {
        let parent_id = match parent {
            ParentFilter::Of(IdOrSlug::Slug(slug)) => {
                match categories::table
                    .filter(categories::slug.eq(slug))
                    .select(categories::id)
                    .first(conn)
                    .optional()?
                {
                    Some(id) => Some(id),
                    None => return Ok((Vec::new(), 0)),
                }
            }
            ParentFilter::Of(IdOrSlug::Id(id)) => Some(*id),
            _ => None,
        };
        let filtered = || {
            let query = categories::table.into_boxed::<Backend>();
            match (parent, parent_id) {
                (ParentFilter::Any, _) => query,
                (ParentFilter::Root, _) => query.filter(categories::parent_id.is_null()),
                (ParentFilter::Of(_), id) => query.filter(categories::parent_id.eq(id)),
            }
        };
        let total: i64 = filtered().count().get_result(conn)?;
        let rows: Vec<Category> = filtered()
            .order((categories::name.asc(), categories::id.asc()))
            .offset(offset)
            .limit(limit)
            .select(Category::as_select())
            .load(conn)?;
        let views = with_counts(conn, rows, now)?;
        Ok((views, total))
    })
}

/// The category `key` names.
pub fn find(conn: &mut Conn, key: &IdOrSlug, now: NaiveDateTime) -> Result<CategoryView, DbError> {
    let query = categories::table.into_boxed::<Backend>();
    let query = match key {
        IdOrSlug::Id(id) => query.filter(categories::id.eq(*id)),
        IdOrSlug::Slug(slug) => query.filter(categories::slug.eq(slug.clone())),
    };
    let row: Category = query.select(Category::as_select()).first(conn)?;
    let mut views = with_counts(conn, vec![row], now)?;
    views.pop().ok_or(DbError::NotFound)
}

/// The current slug of the category that once had the slug `old`: where an old link leads.
pub fn renamed_to(conn: &mut Conn, old: &str) -> Result<Option<String>, DbError> {
    let Some(id) = redirects::renamed(conn, SlugOwner::Category, old)? else {
        return Ok(None);
    };
    Ok(categories::table.find(id).select(categories::slug).first(conn).optional()?)
}

/// Counts publicly visible articles per category in one grouped query.
fn with_counts(conn: &mut Conn, rows: Vec<Category>, now: NaiveDateTime) -> Result<Vec<CategoryView>, DbError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let counts: HashMap<i64, i64> = article_categories::table
        .inner_join(articles::table)
        .filter(article_categories::category_id.eq_any(&ids))
        .filter(super::articles::is_public_story(now))
        .group_by(article_categories::category_id)
        .select((article_categories::category_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|category| CategoryView { article_count: counts.get(&category.id).copied().unwrap_or(0), category })
        .collect())
}

/// A new category.
#[derive(Debug, Clone)]
pub struct NewCategory {
    pub name: String,
    pub slug: Option<Slug>,
    pub description: String,
    pub parent_id: Option<i64>,
}

/// Creates a category with a unique slug; returns its id.
pub fn create(conn: &mut Conn, new: &NewCategory, now: DateTime<Utc>) -> Result<i64, DbError> {
    super::write(conn, |conn| {
        if let Some(parent) = new.parent_id {
            check_parent(conn, None, parent)?;
        }
        let slug = match &new.slug {
            Some(wanted) => {
                available_slug(conn, wanted, 0)?;
                redirects::take_over(conn, SlugOwner::Category, wanted.as_str())?;
                wanted.clone()
            }
            None => {
                let base = Slug::from_title(&new.name, "category");
                let (low, high) = base.family_range();
                let mut taken: Vec<String> = categories::table
                    .filter(categories::slug.ge(&low).and(categories::slug.lt(&high)))
                    .select(categories::slug)
                    .load(conn)?;
                taken.extend(redirects::old_slugs_between(conn, SlugOwner::Category, &low, &high)?);
                base.first_free(&taken)
            }
        };
        let id = diesel::insert_into(categories::table)
            .values((
                categories::name.eq(&new.name),
                categories::slug.eq(slug.as_str()),
                categories::description.eq(&new.description),
                categories::parent_id.eq(new.parent_id),
                categories::created_at.eq(now.naive_utc()),
                categories::updated_at.eq(now.naive_utc()),
            ))
            .returning(categories::id)
            .get_result(conn)?;
        super::changes::record(conn, Change::Category)?;
        Ok(id)
    })
}

/// `wanted` if no other category has it, else a 409.
fn available_slug(conn: &mut Conn, wanted: &Slug, except_id: i64) -> Result<(), DbError> {
    let taken: bool = diesel::select(diesel::dsl::exists(
        categories::table.filter(categories::slug.eq(wanted.as_str())).filter(categories::id.ne(except_id)),
    ))
    .get_result(conn)?;
    if taken {
        return Err(DbError::Conflict(format!("another category has the slug {wanted}")));
    }
    Ok(())
}

/// A 422 on `parent_id` unless `parent` exists and making it the parent of `id` (`None` for
/// a new category) keeps the hierarchy free of cycles.
fn check_parent(conn: &mut Conn, id: Option<i64>, parent: i64) -> Result<(), DbError> {
    // Two moves at once (A under B, B under A) would each find no cycle: they take turns.
    super::take_turn(conn, super::Turn::CategoryTree)?;
    let links: HashMap<i64, Option<i64>> = categories::table
        .select((categories::id, categories::parent_id))
        .load::<(i64, Option<i64>)>(conn)?
        .into_iter()
        .collect();
    if !links.contains_key(&parent) {
        return Err(DbError::Invalid { field: "parent_id", message: format!("no such category: {parent}") });
    }
    let mut cursor = Some(parent);
    let mut steps = 0;
    while let Some(current) = cursor {
        if Some(current) == id {
            return Err(DbError::Invalid {
                field: "parent_id",
                message: "would make the category its own ancestor".into(),
            });
        }
        steps += 1;
        if steps > links.len() {
            break;
        }
        cursor = links.get(&current).copied().flatten();
    }
    Ok(())
}

/// Changes to a category; `parent_id: Some(None)` moves it to the top.
#[derive(Debug, Clone, Default)]
pub struct CategoryChanges {
    pub name: Option<String>,
    pub slug: Option<Slug>,
    pub description: Option<String>,
    pub parent_id: Option<Option<i64>>,
}

/// Applies `changes` to category `id`, keeping slugs unique and the hierarchy acyclic.
pub fn update(conn: &mut Conn, id: i64, changes: &CategoryChanges, now: DateTime<Utc>) -> Result<(), DbError> {
    super::write(conn, |conn| {
        let current: String = categories::table.find(id).select(categories::slug).first(conn)?;
        if let Some(slug) = changes.slug.as_ref().filter(|s| s.as_str() != current) {
            available_slug(conn, slug, id)?;
            redirects::rename(conn, SlugOwner::Category, &current, slug.as_str(), id, now.naive_utc())?;
        }
        if let Some(Some(parent)) = changes.parent_id {
            check_parent(conn, Some(id), parent)?;
        }
        diesel::update(categories::table.find(id))
            .set((
                changes.name.as_ref().map(|v| categories::name.eq(v)),
                changes.slug.as_ref().map(|v| categories::slug.eq(v.as_str())),
                changes.description.as_ref().map(|v| categories::description.eq(v)),
                changes.parent_id.map(|v| categories::parent_id.eq(v)),
                categories::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        super::changes::record(conn, Change::Category)
    })
}

/// Deletes category `id` and answers its name: a 409 while it has child categories; its articles
/// simply lose it.
pub fn delete(conn: &mut Conn, id: i64) -> Result<String, DbError> {
    super::write(conn, |conn| {
        let children: i64 = categories::table.filter(categories::parent_id.eq(id)).count().get_result(conn)?;
        if children > 0 {
            return Err(DbError::Conflict(format!(
                "the category has {children} child categories: move or delete them first"
            )));
        }
        let name: String = diesel::delete(categories::table.find(id))
            .returning(categories::name)
            .get_result(conn)
            .optional()?
            .ok_or(DbError::NotFound)?;
        redirects::forget(conn, SlugOwner::Category, id)?;
        // Its articles lose it: lists filtered by it and their embedded categories change, and
        // both depend on the categories scope.
        super::changes::record(conn, Change::Category)?;
        Ok(name)
    })
}
