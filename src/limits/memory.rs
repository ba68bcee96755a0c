//! A [`Limiter`] in this process's memory: a bounded cache of fixed-window counters.

use moka::ops::compute::Op;
use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use std::time::{Duration, Instant};

use super::{LimitError, Limiter, Pending};

/// Keys a limiter keeps by default: at about 200 bytes each, some 20 MB at most.
pub const DEFAULT_CAPACITY: u64 = 100_000;

/// The count of one key's current window.
#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

/// Fixed-window counters in a cache of bounded size whose entries expire with their window.
///
/// When more keys are live than the capacity, the least recently used ones are forgotten
/// (their budgets start afresh): memory stays bounded whatever a client sprays at it. The
/// eviction policy is plain LRU rather than moka's default TinyLFU, because TinyLFU may
/// refuse to admit a new key to a full cache, and a key that is never stored is never
/// limited, while a key that is hit again and again is the most recently used one.
pub struct MemoryLimiter {
    limit: u32,
    window: Duration,
    counts: Cache<String, Window>,
}

impl MemoryLimiter {
    /// At most `limit` events per key within `window`, remembering up to `capacity` keys.
    pub fn new(limit: u32, window: Duration, capacity: u64) -> MemoryLimiter {
        let counts = Cache::builder()
            .max_capacity(capacity)
            // A window's count is of no use after the window: the entry goes with it (its
            // last update restarts the clock, so it never goes before its window ends).
            .time_to_live(window)
            .eviction_policy(EvictionPolicy::lru())
            .build();
        MemoryLimiter { limit, window, counts }
    }

    /// The window of `entry` if it has not passed by `now`.
    fn current(&self, entry: Option<Window>, now: Instant) -> Option<Window> {
        entry.filter(|w| now.duration_since(w.started) < self.window)
    }

    /// Whole seconds until `window` ends, at least 1.
    fn wait(&self, window: Window, now: Instant) -> u64 {
        let left = self.window.saturating_sub(now.duration_since(window.started));
        (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1)
    }

    fn hit_now(&self, key: &str) -> Result<(), LimitError> {
        let now = Instant::now();
        let mut outcome = Ok(());
        // One compute per key runs at a time (moka locks the key), so concurrent hits on one
        // key never both take its last slot.
        self.counts.entry_by_ref(key).and_compute_with(|entry| {
            match self.current(entry.map(|e| e.into_value()), now) {
                None if self.limit == 0 => {
                    outcome = Err(LimitError::Limited(self.window.as_secs().max(1)));
                    Op::Nop
                }
                None => Op::Put(Window { started: now, count: 1 }),
                Some(w) if w.count < self.limit => Op::Put(Window { count: w.count + 1, ..w }),
                Some(w) => {
                    outcome = Err(LimitError::Limited(self.wait(w, now)));
                    Op::Nop
                }
            }
        });
        outcome
    }

    fn check_now(&self, key: &str) -> Result<(), LimitError> {
        let now = Instant::now();
        match self.current(self.counts.get(key), now) {
            Some(w) if w.count >= self.limit => Err(LimitError::Limited(self.wait(w, now))),
            _ => Ok(()),
        }
    }

    fn release_now(&self, key: &str) {
        let now = Instant::now();
        self.counts.entry_by_ref(key).and_compute_with(|entry| {
            match self.current(entry.map(|e| e.into_value()), now) {
                Some(w) if w.count > 1 => Op::Put(Window { count: w.count - 1, ..w }),
                Some(_) => Op::Remove,
                None => Op::Nop,
            }
        });
    }

    /// The keys held now, after pending evictions and expiries have been carried out.
    pub fn keys_held(&self) -> u64 {
        self.counts.run_pending_tasks();
        self.counts.entry_count()
    }
}

impl Limiter for MemoryLimiter {
    fn hit<'a>(&'a self, key: &'a str) -> Pending<'a, ()> {
        Box::pin(std::future::ready(self.hit_now(key)))
    }

    fn check<'a>(&'a self, key: &'a str) -> Pending<'a, ()> {
        Box::pin(std::future::ready(self.check_now(key)))
    }

    fn release<'a>(&'a self, key: &'a str) -> Pending<'a, ()> {
        self.release_now(key);
        Box::pin(std::future::ready(Ok(())))
    }

    fn clear<'a>(&'a self, key: &'a str) -> Pending<'a, ()> {
        self.counts.invalidate(key);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<T>(pending: Pending<'_, T>) -> Result<T, LimitError> {
        // The memory limiter's futures are ready at once: one poll settles them.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut pending = pending;
        match pending.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => panic!("a memory limiter never waits"),
        }
    }

    fn limited(result: Result<(), LimitError>) -> u64 {
        match result {
            Err(LimitError::Limited(secs)) => secs,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_key_gets_its_limit_per_window_and_only_that_key_is_refused() {
        let limiter = MemoryLimiter::new(3, Duration::from_secs(60), 100);
        for _ in 0..3 {
            block_on(limiter.check("a")).unwrap();
            block_on(limiter.hit("a")).unwrap();
        }
        let wait = limited(block_on(limiter.hit("a")));
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(limited(block_on(limiter.check("a"))), wait);
        block_on(limiter.hit("b")).unwrap();
    }

    #[test]
    fn refused_hits_and_checks_do_not_count() {
        let limiter = MemoryLimiter::new(1, Duration::from_secs(60), 100);
        for _ in 0..5 {
            block_on(limiter.check("a")).unwrap();
        }
        assert_eq!(limiter.keys_held(), 0, "a check stores nothing");
        block_on(limiter.hit("a")).unwrap();
        limited(block_on(limiter.hit("a")));
        block_on(limiter.release("a")).unwrap();
        block_on(limiter.hit("a")).unwrap();
    }

    #[test]
    fn a_released_slot_can_be_taken_again_and_a_cleared_key_starts_afresh() {
        let limiter = MemoryLimiter::new(2, Duration::from_secs(60), 100);
        block_on(limiter.hit("a")).unwrap();
        block_on(limiter.hit("a")).unwrap();
        block_on(limiter.release("a")).unwrap();
        block_on(limiter.hit("a")).unwrap();
        limited(block_on(limiter.hit("a")));
        block_on(limiter.clear("a")).unwrap();
        block_on(limiter.hit("a")).unwrap();
        block_on(limiter.hit("a")).unwrap();
        // Releasing what was never counted changes nothing.
        block_on(limiter.release("never")).unwrap();
        block_on(limiter.hit("never")).unwrap();
    }

    #[test]
    fn the_window_passes() {
        let limiter = MemoryLimiter::new(1, Duration::from_millis(50), 100);
        block_on(limiter.hit("a")).unwrap();
        limited(block_on(limiter.hit("a")));
        std::thread::sleep(Duration::from_millis(70));
        block_on(limiter.check("a")).unwrap();
        block_on(limiter.hit("a")).unwrap();
        limited(block_on(limiter.hit("a")));
    }

    #[test]
    fn concurrent_hits_on_one_key_take_no_more_than_the_limit() {
        let limiter = std::sync::Arc::new(MemoryLimiter::new(20, Duration::from_secs(60), 100));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let limiter = limiter.clone();
                std::thread::spawn(move || (0..50).filter(|_| block_on(limiter.hit("a")).is_ok()).count())
            })
            .collect();
        let passed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(passed, 20);
    }

    #[test]
    fn many_keys_stay_within_the_capacity_and_recent_keys_stay_limited() {
        let limiter = MemoryLimiter::new(1, Duration::from_secs(60), 1_000);
        for i in 0..20_000 {
            block_on(limiter.hit(&format!("spray-{i}"))).unwrap();
        }
        let held = limiter.keys_held();
        assert!(held <= 1_000, "{held} keys held");
        limited(block_on(limiter.hit("spray-19999")));
    }
}
