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
use crate::domain::search::SearchQuery;

/// A value bound into a search's conditions.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Time(NaiveDateTime),
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

/// One page of matching article ids, in order, with the number of all matches.
#[derive(Debug)]
pub struct SearchPage {
    pub ids: Vec<i64>,
    pub total: i64,
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

/// Which matches a statement reads.
#[derive(Debug, Clone, Copy)]
enum Tier {
    /// Every match.
    All,
    /// Matches with one of the words in the title.
    Title,
    /// The other matches.
    Body,
}

/// A backend's full-text index.
trait Index {
    type Backend: diesel::backend::Backend;
    /// `SELECT {select}` over the matches of `tier` that meet `conditions`, then `tail`.
    fn statement(
        query: &SearchQuery,
        tier: Tier,
        select: &str,
        conditions: &Conditions,
        tail: &str,
    ) -> BoxedSqlQuery<'static, Self::Backend, SqlQuery>;
    /// The ordering within a tier, best match first or last.
    fn by_rank(best_first: bool) -> &'static str;
    /// The number of matches of `tier` that meet `conditions`.
    fn count(&mut self, query: &SearchQuery, tier: Tier, conditions: &Conditions) -> Result<i64, DbError>;
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
        fn count(&mut self, query: &SearchQuery, tier: Tier, conditions: &Conditions) -> Result<i64, DbError> {
            Ok(Self::statement(query, tier, "count(*) AS n", conditions, "").get_result::<Count>(self)?.n)
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
            let tail = format!("ORDER BY {order} LIMIT ? OFFSET ?");
            let rows: Vec<Id> = Self::statement(query, tier, "a.id AS id", conditions, &tail)
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
    DB: diesel::sql_types::HasSqlType<Timestamp>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    String: diesel::serialize::ToSql<Text, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
{
    for value in &conditions.values {
        query = match value.clone() {
            Value::Int(v) => query.bind::<BigInt, _>(v),
            Value::Text(v) => query.bind::<Text, _>(v),
            Value::Time(v) => query.bind::<Timestamp, _>(v),
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
        select: &str,
        conditions: &Conditions,
        tail: &str,
    ) -> BoxedSqlQuery<'static, Self::Backend, SqlQuery> {
        let fts = match tier {
            Tier::All => query.all_words(),
            Tier::Title => query.title_tier(),
            Tier::Body => query.body_tier(),
        };
        let text = format!(
            "SELECT {select} FROM articles_fts f \
             CROSS JOIN articles a INDEXED BY articles_search_lookup ON a.id = f.rowid \
             WHERE f.articles_fts MATCH ? AND {} {tail}",
            conditions.text()
        );
        let query = diesel::sql_query(text).into_boxed::<Self::Backend>().bind::<Text, _>(fts);
        bind_values(query, conditions)
    }

    fn by_rank(best_first: bool) -> &'static str {
        // bm25 is lower for better matches.
        if best_first {
            "f.rank ASC, a.id DESC"
        } else {
            "f.rank DESC, a.id ASC"
        }
    }
}

#[cfg(feature = "postgres")]
impl Index for diesel::PgConnection {
    type Backend = diesel::pg::Pg;
    count_and_page!();

    fn statement(
        query: &SearchQuery,
        tier: Tier,
        select: &str,
        conditions: &Conditions,
        tail: &str,
    ) -> BoxedSqlQuery<'static, Self::Backend, SqlQuery> {
        let tsquery = match tier {
            Tier::All => query.ts_all_words(),
            Tier::Title => query.ts_title_tier(),
            Tier::Body => query.ts_body_tier(),
        };
        // The conditions' `?` become `$2`, `$3`, ... after the query's `$1`; the tail's
        // placeholders follow them.
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
        let conditions_sql = number(&conditions.text());
        let tail = number(tail);
        let text = format!(
            "SELECT {select} FROM articles a, to_tsquery('warta_search', $1) q \
             WHERE a.search @@ q AND {conditions_sql} {tail}"
        );
        let query = diesel::sql_query(text).into_boxed::<Self::Backend>().bind::<Text, _>(tsquery);
        bind_values(query, conditions)
    }

    fn by_rank(best_first: bool) -> &'static str {
        if best_first {
            "ts_rank(a.search, q) DESC, a.id DESC"
        } else {
            "ts_rank(a.search, q) ASC, a.id ASC"
        }
    }
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
    let total = conn.count(query, Tier::All, conditions)?;
    if total <= offset || limit <= 0 {
        return Ok(SearchPage { ids: Vec::new(), total });
    }
    let best_first = match order {
        SearchOrder::Column(order) => {
            let ids = conn.page(query, Tier::All, conditions, order, (offset, limit))?;
            return Ok(SearchPage { ids, total });
        }
        SearchOrder::Relevance { best_first } => best_first,
    };
    let within = C::by_rank(best_first);
    if best_first {
        // Title matches first. A page the title tier fills needs nothing else; only a page
        // that reaches past it needs to know where it ends.
        let mut ids = conn.page(query, Tier::Title, conditions, within, (offset, limit))?;
        let short = limit - ids.len() as i64;
        if short > 0 {
            let in_title =
                if ids.is_empty() { conn.count(query, Tier::Title, conditions)? } else { offset + ids.len() as i64 };
            let from = (offset - in_title).max(0);
            ids.extend(conn.page(query, Tier::Body, conditions, within, (from, short))?);
        }
        return Ok(SearchPage { ids, total });
    }
    // Worst first: the body tier, then the title tier.
    let in_body = conn.count(query, Tier::Body, conditions)?;
    let mut ids = Vec::new();
    if offset < in_body {
        ids = conn.page(query, Tier::Body, conditions, within, (offset, limit))?;
    }
    let short = limit - ids.len() as i64;
    if short > 0 {
        ids.extend(conn.page(query, Tier::Title, conditions, within, ((offset - in_body).max(0), short))?);
    }
    Ok(SearchPage { ids, total })
}
