//! Transactions: the write transaction every write runs in (one writer at a time on SQLite,
//! `BEGIN IMMEDIATE`), the read snapshot of lists, and the turns a few rules take.

use diesel::connection::TransactionManager;
use diesel::prelude::*;

use super::{Conn, DbError, Kind};

/// One writer of this process at a time on SQLite (see `write`).
static WRITE_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

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
    if let Some(pg) = super::as_postgres(conn) {
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

/// Runs `f` in the caller's open transaction, or in a write transaction of its own when there
/// is none. For writes whose callers propagate every error (so their transaction rolls back as
/// a whole), where the savepoint of a nested [`write`] would only cost two round trips.
pub(crate) fn write_within<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match transaction_depth(conn) {
        Some(depth) if depth > 0 => f(conn),
        _ => write(conn, f),
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
