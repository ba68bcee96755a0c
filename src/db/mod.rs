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
pub mod fts;
pub mod group;
pub mod schema;
pub mod sessions;
pub mod users;

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The SQLite migrations in `migrations/sqlite/`, compiled into the binary (their PostgreSQL
/// counterparts, of the same names, are in `migrations/postgres/`).
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A connection from the pool.
pub type Conn = SqliteConnection;
/// The connection pool.
pub type DbPool = Pool<ConnectionManager<SqliteConnection>>;

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
        match err {
            diesel::result::Error::NotFound => DbError::NotFound,
            other => DbError::Query(other),
        }
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
}

impl DbStats {
    /// Statements started since the pool was built.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

/// Watches one connection for the pool's [`DbStats`]: counts statements, and publishes what a
/// transaction recorded (`changes::record`) once its `COMMIT` has succeeded, never before, so
/// whatever is read after the publication sees the write.
struct StatementCounter {
    stats: Arc<DbStats>,
    /// The outermost transaction's `COMMIT` is running.
    committing: bool,
}

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let outermost = |depth: std::num::NonZeroU32| depth.get() == 1;
        match event {
            InstrumentationEvent::StartQuery { .. } => {
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

/// Sets the per-connection pragmas on every new connection, then starts counting.
#[derive(Debug)]
struct SqlitePragmas {
    stats: Arc<DbStats>,
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // busy_timeout first, so that the statements after it wait for a writer instead of failing.
        // synchronous = FULL: in WAL mode NORMAL may lose the last commits on power loss, and
        // an acknowledged write (a reader's comment above all) must be on disk.
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000;
             PRAGMA foreign_keys = ON;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;",
        )
        .map_err(diesel::r2d2::Error::QueryError)?;
        conn.set_instrumentation(StatementCounter { stats: self.stats.clone(), committing: false });
        Ok(())
    }
}

/// Opens the pool on `database_url` (a file, created if missing) with `size` connections.
pub fn connect(database_url: &str, size: u32) -> Result<(DbPool, Arc<DbStats>), DbError> {
    // The pool retries a failing open until its timeout; one direct attempt says why at once.
    let path = database_url.strip_prefix("file:").unwrap_or(database_url);
    let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
        return Err(DbError::Open(format!("the directory {} does not exist", dir.display())));
    }
    SqliteConnection::establish(database_url).map_err(|e| DbError::Open(e.to_string()))?;
    let stats = Arc::new(DbStats::default());
    let manager = ConnectionManager::<SqliteConnection>::new(database_url);
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        // A SQLite file connection does not drop like a socket; skip the ping per checkout.
        .test_on_check_out(false)
        .connection_customizer(Box::new(SqlitePragmas { stats: stats.clone() }))
        .build(manager)?;
    Ok((pool, stats))
}

/// Applies pending migrations; returns how many ran.
pub fn migrate(conn: &mut Conn) -> Result<usize, DbError> {
    let applied = conn.run_pending_migrations(MIGRATIONS).map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.len())
}

/// One writer of this process at a time (see `write`).
pub(crate) static WRITE_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in a write transaction. On SQLite that is `BEGIN IMMEDIATE`: the write lock is
/// taken up front, so the busy timeout applies instead of a deferred transaction failing
/// when it upgrades from reading to writing. Inside an open transaction it is a savepoint.
pub fn write<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let depth = AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth();
    match depth {
        Ok(None) => {
            // Writers of this process queue here rather than in SQLite's busy handler, which
            // polls with growing sleeps and lets unlucky writers starve (seconds of p99 under
            // load). Other processes still meet the busy timeout.
            let _turn = WRITE_TURN.lock().unwrap_or_else(|e| e.into_inner());
            conn.immediate_transaction(f)
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
        let mut conn: PooledConnection<_> = pool.get().map_err(DbError::from)?;
        f(&mut conn)
    })
    .await
    .map_err(|_| E::from(DbError::Cancelled))?
}
