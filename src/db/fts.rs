//! Full-text search, the one place that knows how each backend indexes articles:
//! - SQLite: the FTS5 table `articles_fts` (kept by triggers), ranked by bm25 with
//!   title > excerpt > body;
//! - PostgreSQL: the generated tsvector `articles.search` (title A, excerpt B, body D) under
//!   its GIN index, ranked by `ts_rank`.
//!
//! Both read the same [`SearchQuery`] (accents and case ignored, the last word a prefix) and
//! split the results in the same two tiers, so they find the same articles.
//!
//! A search is driven by the index: it walks the matches and checks each against the
//! reader's filters, so its cost follows the number of matches, never the size of the
//! archive or of a filter.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::{Conn, DbError};
use crate::domain::search::{SearchQuery, Tier, MAX_RESULTS};

/// A value bound into a search's conditions.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Time(NaiveDateTime),
    Bool(bool),
}

/// SQL conditions on the article `a` that narrow a search, with the values they bind.
/// The SQL is Warta's own text (see `articles::Condition::sql`), never reader input: input only
/// ever arrives as values, bound to the `?` placeholders in order.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    sql: Vec<String>,
    values: Vec<Value>,
}

impl Conditions {
    /// Adds one condition with the values of its `?` placeholders, in order.
    pub fn and(&mut self, sql: String, values: Vec<Value>) {
        debug_assert_eq!(sql.matches('?').count(), values.len(), "one value per placeholder in {sql}");
        self.sql.push(sql);
        self.values.extend(values);
    }

    fn text(&self) -> String {
        if self.sql.is_empty() {
            return "TRUE".into();
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

/// One page of matching article ids, in order, with the number of matches listed.
#[derive(Debug)]
pub struct SearchPage {
    pub ids: Vec<i64>,
    /// Matches, counted up to [`MAX_RESULTS`].
    pub total: i64,
    /// Whether `total` is all the matches (false: there are more than [`MAX_RESULTS`]).
    pub exact: bool,
}

#[derive(QueryableByName)]
pub(crate) struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
pub(crate) struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// What a statement asks of the matches.
#[derive(Debug, Clone, Copy)]
enum Shape<'a> {
    /// How many there are, counting at most `cap`.
    Count { cap: i64 },
    /// Their ids in `order`, a page at a time (its LIMIT and OFFSET bound last).
    Page { order: &'a str },
}

impl Shape<'_> {
    /// The statement around `from_where` (`FROM ... WHERE ...`), with `?` for the page's bounds.
    fn around(self, from_where: &str) -> String {
        match self {
            Shape::Count { cap } => format!("SELECT count(*) AS n FROM (SELECT 1 {from_where} LIMIT {cap}) capped"),
            Shape::Page { order } => format!("SELECT a.id AS id {from_where} ORDER BY {order} LIMIT ? OFFSET ?"),
        }
    }
}

/// A backend's full-text index.
trait Index {
    type Backend: diesel::backend::Backend;
    /// The statement of `shape` over the matches of `tier` that meet `conditions`.
    fn statement(
        query: &SearchQuery,
        tier: Tier,
        shape: Shape,
        conditions: &Conditions,
    ) -> BoxedSqlQuery<'static, Self::Backend, SqlQuery>;
    /// The ordering within a tier, best match first.
    fn by_rank() -> &'static str;
    /// The number of matches of `tier` that meet `conditions`, up to `cap` + 1.
    fn count(&mut self, query: &SearchQuery, tier: Tier, conditions: &Conditions, cap: i64) -> Result<i64, DbError>;
    /// The ids of the matches `(offset, limit)` of `tier` that meet `conditions`, in `order`.
    fn page(
        &mut self,
        query: &SearchQuery,
        tier: Tier,
        conditions: &Conditions,
        order: &str,
        range: (i64, i64),
    ) -> Result<Vec<i64>, DbError>;
}

/// Counting and paging, the same statements for every backend's [`Index`].
macro_rules! count_and_page {
    () => {
        fn count(
            &mut self,
            query: &SearchQuery,
            tier: Tier,
            conditions: &Conditions,
            cap: i64,
        ) -> Result<i64, DbError> {
            // The matches are walked until one past the cap, never further.
            let capped = Shape::Count { cap: cap + 1 };
            Ok(Self::statement(query, tier, capped, conditions).get_result::<Count>(self)?.n)
        }

        fn page(
            &mut self,
            query: &SearchQuery,
            tier: Tier,
            conditions: &Conditions,
            order: &str,
            range: (i64, i64),
        ) -> Result<Vec<i64>, DbError> {
            let (offset, limit) = range;
            let rows: Vec<Id> = Self::statement(query, tier, Shape::Page { order }, conditions)
                .bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(self)?;
            Ok(rows.into_iter().map(|r| r.id).collect())
        }
    };
}

/// Binds the conditions' values, in order.
fn bind_values<DB>(
    mut query: BoxedSqlQuery<'static, DB, SqlQuery>,
    conditions: &Conditions,
) -> BoxedSqlQuery<'static, DB, SqlQuery>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<BigInt> + diesel::sql_types::HasSqlType<Text>,
    DB: diesel::sql_types::HasSqlType<Timestamp> + diesel::sql_types::HasSqlType<diesel::sql_types::Bool>,
    bool: diesel::serialize::ToSql<diesel::sql_types::Bool, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    String: diesel::serialize::ToSql<Text, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
{
    for value in &conditions.values {
        query = match value.clone() {
            Value::Int(v) => query.bind::<BigInt, _>(v),
            Value::Text(v) => query.bind::<Text, _>(v),
            Value::Time(v) => query.bind::<Timestamp, _>(v),
            Value::Bool(v) => query.bind::<diesel::sql_types::Bool, _>(v),
        };
    }
    query
}

impl Index for diesel::SqliteConnection {
    type Backend = diesel::sqlite::Sqlite;
    count_and_page!();

    fn statement(
        query: &SearchQuery,
        tier: Tier,
        shape: Shape,
        conditions: &Conditions,
    ) -> BoxedSqlQuery<'static, Self::Backend, SqlQuery> {
        let text = shape.around(&format!(
            "FROM articles_fts f \
             CROSS JOIN articles a INDEXED BY articles_search_lookup ON a.id = f.rowid \
             WHERE f.articles_fts MATCH ? AND {}",
            conditions.text()
        ));
        let query = diesel::sql_query(text).into_boxed::<Self::Backend>().bind::<Text, _>(query.fts5(tier));
        bind_values(query, conditions)
    }

    fn by_rank() -> &'static str {
        // bm25 is lower for better matches.
        "f.rank ASC, a.id DESC"
    }
}

#[cfg(feature = "postgres")]
impl Index for diesel::PgConnection {
    type Backend = diesel::pg::Pg;
    count_and_page!();

    fn statement(
        query: &SearchQuery,
        tier: Tier,
        shape: Shape,
        conditions: &Conditions,
    ) -> BoxedSqlQuery<'static, Self::Backend, SqlQuery> {
        // The `?` become `$2`, `$3`, ... after the query's `$1`, in order.
        let mut n = 1;
        let mut number = |sql: &str| {
            sql.split('?')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.to_owned()
                    } else {
                        n += 1;
                        format!("${n}{part}")
                    }
                })
                .collect::<String>()
        };
        let from_where =
            format!("FROM articles a, to_tsquery('warta_search', $1) q WHERE a.search @@ q AND {}", conditions.text());
        let text = number(&shape.around(&from_where));
        let query = diesel::sql_query(text).into_boxed::<Self::Backend>().bind::<Text, _>(query.tsquery(tier));
        bind_values(query, conditions)
    }

    fn by_rank() -> &'static str {
        "ts_rank(a.search, q) DESC, a.id DESC"
    }
}

/// The page `[offset, offset + limit)` of the articles matching `query` and `conditions`, in
/// `order`, with their number: search lists the best [`MAX_RESULTS`] matches at most (with a
/// column order, the first of them in that order), so that its cost follows the page, not the
/// archive. Relevance ranks the title tier on its own when it fills the page, and ranks the
/// rest only for the pages that reach into it. Run it in `db::read_snapshot`, which makes its
/// counts and pages agree.
pub fn search(
    conn: &mut Conn,
    query: &SearchQuery,
    conditions: &Conditions,
    order: SearchOrder,
    offset: i64,
    limit: i64,
) -> Result<SearchPage, DbError> {
    if query.is_empty() {
        return Ok(SearchPage { ids: Vec::new(), total: 0, exact: true });
    }
    crate::per_backend!(conn, |c| search_in(c, query, conditions, order, offset, limit))
}

fn search_in<C: Index>(
    conn: &mut C,
    query: &SearchQuery,
    conditions: &Conditions,
    order: SearchOrder,
    offset: i64,
    limit: i64,
) -> Result<SearchPage, DbError> {
    let counted = conn.count(query, Tier::All, conditions, MAX_RESULTS)?;
    let (total, exact) = (counted.min(MAX_RESULTS), counted <= MAX_RESULTS);
    if total <= offset || limit <= 0 {
        return Ok(SearchPage { ids: Vec::new(), total, exact });
    }
    // Pages end with the listed matches.
    let limit = limit.min(total - offset);
    let ids = match order {
        SearchOrder::Column(order) => conn.page(query, Tier::All, conditions, order, (offset, limit))?,
        SearchOrder::Relevance { best_first: true } => best_first(conn, query, conditions, offset, limit)?,
        SearchOrder::Relevance { best_first: false } => {
            // The same listed matches worst first: a best-first range seen from its end.
            let mut ids = best_first(conn, query, conditions, total - offset - limit, limit)?;
            ids.reverse();
            ids
        }
    };
    Ok(SearchPage { ids, total, exact })
}

/// The best matches `[offset, offset + limit)`: the title tier by rank, then the rest by rank.
/// A page the title tier fills needs nothing else; only a page that reaches past it needs to
/// know where that tier ends.
fn best_first<C: Index>(
    conn: &mut C,
    query: &SearchQuery,
    conditions: &Conditions,
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    let by_rank = C::by_rank();
    let mut ids = conn.page(query, Tier::Title, conditions, by_rank, (offset, limit))?;
    let short = limit - ids.len() as i64;
    if short > 0 {
        // An empty page means the tier ends at or before `offset`: counting it stops there.
        let in_title = if ids.is_empty() {
            conn.count(query, Tier::Title, conditions, offset)?
        } else {
            offset + ids.len() as i64
        };
        let from = (offset - in_title).max(0);
        ids.extend(conn.page(query, Tier::Body, conditions, by_rank, (from, short))?);
    }
    Ok(ids)
}
