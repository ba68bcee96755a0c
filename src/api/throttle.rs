//! Failure throttling for logins: after too many failures for one account or one address
//! within a window, further attempts are refused with 429 until the window passes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failures per key within a fixed window.
pub struct FailureThrottle {
    limit: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Entries kept before expired ones are swept (bounds memory under a spray of keys).
const SWEEP_AT: usize = 10_000;

impl FailureThrottle {
    /// At most `limit` failures per key within `window`.
    pub fn new(limit: u32, window: Duration) -> FailureThrottle {
        FailureThrottle { limit, window, entries: Mutex::new(HashMap::new()) }
    }

    /// `Some(seconds to wait)` while `key` is locked out.
    pub fn blocked_for(&self, key: &str) -> Option<u64> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (count, since) = entries.get(key)?;
        let elapsed = since.elapsed();
        (*count >= self.limit && elapsed < self.window).then(|| (self.window - elapsed).as_secs().max(1))
    }

    /// Records a failure for `key`.
    pub fn fail(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= SWEEP_AT {
            let window = self.window;
            entries.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = entries.entry(key.to_owned()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// Forgets `key` (after a successful login).
    pub fn clear(&self, key: &str) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
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
}
