//! Test support: how SQLite would run a statement (`EXPLAIN QUERY PLAN`), for tests that a
//! query seeks an index instead of scanning a table.
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use super::Conn;

#[derive(QueryableByName)]
struct PlanStep {
    #[diesel(sql_type = Integer)]
    #[allow(dead_code)] // a column of EXPLAIN QUERY PLAN; only `detail` is read
    id: i32,
    #[diesel(sql_type = Text)]
    detail: String,
}

/// The steps of the plan of `query` (a Diesel query on SQLite), its parameters left unbound:
/// without statistics the plan does not depend on their values.
pub fn steps<Q>(conn: &mut Conn, query: &Q) -> Vec<String>
where
    Q: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
{
    let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(query).to_string();
    let sql = sql.split(" -- binds:").next().unwrap_or_default().to_owned();
    let plan: Vec<PlanStep> =
        diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load(conn).expect("EXPLAIN QUERY PLAN");
    plan.into_iter().map(|step| step.detail).collect()
}

/// True when no step of `steps` scans a whole table or index.
pub fn seeks_only(steps: &[String]) -> bool {
    !steps.iter().any(|step| step.starts_with("SCAN") && !step.contains("CONSTANT ROW"))
}
