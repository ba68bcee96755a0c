//! Limits as HTTP sees them: the limiters of logins and comments, and a refusal as a 429.

use std::time::Duration;

use crate::error::AppError;
use crate::limits::memory::{MemoryLimiter, DEFAULT_CAPACITY};
use crate::limits::{LimitError, Limiter};

/// Most failed logins one account may have within the window before it is throttled.
const ACCOUNT_FAILURES: u32 = 5;
/// Most failed logins one client network may have within the window.
const ADDRESS_FAILURES: u32 = 20;
/// The login throttling window.
pub const LOGIN_WINDOW_SECS: u64 = 15 * 60;

/// The throttles of failed logins, by account and by client network.
pub struct LoginThrottles {
    /// Failures per lower-cased email.
    pub account: Box<dyn Limiter>,
    /// Failures per client network.
    pub address: Box<dyn Limiter>,
}

impl Default for LoginThrottles {
    fn default() -> Self {
        let window = Duration::from_secs(LOGIN_WINDOW_SECS);
        LoginThrottles {
            account: Box::new(MemoryLimiter::new(ACCOUNT_FAILURES, window, DEFAULT_CAPACITY)),
            address: Box::new(MemoryLimiter::new(ADDRESS_FAILURES, window, DEFAULT_CAPACITY)),
        }
    }
}

/// The comment rate limit: `per_minute` submissions per client network.
pub fn comment_limit(per_minute: u32) -> Box<dyn Limiter> {
    Box::new(MemoryLimiter::new(per_minute, Duration::from_secs(60), DEFAULT_CAPACITY))
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
