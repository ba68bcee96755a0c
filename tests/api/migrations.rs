//! Migrations over a database that already holds content: nothing is lost on the way.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_migrations::MigrationHarness;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

/// The rebuild that gives ids AUTOINCREMENT copies every row with its id, keeps the links
/// between tables, the full-text index and the comment counts, and leaves foreign keys on.
#[test]
fn rebuilding_the_tables_for_ids_that_never_return_keeps_every_row_and_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute("PRAGMA foreign_keys = ON;").unwrap();
    // The schema as the releases before it left it.
    while conn.applied_migrations().unwrap().iter().all(|v| v.to_string() != "20261126000001") {
        conn.run_next_migration(warta::db::MIGRATIONS).unwrap();
    }
    conn.batch_execute(
        "INSERT INTO users VALUES (1, 'a@x.id', 'Dewi', 'dewi', '', 'h', 'author', 1, '2024-01-01 00:00:00', '2024-01-01 00:00:00');
         INSERT INTO categories VALUES (1, 'Ekonomi', 'ekonomi', '', NULL, '2024-01-01 00:00:00', '2024-01-01 00:00:00');
         INSERT INTO categories VALUES (2, 'Kopi', 'kopi', '', 1, '2024-01-01 00:00:00', '2024-01-01 00:00:00');
         INSERT INTO articles (id, slug, title, body, status, published_at, author_id, language, created_at, updated_at)
             VALUES (7, 'harga-kopi', 'Harga Kopi Naik', 'Petani senang.', 'published', '2024-01-02 00:00:00', 1, 'id',
                     '2024-01-01 00:00:00', '2024-01-01 00:00:00');
         INSERT INTO article_categories VALUES (7, 2);
         INSERT INTO comments (id, article_id, author_name, author_email, body, status, visible, created_at, updated_at)
             VALUES (3, 7, 'Siti', 's@x.id', 'Mantap', 'approved', 1, '2024-01-03 00:00:00', '2024-01-03 00:00:00');
         INSERT INTO comments (id, article_id, parent_id, author_name, author_email, body, status, visible, created_at, updated_at)
             VALUES (4, 7, 3, 'Budi', 'b@x.id', 'Setuju', 'approved', 1, '2024-01-03 00:00:00', '2024-01-03 00:00:00');",
    )
    .unwrap();
    assert_eq!(count(&mut conn, "SELECT comment_count AS n FROM articles WHERE id = 7"), 2);

    let mut conn = warta::db::Conn::Sqlite(conn);
    warta::db::migrate(&mut conn).unwrap();
    let Some(conn) = warta::db::as_sqlite(&mut conn) else { unreachable!() };

    assert_eq!(count(conn, "SELECT count(*) AS n FROM users WHERE id = 1"), 1);
    assert_eq!(count(conn, "SELECT count(*) AS n FROM categories WHERE id = 2 AND parent_id = 1"), 1);
    assert_eq!(count(conn, "SELECT count(*) AS n FROM article_categories WHERE article_id = 7"), 1);
    assert_eq!(count(conn, "SELECT count(*) AS n FROM comments WHERE parent_id = 3"), 1);
    assert_eq!(count(conn, "SELECT rowid AS n FROM articles_fts WHERE articles_fts MATCH 'petani'"), 7);
    let broken: Vec<Name> =
        diesel::sql_query("SELECT \"table\" AS name FROM pragma_foreign_key_check").load(conn).unwrap();
    assert!(broken.is_empty(), "foreign keys broken in {:?}", broken.iter().map(|b| &b.name).collect::<Vec<_>>());
    assert_eq!(count(conn, "SELECT foreign_keys AS n FROM pragma_foreign_keys"), 1, "foreign keys are on again");

    // The triggers are back: counts and the index follow writes, deletes cascade.
    conn.batch_execute("DELETE FROM comments WHERE id = 4; UPDATE articles SET body = 'Nelayan sedih.' WHERE id = 7;")
        .unwrap();
    assert_eq!(count(conn, "SELECT comment_count AS n FROM articles WHERE id = 7"), 1);
    assert_eq!(count(conn, "SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH 'nelayan'"), 1);
    conn.batch_execute("DELETE FROM articles WHERE id = 7;").unwrap();
    assert_eq!(count(conn, "SELECT count(*) AS n FROM comments"), 0, "comments go with their article");
    // And the id of the deleted article is not handed out again.
    conn.batch_execute(
        "INSERT INTO articles (slug, title, status, author_id, language, created_at, updated_at)
             VALUES ('baru', 'Baru', 'draft', 1, 'id', '2024-01-04 00:00:00', '2024-01-04 00:00:00');",
    )
    .unwrap();
    assert_eq!(count(conn, "SELECT max(id) AS n FROM articles"), 8);
}

fn migration_names(backend: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!("migrations/{backend}"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every schema change is made for both backends: the same migrations, by name, each with its
/// way up and down, and every table SQLite creates is created on PostgreSQL too.
#[test]
fn the_sqlite_and_postgresql_migrations_are_kept_in_step() {
    let (sqlite, postgres) = (migration_names("sqlite"), migration_names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "the same migrations in migrations/sqlite and migrations/postgres");
    let tables = |backend: &str| -> std::collections::BTreeSet<String> {
        let mut found = std::collections::BTreeSet::new();
        for name in migration_names(backend) {
            for file in ["up.sql", "down.sql"] {
                assert!(
                    std::path::Path::new(&format!("migrations/{backend}/{name}/{file}")).is_file(),
                    "{backend}/{name} has no {file}"
                );
            }
            let up = std::fs::read_to_string(format!("migrations/{backend}/{name}/up.sql")).unwrap();
            for statement in up.split(';') {
                let words: Vec<&str> = statement.split_whitespace().collect();
                if let Some(i) = words.windows(2).position(|w| w == ["CREATE", "TABLE"]) {
                    found.insert(words[i + 2].trim_matches('"').to_owned());
                }
                if let Some(i) = words.windows(2).position(|w| w == ["DROP", "TABLE"]) {
                    found.remove(words[i + 2].trim_matches('"'));
                }
                if let [.., "ALTER", "TABLE", from, "RENAME", "TO", to] = words.as_slice() {
                    found.remove(*from);
                    found.insert(to.to_string());
                }
            }
        }
        found
    };
    assert_eq!(tables("sqlite"), tables("postgres"), "the tables each backend ends with");
}

/// Tables and their columns as `schema.rs` declares them.
fn declared_columns() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let text = std::fs::read_to_string("src/db/schema.rs").unwrap();
    let mut tables = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_suffix('{').and_then(|l| l.split_once(" (")).map(|(name, _)| name) {
            current = Some(name.to_owned());
            tables.insert(name.to_owned(), std::collections::BTreeSet::new());
        } else if let (Some(table), Some((column, _))) = (&current, line.split_once(" -> ")) {
            tables.get_mut(table).unwrap().insert(column.to_owned());
        } else if line == "}" {
            current = None;
        }
    }
    tables
}

/// Tables and columns of a migrated database, bar what only one backend's machinery needs:
/// the migrations' own table, SQLite's FTS5 tables and PostgreSQL's generated `search` column
/// (both hold the full-text index, each backend's own way).
fn live_columns(conn: &mut warta::db::Conn) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        column_name: String,
    }
    let sql = if warta::db::as_sqlite(conn).is_some() {
        "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'articles_fts%'"
    } else {
        "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND NOT (table_name = 'articles' AND column_name = 'search')"
    };
    let mut tables = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
    for c in diesel::sql_query(sql).load::<Column>(conn).unwrap() {
        if c.table_name != "__diesel_schema_migrations" {
            tables.entry(c.table_name).or_default().insert(c.column_name);
        }
    }
    tables
}

/// Every table and column that `schema.rs` declares exists in a migrated database of the
/// backend under test, and nothing else does: SQLite on every run, PostgreSQL too when the
/// run is on it. So a column added in one backend's migrations only fails here.
#[test]
fn each_backend_ends_with_the_tables_and_columns_of_schema_rs() {
    let declared = declared_columns();
    assert!(declared.contains_key("articles") && declared["articles"].contains("comment_count"));
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite =
        warta::db::Conn::Sqlite(SqliteConnection::establish(dir.path().join("s.db").to_str().unwrap()).unwrap());
    warta::db::migrate(&mut sqlite).unwrap();
    assert_eq!(live_columns(&mut sqlite), declared, "SQLite against schema.rs");
    if crate::helpers::on_postgres() {
        let db = crate::helpers::TestDb::new();
        let mut postgres = warta::db::Conn::establish(&db.url).unwrap();
        warta::db::migrate(&mut postgres).unwrap();
        assert_eq!(live_columns(&mut postgres), declared, "PostgreSQL against schema.rs");
    }
}
