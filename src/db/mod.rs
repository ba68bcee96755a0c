//! The only place that touches Diesel: the schema, one module per table, the pool with its
//! SQLite pragmas, the embedded migrations, and [`run`], the one way handlers reach the database.
//!
//! What is specific to SQLite (pragmas, FTS5) stays in this module and in `migrations/`,
//! so that a PostgreSQL backend needs new migrations and this file, not new queries.

pub mod articles;
pub mod bulk;
pub mod categories;
pub mod changes;
pub mod comments;
pub mod copy;
pub mod fts;
pub mod group;
pub mod jobs;
pub mod limits;
pub mod schema;
pub mod sequences;
pub mod sessions;
pub mod users;

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The SQLite migrations in `migrations/sqlite/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// Their PostgreSQL counterparts, of the same names, in `migrations/postgres/`.
#[cfg(feature = "postgres")]
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Queries written with Diesel's DSL run on both through it;
/// the few that must differ match on it with [`per_backend!`](crate::per_backend).
#[derive(diesel::MultiConnection)]
pub enum Conn {
    #[cfg(feature = "postgres")]
    Postgres(diesel::PgConnection),
    // Last: SQLite accepts any string as a path (see `connect`, which picks the variant).
    Sqlite(SqliteConnection),
}

/// The backend type of [`Conn`], for boxed queries.
pub type Backend = <Conn as Connection>::Backend;

/// The connection pool.
pub type DbPool = Pool<Manager>;
/// A connection checked out of the pool.
pub type Pooled = PooledConnection<Manager>;

/// Which database a URL names: PostgreSQL for `postgres://` and `postgresql://`, else a SQLite file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Sqlite,
    Postgres,
}

impl Kind {
    pub fn of(database_url: &str) -> Kind {
        let lower = database_url.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Kind::Postgres
        } else {
            Kind::Sqlite
        }
    }

    /// The backend of an open connection.
    pub fn of_conn(conn: &Conn) -> Kind {
        match conn {
            #[cfg(feature = "postgres")]
            Conn::Postgres(_) => Kind::Postgres,
            Conn::Sqlite(_) => Kind::Sqlite,
        }
    }
}

/// The SQLite connection inside `conn`, when it is one.
pub fn as_sqlite(conn: &mut Conn) -> Option<&mut SqliteConnection> {
    match conn {
        Conn::Sqlite(sqlite) => Some(sqlite),
        #[cfg(feature = "postgres")]
        _ => None,
    }
}

/// The PostgreSQL connection inside `conn`, when it is one.
#[cfg(feature = "postgres")]
pub fn as_postgres(conn: &mut Conn) -> Option<&mut diesel::PgConnection> {
    match conn {
        Conn::Postgres(pg) => Some(pg),
        _ => None,
    }
}

/// Without PostgreSQL support no connection is one.
#[cfg(not(feature = "postgres"))]
pub fn as_postgres(_conn: &mut Conn) -> Option<&mut SqliteConnection> {
    None
}

/// Runs `$body` with `$c` bound to the inner connection of `$conn`, once per backend: for
/// the few statements whose SQL differs (full-text search, `RETURNING`, pragmas).
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "postgres")]
            $crate::db::Conn::Postgres($c) => $body,
            $crate::db::Conn::Sqlite($c) => $body,
        }
    };
}

/// `$statement`, written with numbered parameters (`$1`), as a raw query on the backend of
/// `$conn`, bound to `$q` with `$c` the inner connection: SQLite spells them `?1`. For the
/// statements both backends take as they are but Diesel's DSL cannot say (an upsert whose
/// update has conditions).
#[macro_export]
macro_rules! numbered_query {
    ($conn:expr, $statement:expr, |$q:ident, $c:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "postgres")]
            $crate::db::Conn::Postgres($c) => {
                let $q = diesel::sql_query($statement);
                $body
            }
            $crate::db::Conn::Sqlite($c) => {
                let $q = diesel::sql_query($statement.replace('$', "?"));
                $body
            }
        }
    };
}

/// What a database call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness or integrity rule would be broken; the text says which.
    #[error("{0}")]
    Conflict(String),
    /// A value refers to something that does not exist or breaks a rule (a 422 on `field`).
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("database query failed")]
    Query(#[source] diesel::result::Error),
    /// The connection to the database server was lost.
    #[error("the connection to the database was lost: {0}")]
    Lost(String),
    /// The database undid the transaction to let a concurrent one finish (a deadlock); nothing
    /// of it is stored, and it may be tried again.
    #[error("the write met a concurrent one and was undone: {0}")]
    Contended(String),
    #[error("no database connection available")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// The database cannot be opened at all (start-up stops with this).
    #[error("{0}")]
    Open(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("the database task was cancelled")]
    Cancelled,
    /// The transaction a write shared with others could not be committed; nothing is stored.
    #[error("the write could not be stored: {0}")]
    NotCommitted(String),
}

impl From<diesel::result::Error> for DbError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => DbError::NotFound,
            // The writes check what must be unique first; what gets past them is a race with a
            // concurrent write (two instances on PostgreSQL), which the client may retry.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let what = unique_column(info.as_ref());
                DbError::Conflict(format!("{what} was taken by a change made at the same time; try again"))
            }
            // What the write refers to (an article commented on, a parent category) was deleted
            // by a transaction that committed after this one checked: a race, as above.
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::RestrictViolation, _) => {
                DbError::Conflict("what this refers to was removed by a change made at the same time".into())
            }
            // The server went away mid-request: the next connection may find it again.
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => DbError::Lost(info.message().to_owned()),
            // PostgreSQL chose this transaction to undo (a deadlock with another, or a snapshot
            // that could not be kept): nothing of it is stored, and running it again succeeds.
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                DbError::Contended(info.message().to_owned())
            }
            Error::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().starts_with("deadlock detected") =>
            {
                DbError::Contended(info.message().to_owned())
            }
            // PostgreSQL's search vector of one article holds at most 1 MB; SQLite's index has no
            // such limit. Only a body of tens of thousands of distinct words reaches it.
            Error::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().starts_with("string is too long for tsvector") =>
            {
                DbError::Invalid {
                    field: "body",
                    message: "has more distinct words than the search index of one article holds".into(),
                }
            }
            other => DbError::Query(other),
        }
    }
}

/// The column a unique violation names, as `table.column`, or a general phrase.
fn unique_column(info: &dyn diesel::result::DatabaseErrorInformation) -> String {
    // SQLite: "UNIQUE constraint failed: articles.slug"; PostgreSQL: a table and a constraint.
    if let Some((_, columns)) = info.message().split_once("UNIQUE constraint failed: ") {
        return columns.trim().to_owned();
    }
    match (info.table_name(), info.constraint_name()) {
        (Some(table), Some(constraint)) => {
            let column = constraint.strip_prefix(table).unwrap_or(constraint).trim_matches('_');
            let column = column.strip_suffix("_key").unwrap_or(column);
            format!("{table}.{column}")
        }
        _ => "a value that must be unique".into(),
    }
}

/// What the pool's connections did: statements run (the "no query per row" test and
/// operators read it), and when each public scope last changed through them (the response
/// cache reads it).
#[derive(Debug, Default)]
pub struct DbStats {
    statements: AtomicU64,
    /// Scopes changed by transactions committed through this pool, and by other processes
    /// as the content-change poll finds them.
    pub generations: changes::Generations,
    /// The backend the pool talks to.
    pub kind: Kind,
}

impl DbStats {
    /// Statements started since the pool was built.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

thread_local! {
    /// The pool is checking a connection on this thread (its ping is not counted).
    static PINGING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Watches one connection for the pool's [`DbStats`]: counts statements, and publishes what a
/// transaction recorded (`changes::record`) once its `COMMIT` has succeeded, never before, so
/// whatever is read after the publication sees the write.
struct StatementCounter {
    stats: Arc<DbStats>,
    /// The outermost transaction's `COMMIT` is running.
    committing: bool,
    /// When the connection last finished a statement (see [`Manager::is_valid`]).
    last_answer: Instant,
    /// A statement found the connection to the server gone: the pool drops it.
    lost: bool,
}

impl StatementCounter {
    fn new(stats: Arc<DbStats>) -> StatementCounter {
        StatementCounter { stats, committing: false, last_answer: Instant::now(), lost: false }
    }
}

/// A connection that answered this recently is not pinged when the pool hands it out: under load
/// that ping was a second round trip per request. One that went quiet longer is, so that a
/// server restarted meanwhile is found before a request uses it. (A connection lost within the
/// window fails its next statement, a 503 with `Retry-After`, and the pool replaces it.)
const ANSWERED_RECENTLY: Duration = Duration::from_secs(1);

/// The statement counter watching `conn`.
fn counter_of(conn: &mut Conn) -> Option<&StatementCounter> {
    conn.instrumentation().downcast_ref::<StatementCounter>()
}

impl StatementCounter {
    /// Records that a statement finished, and whether it found the connection lost.
    fn note_answer(&mut self, error: Option<&diesel::result::Error>) {
        use diesel::result::{DatabaseErrorKind, Error};
        self.last_answer = Instant::now();
        if let Some(Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )) = error
        {
            self.lost = true;
        }
    }
}

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error, .. } = &event {
            self.note_answer(*error);
        }
        let outermost = |depth: std::num::NonZeroU32| depth.get() == 1;
        match event {
            InstrumentationEvent::StartQuery { .. } if !PINGING.get() => {
                self.stats.statements.fetch_add(1, Ordering::Relaxed);
            }
            InstrumentationEvent::CommitTransaction { depth, .. } if outermost(depth) => {
                self.committing = true;
            }
            InstrumentationEvent::FinishQuery { error, .. } if self.committing => {
                self.committing = false;
                // A failed COMMIT leaves the transaction open; its rollback discards the scopes.
                if error.is_none() {
                    self.stats.generations.publish_own(changes::take_committed());
                }
            }
            InstrumentationEvent::RollbackTransaction { depth, .. } if outermost(depth) => {
                self.committing = false;
                changes::discard_rolled_back();
            }
            _ => {}
        }
    }
}

/// Opens the connections of the pool, each of the backend its URL names.
#[derive(Debug)]
pub struct Manager {
    url: String,
    kind: Kind,
    stats: Arc<DbStats>,
    /// Whether a commit waits for its flush to disk (see [`Durability`]).
    durable: bool,
}

impl Manager {
    fn open(&self) -> Result<Conn, diesel::ConnectionError> {
        let mut conn = match self.kind {
            #[cfg(feature = "postgres")]
            Kind::Postgres => Conn::Postgres(diesel::PgConnection::establish(&self.url)?),
            #[cfg(not(feature = "postgres"))]
            Kind::Postgres => return Err(diesel::ConnectionError::BadConnection(NO_POSTGRES.into())),
            Kind::Sqlite => Conn::Sqlite(SqliteConnection::establish(&self.url)?),
        };
        if let Some(sqlite) = as_sqlite(&mut conn) {
            // busy_timeout first, so that the statements after it wait for a writer instead of
            // failing. synchronous = FULL: in WAL mode NORMAL may lose the last commits on
            // power loss, and an acknowledged write (a reader's comment above all) must be on disk.
            sqlite
                .batch_execute(
                    "PRAGMA busy_timeout = 5000;
                     PRAGMA foreign_keys = ON;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;",
                )
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
        }
        if !self.durable {
            // Counts whose last commits a crash may take back: no flush to disk per commit.
            let relaxed = match self.kind {
                Kind::Postgres => "SET synchronous_commit = off",
                Kind::Sqlite => "PRAGMA synchronous = NORMAL",
            };
            conn.batch_execute(relaxed).map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
        }
        conn.set_instrumentation(StatementCounter::new(self.stats.clone()));
        Ok(conn)
    }
}

#[cfg(not(feature = "postgres"))]
const NO_POSTGRES: &str = "this build of Warta has no PostgreSQL support: build it with `--features postgres`";

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        self.open().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        if counter_of(conn).is_some_and(|c| !c.lost && c.last_answer.elapsed() < ANSWERED_RECENTLY) {
            return Ok(());
        }
        // The pool's check is not a statement of the request that checks the connection out.
        PINGING.set(true);
        let pinged = conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError);
        PINGING.set(false);
        pinged
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        counter_of(conn).is_some_and(|c| c.lost)
            || <Conn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// The host and port a PostgreSQL URL names, for messages (never its password).
fn server_of(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(u) => {
            format!("{}:{}", u.host_str().filter(|h| !h.is_empty()).unwrap_or("localhost"), u.port().unwrap_or(5432))
        }
        Err(_) => "the server in DATABASE_URL".into(),
    }
}

/// The database a URL names, fit for logs and messages: a SQLite file's path, or a
/// PostgreSQL database with its server (never a password or other parameter).
pub fn describe(database_url: &str) -> String {
    match Kind::of(database_url) {
        Kind::Sqlite => database_url.to_owned(),
        Kind::Postgres => {
            let name = url::Url::parse(database_url)
                .ok()
                .map(|u| u.path().trim_start_matches('/').to_owned())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "(default)".into());
            format!("PostgreSQL database {name} at {}", server_of(database_url))
        }
    }
}

/// Whether an acknowledged commit is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Every commit is flushed before it returns: what an acknowledged write needs.
    Flushed,
    /// Commits return before their flush, so a crash of the database server (or of the machine,
    /// on SQLite) may take back the last fraction of a second of them, never corrupting
    /// anything: for counts whose loss costs nothing but a few extra attempts (`limits`).
    Relaxed,
}

/// Opens the pool on `database_url` with `size` connections: a PostgreSQL URL
/// (`postgres://...`), or a SQLite file (created if missing).
pub fn connect(database_url: &str, size: u32) -> Result<(DbPool, Arc<DbStats>), DbError> {
    connect_with(database_url, size, Durability::Flushed)
}

/// As [`connect`], with commits as durable as `durability` says.
pub fn connect_with(database_url: &str, size: u32, durability: Durability) -> Result<(DbPool, Arc<DbStats>), DbError> {
    let kind = Kind::of(database_url);
    let stats = Arc::new(DbStats { kind, ..DbStats::default() });
    let durable = durability == Durability::Flushed;
    let manager = Manager { url: database_url.to_owned(), kind, stats: stats.clone(), durable };
    // The pool retries a failing open until its timeout; one direct attempt says why at once.
    if kind == Kind::Sqlite {
        let path = database_url.strip_prefix("file:").unwrap_or(database_url);
        let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
            return Err(DbError::Open(format!("the directory {} does not exist", dir.display())));
        }
    }
    manager.open().map_err(|e| {
        let why = e.to_string();
        let why = why.lines().next().unwrap_or("").trim().to_owned();
        match kind {
            Kind::Postgres => {
                DbError::Open(format!("cannot connect to PostgreSQL at {}: {why}", server_of(database_url)))
            }
            Kind::Sqlite => DbError::Open(why),
        }
    })?;
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(if kind == Kind::Postgres { 3 } else { 10 }))
        // A SQLite file connection does not drop like a socket; skip the ping per checkout.
        // A PostgreSQL one does (a restarted server): the ping finds it and the pool replaces it.
        .test_on_check_out(kind == Kind::Postgres)
        .build(manager)?;
    Ok((pool, stats))
}

/// Applies pending migrations; returns how many ran. On PostgreSQL, instances that start
/// together take turns on an advisory lock: the first migrates, the others then find
/// nothing left to do.
pub fn migrate(conn: &mut Conn) -> Result<usize, DbError> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match conn {
        #[cfg(feature = "postgres")]
        Conn::Postgres(pg) => {
            // Any constant will do, as long as every instance uses the same one.
            const MIGRATION_LOCK: i64 = 0x5741_5254_4131; // "WARTA1"
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
                .execute(pg)?;
            let applied = pg.run_pending_migrations(PG_MIGRATIONS).map(|a| a.len()).map_err(failed);
            let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
                .execute(pg);
            let applied = applied?;
            unlocked?;
            Ok(applied)
        }
        Conn::Sqlite(sqlite) => {
            // Processes that open one file together take turns on a lock file beside it: some
            // migrations rebuild tables outside a transaction, which two at once would break.
            let _turn = sqlite_migration_lock(sqlite)?;
            Ok(sqlite.run_pending_migrations(MIGRATIONS).map_err(failed)?.len())
        }
    }
}

/// An exclusive lock on `<database file>.migrate-lock`, held until the returned file drops
/// (none for an in-memory database).
fn sqlite_migration_lock(conn: &mut SqliteConnection) -> Result<Option<std::fs::File>, DbError> {
    #[derive(QueryableByName)]
    struct File {
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let main: File = diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'").get_result(conn)?;
    if main.file.is_empty() {
        return Ok(None);
    }
    let path = format!("{}.migrate-lock", main.file);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| DbError::Migration(format!("cannot open {path}: {e}")))?;
    lock.lock().map_err(|e| DbError::Migration(format!("cannot lock {path}: {e}")))?;
    Ok(Some(lock))
}

/// One writer of this process at a time on SQLite (see `write`).
pub(crate) static WRITE_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A rule that reads many rows before a write and must not be checked by two writers at once.
#[derive(Debug, Clone, Copy)]
pub enum Turn {
    /// The category hierarchy stays free of cycles.
    CategoryTree,
}

/// Makes the open write transaction wait until no other one holds `turn`, and hold it until it
/// ends. On PostgreSQL a transaction-scoped advisory lock (writers of other kinds are not held
/// up); on SQLite nothing, since its write transaction holds the whole database already.
pub fn take_turn(conn: &mut Conn, turn: Turn) -> Result<(), DbError> {
    #[cfg(feature = "postgres")]
    if let Some(pg) = as_postgres(conn) {
        // "WARTA" and the turn's number.
        let key = 0x5741_5254_4100_i64 + turn as i64;
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)").bind::<diesel::sql_types::BigInt, _>(key).execute(pg)?;
    }
    #[cfg(not(feature = "postgres"))]
    let _ = (conn, turn);
    Ok(())
}

/// How deep in transactions `conn` is: 0 outside one, `None` when its state is lost.
pub(crate) fn transaction_depth(conn: &mut Conn) -> Option<usize> {
    match <Conn as Connection>::TransactionManager::transaction_manager_status_mut(conn).transaction_depth() {
        Ok(Some(depth)) => Some(depth.get() as usize),
        Ok(None) => Some(0),
        Err(_) => None,
    }
}

/// Runs `f` in a write transaction, committed when it returns `Ok`, rolled back otherwise.
/// Inside an open transaction it is a savepoint.
///
/// On SQLite that is `BEGIN IMMEDIATE`: the write lock is taken up front, so the busy timeout
/// applies instead of a deferred transaction failing when it upgrades from reading to
/// writing. Writers of this process queue for their turn first. On PostgreSQL it is an
/// ordinary transaction: writers run side by side, row locks order them.
pub fn write<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if transaction_depth(conn) != Some(0) {
        return conn.transaction(f);
    }
    match conn {
        #[cfg(feature = "postgres")]
        Conn::Postgres(_) => conn.transaction(f),
        Conn::Sqlite(_) => {
            // Writers of this process queue here rather than in SQLite's busy handler, which
            // polls with growing sleeps and lets unlucky writers starve (seconds of p99 under
            // load). Other processes still meet the busy timeout.
            let _turn = WRITE_TURN.lock().unwrap_or_else(|e| e.into_inner());
            transaction_begun_with(conn, "BEGIN IMMEDIATE", f)
        }
    }
}

/// Runs `f` in a transaction opened with `begin` (a backend's own `BEGIN ...`), committed when
/// it returns `Ok`, rolled back otherwise, as `Connection::transaction` does.
fn transaction_begun_with<T, E, F>(conn: &mut Conn, begin: &str, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::AnsiTransactionManager;
    type Manager = <Conn as Connection>::TransactionManager;
    crate::per_backend!(&mut *conn, |c| AnsiTransactionManager::begin_transaction_sql(c, begin))?;
    match f(&mut *conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(commit) => {
                // A COMMIT that fails (SQLITE_BUSY, a full disk) leaves the transaction open.
                let _ = Manager::rollback_transaction(conn);
                Err(E::from(commit))
            }
        },
        Err(e) => {
            let _ = Manager::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Runs the reads of `f` on one snapshot of the database, so that a page and its total (and a
/// copy's tables) agree with each other. SQLite's read transaction is one; PostgreSQL's default
/// isolation takes a new snapshot per statement, so there it is `REPEATABLE READ, READ ONLY`
/// (in the same single `BEGIN`). Inside an open transaction `f` runs in it.
pub fn read_snapshot<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match Kind::of_conn(conn) {
        Kind::Postgres if transaction_depth(conn) == Some(0) => {
            transaction_begun_with(conn, "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", f)
        }
        _ => conn.transaction(f),
    }
}

/// Whether the database holds no users, categories or articles.
pub fn is_empty(conn: &mut Conn) -> Result<bool, DbError> {
    use schema::{articles, categories, users};
    let any_user: bool = diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result(conn)?;
    let any_category: bool =
        diesel::select(diesel::dsl::exists(categories::table.select(categories::id))).get_result(conn)?;
    let any_article: bool =
        diesel::select(diesel::dsl::exists(articles::table.select(articles::id))).get_result(conn)?;
    Ok(!(any_user || any_category || any_article))
}

/// Moves everything in the write-ahead log into the database file and empties the log
/// (at shutdown, so that the file alone is the whole database).
pub fn checkpoint(conn: &mut Conn) -> Result<(), DbError> {
    let Some(conn) = as_sqlite(conn) else {
        // PostgreSQL keeps its own log; there is nothing to fold at shutdown.
        return Ok(());
    };
    #[derive(QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        busy: i32,
    }
    let outcome: Outcome = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(conn)?;
    if outcome.busy != 0 {
        // Another connection (another process) is still writing: the log stays beside the
        // database file, which is safe, just not a single file yet.
        return Err(DbError::Conflict("the write-ahead log is busy; it was not fully checkpointed".into()));
    }
    Ok(())
}

/// A consistent copy of the live database at `path` (which must not exist), taken while
/// the server keeps serving: `VACUUM INTO` reads one snapshot and writes a compact file.
pub fn backup(conn: &mut Conn, path: &str) -> Result<(), DbError> {
    let Some(conn) = as_sqlite(conn) else {
        return Err(DbError::Open(
            "`warta backup` copies a SQLite file; on PostgreSQL take a backup with `pg_dump` \
             (for instance `pg_dump --format=custom --file=warta.dump \"$DATABASE_URL\"`)"
                .into(),
        ));
    };
    diesel::sql_query("VACUUM INTO ?").bind::<diesel::sql_types::Text, _>(path).execute(conn)?;
    Ok(())
}

/// Whether the database answers a trivial query.
pub fn ping(conn: &mut Conn) -> Result<(), DbError> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}

/// Runs `f` with a pooled connection on actix's blocking thread pool, so that
/// the async workers never wait on SQLite.
pub async fn run<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn: Pooled = pool.get().map_err(DbError::from)?;
        f(&mut conn)
    })
    .await
    .map_err(|_| E::from(DbError::Cancelled))?
}
