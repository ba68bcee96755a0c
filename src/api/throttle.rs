//! Counting per key within a fixed time window: failed logins per account and per address,
//! and comment submissions per address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept before expired ones are swept (bounds memory under a spray of keys).
const SWEEP_AT: usize = 10_000;

/// A count per key, reset when the key's window (from its first event) has passed.
struct Windows {
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Windows {
    fn new(window: Duration) -> Windows {
        Windows { window, entries: Mutex::new(HashMap::new()) }
    }

    /// Runs `f` on the current (count, start) of `key`.
    fn with<R>(&self, key: &str, f: impl FnOnce(&mut (u32, Instant)) -> R) -> R {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= SWEEP_AT {
            let window = self.window;
            entries.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = entries.entry(key.to_owned()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        f(entry)
    }

    /// Seconds until the window that started at `since` ends (at least 1).
    fn remaining(&self, since: Instant) -> u64 {
        self.window.saturating_sub(since.elapsed()).as_secs().max(1)
    }

    fn forget(&self, key: &str) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// Locks a key out after `limit` failures within the window.
pub struct FailureThrottle {
    limit: u32,
    windows: Windows,
}

impl FailureThrottle {
    /// At most `limit` failures per key within `window`.
    pub fn new(limit: u32, window: Duration) -> FailureThrottle {
        FailureThrottle { limit, windows: Windows::new(window) }
    }

    /// `Some(seconds to wait)` while `key` is locked out.
    pub fn blocked_for(&self, key: &str) -> Option<u64> {
        let (count, since) = self.windows.with(key, |entry| *entry);
        (count >= self.limit).then(|| self.windows.remaining(since))
    }

    /// Records a failure for `key`.
    pub fn fail(&self, key: &str) {
        self.windows.with(key, |entry| entry.0 += 1);
    }

    /// Forgets `key` (after a successful login).
    pub fn clear(&self, key: &str) {
        self.windows.forget(key);
    }
}

/// Allows `limit` events per key within the window.
pub struct RateLimit {
    limit: u32,
    windows: Windows,
}

impl RateLimit {
    /// At most `limit` events per key within `window`.
    pub fn new(limit: u32, window: Duration) -> RateLimit {
        RateLimit { limit, windows: Windows::new(window) }
    }

    /// Counts an event for `key`; `Err(seconds to wait)` when the key is over its limit
    /// (the refused event is not counted).
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let (allowed, since) = self.windows.with(key, |entry| {
            let allowed = entry.0 < self.limit;
            if allowed {
                entry.0 += 1;
            }
            (allowed, entry.1)
        });
        if allowed {
            Ok(())
        } else {
            Err(self.windows.remaining(since))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_blocked_after_the_limit_and_only_that_key() {
        let throttle = FailureThrottle::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            throttle.fail("a");
        }
        assert_eq!(throttle.blocked_for("a"), None);
        throttle.fail("a");
        let wait = throttle.blocked_for("a").unwrap();
        assert!((1..=60).contains(&wait));
        assert_eq!(throttle.blocked_for("b"), None);
        throttle.clear("a");
        assert_eq!(throttle.blocked_for("a"), None);
    }

    #[test]
    fn the_window_passes() {
        let throttle = FailureThrottle::new(1, Duration::from_millis(20));
        throttle.fail("a");
        assert!(throttle.blocked_for("a").is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(throttle.blocked_for("a"), None);
    }

    #[test]
    fn a_rate_limit_allows_its_limit_per_window() {
        let limit = RateLimit::new(2, Duration::from_secs(60));
        assert!(limit.hit("a").is_ok());
        assert!(limit.hit("a").is_ok());
        let wait = limit.hit("a").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limit.hit("b").is_ok());
    }
}
