//! Revisions: what an article was after each create and update, written by the same
//! transaction, read back by whoever may edit the article, and pruned per article.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::schema::revisions;
use super::{Conn, DbError};

/// Who writes an article, and how many revisions of it are kept (`WARTA_REVISIONS_KEEP`).
#[derive(Debug, Clone, Copy)]
pub struct Reviser {
    pub user_id: i64,
    pub keep: u32,
}

/// Copies article `$1` as it is now, with its categories and tags and the user `$2` who made
/// it as they are now, into a new revision made at `$3`: one statement, whatever changed.
const RECORD: &str = "INSERT INTO revisions (article_id, slug, title, excerpt, body, status, published_at, \
     category_ids, tag_ids, featured_image_url, featured_image_alt, source_name, source_url, language, \
     comment_status, meta_title, meta_description, author_id, author_name, author_slug, author_bio, created_at) \
     SELECT a.id, a.slug, a.title, a.custom_excerpt, a.body, a.status, a.published_at, \
     COALESCE((SELECT string_agg(CAST(c.category_id AS TEXT), ',' ORDER BY c.category_id) \
               FROM article_categories c WHERE c.article_id = a.id), ''), \
     COALESCE((SELECT string_agg(CAST(t.tag_id AS TEXT), ',' ORDER BY t.tag_id) \
               FROM article_tags t WHERE t.article_id = a.id), ''), \
     a.featured_image_url, a.featured_image_alt, a.source_name, a.source_url, a.language, a.comment_status, \
     a.meta_title, a.meta_description, u.id, u.display_name, u.slug, u.bio, $3 \
     FROM articles a JOIN users u ON u.id = $2 WHERE a.id = $1";

/// Deletes the revisions of article `$1` older than its `$2` newest: a range of its index.
const PRUNE: &str = "DELETE FROM revisions WHERE article_id = $1 AND id <= \
     (SELECT id FROM revisions WHERE article_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)";

/// Stores article `article_id` as it stands in the open write transaction as a revision made
/// by `by` at `now`, and prunes its revisions to the newest `by.keep`.
pub fn record(conn: &mut Conn, article_id: i64, by: Reviser, now: NaiveDateTime) -> Result<(), DbError> {
    let written = crate::numbered_query!(conn, RECORD, |q, c| q
        .bind::<BigInt, _>(article_id)
        .bind::<BigInt, _>(by.user_id)
        .bind::<Timestamp, _>(now)
        .execute(c))?;
    if written != 1 {
        return Err(DbError::Invalid { field: "author_id", message: format!("no such user: {}", by.user_id) });
    }
    crate::numbered_query!(conn, PRUNE, |q, c| q
        .bind::<BigInt, _>(article_id)
        .bind::<BigInt, _>(i64::from(by.keep.max(1)))
        .execute(c))?;
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
}

impl RevisionMeta {
    pub fn category_ids(&self) -> Vec<i64> {
        ids_of(&self.category_ids)
    }

    pub fn tag_ids(&self) -> Vec<i64> {
        ids_of(&self.tag_ids)
    }
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
