//! Comments: the public thread of an article and the rows moderators work on.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use super::schema::comments;
use super::{Conn, DbError};
use crate::domain::CommentStatus;

/// What the public may see of a comment. The email, address and user agent are not
/// even read from the database for the public.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments, check_for_backend(Sqlite))]
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

/// One page of an article's approved comments, oldest first, with their total.
pub fn list_approved(
    conn: &mut Conn,
    article_id: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<PublicComment>, i64), DbError> {
    conn.transaction(|conn| {
        let approved = || {
            comments::table
                .filter(comments::article_id.eq(article_id))
                .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        };
        let total: i64 = approved().count().get_result(conn)?;
        let rows = approved()
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

/// Stores a comment; returns its id.
pub fn create(conn: &mut Conn, new: &NewComment, at: DateTime<Utc>) -> Result<i64, DbError> {
    let id = diesel::insert_into(comments::table)
        .values((
            comments::article_id.eq(new.article_id),
            comments::parent_id.eq(new.parent_id),
            comments::user_id.eq(new.user_id),
            comments::author_name.eq(&new.author_name),
            comments::author_email.eq(&new.author_email),
            comments::author_url.eq(&new.author_url),
            comments::body.eq(&new.body),
            comments::status.eq(new.status.as_str()),
            comments::ip.eq(&new.ip),
            comments::user_agent.eq(&new.user_agent),
            comments::created_at.eq(at.naive_utc()),
            comments::updated_at.eq(at.naive_utc()),
        ))
        .returning(comments::id)
        .get_result(conn)?;
    Ok(id)
}
