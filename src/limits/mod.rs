//! How often something may happen per key: failed logins per account and per client
//! network, comment submissions per client network. One interface, [`Limiter`], over fixed
//! windows, so that the state can live in this process ([`memory::MemoryLimiter`]) or, when
//! several instances must share their counts, in a database table.

pub mod memory;
pub mod table;

use std::future::Future;
use std::pin::Pin;

/// Why a limiter did not let an event through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The key has used its budget for this window; the value is the seconds until the
    /// window ends (at least 1), what `Retry-After` says.
    #[error("limit reached; retry after {0} s")]
    Limited(u64),
    /// The store of the counts did not answer (a shared table, say); nothing was counted.
    #[error("the limit store is unavailable: {0}")]
    Unavailable(String),
}

/// What every [`Limiter`] operation returns: boxed, so that the backend can be chosen at
/// start (`Box<dyn Limiter>`), and a future, so that a backend may wait on a database.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, LimitError>> + Send + 'a>>;

/// Counts events per key in fixed windows: a key's window starts at its first event and
/// lasts the limiter's window; within it at most the limiter's limit of events pass.
///
/// Every operation is one atomic step on the count of one key, so that a backend shared by
/// several instances maps each onto one statement over a table `(key PRIMARY KEY,
/// window_start, count)`: `hit` is an `INSERT ... ON CONFLICT (key) DO UPDATE SET` that
/// restarts a window that has passed and otherwise adds one while `count < limit`,
/// `RETURNING count, window_start` (which tell whether the event passed and how long to
/// wait); `check` a `SELECT`; `release` an `UPDATE ... SET count = count - 1 WHERE count > 0`;
/// `clear` a `DELETE`; rows of windows long past are pruned now and then.
pub trait Limiter: Send + Sync {
    /// Counts one event for `key`, unless `key` has used its budget for this window: then
    /// [`LimitError::Limited`], and the refused event is not counted.
    fn hit<'a>(&'a self, key: &'a str) -> Pending<'a, ()>;

    /// [`LimitError::Limited`] while `key` has used its budget; counts and stores nothing.
    fn check<'a>(&'a self, key: &'a str) -> Pending<'a, ()>;

    /// Takes back one event that `hit` counted for `key` in its current window: a slot that
    /// was reserved for an attempt and turned out not to be needed.
    fn release<'a>(&'a self, key: &'a str) -> Pending<'a, ()>;

    /// Forgets `key`: its next event starts a new window.
    fn clear<'a>(&'a self, key: &'a str) -> Pending<'a, ()>;
}
