//! The only place that touches Diesel: the schema, one module per table, the pool with its
//! SQLite pragmas, the embedded migrations, and [`run`], the one way handlers reach the database.
//!
//! What is specific to SQLite (pragmas, FTS5) stays in this module and in `migrations/`,
//! so that a PostgreSQL backend needs new migrations and this file, not new queries.

pub mod api_tokens;
pub mod articles;
pub mod audit;
pub mod bulk;
pub mod categories;
pub mod changes;
pub mod comments;
pub mod copy;
pub mod fts;
pub mod group;
pub mod invites;
pub mod jobs;
pub mod limits;
pub mod media;
mod pool;
pub mod previews;
pub mod redirects;
pub mod revisions;
pub mod schema;
pub mod sequences;
pub mod sessions;
pub mod tags;
mod transactions;
pub mod users;
pub mod webhooks;

pub use pool::{connect, connect_with, describe, DbStats, Durability, Manager};
pub(crate) use transactions::transaction_depth;
pub(crate) use transactions::write_within;
pub use transactions::{read_snapshot, take_turn, write, Turn};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

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

/// Whether the database holds content: articles, categories or tags (users are not content: a
/// bootstrap admin or an account made with `warta user create` still leaves it to the demo).
pub fn has_content(conn: &mut Conn) -> Result<bool, DbError> {
    use schema::{articles, categories, tags};
    let any_category: bool =
        diesel::select(diesel::dsl::exists(categories::table.select(categories::id))).get_result(conn)?;
    let any_tag: bool = diesel::select(diesel::dsl::exists(tags::table.select(tags::id))).get_result(conn)?;
    let any_article: bool =
        diesel::select(diesel::dsl::exists(articles::table.select(articles::id))).get_result(conn)?;
    Ok(any_category || any_tag || any_article)
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
