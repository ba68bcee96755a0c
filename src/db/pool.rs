//! The connection pool: a [`Manager`] that opens each connection on the backend its URL names
//! (SQLite's pragmas, PostgreSQL's durability setting), and the [`StatementCounter`] every
//! connection carries, which counts statements, publishes committed changes to the response
//! cache and tells the pool which connections need a ping or are lost.

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::Pool;
use diesel::sqlite::SqliteConnection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{as_sqlite, changes, Conn, DbError, DbPool, Kind};

/// What the pool's connections did: statements run (the "no query per row" test and
/// operators read it), and when each public scope last changed through them (the response
/// cache reads it).
#[derive(Debug, Default)]
pub struct DbStats {
    statements: AtomicU64,
    /// Scopes changed by transactions committed through this pool, and by other processes
    /// as the content-change poll finds them.
    pub generations: changes::Generations,
    /// Authors of articles as last read, for the lists and reads that show them.
    pub authors: super::users::AuthorCache,
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

/// The statistics (and with them the caches) of the pool `conn` came from.
pub(super) fn stats_of(conn: &mut Conn) -> Option<Arc<DbStats>> {
    counter_of(conn).map(|c| c.stats.clone())
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
                    let committed = changes::take_committed();
                    if committed.events {
                        super::webhooks::committed();
                    }
                    self.stats.generations.publish_own(committed);
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
