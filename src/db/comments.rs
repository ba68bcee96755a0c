//! Comments: an article's public thread, submissions, and the moderation queue.
//!
//! A comment is public (`visible`) when it is approved and so is every comment above it in
//! its thread; moderation keeps that flag right for the whole subtree in one transaction, and
//! triggers keep `articles.comment_count` equal to the number of visible comments.

use super::Backend;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::comments;
use super::{Conn, DbError};
use crate::domain::invalidation::Change;
use crate::domain::{CommentStatus, IdOrSlug};

/// What the public may see of a comment. The email, address and user agent are not
/// even read from the database for the public.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments, check_for_backend(diesel::sqlite::Sqlite))]
pub struct PublicComment {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: String,
    pub created_at: NaiveDateTime,
}

/// Everything about a comment, for moderators.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Comment {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub user_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: String,
    pub visible: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<Comment> for PublicComment {
    fn from(c: Comment) -> Self {
        PublicComment {
            id: c.id,
            article_id: c.article_id,
            parent_id: c.parent_id,
            author_name: c.author_name,
            author_url: c.author_url,
            body: c.body,
            status: c.status,
            created_at: c.created_at,
        }
    }
}

/// One page of an article's public comments, oldest first, with their total.
pub fn list_public(
    conn: &mut Conn,
    article_id: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<PublicComment>, i64), DbError> {
    super::read_snapshot(conn, |conn| {
        let public = || comments::table.filter(comments::article_id.eq(article_id)).filter(comments::visible.eq(true));
        let total: i64 = public().count().get_result(conn)?;
        let rows = public()
            .order((comments::created_at.asc(), comments::id.asc()))
            .offset(offset)
            .limit(limit)
            .select(PublicComment::as_select())
            .load(conn)?;
        Ok((rows, total))
    })
}

/// A comment as submitted.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub user_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Stores a comment and returns it as stored (one statement: `RETURNING`). A parent must be a public comment of the same article
/// (a 422 on `parent_id` otherwise).
/// Inside a transaction it is part of it (the caller's error rolls both back), else its own.
pub fn create(conn: &mut Conn, new: &NewComment, at: DateTime<Utc>) -> Result<Comment, DbError> {
    super::write_within(conn, |conn| {
        if let Some(parent) = new.parent_id {
            if held_state(conn, parent)? != Some((new.article_id, true)) {
                return Err(DbError::Invalid {
                    field: "parent_id",
                    message: "must be an approved comment of the same article".into(),
                });
            }
        }
        let row = (
            comments::article_id.eq(new.article_id),
            comments::parent_id.eq(new.parent_id),
            comments::user_id.eq(new.user_id),
            comments::author_name.eq(&new.author_name),
            comments::author_email.eq(&new.author_email),
            comments::author_url.eq(&new.author_url),
            comments::body.eq(&new.body),
            comments::body_hash.eq(body_hash(&new.body)),
            comments::status.eq(new.status.as_str()),
            // The parent is visible (checked above), so the reply is when approved.
            comments::visible.eq(new.status == CommentStatus::Approved),
            comments::ip.eq(&new.ip),
            comments::user_agent.eq(&new.user_agent),
            comments::created_at.eq(at.naive_utc()),
            comments::updated_at.eq(at.naive_utc()),
        );
        // RETURNING of a whole row is written per backend (MultiConnection cannot build it).
        let stored = crate::per_backend!(conn, |c| diesel::insert_into(comments::table)
            .values(row)
            .returning(Comment::as_returning())
            .get_result::<Comment>(c))?;
        let change = Change::Comment { article_id: stored.article_id, public: stored.visible };
        super::changes::record(conn, change)?;
        Ok(stored)
    })
}

/// What finds a repeated text among an article's comments (`comments_repeats` index).
pub fn body_hash(body: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64(body.as_bytes()) as i64
}

/// The comment `id`, whole.
pub fn find(conn: &mut Conn, id: i64) -> Result<Comment, DbError> {
    Ok(comments::table.find(id).select(Comment::as_select()).first(conn)?)
}

/// What the moderation queue shows.
#[derive(Debug, Clone, Default)]
pub struct CommentFilter {
    pub status: Option<CommentStatus>,
    /// The article, by id or slug.
    pub article: Option<IdOrSlug>,
}

/// One page of the moderation queue, newest first, with the total.
pub fn list(conn: &mut Conn, filter: &CommentFilter, offset: i64, limit: i64) -> Result<(Vec<Comment>, i64), DbError> {
    use super::schema::articles;
    super::read_snapshot(conn, |conn| {
        let filtered = || {
            let mut query = comments::table.into_boxed::<Backend>();
            if let Some(status) = filter.status {
                query = query.filter(comments::status.eq(status.as_str()));
            }
            match &filter.article {
                Some(IdOrSlug::Id(id)) => query = query.filter(comments::article_id.eq(*id)),
                Some(IdOrSlug::Slug(slug)) => {
                    query = query.filter(
                        comments::article_id
                            .eq_any(articles::table.filter(articles::slug.eq(slug.clone())).select(articles::id)),
                    )
                }
                None => {}
            }
            query
        };
        let total: i64 = filtered().count().get_result(conn)?;
        let rows = filtered()
            .order((comments::created_at.desc(), comments::id.desc()))
            .offset(offset)
            .limit(limit)
            .select(Comment::as_select())
            .load(conn)?;
        Ok((rows, total))
    })
}

/// A moderator's change to a comment.
#[derive(Debug, Clone, Default)]
pub struct CommentChanges {
    pub status: Option<CommentStatus>,
    pub body: Option<String>,
}

/// Applies `changes` to comment `id`; a status change re-decides what the public sees of the
/// comment and of every reply below it, in the same transaction.
pub fn update(conn: &mut Conn, id: i64, changes: &CommentChanges, now: DateTime<Utc>) -> Result<Comment, DbError> {
    super::write(conn, |conn| {
        let current = find(conn, id)?;
        diesel::update(comments::table.find(id))
            .set((
                changes.status.map(|s| comments::status.eq(s.as_str())),
                changes.body.as_ref().map(|b| (comments::body.eq(b), comments::body_hash.eq(body_hash(b)))),
                comments::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        if changes.status.is_some() {
            let parent_visible = match current.parent_id {
                None => true,
                Some(parent) => held_state(conn, parent)?.is_some_and(|(_, visible)| visible),
            };
            refresh_visibility(conn, id, parent_visible)?;
        }
        let updated = find(conn, id)?;
        // Replies are visible only below a visible comment: if this one was hidden before and
        // after, so were they.
        let public = current.visible || updated.visible;
        super::changes::record(conn, Change::Comment { article_id: current.article_id, public })?;
        Ok(updated)
    })
}

/// The article and the visibility of comment `id`, for a write that decides a reply's
/// visibility by it. On PostgreSQL the row is held (`FOR SHARE`) until that write ends: a
/// moderation hiding the comment meanwhile waits for the write (and then finds the reply), or
/// the write waits for it (and then reads the comment hidden). SQLite's write lock already
/// orders them.
fn held_state(conn: &mut Conn, id: i64) -> Result<Option<(i64, bool)>, DbError> {
    let state = comments::table.find(id).select((comments::article_id, comments::visible));
    #[cfg(feature = "postgres")]
    if let Some(pg) = super::as_postgres(conn) {
        return Ok(state.for_share().first(pg).optional()?);
    }
    Ok(state.first(conn).optional()?)
}

/// Re-decides `visible` for comment `id` (whose parent is visible or not) and every reply
/// below it, a level of the thread at a time: a few statements per level, whatever the number
/// of replies. A comment is visible when it is approved and its parent is visible.
fn refresh_visibility(conn: &mut Conn, id: i64, parent_visible: bool) -> Result<(), DbError> {
    let approved = CommentStatus::Approved.as_str();
    // This level's comments whose parent is visible, and those whose parent is not.
    let (mut under_visible, mut under_hidden) = if parent_visible { (vec![id], vec![]) } else { (vec![], vec![id]) };
    while !(under_visible.is_empty() && under_hidden.is_empty()) {
        if !under_visible.is_empty() {
            diesel::update(comments::table.filter(comments::id.eq_any(&under_visible)))
                .set(comments::visible.eq(comments::status.eq(approved)))
                .execute(conn)?;
        }
        if !under_hidden.is_empty() {
            diesel::update(comments::table.filter(comments::id.eq_any(&under_hidden)))
                .set(comments::visible.eq(false))
                .execute(conn)?;
        }
        let level: Vec<i64> = under_visible.into_iter().chain(under_hidden).collect();
        let visible_now: std::collections::HashSet<i64> = comments::table
            .filter(comments::id.eq_any(&level))
            .filter(comments::visible.eq(true))
            .select(comments::id)
            .load::<i64>(conn)?
            .into_iter()
            .collect();
        let replies: Vec<(i64, Option<i64>)> = comments::table
            .filter(comments::parent_id.eq_any(&level))
            .select((comments::id, comments::parent_id))
            .load(conn)?;
        (under_visible, under_hidden) = (Vec::new(), Vec::new());
        for (reply, parent) in replies {
            if parent.is_some_and(|p| visible_now.contains(&p)) {
                under_visible.push(reply);
            } else {
                under_hidden.push(reply);
            }
        }
    }
    Ok(())
}

/// Deletes comment `id` and every reply below it.
pub fn delete(conn: &mut Conn, id: i64) -> Result<(), DbError> {
    super::write(conn, |conn| {
        let (article_id, visible): (i64, bool) =
            comments::table.find(id).select((comments::article_id, comments::visible)).first(conn)?;
        let mut subtree = vec![id];
        let mut level = vec![id];
        while !level.is_empty() {
            level = comments::table.filter(comments::parent_id.eq_any(&level)).select(comments::id).load(conn)?;
            subtree.extend(&level);
        }
        diesel::delete(comments::table.filter(comments::id.eq_any(&subtree))).execute(conn)?;
        // Replies are visible only below a visible comment.
        super::changes::record(conn, Change::Comment { article_id, public: visible })
    })
}

/// How far back a repeated body counts as a duplicate.
pub fn duplicate_window() -> Duration {
    Duration::minutes(10)
}
