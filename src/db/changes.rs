//! What committed writes changed for the public, and when each scope last changed.
//!
//! A write calls [`record`] inside its transaction with the [`Change`] it made. That writes a
//! `content_changes` row (so every process on the database learns of it: each polls the rows
//! after the last it saw) and holds the scopes until the transaction ends: the pool's
//! instrumentation publishes them to this process's [`Generations`] once the `COMMIT` has
//! succeeded, and drops them on a rollback. A write that records nothing invalidates nothing.
//!
//! [`Generations`] is a logical clock: every publication takes the next tick and stamps the
//! scopes it names with it. A response filled at tick `t` is current while none of the scopes
//! it depends on carries a stamp after `t`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use super::schema::{articles, content_changes};
use super::{Conn, DbError};
use crate::domain::invalidation::{scopes_of, Change, Scope};
use crate::domain::ArticleStatus;

/// Article scopes remembered one by one before they are folded into one floor stamp.
const MAX_ARTICLE_STAMPS: usize = 100_000;
/// Own `content_changes` rows remembered until the poll passes them.
const MAX_OWN_ROWS: usize = 100_000;

/// The scopes a response depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependencies {
    /// These scopes only.
    Scopes(Vec<Scope>),
    /// Anything: the response is current only while nothing at all has changed (the safe
    /// default for a response that did not say what it shows).
    Everything,
}

/// When each scope last changed, as ticks of one logical clock.
#[derive(Debug)]
pub struct Generations {
    tick: AtomicU64,
    lists: AtomicU64,
    categories: AtomicU64,
    tags: AtomicU64,
    redirects: AtomicU64,
    people: AtomicU64,
    media: AtomicU64,
    articles: RwLock<HashMap<i64, u64>>,
    /// Every article scope counts as changed at this tick (set when the map is folded).
    article_floor: AtomicU64,
    /// Unix seconds of the next scheduled publication; `i64::MAX` when none is known.
    next_due: AtomicI64,
    /// `content_changes` rows this process wrote and published already, which the poll skips.
    own: Mutex<HashSet<i64>>,
}

impl Default for Generations {
    fn default() -> Self {
        Generations {
            tick: AtomicU64::new(1),
            lists: AtomicU64::new(0),
            categories: AtomicU64::new(0),
            tags: AtomicU64::new(0),
            redirects: AtomicU64::new(0),
            people: AtomicU64::new(0),
            media: AtomicU64::new(0),
            articles: RwLock::new(HashMap::new()),
            article_floor: AtomicU64::new(0),
            next_due: AtomicI64::new(i64::MAX),
            own: Mutex::new(HashSet::new()),
        }
    }
}

impl Generations {
    /// The tick now: a response computed from here on is stamped with it. A scheduled
    /// publication whose time has come moves the clock first, so that it is never served stale.
    pub fn now(&self, unix_now: i64) -> u64 {
        let due = self.next_due.load(Ordering::Acquire);
        if unix_now >= due && self.next_due.compare_exchange(due, i64::MAX, Ordering::AcqRel, Ordering::Acquire).is_ok()
        {
            self.publish(&scopes_of(Change::ScheduledPublication));
        }
        self.tick.load(Ordering::Acquire)
    }

    /// When the public fields of a person (an article's author) last changed.
    pub fn people(&self) -> u64 {
        self.people.load(Ordering::Acquire)
    }

    /// Marks `scopes` as changed now.
    pub fn publish(&self, scopes: &[Scope]) {
        if scopes.is_empty() {
            return;
        }
        let tick = self.tick.fetch_add(1, Ordering::AcqRel) + 1;
        for scope in scopes {
            match scope {
                Scope::Lists => self.lists.fetch_max(tick, Ordering::AcqRel),
                Scope::Categories => self.categories.fetch_max(tick, Ordering::AcqRel),
                Scope::Tags => self.tags.fetch_max(tick, Ordering::AcqRel),
                Scope::Redirects => self.redirects.fetch_max(tick, Ordering::AcqRel),
                Scope::People => self.people.fetch_max(tick, Ordering::AcqRel),
                Scope::Media => self.media.fetch_max(tick, Ordering::AcqRel),
                Scope::Article(id) => {
                    let mut articles = self.articles.write().unwrap_or_else(|e| e.into_inner());
                    if articles.len() >= MAX_ARTICLE_STAMPS {
                        // Forget them one by one, but not that they changed.
                        let newest = articles.values().copied().max().unwrap_or(0);
                        self.article_floor.fetch_max(newest, Ordering::AcqRel);
                        articles.clear();
                    }
                    let stamp = articles.entry(*id).or_insert(0);
                    *stamp = (*stamp).max(tick);
                    0
                }
            };
        }
    }

    /// Publishes what a transaction of this process committed: its rows in `content_changes`
    /// are remembered so that the poll does not publish them a second time.
    pub(super) fn publish_own(&self, committed: Committed) {
        if committed.rows.is_empty() {
            return;
        }
        {
            let mut own = self.own.lock().unwrap_or_else(|e| e.into_inner());
            if own.len() + committed.rows.len() > MAX_OWN_ROWS {
                // The poll has fallen far behind; publishing some twice is only a few misses.
                own.clear();
            }
            own.extend(committed.rows);
        }
        self.publish(&committed.scopes);
    }

    /// Publishes changes the poll found, except this process's own.
    pub fn publish_found(&self, found: Vec<Found>) {
        let mut scopes = Vec::new();
        {
            let mut own = self.own.lock().unwrap_or_else(|e| e.into_inner());
            for (id, row) in found {
                if !own.remove(&id) {
                    scopes.extend(row);
                }
            }
        }
        self.publish(&scopes);
    }

    /// Whether a response filled at `tick` that depends on `deps` is still current.
    pub fn current(&self, deps: &Dependencies, tick: u64) -> bool {
        match deps {
            Dependencies::Everything => self.tick.load(Ordering::Acquire) <= tick,
            Dependencies::Scopes(scopes) => self.unchanged(scopes, tick),
        }
    }

    /// Whether none of `scopes` changed after `tick`.
    pub fn unchanged(&self, scopes: &[Scope], tick: u64) -> bool {
        scopes.iter().all(|scope| self.stamp(*scope) <= tick)
    }

    fn stamp(&self, scope: Scope) -> u64 {
        match scope {
            Scope::Lists => self.lists.load(Ordering::Acquire),
            Scope::Categories => self.categories.load(Ordering::Acquire),
            Scope::Tags => self.tags.load(Ordering::Acquire),
            Scope::Redirects => self.redirects.load(Ordering::Acquire),
            Scope::People => self.people.load(Ordering::Acquire),
            Scope::Media => self.media.load(Ordering::Acquire),
            Scope::Article(id) => {
                // The floor is read under the lock: a fold raises it and empties the map as one step.
                let articles = self.articles.read().unwrap_or_else(|e| e.into_inner());
                let floor = self.article_floor.load(Ordering::Acquire);
                articles.get(&id).copied().unwrap_or(0).max(floor)
            }
        }
    }

    /// Takes in what the database says of scheduled publications: whether one came due since
    /// the last look (a publication, whether or not a request happened to arrive in between),
    /// and when the next one comes.
    pub fn observe_schedule(&self, schedule: Schedule) {
        if schedule.came_due {
            self.publish(&scopes_of(Change::ScheduledPublication));
        }
        self.next_due.store(schedule.next_due.unwrap_or(i64::MAX), Ordering::Release);
    }
}

/// What a committed transaction recorded: its `content_changes` rows and their scopes.
#[derive(Debug, Default)]
pub(super) struct Committed {
    rows: Vec<i64>,
    scopes: Vec<Scope>,
    /// Whether it wrote webhook events (their worker is woken).
    pub(super) events: bool,
}

thread_local! {
    /// What the transaction open on this thread recorded, published when it commits.
    static PENDING: RefCell<Committed> = RefCell::new(Committed::default());
}

/// Records that the open write transaction made `change`: a `content_changes` row for every
/// process, and the scopes for this one once the transaction commits. Changes the public
/// cannot see write nothing.
pub fn record(conn: &mut Conn, change: Change) -> Result<(), DbError> {
    let scopes = scopes_of(change);
    if scopes.is_empty() {
        return Ok(());
    }
    let text = scopes.iter().map(Scope::to_string).collect::<Vec<_>>().join(" ");
    let row: i64 = diesel::insert_into(content_changes::table)
        .values((content_changes::scopes.eq(text), content_changes::created_at.eq(crate::domain::now().naive_utc())))
        .returning(content_changes::id)
        .get_result(conn)?;
    PENDING.with(|pending| {
        let mut pending = pending.borrow_mut();
        pending.rows.push(row);
        pending.scopes.extend(scopes);
    });
    Ok(())
}

/// Notes that the open write transaction wrote webhook events to the outbox.
pub(super) fn record_events() {
    PENDING.with(|pending| pending.borrow_mut().events = true);
}

/// What the transaction that just committed on this thread recorded.
pub(super) fn take_committed() -> Committed {
    PENDING.with(|pending| std::mem::take(&mut *pending.borrow_mut()))
}

/// Forgets what a transaction that rolled back on this thread recorded.
pub(super) fn discard_rolled_back() {
    PENDING.with(|pending| *pending.borrow_mut() = Committed::default());
}

/// A recorded change: its `content_changes` id and the scopes it names.
pub type Found = (i64, Vec<Scope>);

/// Where a process's poll stands in `content_changes`.
#[derive(Debug)]
pub struct Cursor {
    /// The last id read (SQLite: ids follow commit order, there is one writer at a time).
    after: i64,
    /// PostgreSQL: every transaction below this id had ended when the last pass began.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    horizon: i64,
    /// PostgreSQL: rows read whose writer is at or above the horizon, which the next poll
    /// reads again (id -> writer).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    seen: HashMap<i64, i64>,
    /// PostgreSQL: a pass over more rows than a page, under way: the last id it read, and the
    /// horizon when it began (which the cursor moves to once the pass has read every row).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pass: Option<(i64, i64)>,
    /// Most rows one poll reads.
    page: i64,
}

impl Default for Cursor {
    fn default() -> Cursor {
        Cursor { after: 0, horizon: 0, seen: HashMap::new(), pass: None, page: 10_000 }
    }
}

impl Cursor {
    /// The cursor reading at most `rows` a poll (tests use a small page).
    pub fn with_page(mut self, rows: i64) -> Cursor {
        self.page = rows.max(1);
        self
    }
}

#[cfg(feature = "postgres")]
#[derive(QueryableByName)]
struct Horizon {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    xmin: i64,
}

/// The oldest transaction still running on PostgreSQL: all below it have ended.
#[cfg(feature = "postgres")]
fn horizon(pg: &mut diesel::PgConnection) -> Result<i64, DbError> {
    let found: Horizon =
        diesel::sql_query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin").get_result(pg)?;
    Ok(found.xmin)
}

/// How far this machine's clock is behind the database's, in milliseconds (PostgreSQL:
/// instances on several machines then share one clock, the database's; `None` on SQLite,
/// whose clock is this machine's).
pub fn clock_offset_ms(conn: &mut Conn) -> Result<Option<i64>, DbError> {
    #[derive(QueryableByName)]
    struct Now {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        ms: i64,
    }
    let Some(_) = super::as_postgres(conn) else { return Ok(None) };
    let before = chrono::Utc::now().timestamp_millis();
    let now: Now =
        diesel::sql_query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms").get_result(conn)?;
    let after = chrono::Utc::now().timestamp_millis();
    Ok(Some(now.ms - (before + after) / 2))
}

/// A cursor after every change already recorded: what came before this process started is in
/// what it reads from the database anyway.
pub fn cursor_at_end(conn: &mut Conn) -> Result<Cursor, DbError> {
    let mut cursor = Cursor::default();
    match conn {
        #[cfg(feature = "postgres")]
        Conn::Postgres(pg) => {
            cursor.horizon = horizon(pg)?;
            let _ = poll(conn, &mut cursor)?;
        }
        Conn::Sqlite(_) => {
            let id: Option<i64> = content_changes::table.select(diesel::dsl::max(content_changes::id)).first(conn)?;
            cursor.after = id.unwrap_or(0);
        }
    }
    Ok(cursor)
}

/// The changes committed since the last poll, each once.
pub fn poll(conn: &mut Conn, cursor: &mut Cursor) -> Result<Vec<Found>, DbError> {
    let parse = |text: String| -> Vec<Scope> { text.split(' ').filter_map(|s| s.parse().ok()).collect() };
    match conn {
        #[cfg(feature = "postgres")]
        Conn::Postgres(pg) => {
            // The horizon before the rows: whatever ended below it is in what the select sees.
            // A pass that takes several polls (more rows than a page) keeps the horizon of its
            // start: a row it went past that committed meanwhile has a writer above that.
            let (after, next) = match cursor.pass {
                Some(pass) => pass,
                None => (0, horizon(pg)?),
            };
            let rows: Vec<(i64, String, i64)> = content_changes::table
                .filter(content_changes::writer_txid.ge(cursor.horizon))
                .filter(content_changes::id.gt(after))
                .order(content_changes::id)
                .limit(cursor.page)
                .select((content_changes::id, content_changes::scopes, content_changes::writer_txid))
                .load(pg)?;
            let full = rows.len() as i64 == cursor.page;
            let last = rows.last().map(|(id, _, _)| *id);
            let mut found = Vec::new();
            for (id, text, writer) in rows {
                if cursor.seen.insert(id, writer).is_none() {
                    found.push((id, parse(text)));
                }
            }
            match last.filter(|_| full) {
                // More rows than a page: the next poll goes on after the last one read.
                Some(last) => cursor.pass = Some((last, next)),
                None => {
                    cursor.pass = None;
                    cursor.horizon = next;
                    cursor.seen.retain(|_, writer| *writer >= next);
                }
            }
            Ok(found)
        }
        Conn::Sqlite(_) => {
            let rows: Vec<(i64, String)> = content_changes::table
                .filter(content_changes::id.gt(cursor.after))
                .order(content_changes::id)
                .limit(cursor.page)
                .select((content_changes::id, content_changes::scopes))
                .load(conn)?;
            cursor.after = rows.last().map_or(cursor.after, |(id, _)| *id);
            Ok(rows.into_iter().map(|(id, text)| (id, parse(text))).collect())
        }
    }
}

/// Deletes changes recorded before `before`: every process has read them long since.
pub fn prune(conn: &mut Conn, before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(content_changes::table.filter(content_changes::created_at.lt(before))).execute(conn)?)
}

/// Scheduled publications between two looks at the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Whether a published article's time fell after the last look and at or before now.
    pub came_due: bool,
    /// The first publication time after now, in Unix seconds.
    pub next_due: Option<i64>,
}

/// What scheduled publications did between `last_look` and `now` (two index seeks). An
/// article published by a write with a time already past falls before the last look: its
/// write recorded its change itself.
pub fn schedule(conn: &mut Conn, last_look: NaiveDateTime, now: NaiveDateTime) -> Result<Schedule, DbError> {
    let published = articles::status.eq(ArticleStatus::Published.as_str());
    // Public now, and not yet at the last look.
    let came_due: bool = diesel::select(diesel::dsl::exists(
        articles::table.filter(super::articles::is_public(now)).filter(articles::published_at.gt(last_look)),
    ))
    .get_result(conn)?;
    let next: Option<NaiveDateTime> = articles::table
        .filter(published)
        .filter(articles::published_at.gt(now))
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)?;
    Ok(Schedule { came_due, next_due: next.map(|t| t.and_utc().timestamp()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> Dependencies {
        Dependencies::Scopes(vec![Scope::Lists])
    }

    #[test]
    fn a_response_stays_current_until_a_scope_it_depends_on_changes() {
        let g = Generations::default();
        let filled = g.now(0);
        g.publish(&[Scope::Categories]);
        assert!(g.current(&lists(), filled));
        assert!(!g.current(&Dependencies::Everything, filled));
        g.publish(&[Scope::Lists]);
        assert!(!g.current(&lists(), filled));
        assert!(g.current(&lists(), g.now(0)));
    }

    #[test]
    fn the_poll_does_not_publish_this_process_s_own_changes_again() {
        let g = Generations::default();
        g.publish_own(Committed { rows: vec![5], scopes: vec![Scope::Lists], events: false });
        let filled = g.now(0);
        g.publish_found(vec![(5, vec![Scope::Lists])]);
        assert!(g.current(&lists(), filled), "its own row is skipped");
        g.publish_found(vec![(6, vec![Scope::Lists])]);
        assert!(!g.current(&lists(), filled), "another process's row is not");
    }

    #[test]
    fn one_article_changing_leaves_the_others_current() {
        let g = Generations::default();
        let filled = g.now(0);
        g.publish(&[Scope::Article(1)]);
        assert!(!g.current(&Dependencies::Scopes(vec![Scope::Article(1)]), filled));
        assert!(g.current(&Dependencies::Scopes(vec![Scope::Article(2)]), filled));
    }

    #[test]
    fn folding_article_stamps_never_makes_a_changed_article_current() {
        let g = Generations::default();
        let filled = g.now(0);
        for id in 0..MAX_ARTICLE_STAMPS as i64 + 5 {
            g.publish(&[Scope::Article(id)]);
        }
        assert!(g.articles.read().unwrap().len() <= MAX_ARTICLE_STAMPS);
        assert!(!g.current(&Dependencies::Scopes(vec![Scope::Article(3)]), filled));
    }

    #[test]
    fn a_due_publication_moves_lists_at_its_time_even_if_nobody_asked_in_between() {
        let g = Generations::default();
        g.observe_schedule(Schedule { came_due: false, next_due: Some(200) });
        let filled = g.now(150);
        assert!(g.current(&lists(), filled), "nothing came due");
        // No request between 200 and the next look at the database: the look itself moves lists.
        g.observe_schedule(Schedule { came_due: true, next_due: Some(300) });
        assert!(!g.current(&lists(), filled));
        let filled = g.now(250);
        assert!(g.current(&lists(), filled));
        // A request after the due time moves lists before the database is looked at.
        let filled_late = g.now(300);
        assert!(filled_late > filled);
        assert!(!g.current(&lists(), filled));
    }
}
