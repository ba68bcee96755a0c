//! Limits as HTTP sees them: the limiters of logins and comments, and a refusal as a 429.

use std::time::Duration;

use crate::background::Background;
use crate::db::{DbError, Kind};
use crate::error::AppError;
use crate::limits::memory::{MemoryLimiter, DEFAULT_CAPACITY};
use crate::limits::table::{Store, TableLimiter};
use crate::limits::{LimitError, Limiter};

/// Most failed logins one account may have within the window before it is throttled.
const ACCOUNT_FAILURES: u32 = 5;
/// Most failed logins one client network may have within the window.
const ADDRESS_FAILURES: u32 = 20;
/// The login throttling window.
pub const LOGIN_WINDOW_SECS: u64 = 15 * 60;

/// The comment rate limit's window.
const COMMENT_WINDOW: Duration = Duration::from_secs(60);

/// The throttles of failed logins, by account and by client network.
pub struct LoginThrottles {
    /// Failures per lower-cased email.
    pub account: Box<dyn Limiter>,
    /// Failures per client network.
    pub address: Box<dyn Limiter>,
}

/// Every limit an instance applies.
pub struct Limits {
    pub throttles: LoginThrottles,
    /// Public comment submissions per client network.
    pub comment_limit: Box<dyn Limiter>,
}

impl Limits {
    /// Limits counted in this process's memory: what one process on SQLite needs. A count in
    /// the table would cost a write (and a flush to disk) per event, each comment's beside the
    /// one its group commit shares, to tell nothing that memory does not.
    pub fn in_memory(comment_rate_per_minute: u32) -> Limits {
        let window = Duration::from_secs(LOGIN_WINDOW_SECS);
        Limits {
            throttles: LoginThrottles {
                account: Box::new(MemoryLimiter::new(ACCOUNT_FAILURES, window, DEFAULT_CAPACITY)),
                address: Box::new(MemoryLimiter::new(ADDRESS_FAILURES, window, DEFAULT_CAPACITY)),
            },
            comment_limit: Box::new(MemoryLimiter::new(comment_rate_per_minute, COMMENT_WINDOW, DEFAULT_CAPACITY)),
        }
    }

    /// Limits counted in the database's `rate_limits` table, shared by every instance on it.
    /// Its rows are pruned on a thread of `background`.
    pub fn in_table(
        database_url: &str,
        comment_rate_per_minute: u32,
        background: &Background,
    ) -> Result<Limits, DbError> {
        let window = Duration::from_secs(LOGIN_WINDOW_SECS);
        let store = Store::open(database_url, window.max(COMMENT_WINDOW), background)?;
        let limiter = |name, limit, window| -> Box<dyn Limiter> {
            Box::new(TableLimiter::new(store.clone(), name, limit, window))
        };
        Ok(Limits {
            throttles: LoginThrottles {
                account: limiter("login-account", ACCOUNT_FAILURES, window),
                address: limiter("login-address", ADDRESS_FAILURES, window),
            },
            comment_limit: limiter("comments", comment_rate_per_minute, COMMENT_WINDOW),
        })
    }

    /// The limits for the database at `database_url`: shared through its table on PostgreSQL
    /// (several instances), in memory on SQLite (one process).
    pub fn for_database(
        database_url: &str,
        comment_rate_per_minute: u32,
        background: &Background,
    ) -> Result<Limits, DbError> {
        match Kind::of(database_url) {
            Kind::Postgres => Limits::in_table(database_url, comment_rate_per_minute, background),
            Kind::Sqlite => Ok(Limits::in_memory(comment_rate_per_minute)),
        }
    }
}

/// A limiter's refusal as the error to answer: a 429 saying `detail` with `Retry-After`, or
/// a 503 when the limiter could not tell.
pub fn refusal(error: LimitError, detail: &str) -> AppError {
    match error {
        LimitError::Limited(retry_after_secs) => {
            AppError::TooManyRequests { detail: detail.to_owned(), retry_after_secs }
        }
        LimitError::Unavailable(cause) => AppError::Unavailable(cause),
    }
}
