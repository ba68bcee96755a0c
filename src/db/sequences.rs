//! The id sequences of a database: where each table's next id comes from, and how to move it
//! past ids that were written explicitly (by `warta copy`, `warta generate`, an import), so
//! that the next ordinary insert does not collide. SQLite keeps them in `sqlite_sequence` (one
//! row per AUTOINCREMENT table), PostgreSQL in one sequence per identity column.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use std::collections::BTreeMap;

use super::{Conn, Kind};

/// The last id each table handed out (tables that never handed one out are absent). It may be
/// above the largest id in the table when the newest rows were deleted.
pub fn last_ids(conn: &mut Conn) -> anyhow::Result<BTreeMap<String, i64>> {
    #[derive(QueryableByName)]
    struct Last {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Nullable<BigInt>)]
        seq: Option<i64>,
    }
    let sql = match Kind::of_conn(conn) {
        Kind::Sqlite => "SELECT name, seq FROM sqlite_sequence",
        Kind::Postgres => {
            "SELECT table_name::text AS name, \
                    pg_sequence_last_value(pg_get_serial_sequence(quote_ident(table_name::text), column_name::text)::regclass) AS seq \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND is_identity = 'YES'"
        }
    };
    let rows = diesel::sql_query(sql).load::<Last>(conn)?;
    Ok(rows.into_iter().filter_map(|r| Some((r.name, r.seq?))).collect())
}

/// Moves every sequence so that the next id comes after both the table's rows and the ids that
/// `handed_out` (another database's [`last_ids`]) says were already given, which a copy must not
/// give again. PostgreSQL: `setval` on each identity. SQLite: inserting explicit ids already
/// moved `sqlite_sequence` to the largest one; only what was handed out and deleted is added.
pub fn advance(conn: &mut Conn, handed_out: &BTreeMap<String, i64>) -> anyhow::Result<()> {
    match Kind::of_conn(conn) {
        Kind::Postgres => {
            for (name, column) in sequenced(conn)? {
                let seen = handed_out.get(&name).copied();
                // No row and nothing handed out: the sequence stays fresh (setval refuses 0).
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence($1, $2), v) FROM \
                     (SELECT GREATEST(max({col}), $3) AS v FROM {table}) m WHERE v IS NOT NULL",
                    col = quoted(&column),
                    table = quoted(&name),
                );
                diesel::sql_query(sql)
                    .bind::<Text, _>(quoted(&name))
                    .bind::<Text, _>(&column)
                    .bind::<Nullable<BigInt>, _>(seen)
                    .execute(conn)?;
            }
        }
        Kind::Sqlite => {
            let autoincrement = autoincrement_tables(conn)?;
            for (name, seq) in handed_out.iter().filter(|(n, _)| autoincrement.contains(n)) {
                diesel::sql_query("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?")
                    .bind::<BigInt, _>(seq)
                    .bind::<Text, _>(name)
                    .execute(conn)?;
                diesel::sql_query(
                    "INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? \
                     WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
                )
                .bind::<Text, _>(name)
                .bind::<BigInt, _>(seq)
                .bind::<Text, _>(name)
                .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// The sequences that would hand out an id again: one already in the table, or one that
/// `handed_out` says was given. Empty when every sequence is past both. A SQLite table without
/// AUTOINCREMENT (refresh_tokens, whose ids are never shown) has no sequence to keep.
pub fn behind(conn: &mut Conn, handed_out: &BTreeMap<String, i64>) -> anyhow::Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Highest {
        #[diesel(sql_type = Nullable<BigInt>)]
        id: Option<i64>,
    }
    let at_now = last_ids(conn)?;
    let mut problems = Vec::new();
    for (table, column) in sequenced(conn)? {
        let sql = format!("SELECT max({}) AS id FROM {}", quoted(&column), quoted(&table));
        let highest = diesel::sql_query(sql).get_result::<Highest>(conn)?.id;
        let needed = highest.max(handed_out.get(&table).copied()).unwrap_or(0);
        let at = at_now.get(&table).copied().unwrap_or(0);
        if at < needed {
            problems.push(format!("the id sequence of {table} is at {at}, behind id {needed}"));
        }
    }
    Ok(problems)
}

/// The tables of a SQLite database that keep their last id in `sqlite_sequence`.
fn autoincrement_tables(conn: &mut Conn) -> anyhow::Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'";
    Ok(diesel::sql_query(sql).load::<Name>(conn)?.into_iter().map(|n| n.name).collect())
}

/// The tables that hand out ids from a sequence, with the column that holds them: identity
/// columns on PostgreSQL, AUTOINCREMENT tables on SQLite.
fn sequenced(conn: &mut Conn) -> anyhow::Result<Vec<(String, String)>> {
    #[derive(QueryableByName)]
    struct Identity {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        column: String,
    }
    Ok(match Kind::of_conn(conn) {
        Kind::Postgres => diesel::sql_query(
            "SELECT table_name::text AS name, column_name::text AS column FROM information_schema.columns \
             WHERE table_schema = current_schema() AND is_identity = 'YES'",
        )
        .load::<Identity>(conn)?
        .into_iter()
        .map(|i| (i.name, i.column))
        .collect(),
        Kind::Sqlite => autoincrement_tables(conn)?.into_iter().map(|t| (t, "rowid".to_owned())).collect(),
    })
}

/// `name` quoted as an SQL identifier.
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
