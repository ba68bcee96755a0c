//! A [`Limiter`] whose counts live in the database (`db::limits`), so that every instance on
//! one database counts the same events: three instances do not allow three times as many.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::{LimitError, Limiter, Pending};
use crate::background::{Background, Stop};
use crate::db::{self, DbError, DbPool};
use crate::domain;

/// Connections of the limiters' own pool: one statement per event, a fraction of a millisecond
/// each, so a few serve many requests; their statements are not counted as the requests', and
/// their commits do not wait for the disk.
const POOL_SIZE: u32 = 4;
/// How often the rows of windows long past are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(10);
/// Rows one prune statement deletes at most, and statements per prune: the work of a prune is
/// bounded however many keys a flood left behind (and 50,000 rows a minute is ample).
const PRUNE_BATCH: i64 = 1_000;
const PRUNE_BATCHES: usize = 8;

/// The connections the table limiters share, and the pruning of their rows.
pub struct Store {
    pool: DbPool,
}

impl Store {
    /// Opens the limiters' pool on `database_url`, and prunes, in a thread of its own that
    /// ends with the store, the rows whose windows started more than `keep` ago: `keep` is the
    /// longest window of the limiters on this store, so every pruned window has passed.
    pub fn open(database_url: &str, keep: Duration, background: &Background) -> Result<Arc<Store>, DbError> {
        // A count lost in a crash of the database costs a few extra attempts, not a write
        // anyone was told is stored: commits need not wait for their flush.
        let (pool, _) = db::connect_with(database_url, POOL_SIZE, db::Durability::Relaxed)?;
        let store = Arc::new(Store { pool });
        let weak = Arc::downgrade(&store);
        background
            .spawn("warta-limits-prune", move |stop| prune_while_open(weak, keep, stop))
            .map_err(|e| DbError::Open(format!("cannot start the pruning of the limits: {e}")))?;
        Ok(store)
    }

    /// Deletes the rows whose windows started at or before `before`, at most
    /// `PRUNE_BATCH * PRUNE_BATCHES`; returns how many went.
    pub fn prune(&self, before: NaiveDateTime) -> Result<usize, DbError> {
        self.prune_in_batches(before, PRUNE_BATCH, PRUNE_BATCHES)
    }

    /// Prunes as [`Store::prune`] does when this instance claims the period's prune (one
    /// instance a period prunes; see `db::jobs`); 0 when another one has.
    fn prune_if_due(&self, now: NaiveDateTime, before: NaiveDateTime) -> Result<usize, DbError> {
        let every = chrono::Duration::from_std(PRUNE_EVERY).unwrap_or(chrono::Duration::MAX);
        let claimed = db::jobs::claim(&mut *self.pool.get()?, "prune-rate-limits", every, now)?;
        if claimed {
            self.prune(before)
        } else {
            Ok(0)
        }
    }

    fn prune_in_batches(&self, before: NaiveDateTime, batch: i64, batches: usize) -> Result<usize, DbError> {
        let mut conn = self.pool.get()?;
        let mut pruned = 0;
        for _ in 0..batches {
            let deleted = db::limits::prune(&mut conn, before, batch)?;
            pruned += deleted;
            if (deleted as i64) < batch {
                break;
            }
        }
        Ok(pruned)
    }
}

fn prune_while_open(store: Weak<Store>, keep: Duration, stop: Stop) {
    let keep = chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX);
    loop {
        // In steps, so that the thread ends soon after the store does.
        for _ in 0..PRUNE_EVERY.as_secs() {
            if !stop.sleep(Duration::from_secs(1)) || store.strong_count() == 0 {
                return;
            }
        }
        let Some(store) = store.upgrade() else { return };
        let now = domain::now().naive_utc();
        match store.prune_if_due(now, now - keep) {
            Ok(0) => {}
            Ok(pruned) => tracing::debug!(pruned, "pruned the counts of past limit windows"),
            Err(e) => tracing::warn!(error = %e, "cannot prune the counts of past limit windows"),
        }
    }
}

/// At most `limit` events per key within `window`, counted in the `rate_limits` table under
/// this limiter's name. Times are `domain::now()`, which instances on PostgreSQL take from
/// the database's clock, so their windows agree. When the table cannot be reached, every
/// operation answers [`LimitError::Unavailable`] and nothing is counted.
pub struct TableLimiter {
    store: Arc<Store>,
    name: &'static str,
    limit: u32,
    window: Duration,
}

impl TableLimiter {
    /// A limiter named `name` (its keys' prefix in the table, unique per limiter).
    pub fn new(store: Arc<Store>, name: &'static str, limit: u32, window: Duration) -> TableLimiter {
        TableLimiter { store, name, limit, window }
    }

    /// The row of `key`: the limiter's name and a hash of the key, so that the table holds no
    /// address or email (people type passwords into email fields) and every key has one length.
    fn row_key(&self, key: &str) -> String {
        let digest = Sha256::digest(key.as_bytes());
        let mut row = String::with_capacity(self.name.len() + 1 + 64);
        row.push_str(self.name);
        row.push(':');
        for byte in digest {
            let _ = write!(row, "{byte:02x}");
        }
        row
    }

    /// Now, and the start at or before which a window has passed.
    fn bounds(&self) -> (NaiveDateTime, NaiveDateTime) {
        let now = domain::now().naive_utc();
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        (now, now.checked_sub_signed(window).unwrap_or(NaiveDateTime::MIN))
    }

    /// The limit as the table stores it (one below the largest count, for the refusal mark).
    fn stored_limit(&self) -> i32 {
        i32::try_from(self.limit).unwrap_or(i32::MAX).min(i32::MAX - 1)
    }

    /// Whole seconds until the window that started at `start` ends, at least 1.
    fn wait(&self, start: NaiveDateTime, now: NaiveDateTime) -> u64 {
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        let left = start.checked_add_signed(window).map_or(i64::MAX, |end| (end - now).num_seconds());
        u64::try_from(left).unwrap_or(0).max(1)
    }

    async fn hit_now(&self, key: &str) -> Result<(), LimitError> {
        if self.limit == 0 {
            return Err(LimitError::Limited(self.window.as_secs().max(1)));
        }
        let (now, passed) = self.bounds();
        let (row, limit) = (self.row_key(key), self.stored_limit());
        let window = db::run(&self.store.pool, move |conn| db::limits::hit(conn, &row, now, passed, limit))
            .await
            .map_err(unavailable)?;
        if window.count <= limit {
            Ok(())
        } else {
            Err(LimitError::Limited(self.wait(window.window_start, now)))
        }
    }

    async fn check_now(&self, key: &str) -> Result<(), LimitError> {
        let (now, passed) = self.bounds();
        let (row, limit) = (self.row_key(key), self.stored_limit());
        let window =
            db::run(&self.store.pool, move |conn| db::limits::check(conn, &row, passed)).await.map_err(unavailable)?;
        match window {
            Some(w) if w.count >= limit => Err(LimitError::Limited(self.wait(w.window_start, now))),
            _ => Ok(()),
        }
    }

    async fn release_now(&self, key: &str) -> Result<(), LimitError> {
        let (_, passed) = self.bounds();
        let (row, limit) = (self.row_key(key), self.stored_limit());
        db::run(&self.store.pool, move |conn| db::limits::release(conn, &row, passed, limit)).await.map_err(unavailable)
    }

    async fn clear_now(&self, key: &str) -> Result<(), LimitError> {
        let row = self.row_key(key);
        db::run(&self.store.pool, move |conn| db::limits::clear(conn, &row)).await.map_err(unavailable)
    }
}

fn unavailable(error: DbError) -> LimitError {
    LimitError::Unavailable(error.to_string())
}

impl Limiter for TableLimiter {
    fn hit<'a>(&'a self, key: &'a str) -> Pending<'a, ()> {
        Box::pin(self.hit_now(key))
    }

    fn check<'a>(&'a self, key: &'a str) -> Pending<'a, ()> {
        Box::pin(self.check_now(key))
    }

    fn release<'a>(&'a self, key: &'a str) -> Pending<'a, ()> {
        Box::pin(self.release_now(key))
    }

    fn clear<'a>(&'a self, key: &'a str) -> Pending<'a, ()> {
        Box::pin(self.clear_now(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migrated SQLite database in a temporary directory (the statements are the same on
    /// PostgreSQL but for the parameters' spelling; the HTTP tests run them there).
    fn store(dir: &tempfile::TempDir) -> Arc<Store> {
        let url = dir.path().join("limits.db").to_string_lossy().into_owned();
        let (pool, _) = db::connect(&url, 1).unwrap();
        db::migrate(&mut pool.get().unwrap()).unwrap();
        Store::open(&url, Duration::from_secs(60), &Background::default()).unwrap()
    }

    fn limited(result: Result<(), LimitError>) -> u64 {
        match result {
            Err(LimitError::Limited(secs)) => secs,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn rows(store: &Store) -> i64 {
        db::limits::rows(&mut store.pool.get().unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_key_gets_its_limit_per_window_and_only_that_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let limiter = TableLimiter::new(store(&dir), "t", 3, Duration::from_secs(60));
        for _ in 0..3 {
            limiter.check("a").await.unwrap();
            limiter.hit("a").await.unwrap();
        }
        let wait = limited(limiter.hit("a").await);
        assert!((59..=60).contains(&wait), "{wait}");
        assert!((59..=60).contains(&limited(limiter.check("a").await)));
        limiter.hit("b").await.unwrap();
    }

    #[tokio::test]
    async fn refused_hits_and_checks_do_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let limiter = TableLimiter::new(store.clone(), "t", 1, Duration::from_secs(60));
        for _ in 0..5 {
            limiter.check("a").await.unwrap();
        }
        assert_eq!(rows(&store), 0, "a check stores nothing");
        limiter.hit("a").await.unwrap();
        for _ in 0..3 {
            limited(limiter.hit("a").await);
        }
        // One release gives back the one counted event, whatever the refusals before it.
        limiter.release("a").await.unwrap();
        limiter.hit("a").await.unwrap();
        limited(limiter.hit("a").await);
    }

    #[tokio::test]
    async fn a_released_slot_can_be_taken_again_and_a_cleared_key_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let limiter = TableLimiter::new(store(&dir), "t", 2, Duration::from_secs(60));
        limiter.hit("a").await.unwrap();
        limiter.hit("a").await.unwrap();
        limiter.release("a").await.unwrap();
        limiter.hit("a").await.unwrap();
        limited(limiter.hit("a").await);
        limiter.clear("a").await.unwrap();
        limiter.hit("a").await.unwrap();
        limiter.hit("a").await.unwrap();
        // Releasing what was never counted changes nothing.
        limiter.release("never").await.unwrap();
        limiter.hit("never").await.unwrap();
        limiter.hit("never").await.unwrap();
        limited(limiter.hit("never").await);
    }

    #[tokio::test]
    async fn limiters_on_one_table_keep_their_keys_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let logins = TableLimiter::new(store.clone(), "logins", 1, Duration::from_secs(60));
        let comments = TableLimiter::new(store.clone(), "comments", 1, Duration::from_secs(60));
        logins.hit("203.0.113.9").await.unwrap();
        comments.hit("203.0.113.9").await.unwrap();
        limited(logins.hit("203.0.113.9").await);
        let keys: Vec<String> = {
            use crate::db::schema::rate_limits;
            use diesel::prelude::*;
            rate_limits::table.select(rate_limits::key).load(&mut store.pool.get().unwrap()).unwrap()
        };
        assert_eq!(keys.len(), 2);
        assert!(keys.iter().all(|k| !k.contains("203.0.113.9")), "no address in clear: {keys:?}");
    }

    #[tokio::test]
    async fn the_window_passes() {
        let dir = tempfile::tempdir().unwrap();
        let limiter = TableLimiter::new(store(&dir), "t", 1, Duration::from_secs(1));
        limiter.hit("a").await.unwrap();
        assert_eq!(limited(limiter.hit("a").await), 1);
        // Times are whole seconds: past the next second boundary but one.
        tokio::time::sleep(Duration::from_millis(2100)).await;
        limiter.check("a").await.unwrap();
        limiter.hit("a").await.unwrap();
        limited(limiter.hit("a").await);
    }

    #[tokio::test]
    async fn concurrent_hits_from_two_instances_take_no_more_than_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let first = store(&dir);
        let url = dir.path().join("limits.db").to_string_lossy().into_owned();
        let second = Store::open(&url, Duration::from_secs(60), &Background::default()).unwrap();
        let limiters = [first, second].map(|s| Arc::new(TableLimiter::new(s, "t", 20, Duration::from_secs(60))));
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let limiter = limiters[i % 2].clone();
                tokio::spawn(async move { limiter.hit("a").await.is_ok() })
            })
            .collect();
        let mut passed = 0;
        for task in tasks {
            passed += usize::from(task.await.unwrap());
        }
        assert_eq!(passed, 20);
    }

    #[tokio::test]
    async fn pruning_takes_only_windows_long_past_in_bounded_steps() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let limiter = TableLimiter::new(store.clone(), "t", 5, Duration::from_secs(60));
        limiter.hit("current").await.unwrap();
        let long_ago = domain::now().naive_utc() - chrono::Duration::hours(1);
        db::write(&mut store.pool.get().unwrap(), |conn| {
            (0..25).try_for_each(|i| db::limits::hit(conn, &format!("t:old-{i}"), long_ago, long_ago, 5).map(drop))
        })
        .unwrap();
        let before = domain::now().naive_utc() - chrono::Duration::minutes(1);
        assert_eq!(store.prune_in_batches(before, 10, 2).unwrap(), 20, "bounded");
        assert_eq!(store.prune_in_batches(before, 10, 2).unwrap(), 5, "the rest next time");
        assert_eq!(rows(&store), 1, "the current window stays");
        limiter.hit("current").await.unwrap();
    }

    #[tokio::test]
    async fn an_unreachable_table_is_unavailable_not_a_pass() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        {
            use diesel::connection::SimpleConnection;
            store.pool.get().unwrap().batch_execute("DROP TABLE rate_limits").unwrap();
        }
        let limiter = TableLimiter::new(store, "t", 5, Duration::from_secs(60));
        assert!(matches!(limiter.hit("a").await, Err(LimitError::Unavailable(_))));
        assert!(matches!(limiter.check("a").await, Err(LimitError::Unavailable(_))));
    }
}
