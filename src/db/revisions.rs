//! Revisions: what an article was after each create and update, written by the same
//! transaction, read back by whoever may edit the article, and pruned per article.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use super::schema::{article_categories, article_tags, articles, revisions, users};
use super::{Conn, DbError};

/// Who writes an article, and how many revisions of it are kept (`WARTA_REVISIONS_KEEP`).
#[derive(Debug, Clone, Copy)]
pub struct Reviser {
    pub user_id: i64,
    pub keep: u32,
}

/// Stores article `article_id` as it stands in the open write transaction as a revision made
/// by `by` at `now` (with `by` as they are now), and prunes its revisions to the newest
/// `by.keep`. Every statement is one Diesel prepares once per connection.
pub fn record(conn: &mut Conn, article_id: i64, by: Reviser, now: NaiveDateTime) -> Result<(), DbError> {
    let category_ids: Vec<i64> = article_categories::table
        .filter(article_categories::article_id.eq(article_id))
        .order(article_categories::category_id.asc())
        .select(article_categories::category_id)
        .load(conn)?;
    let tag_ids: Vec<i64> = article_tags::table
        .filter(article_tags::article_id.eq(article_id))
        .order(article_tags::tag_id.asc())
        .select(article_tags::tag_id)
        .load(conn)?;
    let (category_ids, tag_ids) = (list_of(&category_ids), list_of(&tag_ids));
    let source = articles::table
        .inner_join(users::table.on(users::id.eq(by.user_id)))
        .filter(articles::id.eq(article_id))
        .select((
            articles::id,
            articles::slug,
            articles::title,
            articles::custom_excerpt,
            articles::body,
            articles::status,
            articles::published_at,
            category_ids.into_sql::<Text>(),
            tag_ids.into_sql::<Text>(),
            articles::featured_image_url,
            articles::featured_image_alt,
            articles::source_name,
            articles::source_url,
            articles::language,
            articles::comment_status,
            articles::meta_title,
            articles::meta_description,
            users::id,
            users::display_name,
            users::slug,
            users::bio,
            now.into_sql::<Timestamp>(),
            articles::featured_image_id,
        ));
    let written = diesel::insert_into(revisions::table)
        .values(source)
        .into_columns((
            revisions::article_id,
            revisions::slug,
            revisions::title,
            revisions::excerpt,
            revisions::body,
            revisions::status,
            revisions::published_at,
            revisions::category_ids,
            revisions::tag_ids,
            revisions::featured_image_url,
            revisions::featured_image_alt,
            revisions::source_name,
            revisions::source_url,
            revisions::language,
            revisions::comment_status,
            revisions::meta_title,
            revisions::meta_description,
            revisions::author_id,
            revisions::author_name,
            revisions::author_slug,
            revisions::author_bio,
            revisions::created_at,
            revisions::featured_image_id,
        ))
        .execute(conn)?;
    if written != 1 {
        return Err(DbError::Invalid { field: "author_id", message: format!("no such user: {}", by.user_id) });
    }
    // Those older than the article's `keep` newest: a range of its index, in a statement
    // Diesel prepares once per connection.
    let newer = diesel::alias!(revisions as newer);
    let (newer_article, newer_id) = (newer.field(revisions::article_id), newer.field(revisions::id));
    let last_pruned = newer
        .filter(newer_article.eq(article_id))
        .order(newer_id.desc())
        .offset(i64::from(by.keep.max(1)))
        .limit(1)
        .select(newer_id)
        .single_value();
    diesel::delete(revisions::table.filter(revisions::article_id.eq(article_id)))
        .filter(revisions::id.nullable().le(last_pruned))
        .execute(conn)?;
    Ok(())
}

/// A revision without its body, as lists show it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = revisions, check_for_backend(diesel::sqlite::Sqlite))]
pub struct RevisionMeta {
    pub id: i64,
    pub article_id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub category_ids: String,
    pub tag_ids: String,
    pub featured_image_url: Option<String>,
    pub featured_image_alt: Option<String>,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub language: String,
    pub comment_status: String,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub author_id: i64,
    pub author_name: String,
    pub author_slug: String,
    pub author_bio: String,
    pub created_at: NaiveDateTime,
    pub featured_image_id: Option<i64>,
}

impl RevisionMeta {
    pub fn category_ids(&self) -> Vec<i64> {
        ids_of(&self.category_ids)
    }

    pub fn tag_ids(&self) -> Vec<i64> {
        ids_of(&self.tag_ids)
    }
}

/// Ids as a revision stores them: comma-separated, ascending.
fn list_of(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn ids_of(list: &str) -> Vec<i64> {
    list.split(',').filter_map(|id| id.trim().parse().ok()).collect()
}

/// A whole revision.
#[derive(Debug, Clone)]
pub struct Revision {
    pub meta: RevisionMeta,
    pub body: String,
}

/// The categories and tags of `revision` that still exist (a restore leaves out those
/// deleted since), in two statements.
pub fn links_still_there(conn: &mut Conn, revision: &RevisionMeta) -> Result<(Vec<i64>, Vec<i64>), DbError> {
    use super::schema::{categories, tags};
    let (category_ids, tag_ids) = (revision.category_ids(), revision.tag_ids());
    let categories: Vec<i64> = match category_ids.is_empty() {
        true => Vec::new(),
        false => categories::table.filter(categories::id.eq_any(&category_ids)).select(categories::id).load(conn)?,
    };
    let tags: Vec<i64> = match tag_ids.is_empty() {
        true => Vec::new(),
        false => tags::table.filter(tags::id.eq_any(&tag_ids)).select(tags::id).load(conn)?,
    };
    // In the revision's order.
    let keep = |ids: Vec<i64>, there: Vec<i64>| ids.into_iter().filter(|id| there.contains(id)).collect();
    Ok((keep(category_ids, categories), keep(tag_ids, tags)))
}

/// One page of an article's revisions, newest first, and how many it has.
pub fn list(conn: &mut Conn, article_id: i64, offset: i64, limit: i64) -> Result<(Vec<RevisionMeta>, i64), DbError> {
    super::read_snapshot(conn, |conn| {
        let total: i64 = revisions::table.filter(revisions::article_id.eq(article_id)).count().get_result(conn)?;
        let page = revisions::table
            .filter(revisions::article_id.eq(article_id))
            .order(revisions::id.desc())
            .offset(offset)
            .limit(limit)
            .select(RevisionMeta::as_select())
            .load(conn)?;
        Ok((page, total))
    })
}

/// Revision `id` of article `article_id` (a revision of another article is not found).
pub fn find(conn: &mut Conn, article_id: i64, id: i64) -> Result<Revision, DbError> {
    let (meta, body) = revisions::table
        .filter(revisions::article_id.eq(article_id))
        .filter(revisions::id.eq(id))
        .select((RevisionMeta::as_select(), revisions::body))
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)?;
    Ok(Revision { meta, body })
}

/// The revision of article `article_id` just before revision `id`, if there is one.
pub fn before(conn: &mut Conn, article_id: i64, id: i64) -> Result<Option<Revision>, DbError> {
    let found = revisions::table
        .filter(revisions::article_id.eq(article_id))
        .filter(revisions::id.lt(id))
        .order(revisions::id.desc())
        .select((RevisionMeta::as_select(), revisions::body))
        .first(conn)
        .optional()?;
    Ok(found.map(|(meta, body)| Revision { meta, body }))
}
