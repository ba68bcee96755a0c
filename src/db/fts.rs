//! Full-text search through SQLite's FTS5 index `articles_fts` (kept by triggers, ranked by
//! bm25 with title > excerpt > body). The one place that knows the index is FTS5: a
//! PostgreSQL backend would answer [`search`] with a tsvector column instead.
//!
//! A search is driven by the index: it walks the matches and checks each against the
//! reader's filters through the `articles_search_lookup` index, so its cost follows the
//! number of matches, never the size of the archive or of a filter.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::sqlite::Sqlite;

use super::{Conn, DbError};
use crate::domain::search::SearchQuery;

/// A value bound into a search's conditions.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Time(NaiveDateTime),
}

/// SQL conditions on the article `a` that narrow a search, with the values they bind.
/// The SQL is the caller's own text, never reader input: input only ever arrives as values.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    sql: Vec<&'static str>,
    values: Vec<Value>,
}

impl Conditions {
    /// Adds one condition with the values of its `?` placeholders, in order.
    pub fn and<const N: usize>(&mut self, sql: &'static str, values: [Value; N]) {
        debug_assert_eq!(sql.matches('?').count(), N, "one value per placeholder in {sql}");
        self.sql.push(sql);
        self.values.extend(values);
    }

    fn text(&self) -> String {
        if self.sql.is_empty() {
            return "1".into();
        }
        self.sql.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(" AND ")
    }
}

/// The order of search results.
#[derive(Debug, Clone, Copy)]
pub enum SearchOrder {
    /// By relevance: the title tier, then the rest, each by bm25; `best_first` or reversed.
    Relevance { best_first: bool },
    /// By the given SQL ordering over `a` (for instance `a.published_at DESC, a.id DESC`).
    Column(&'static str),
}

/// One page of matching article ids, in order, with the number of all matches.
#[derive(Debug)]
pub struct SearchPage {
    pub ids: Vec<i64>,
    pub total: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn statement(
    select: &str,
    fts: String,
    conditions: &Conditions,
    tail: &str,
) -> BoxedSqlQuery<'static, Sqlite, SqlQuery> {
    let text = format!(
        "SELECT {select} FROM articles_fts f \
         CROSS JOIN articles a INDEXED BY articles_search_lookup ON a.id = f.rowid \
         WHERE f.articles_fts MATCH ? AND {} {tail}",
        conditions.text()
    );
    let mut query = diesel::sql_query(text).into_boxed::<Sqlite>().bind::<Text, _>(fts);
    for value in &conditions.values {
        query = match value.clone() {
            Value::Int(v) => query.bind::<BigInt, _>(v),
            Value::Text(v) => query.bind::<Text, _>(v),
            Value::Time(v) => query.bind::<Timestamp, _>(v),
        };
    }
    query
}

fn count(conn: &mut Conn, fts: String, conditions: &Conditions) -> Result<i64, DbError> {
    Ok(statement("count(*) AS n", fts, conditions, "").get_result::<Count>(conn)?.n)
}

fn page(
    conn: &mut Conn,
    fts: String,
    conditions: &Conditions,
    order: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    let tail = format!("ORDER BY {order} LIMIT ? OFFSET ?");
    let rows: Vec<Id> = statement("a.id AS id", fts, conditions, &tail)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The page `[offset, offset + limit)` of the articles matching `query` and `conditions`, in
/// `order`, with the number of all of them. Relevance ranks the title tier on its own when
/// it fills the page, and ranks the rest only for the pages that reach into it. Run it in
/// a transaction, which makes its counts and pages agree.
pub fn search(
    conn: &mut Conn,
    query: &SearchQuery,
    conditions: &Conditions,
    order: SearchOrder,
    offset: i64,
    limit: i64,
) -> Result<SearchPage, DbError> {
    if query.is_empty() {
        return Ok(SearchPage { ids: Vec::new(), total: 0 });
    }
    let total = count(conn, query.all_words(), conditions)?;
    if total <= offset || limit <= 0 {
        return Ok(SearchPage { ids: Vec::new(), total });
    }
    let best_first = match order {
        SearchOrder::Column(order) => {
            let ids = page(conn, query.all_words(), conditions, order, offset, limit)?;
            return Ok(SearchPage { ids, total });
        }
        SearchOrder::Relevance { best_first } => best_first,
    };
    // bm25 is lower for better matches.
    let within = if best_first { "f.rank ASC, a.id DESC" } else { "f.rank DESC, a.id ASC" };
    let (title, body) = (query.title_tier(), query.body_tier());
    if best_first {
        // Title matches first. A page the title tier fills needs nothing else; only a page
        // that reaches past it needs to know where it ends.
        let mut ids = page(conn, title.clone(), conditions, within, offset, limit)?;
        let short = limit - ids.len() as i64;
        if short > 0 {
            let in_title = if ids.is_empty() { count(conn, title, conditions)? } else { offset + ids.len() as i64 };
            let from = (offset - in_title).max(0);
            ids.extend(page(conn, body, conditions, within, from, short)?);
        }
        return Ok(SearchPage { ids, total });
    }
    // Worst first: the body tier, then the title tier.
    let in_body = count(conn, body.clone(), conditions)?;
    let mut ids = Vec::new();
    if offset < in_body {
        ids = page(conn, body, conditions, within, offset, limit)?;
    }
    let short = limit - ids.len() as i64;
    if short > 0 {
        ids.extend(page(conn, title, conditions, within, (offset - in_body).max(0), short)?);
    }
    Ok(SearchPage { ids, total })
}
