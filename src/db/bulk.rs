//! Bulk inserts for `warta generate`: many rows per statement, ids assigned by the caller
//! (the database is empty), triggers doing their usual work (full-text index, counts).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{article_categories, article_tags, articles, categories, comments, tags, users};
use super::{Conn, DbError};

/// Inserts `rows` with one multi-row INSERT (a statement Diesel builds per backend).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        $crate::per_backend!($conn, |c| diesel::insert_into($table).values($rows).execute(c))
    };
}
pub(crate) use insert_rows;

/// Rows per INSERT: well under SQLite's limit of 32766 bound values.
const CHUNK: usize = 1000;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    pub password_hash: String,
    pub role: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub parent_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub name_key: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body: String,
    pub body_html: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub author_id: i64,
    pub source_name: Option<String>,
    pub language: String,
    pub comment_status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub body: String,
    pub body_hash: i64,
    pub status: String,
    pub visible: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Inserts users.
pub fn users(conn: &mut Conn, rows: &[UserRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(CHUNK) {
        insert_rows!(conn, users::table, chunk)?;
    }
    Ok(())
}

/// Inserts categories (parents before children).
pub fn categories(conn: &mut Conn, rows: &[CategoryRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(CHUNK) {
        insert_rows!(conn, categories::table, chunk)?;
    }
    Ok(())
}

/// Inserts tags.
pub fn tags(conn: &mut Conn, rows: &[TagRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(CHUNK) {
        insert_rows!(conn, tags::table, chunk)?;
    }
    Ok(())
}

/// Inserts articles, their category links and their tag links (article, tag) in one
/// transaction.
pub fn articles(
    conn: &mut Conn,
    rows: &[ArticleRow],
    links: &[(i64, i64)],
    tag_links: &[(i64, i64)],
) -> Result<(), DbError> {
    super::write(conn, |conn| {
        for chunk in rows.chunks(CHUNK / 2) {
            insert_rows!(conn, articles::table, chunk)?;
        }
        let links: Vec<_> = links
            .iter()
            .map(|(a, c)| (article_categories::article_id.eq(*a), article_categories::category_id.eq(*c)))
            .collect();
        for chunk in links.chunks(CHUNK) {
            insert_rows!(conn, article_categories::table, chunk)?;
        }
        let tag_links: Vec<_> =
            tag_links.iter().map(|(a, t)| (article_tags::article_id.eq(*a), article_tags::tag_id.eq(*t))).collect();
        for chunk in tag_links.chunks(CHUNK) {
            insert_rows!(conn, article_tags::table, chunk)?;
        }
        Ok(())
    })
}

/// Inserts comments in one transaction.
pub fn comments(conn: &mut Conn, rows: &[CommentRow]) -> Result<(), DbError> {
    super::write(conn, |conn| {
        for chunk in rows.chunks(CHUNK) {
            insert_rows!(conn, comments::table, chunk)?;
        }
        Ok(())
    })
}
