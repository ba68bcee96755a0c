//! `warta copy`: a whole Warta database from one backend to the other (a SQLite file to
//! PostgreSQL when a newsroom grows, or back, or to the same backend), into an empty target.
//!
//! The source is read inside one read transaction, so from one snapshot (a live server may keep
//! writing), table by table in [`TABLES`] order, in keyset pages of its key. Each page becomes
//! one multi-row INSERT in the target, committed a few pages at a time: memory holds one page
//! (and a SQLite target's page cache) whatever the size of the database. Ids, timestamps and
//! what triggers derive (comment counts) are copied as they are, with the target's triggers
//! held off while a table's rows go in (see [`without_triggers`]); at the end the SQLite
//! full-text index is rebuilt from the articles and the target's id sequences are moved past
//! the source's. Then every table's count, every counted column and every sequence is compared
//! with the source.

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use std::any::Any;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use super::bulk::insert_rows;
use super::sequences::{self, quoted};
use super::{Conn, Kind};

/// Every table of a Warta database, parents before children. `warta copy` copies these and
/// refuses a source that has any other; the test `every_table_of_a_migrated_database_is_copied`
/// fails while a table of the migrations is missing here. A new table is one line:
/// `name by key;` (with `by (a, b)` for a two-column key), plus an option when a column needs one:
///
/// - `forward COL`: COL refers to a row of the same table that may come later in key order (a
///   category moved under a newer one). Such rows go in with COL empty; it is set once the
///   whole table is in.
/// - `counted COL`: triggers keep COL as the rows of another table come and go
///   (`articles.comment_count` follows the visible comments). The copy holds them off and
///   copies COL, then compares it with the source row by row.
/// - `local COL`: COL means something only in the database that wrote it (a PostgreSQL
///   transaction id): it goes in as 0 (the value of a change that ended long ago).
// (A macro so that the list can stand here, above the `tables!` that expands it.)
macro_rules! warta_tables {
    () => {
        tables! {
            users by id;
            categories by id, forward parent_id;
            media by id;
            articles by id, counted comment_count;
            article_categories by (article_id, category_id);
            tags by id;
            article_tags by (article_id, tag_id);
            redirects by id;
            comments by id, forward parent_id;
            revisions by id;
            audit_log by id;
            refresh_tokens by id;
            invites by id;
            content_changes by id, local writer_txid;
            rate_limits by key;
            job_runs by name;
            media_removals by token;
            webhooks by id;
            webhook_events by id;
            webhook_deliveries by id;
            scheduled_publications by article_id;
            preview_tokens by id;
            api_tokens by id;
        }
    };
}

/// Most values bound in one INSERT: under SQLite's limit of 32766 (PostgreSQL's is 65535).
const MAX_BINDS: usize = 30_000;
/// Most rows read and written at once.
const MAX_PAGE: usize = 5_000;
/// Rows per write transaction of the target, a few pages: a SQLite target writes every page
/// of its indexes that a transaction touched at its commit, and comments touch pages all over
/// their indexes, so a transaction per page wrote the same index pages again and again (100k
/// articles and 1M comments from PostgreSQL: 151 s that way, 76 s with this and the cache below).
const ROWS_PER_TRANSACTION: usize = 50_000;
/// The page cache of a SQLite target during the copy, in KiB (SQLite's default is 2 MiB):
/// the index pages a transaction touches stay in memory until its commit.
const SQLITE_CACHE_KIB: i64 = 128 * 1024;

/// Rows per page for a table of `width` columns.
fn page_rows(width: usize) -> i64 {
    (MAX_BINDS / width.max(1)).clamp(1, MAX_PAGE) as i64
}

/// How a copy reports its progress on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A line that counts up while a table is copied (stderr is a terminal).
    Terminal,
    /// One line per table once it is copied.
    Lines,
}

/// What a finished copy did.
#[derive(Debug, Clone, Default)]
pub struct Copied {
    /// Rows per table, in copy order (the same in source and target).
    pub tables: Vec<(&'static str, u64)>,
    /// How long the copy took, checks included.
    pub elapsed: Duration,
}

impl Copied {
    /// Rows copied in all.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// The Rust type that holds a value of the SQL type `Self` (tuples of them for rows).
pub trait RustType {
    type Rust;
}

macro_rules! rust_types {
    ($($sql:ty => $rust:ty,)*) => {
        $(impl RustType for $sql {
            type Rust = $rust;
        })*
    };
}

rust_types! {
    diesel::sql_types::BigInt => i64,
    diesel::sql_types::Integer => i32,
    diesel::sql_types::SmallInt => i16,
    diesel::sql_types::Double => f64,
    diesel::sql_types::Float => f32,
    diesel::sql_types::Text => String,
    diesel::sql_types::Binary => Vec<u8>,
    diesel::sql_types::Bool => bool,
    diesel::sql_types::Timestamp => chrono::NaiveDateTime,
    diesel::sql_types::Date => chrono::NaiveDate,
}

impl<T: RustType> RustType for Nullable<T> {
    type Rust = Option<T::Rust>;
}

/// A row read as the tuple of its columns' values (`Columns` is the table's column tuple),
/// written back as `column = value` pairs.
pub trait Row<Columns>: Sized {
    /// The row as Diesel inserts it.
    type Values;
    /// How many columns.
    const WIDTH: usize;
    /// The row to insert, with the columns named in `reset` at their type's default (0, None).
    fn into_values(self, columns: Columns, reset: &[&str]) -> Self::Values;
    /// The value of the column called `name`.
    fn value(&self, name: &str) -> Option<&dyn Any>;
}

macro_rules! row_impl {
    ($($C:ident $V:ident $i:tt),+) => {
        impl<$($C: RustType),+> RustType for ($($C,)+) {
            type Rust = ($($C::Rust,)+);
        }

        impl<$($C, $V),+> Row<($($C,)+)> for ($($V,)+)
        where
            $($C: diesel::Column, $C::SqlType: diesel::sql_types::SingleValue,
              $V: diesel::expression::AsExpression<$C::SqlType> + Default + 'static,)+
        {
            type Values = ($(diesel::dsl::Eq<$C, $V>,)+);
            const WIDTH: usize = [$($i),+].len();

            fn into_values(self, columns: ($($C,)+), reset: &[&str]) -> Self::Values {
                ($(columns.$i.eq(if reset.contains(&$C::NAME) { $V::default() } else { self.$i }),)+)
            }

            fn value(&self, name: &str) -> Option<&dyn Any> {
                $(if $C::NAME == name {
                    return Some(&self.$i);
                })+
                None
            }
        }
    };
}

/// `row_impl!` for every prefix of the list: tuples of 1 to 32 columns.
macro_rules! row_impls {
    ([$($C:ident $V:ident $i:tt),*] []) => {};
    ([$($C:ident $V:ident $i:tt),*] [$C1:ident $V1:ident $i1:tt $(, $Cr:ident $Vr:ident $ir:tt)*]) => {
        row_impl!($($C $V $i,)* $C1 $V1 $i1);
        row_impls!([$($C $V $i,)* $C1 $V1 $i1] [$($Cr $Vr $ir),*]);
    };
}

row_impls!([] [
    C0 V0 0, C1 V1 1, C2 V2 2, C3 V3 3, C4 V4 4, C5 V5 5, C6 V6 6, C7 V7 7,
    C8 V8 8, C9 V9 9, C10 V10 10, C11 V11 11, C12 V12 12, C13 V13 13, C14 V14 14, C15 V15 15,
    C16 V16 16, C17 V17 17, C18 V18 18, C19 V19 19, C20 V20 20, C21 V21 21, C22 V22 22, C23 V23 23,
    C24 V24 24, C25 V25 25, C26 V26 26, C27 V27 27, C28 V28 28, C29 V29 29, C30 V30 30, C31 V31 31
]);

/// The key columns of table module `$t`: one column or a pair.
macro_rules! key_of {
    ($t:ident, ($k1:ident, $k2:ident)) => {
        ($t::$k1, $t::$k2)
    };
    ($t:ident, $k:ident) => {
        $t::$k
    };
}

/// Rows of `$t` whose key comes after `$last`. For a pair, the first column's range bounds the
/// index scan and the rest only filters the first rows of that range.
macro_rules! after {
    ($t:ident, ($k1:ident, $k2:ident), $last:expr) => {{
        let (a, b) = $last;
        $t::$k1.ge(a).and($t::$k1.gt(a).or($t::$k2.gt(b)))
    }};
    ($t:ident, $k:ident, $last:expr) => {
        $t::$k.gt($last)
    };
}

/// The names of the tables, and per table the copy and the checks, from [`warta_tables!`].
macro_rules! tables {
    ($($table:ident by $key:tt $(, forward $fwd:ident)? $(, counted $counted:ident)? $(, local $loc:ident)?;)*) => {
        /// Every table `warta copy` copies, in copy order.
        pub const TABLES: &[&str] = &[$(stringify!($table)),*];

        /// Counts the source's rows of every table.
        fn count_all(src: &mut Conn) -> anyhow::Result<Vec<(&'static str, i64)>> {
            Ok(vec![$(
                (stringify!($table), super::schema::$table::table.count().get_result::<i64>(src)?),
            )*])
        }

        /// Copies every table, page by page; returns the rows inserted per table.
        fn copy_all(src: &mut Conn, dst: &mut Conn, totals: &[(&'static str, i64)], progress: Progress)
            -> anyhow::Result<Vec<(&'static str, u64)>>
        {
            let mut copied = Vec::new();
            let mut totals = totals.iter();
            $({
                use super::schema::$table as t;
                type Cols = <t::table as diesel::Table>::AllColumns;
                type Values = <diesel::dsl::SqlTypeOf<Cols> as RustType>::Rust;
                type Key = <diesel::dsl::SqlTypeOf<key_of!(t, $key)> as RustType>::Rust;
                let name = stringify!($table);
                let total = totals.next().map_or(0, |(_, n)| *n);
                let mut meter = Meter::start(progress, name, total);
                let reset: &[&str] = &[$(stringify!($loc))?];
                $(let reset_forward: Vec<&str> = reset.iter().copied().chain([stringify!($fwd)]).collect();
                  let mut forward: Vec<(i64, i64)> = Vec::new();)?
                let page = page_rows(<Values as Row<Cols>>::WIDTH);
                let mut last: Option<Key> = None;
                let mut inserted = 0u64;
                let mut finished = false;
                while !finished {
                    inserted += super::write(dst, |c| without_triggers(c, name, |c| {
                        let mut written = 0;
                        while !finished && written < ROWS_PER_TRANSACTION {
                            let mut query = t::table
                                .select((key_of!(t, $key), t::all_columns))
                                .order(key_of!(t, $key))
                                .limit(page)
                                .into_boxed();
                            if let Some(last) = last.take() {
                                query = query.filter(after!(t, $key, last));
                            }
                            let rows: Vec<(Key, Values)> = query.load(src)?;
                            let Some((end, _)) = rows.last() else {
                                finished = true;
                                break;
                            };
                            let end: Key = end.clone();
                            let n = rows.len();
                            let values: Vec<_> = rows
                                .into_iter()
                                .map(|(_key, row)| {
                                    $(let parent = <Values as Row<Cols>>::value(&row, stringify!($fwd))
                                        .and_then(|v| v.downcast_ref::<Option<i64>>())
                                        .copied()
                                        .flatten();
                                      // Inserted by the end of this statement otherwise: foreign
                                      // keys are checked then, on both backends.
                                      if let Some(parent) = parent.filter(|p| *p > end) {
                                          forward.push((_key, parent));
                                          return row.into_values(t::all_columns, &reset_forward);
                                      })?
                                    row.into_values(t::all_columns, reset)
                                })
                                .collect();
                            written += insert_rows!(c, t::table, values)?;
                            meter.advance(n);
                            last = Some(end);
                            finished = (n as i64) < page;
                        }
                        Ok(written as u64)
                    }))?;
                }
                $(if !forward.is_empty() {
                    super::write(dst, |c| {
                        without_triggers(c, name, |c| {
                            for (id, parent) in &forward {
                                diesel::update(t::table.filter(t::id.eq(*id)))
                                    .set(t::$fwd.eq(Some(*parent)))
                                    .execute(c)?;
                            }
                            Ok(())
                        })
                    })?;
                })?
                meter.finish(inserted);
                copied.push((name, inserted));
            })*
            Ok(copied)
        }

        /// Compares the target with the source: rows per table, and the counted columns
        /// row by row. Returns what differs.
        fn check_all(src: &mut Conn, dst: &mut Conn, totals: &[(&'static str, i64)]) -> anyhow::Result<Vec<String>> {
            let mut problems = Vec::new();
            let mut totals = totals.iter();
            $({
                use super::schema::$table as t;
                let name = stringify!($table);
                let source = totals.next().map_or(0, |(_, n)| *n);
                let target: i64 = t::table.count().get_result(dst)?;
                if source != target {
                    problems.push(format!("{name} has {target} rows in the copy and {source} in the source"));
                }
                $({
                    type Key = <diesel::dsl::SqlTypeOf<key_of!(t, $key)> as RustType>::Rust;
                    type Count = <diesel::dsl::SqlTypeOf<t::$counted> as RustType>::Rust;
                    let mut last: Option<Key> = None;
                    let mut differ: Vec<String> = Vec::new();
                    loop {
                        let read = |conn: &mut Conn, last: Option<Key>| -> QueryResult<Vec<(Key, Count)>> {
                            let mut query = t::table
                                .select((key_of!(t, $key), t::$counted))
                                .order(key_of!(t, $key))
                                .limit(MAX_PAGE as i64)
                                .into_boxed();
                            if let Some(last) = last {
                                query = query.filter(after!(t, $key, last));
                            }
                            query.load(conn)
                        };
                        let theirs = read(src, last.clone())?;
                        let ours = read(dst, last.clone())?;
                        for (a, b) in theirs.iter().zip(&ours) {
                            if a != b && differ.len() < 3 {
                                differ.push(format!("{:?}: {:?} in the source, {:?} in the copy", a.0, a.1, b.1));
                            }
                        }
                        if theirs.len() != ours.len() && differ.is_empty() {
                            differ.push("the rows differ".into());
                        }
                        match theirs.last() {
                            Some((end, _)) if theirs.len() == MAX_PAGE => last = Some(end.clone()),
                            _ => break,
                        }
                    }
                    if !differ.is_empty() {
                        problems.push(format!("{name}.{} differs ({})", stringify!($counted), differ.join("; ")));
                    }
                })?
            })*
            Ok(problems)
        }
    };
}

warta_tables!();

/// Runs `write` inside the open transaction with the triggers of `table` held off: what they
/// derive is copied with the rest, and the ones that count comments would make the copy
/// several times slower (each visible comment rewrites its article). PostgreSQL disables the
/// table's user triggers (foreign keys are still checked); SQLite cannot, so they are dropped
/// and created again from their own SQL. Either way the change is part of the transaction:
/// nobody else sees the triggers missing, and a failure leaves them in place.
fn without_triggers<T>(
    conn: &mut Conn,
    table: &str,
    write: impl FnOnce(&mut Conn) -> QueryResult<T>,
) -> QueryResult<T> {
    #[derive(QueryableByName)]
    struct Trigger {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        sql: String,
    }
    match Kind::of_conn(conn) {
        Kind::Postgres => {
            conn.batch_execute(&format!("ALTER TABLE {} DISABLE TRIGGER USER", quoted(table)))?;
            let written = write(conn)?;
            conn.batch_execute(&format!("ALTER TABLE {} ENABLE TRIGGER USER", quoted(table)))?;
            Ok(written)
        }
        Kind::Sqlite => {
            let triggers =
                diesel::sql_query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
                    .bind::<Text, _>(table)
                    .load::<Trigger>(conn)?;
            for trigger in &triggers {
                conn.batch_execute(&format!("DROP TRIGGER {}", quoted(&trigger.name)))?;
            }
            let written = write(conn)?;
            for trigger in &triggers {
                conn.batch_execute(&trigger.sql)?;
            }
            Ok(written)
        }
    }
}

/// Rebuilds what the target's triggers would have derived and the copy did not copy: on
/// SQLite the FTS5 full-text indexes, from the tables they index. (PostgreSQL's is a generated
/// column, computed as each article went in.)
fn rebuild_indexes(dst: &mut Conn) -> QueryResult<()> {
    if Kind::of_conn(dst) != Kind::Sqlite {
        return Ok(());
    }
    let sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'";
    for Name { name } in diesel::sql_query(sql).load::<Name>(dst)? {
        let name = quoted(&name);
        dst.batch_execute(&format!("INSERT INTO {name} ({name}) VALUES ('rebuild')"))?;
    }
    Ok(())
}

/// A live count on a terminal, or one line per table.
struct Meter {
    progress: Progress,
    table: &'static str,
    total: i64,
    done: usize,
    started: Instant,
    shown: Instant,
}

impl Meter {
    fn start(progress: Progress, table: &'static str, total: i64) -> Meter {
        let meter = Meter { progress, table, total, done: 0, started: Instant::now(), shown: Instant::now() };
        meter.show();
        meter
    }

    fn show(&self) {
        if self.progress == Progress::Terminal {
            let mut err = std::io::stderr();
            let secs = self.started.elapsed().as_secs();
            let _ = write!(err, "\r{}: {}/{} rows ({secs} s)   ", self.table, self.done, self.total);
            let _ = err.flush();
        }
    }

    fn advance(&mut self, rows: usize) {
        self.done += rows;
        if self.shown.elapsed() >= Duration::from_millis(200) {
            self.shown = Instant::now();
            self.show();
        }
    }

    fn finish(&self, rows: u64) {
        let line = format!("{}: {rows} rows in {:.1?}", self.table, self.started.elapsed());
        match self.progress {
            Progress::Terminal => eprintln!("\r{line}                    "),
            Progress::Lines => eprintln!("{line}"),
        }
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The tables of the database behind `conn`, without the ones a backend keeps for itself
/// (SQLite's `sqlite_*`, the FTS5 index `articles_fts*`, which triggers fill) and Diesel's
/// migration list.
fn tables_of(conn: &mut Conn) -> anyhow::Result<Vec<String>> {
    let mut names = all_tables(conn)?;
    names.retain(|n| n != MIGRATIONS_TABLE && !n.starts_with("sqlite_") && !n.starts_with("articles_fts"));
    Ok(names)
}

const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

fn all_tables(conn: &mut Conn) -> anyhow::Result<Vec<String>> {
    let sql = match Kind::of_conn(conn) {
        Kind::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        Kind::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    Ok(diesel::sql_query(sql).load::<Name>(conn)?.into_iter().map(|n| n.name).collect())
}

/// The tables of the database behind `conn` that hold a row.
fn tables_with_rows(conn: &mut Conn) -> anyhow::Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Any {
        #[diesel(sql_type = Bool)]
        any: bool,
    }
    let mut full = Vec::new();
    for name in tables_of(conn)? {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {}) AS any", quoted(&name));
        if diesel::sql_query(sql).get_result::<Any>(conn)?.any {
            full.push(name);
        }
    }
    Ok(full)
}

/// The migrations this build of Warta has for the backend of `conn`.
fn known_migrations(conn: &mut Conn) -> anyhow::Result<Vec<String>> {
    let failed = |e| anyhow::anyhow!("cannot list the migrations: {e}");
    let names: Vec<String> = match conn {
        #[cfg(feature = "postgres")]
        Conn::Postgres(_) => MigrationSource::<diesel::pg::Pg>::migrations(&super::PG_MIGRATIONS)
            .map_err(failed)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        Conn::Sqlite(_) => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&super::MIGRATIONS)
            .map_err(failed)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    };
    Ok(names)
}

/// Refuses a source that is not a Warta database at exactly this build's migrations: one
/// behind would lack columns, one ahead may hold tables this build does not know.
fn check_source(src: &mut Conn, described: &str) -> anyhow::Result<()> {
    let tables = all_tables(src)?;
    if !tables.iter().any(|t| t == MIGRATIONS_TABLE) {
        anyhow::bail!("{described} holds no Warta database (it was never migrated)");
    }
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let applied: Vec<String> = diesel::sql_query(format!("SELECT version FROM {MIGRATIONS_TABLE}"))
        .load::<Version>(src)?
        .into_iter()
        .map(|v| v.version)
        .collect();
    let known = known_migrations(src)?;
    if let Some(newer) = applied.iter().find(|v| !known.contains(v)) {
        anyhow::bail!(
            "{described} was migrated by a newer Warta (its migration {newer} is unknown to this one): \
             copy it with that version"
        );
    }
    if let Some(pending) = known.iter().find(|v| !applied.contains(v)) {
        anyhow::bail!(
            "{described} lacks migration {pending}: run `warta migrate` on it (DATABASE_URL set to it) first"
        );
    }
    let unknown: Vec<String> = tables_of(src)?.into_iter().filter(|t| !TABLES.contains(&t.as_str())).collect();
    if !unknown.is_empty() {
        anyhow::bail!("{described} has tables `warta copy` does not know: {}", unknown.join(", "));
    }
    Ok(())
}

/// The last id each of Warta's tables handed out on `src`: what the copy must not give again.
fn handed_out(src: &mut Conn) -> anyhow::Result<BTreeMap<String, i64>> {
    let mut last = sequences::last_ids(src)?;
    last.retain(|table, _| TABLES.contains(&table.as_str()));
    Ok(last)
}

/// What differs between the target and the source whose `totals` and sequences (`seen`)
/// were read in the snapshot open on `src`.
fn differences(
    src: &mut Conn,
    dst: &mut Conn,
    totals: &[(&'static str, i64)],
    seen: &BTreeMap<String, i64>,
) -> anyhow::Result<Vec<String>> {
    let mut problems = check_all(src, dst, totals)?;
    problems.extend(sequences::behind(dst, seen)?);
    Ok(problems)
}

/// What differs between a copy at `to` and its source at `from`, as `warta copy` checks at the
/// end: rows per table, the counted columns row by row, id sequences. Empty when they match.
pub fn compare(from: &str, to: &str) -> anyhow::Result<Vec<String>> {
    let mut src = open(from, "source")?;
    let mut dst = open(to, "target")?;
    super::read_snapshot(&mut src, |src| {
        let totals = count_all(src)?;
        let seen = handed_out(src)?;
        differences(src, &mut dst, &totals, &seen)
    })
}

/// Where the path of a SQLite URL points.
fn sqlite_path(url: &str) -> &str {
    let path = url.strip_prefix("file:").unwrap_or(url);
    path.split('?').next().unwrap_or(path)
}

/// Opens one connection on `url` (`role` says which side, for messages).
fn open(url: &str, role: &str) -> anyhow::Result<super::Pooled> {
    let failed = |e: &dyn std::fmt::Display| match Kind::of(url) {
        // The error names the server already (and never the password).
        Kind::Postgres => anyhow::anyhow!("{role}: {e}"),
        Kind::Sqlite => anyhow::anyhow!("{role} {url}: {e}"),
    };
    let (pool, _) = super::connect(url, 1).map_err(|e| failed(&e))?;
    pool.get().map_err(|e| failed(&e))
}

/// Copies the whole Warta database at `from` into the empty database at `to` (migrated first),
/// then checks that the copy holds the same: rows per table, comment counts, sequences.
/// Fails, writing nothing, when the target holds any row.
pub fn run(from: &str, to: &str, progress: Progress) -> anyhow::Result<Copied> {
    let started = Instant::now();
    let (source_name, target_name) = (super::describe(from), super::describe(to));
    let same_file = Kind::of(from) == Kind::Sqlite
        && Kind::of(to) == Kind::Sqlite
        && std::fs::canonicalize(sqlite_path(from))
            .ok()
            .is_some_and(|a| std::fs::canonicalize(sqlite_path(to)).ok() == Some(a));
    if from.trim() == to.trim() || same_file {
        anyhow::bail!("--from and --to name the same database ({source_name})");
    }
    if Kind::of(from) == Kind::Sqlite && !std::path::Path::new(sqlite_path(from)).exists() {
        anyhow::bail!("no database at {source_name}");
    }
    let mut src = open(from, "source")?;
    check_source(&mut src, &source_name)?;
    let mut dst = open(to, "target")?;

    let full = tables_with_rows(&mut dst)?;
    if !full.is_empty() {
        anyhow::bail!(
            "the target {target_name} is not empty ({} hold rows): copy only fills an empty database",
            full.join(", ")
        );
    }
    super::migrate(&mut dst).map_err(|e| anyhow::anyhow!("target {target_name}: {e}"))?;
    if let Some(sqlite) = super::as_sqlite(&mut dst) {
        sqlite.batch_execute(&format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))?;
    }

    let copied = super::read_snapshot(&mut src, |src| {
        let totals = count_all(src)?;
        let seen = handed_out(src)?;
        let copied = copy_all(src, &mut dst, &totals, progress)?;
        super::write(&mut dst, |c| {
            rebuild_indexes(c)?;
            sequences::advance(c, &seen)
        })?;
        let problems = differences(src, &mut dst, &totals, &seen)?;
        if !problems.is_empty() {
            anyhow::bail!("the copy in {target_name} does not match the source: {}", problems.join("; "));
        }
        Ok(copied)
    });
    let tables = copied.map_err(|e| {
        e.context(format!(
            "copying {source_name} to {target_name} failed; the target may hold part of the copy: \
             empty it or use a new database before copying again"
        ))
    })?;
    Ok(Copied { tables, elapsed: started.elapsed() })
}
