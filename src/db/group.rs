//! Group commit: small writes that arrive together share one transaction, and with it one
//! flush to disk. A writer thread takes every job waiting in its queue, runs each in its own
//! savepoint (a failing job is rolled back alone and gets its own error), commits once, and
//! only then answers each job. So every acknowledged write is durable (`synchronous = FULL`),
//! and a burst of N writes costs one commit instead of N.
//!
//! Used for reader comments, the public write that arrives in bursts; editorial writes keep
//! their own transaction (`db::write`).
//!
//! That is how SQLite, one writer at a time, pays one flush for many writes. PostgreSQL does
//! better on its own: its writers run side by side and those whose commits wait on the same
//! WAL flush share it. There each write runs in its own transaction on the blocking pool.
use diesel::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use super::{Conn, DbError, DbPool, Kind};

/// The most jobs one transaction takes, so that a long queue still gets answers steadily.
const MAX_BATCH: usize = 256;

/// Runs inside the batch's transaction; true when it succeeded.
type Run = Box<dyn FnOnce(&mut Conn) -> bool + Send>;
/// Answers the caller once the batch is settled: `Ok` when it committed, else why not.
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;

enum Message {
    Job(Run, Finish),
    /// Finish what is queued, then stop.
    Stop,
}

/// The queue of the writer thread; cloning it shares the same writer.
#[derive(Clone)]
pub struct GroupCommit {
    /// None on PostgreSQL: every write has its own transaction.
    queue: Option<mpsc::Sender<Message>>,
    pool: DbPool,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl GroupCommit {
    /// Starts the writer thread on `pool`.
    pub fn start(pool: DbPool, kind: Kind) -> std::io::Result<GroupCommit> {
        if kind == Kind::Postgres {
            return Ok(GroupCommit { queue: None, pool, thread: Arc::new(Mutex::new(None)) });
        }
        let (queue, messages) = mpsc::channel::<Message>();
        let writer_pool = pool.clone();
        let thread = std::thread::Builder::new()
            .name("warta-group-commit".into())
            .spawn(move || writer(writer_pool, messages))?;
        Ok(GroupCommit { queue: Some(queue), pool, thread: Arc::new(Mutex::new(Some(thread))) })
    }

    /// Commits what is queued and stops the writer (at shutdown, before the checkpoint).
    /// Writes submitted afterwards fail as cancelled.
    pub fn stop(&self) {
        if let Some(queue) = &self.queue {
            let _ = queue.send(Message::Stop);
        }
        if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = thread.join();
        }
    }

    /// Runs `f` in the next batch and answers once that batch is on disk. `f` runs in a
    /// savepoint of the batch's transaction: when it fails, only its changes are undone.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let Some(queue) = &self.queue else {
            return super::run(&self.pool, move |conn| {
                super::write(conn, |conn| f(conn).map_err(Own::Job)).map_err(|e| match e {
                    Own::Job(e) => e,
                    Own::Database(e) => E::from(DbError::from(e)),
                })
            })
            .await;
        };
        let (answer, answered) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let result = Arc::new(Mutex::new(None::<Result<T, E>>));
        let slot = result.clone();
        let run: Run = Box::new(move |conn| {
            let outcome = f(conn);
            let ok = outcome.is_ok();
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
            ok
        });
        let finish: Finish = Box::new(move |committed| {
            let outcome = result.lock().unwrap_or_else(|e| e.into_inner()).take();
            let _ = answer.send(match (committed, outcome) {
                (Ok(()), Some(outcome)) => outcome,
                // Its own error says more than the batch's.
                (Err(_), Some(Err(e))) => Err(e),
                (Err(why), _) => Err(E::from(DbError::NotCommitted(why))),
                (Ok(()), None) => Err(E::from(DbError::NotCommitted("the write did not run".into()))),
            });
        });
        queue.send(Message::Job(run, finish)).map_err(|_| E::from(DbError::Cancelled))?;
        answered.await.map_err(|_| E::from(DbError::Cancelled))?
    }
}

/// A write's own error, or its transaction's.
enum Own<E> {
    Job(E),
    Database(diesel::result::Error),
}

impl<E> From<diesel::result::Error> for Own<E> {
    fn from(e: diesel::result::Error) -> Self {
        Own::Database(e)
    }
}

/// Why a batch cannot be committed. A job's own failure is not one: its savepoint is rolled
/// back and the batch goes on.
#[derive(Debug)]
enum Abort {
    Database(diesel::result::Error),
    /// The transaction is no longer what the batch opened (a job panicked mid-way, or SQLite
    /// rolled the whole transaction back after an I/O error): nothing of it may be trusted.
    Lost(&'static str),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Database(e)
    }
}

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Abort::Database(e) => write!(f, "{e}"),
            Abort::Lost(why) => f.write_str(why),
        }
    }
}

/// Whether a job failed in the ordinary way (its savepoint is rolled back).
struct Failed;

impl From<diesel::result::Error> for Failed {
    fn from(_: diesel::result::Error) -> Self {
        Failed
    }
}

/// Runs `runs` in one transaction, each in a savepoint (a failed one is rolled back alone).
fn commit(conn: &mut Conn, runs: Vec<Run>) -> Result<(), Abort> {
    // Outside any transaction, so this is SQLite's `BEGIN IMMEDIATE` in this process's write turn.
    super::write::<_, Abort, _>(conn, |conn| {
        for run in runs {
            let mut panicked = false;
            let _ = conn.transaction::<_, Failed, _>(|conn| match catch_unwind(AssertUnwindSafe(|| run(conn))) {
                Ok(true) => Ok(()),
                Ok(false) => Err(Failed),
                Err(_) => {
                    panicked = true;
                    Err(Failed)
                }
            });
            if panicked {
                return Err(Abort::Lost("a write panicked"));
            }
            // Back at the batch's own level, or the transaction is not ours any more.
            if super::transaction_depth(conn) != Some(1) {
                return Err(Abort::Lost("the transaction was lost while a write ran"));
            }
        }
        Ok(())
    })
}

fn writer(pool: DbPool, messages: mpsc::Receiver<Message>) {
    let mut stopping = false;
    while !stopping {
        let Ok(first) = messages.recv() else { return };
        let mut runs = Vec::new();
        let mut finishes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Job(run, finish) => {
                    runs.push(run);
                    finishes.push(finish);
                }
                Message::Stop => stopping = true,
            }
            if runs.len() < MAX_BATCH && !stopping {
                next = messages.try_recv().ok();
            }
        }
        if runs.is_empty() {
            continue;
        }
        let outcome = match pool.get() {
            Err(e) => Err(format!("no database connection: {e}")),
            // A connection left inside a transaction (an aborted batch) is closed by the pool
            // when it comes back, which rolls the transaction back.
            // The pool's instrumentation counts the commit for the response cache.
            Ok(mut conn) => commit(&mut conn, runs).map_err(|e| e.to_string()),
        };
        if let Err(why) = &outcome {
            tracing::error!(jobs = finishes.len(), "group commit failed, nothing of the batch is stored: {why}");
        }
        for finish in finishes {
            finish(outcome.clone());
        }
    }
}
