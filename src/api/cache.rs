//! The response cache of public reads: a hot page costs a lookup. Entries are keyed by the
//! normalized request (path and sorted query) and belong to a content version; any write
//! moves the version on, so no response outlives a change it depends on. It is aware of
//! time too: when the next scheduled article's `published_at` comes, the version moves on
//! by itself, so the article appears on time without a write.
//!
//! The version moves on: after every write transaction of this process at once, and for
//! writes by other processes (another Warta on the same database, the CLI) within a quarter
//! of a second, by reading the database's own write counter (a table kept by triggers).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use super::caching;
use super::AppState;
use crate::db;

/// Bytes of cached bodies kept before the cache starts afresh (bounds memory).
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// The largest single body that is cached.
const MAX_ENTRY: usize = 1024 * 1024;

/// One cached answer.
struct Entry {
    version: u64,
    headers: HeaderMap,
    body: web::Bytes,
    etag: String,
}

/// The cache and the state that decides whether an entry is still current.
pub struct ResponseCache {
    enabled: bool,
    /// Write transactions committed through this process's pool.
    stats: Arc<db::DbStats>,
    entries: RwLock<HashMap<String, Entry>>,
    bytes: Mutex<usize>,
    /// Writes seen by other processes, as the database counts them.
    remote_version: AtomicU64,
    /// Bumped when a scheduled article's time comes.
    clock_version: AtomicU64,
    /// Unix seconds of the next scheduled publication; `i64::MAX` when there is none.
    next_scheduled: AtomicI64,
}

impl ResponseCache {
    /// A cache; `enabled = false` makes every lookup a miss (for cache-cold measurements).
    pub fn new(enabled: bool, stats: Arc<db::DbStats>) -> ResponseCache {
        ResponseCache {
            enabled,
            stats,
            entries: RwLock::new(HashMap::new()),
            bytes: Mutex::new(0),
            remote_version: AtomicU64::new(0),
            clock_version: AtomicU64::new(0),
            next_scheduled: AtomicI64::new(i64::MAX),
        }
    }

    /// The content version now: any write or due publication changes it.
    pub fn version(&self) -> u64 {
        let now = chrono::Utc::now().timestamp();
        if now >= self.next_scheduled.load(Ordering::Acquire) {
            self.next_scheduled.store(i64::MAX, Ordering::Release);
            self.clock_version.fetch_add(1, Ordering::AcqRel);
        }
        self.stats
            .write_commits()
            .wrapping_add(self.remote_version.load(Ordering::Acquire) << 20)
            .wrapping_add(self.clock_version.load(Ordering::Acquire) << 40)
    }

    /// Records the database's write counter (polled), and the next scheduled publication.
    pub fn observe_database(&self, remote: u64, next_scheduled: Option<i64>) {
        self.remote_version.store(remote, Ordering::Release);
        self.next_scheduled.store(next_scheduled.unwrap_or(i64::MAX), Ordering::Release);
    }

    fn get(&self, key: &str, version: u64) -> Option<(HeaderMap, web::Bytes, String)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key).filter(|e| e.version == version)?;
        Some((entry.headers.clone(), entry.body.clone(), entry.etag.clone()))
    }

    fn put(&self, key: String, entry: Entry) {
        if entry.body.len() > MAX_ENTRY {
            return;
        }
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if *bytes + entry.body.len() > MAX_BYTES {
            entries.clear();
            *bytes = 0;
        }
        *bytes += entry.body.len();
        if let Some(old) = entries.insert(key, entry) {
            *bytes = bytes.saturating_sub(old.body.len());
        }
    }
}

/// The cache key of a request: its path and its query pairs in sorted order, so that
/// `?a=1&b=2` and `?b=2&a=1` share an entry.
fn key(req: &ServiceRequest) -> String {
    let mut pairs: Vec<(String, String)> =
        web::Query::<Vec<(String, String)>>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    pairs.sort();
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}?{query}", req.path())
}

/// Whether `req` may be answered from the cache: an anonymous GET or HEAD of public content.
fn cacheable(req: &ServiceRequest) -> bool {
    (req.method() == Method::GET || req.method() == Method::HEAD)
        && !req.headers().contains_key(header::AUTHORIZATION)
        && req.path().starts_with("/api/v1/")
        && !req.path().starts_with("/api/v1/auth")
        && !req.path().starts_with("/api/v1/users")
        && req.path() != "/api/v1/comments"
}

/// Answers cacheable requests from the cache, and fills it from the handlers' answers.
pub async fn serve(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    if !state.cache.enabled || !cacheable(&req) {
        return next.call(req).await;
    }
    let key = key(&req);
    let version = state.cache.version();
    if let Some((headers, body, etag)) = state.cache.get(&key, version) {
        state.metrics.cache_hits.fetch_add(1, Ordering::Relaxed);
        let mut response = if caching::none_match_hits(req.request(), &etag) {
            HttpResponse::build(StatusCode::NOT_MODIFIED).finish()
        } else {
            HttpResponse::Ok().body(body)
        };
        for (name, value) in headers.iter() {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        return Ok(req.into_response(response));
    }
    state.metrics.cache_misses.fetch_add(1, Ordering::Relaxed);
    let res = next.call(req).await?;
    if res.status() != StatusCode::OK || !is_public(res.headers()) {
        return Ok(res);
    }
    let (request, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let etag = head.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    state.cache.put(key, Entry { version, headers: head.headers().clone(), body: bytes.clone(), etag });
    let response = head.set_body(bytes.boxed());
    Ok(ServiceResponse::new(request, response))
}

fn is_public(headers: &HeaderMap) -> bool {
    headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("public"))
}

/// Totals of public lists per filter, valid for one content version.
#[derive(Default)]
pub struct CountCache {
    entries: Mutex<HashMap<String, (u64, i64)>>,
}

/// Filters whose totals are kept before the cache starts afresh.
const MAX_COUNTS: usize = 10_000;

impl CountCache {
    /// The total of `key` at `version`, if known.
    pub fn get(&self, key: &str, version: u64) -> Option<i64> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).filter(|(v, _)| *v == version).map(|(_, total)| *total)
    }

    /// Records the total of `key` at `version`.
    pub fn put(&self, key: String, version: u64, total: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_COUNTS {
            entries.clear();
        }
        entries.insert(key, (version, total));
    }
}
