//! Full-text search through SQLite's FTS5 index `articles_fts` (kept by triggers, ranked by
//! bm25 with title > excerpt > body). The one place that knows the index is FTS5: a
//! PostgreSQL backend would answer these two functions with a tsvector column instead.

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Text};
use diesel::sqlite::Sqlite;
use std::collections::HashMap;

use super::schema::articles;
use super::{Conn, DbError};

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

#[derive(QueryableByName)]
struct Ranked {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Double)]
    rank: f64,
}

/// The relevance of every article matching `query`, computed once per match: lower is
/// better (bm25 is negative).
pub fn ranks(conn: &mut Conn, query: &str) -> Result<HashMap<i64, f64>, DbError> {
    if query.is_empty() {
        return Ok(HashMap::new());
    }
    let ranked: Vec<Ranked> =
        diesel::sql_query("SELECT rowid AS id, rank FROM articles_fts WHERE articles_fts MATCH ?")
            .bind::<Text, _>(query)
            .load(conn)?;
    Ok(ranked.into_iter().map(|r| (r.id, r.rank)).collect())
}
