//! Full-text search through SQLite's FTS5 index `articles_fts` (kept by triggers, ranked by
//! bm25 with title > excerpt > body). The one place that knows the index is FTS5: a
//! PostgreSQL backend would answer these two expressions with a tsvector column instead.

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::sql_types::{Bool, Double, Text};
use diesel::sqlite::Sqlite;

use super::schema::articles;

/// True for articles that match the FTS5 expression `query` (built by `domain::search`);
/// the empty expression matches nothing.
pub fn matches(query: &str) -> Box<dyn BoxableExpression<articles::table, Sqlite, SqlType = Bool>> {
    if query.is_empty() {
        return Box::new(sql::<Bool>("0"));
    }
    Box::new(
        sql::<Bool>("articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ")
            .bind::<Text, _>(query.to_owned())
            .sql(")"),
    )
}

/// The relevance of an article for `query`: lower is better (bm25 is negative).
pub fn rank(query: &str) -> Box<dyn BoxableExpression<articles::table, Sqlite, SqlType = Double>> {
    if query.is_empty() {
        return Box::new(sql::<Double>("0"));
    }
    Box::new(
        sql::<Double>("(SELECT rank FROM articles_fts WHERE articles_fts MATCH ")
            .bind::<Text, _>(query.to_owned())
            .sql(" AND rowid = articles.id)"),
    )
}
