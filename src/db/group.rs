//! Group commit: small writes that arrive together share one transaction, and with it one
//! flush to disk. A writer thread takes every job waiting in its queue, runs each in its own
//! savepoint (a failing job is rolled back alone and gets its own error), commits once, and
//! only then answers each job. So every acknowledged write is durable (`synchronous = FULL`),
//! and a burst of N writes costs one commit instead of N.
//!
//! Used for reader comments, the public write that arrives in bursts; editorial writes keep
//! their own transaction (`db::write`).

use diesel::connection::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Mutex};

use super::{Conn, DbError, DbPool, WRITES, WRITE_TURN};

/// The most jobs one transaction takes, so that a long queue still gets answers steadily.
const MAX_BATCH: usize = 256;

/// One write waiting for its batch.
struct Job {
    /// Runs inside the batch's transaction; true when it succeeded.
    run: Box<dyn FnOnce(&mut Conn) -> bool + Send>,
    /// Answers the caller once the batch is settled: `Ok` when it committed, else why not.
    finish: Box<dyn FnOnce(Result<(), String>) + Send>,
}

/// The queue of the writer thread; cloning it shares the same writer.
#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer thread on `pool`. It stops when the last clone is dropped.
    pub fn start(pool: DbPool) -> std::io::Result<GroupCommit> {
        let (queue, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new().name("warta-group-commit".into()).spawn(move || writer(pool, jobs))?;
        Ok(GroupCommit { queue })
    }

    /// Runs `f` in the next batch and answers once that batch is on disk. `f` runs in a
    /// savepoint of the batch's transaction: when it fails, only its changes are undone.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let result = Arc::new(Mutex::new(None::<Result<T, E>>));
        let slot = result.clone();
        let job = Job {
            run: Box::new(move |conn| {
                let outcome = f(conn);
                let ok = outcome.is_ok();
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
                ok
            }),
            finish: Box::new(move |committed| {
                let outcome = result.lock().unwrap_or_else(|e| e.into_inner()).take();
                let _ = answer.send(match (committed, outcome) {
                    (Ok(()), Some(outcome)) => outcome,
                    // Its own error says more than the batch's.
                    (Err(_), Some(Err(e))) => Err(e),
                    (Err(why), _) => Err(E::from(DbError::NotCommitted(why))),
                    // It panicked: it never produced an answer.
                    (Ok(()), None) => Err(E::from(DbError::Cancelled)),
                });
            }),
        };
        self.queue.send(job).map_err(|_| E::from(DbError::Cancelled))?;
        answered.await.map_err(|_| E::from(DbError::Cancelled))?
    }
}

/// Why a job's savepoint was rolled back (its own error travels in its answer).
struct Failed;

impl From<diesel::result::Error> for Failed {
    fn from(_: diesel::result::Error) -> Self {
        Failed
    }
}

fn writer(pool: DbPool, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut conn = match pool.get() {
            Ok(conn) => conn,
            Err(e) => {
                let why = format!("no database connection: {e}");
                tracing::warn!(jobs = batch.len(), "group commit: {why}");
                for job in batch {
                    (job.finish)(Err(why.clone()));
                }
                continue;
            }
        };
        let mut finishes = Vec::with_capacity(batch.len());
        let committed = {
            let _turn = WRITE_TURN.lock().unwrap_or_else(|e| e.into_inner());
            conn.immediate_transaction::<_, diesel::result::Error, _>(|conn| {
                for Job { run, finish } in batch {
                    let _ =
                        conn.transaction::<_, Failed, _>(|conn| match catch_unwind(AssertUnwindSafe(|| run(conn))) {
                            Ok(true) => Ok(()),
                            Ok(false) => Err(Failed),
                            Err(_) => {
                                tracing::error!("group commit: a job panicked; its changes are undone");
                                Err(Failed)
                            }
                        });
                    finishes.push(finish);
                }
                Ok(())
            })
        };
        let outcome = match committed {
            Ok(()) => {
                WRITES.fetch_add(1, Ordering::AcqRel);
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = finishes.len(), "group commit failed; nothing of the batch is stored");
                Err(e.to_string())
            }
        };
        for finish in finishes {
            finish(outcome.clone());
        }
    }
}
