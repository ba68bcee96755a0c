//! The response cache of public reads: a hot page costs a lookup. Entries are keyed by the
//! normalized request (path and sorted query) and remember the scopes their response shows
//! (`domain::invalidation`) and the tick they were computed at; an entry is served while none
//! of its scopes changed since. Handlers say what a response shows with [`shows`]; one that
//! says nothing is dropped by any change at all.
//!
//! Scopes change: when a write of this process commits (at once, before its response is
//! sent), when another process's write is found in `content_changes` (polled four times a
//! second), and when a scheduled article's time comes (on the first request after it, or at
//! the next poll, whichever is first), so that nothing waits for an unrelated write.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock};

use super::caching;
use super::AppState;
use crate::db::changes::{Dependencies, Generations};
use crate::db::DbStats;
use crate::domain::invalidation::Scope;

/// Bytes of cached bodies kept before the cache starts afresh (bounds memory).
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// The largest single body that is cached.
const MAX_ENTRY: usize = 1024 * 1024;

/// One cached answer.
struct Entry {
    /// The tick the response was computed at.
    tick: u64,
    deps: Dependencies,
    headers: HeaderMap,
    body: web::Bytes,
    etag: String,
}

/// The cache and the state that decides whether an entry is still current.
pub struct ResponseCache {
    enabled: bool,
    /// When each scope last changed (kept by the pool and the content-change poll).
    stats: Arc<DbStats>,
    entries: RwLock<HashMap<String, Entry>>,
    bytes: Mutex<usize>,
}

impl ResponseCache {
    /// A cache; `enabled = false` makes every lookup a miss (for cache-cold measurements).
    pub fn new(enabled: bool, stats: Arc<DbStats>) -> ResponseCache {
        ResponseCache { enabled, stats, entries: RwLock::new(HashMap::new()), bytes: Mutex::new(0) }
    }

    fn generations(&self) -> &Generations {
        &self.stats.generations
    }

    /// The tick now, which a response computed from here on is stamped with.
    pub fn tick(&self) -> u64 {
        self.generations().now(chrono::Utc::now().timestamp())
    }

    /// Whether something computed at `tick` from `scopes` is still current.
    pub fn current(&self, scopes: &[Scope], tick: u64) -> bool {
        self.generations().unchanged(scopes, tick)
    }

    fn get(&self, key: &str) -> Option<(HeaderMap, web::Bytes, String)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key).filter(|e| self.generations().current(&e.deps, e.tick))?;
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

/// Says which scopes `response` shows, so the cache keeps it until one of them changes.
pub fn shows(mut response: HttpResponse, scopes: Vec<Scope>) -> HttpResponse {
    response.extensions_mut().insert(Dependencies::Scopes(scopes));
    response
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
    let tick = state.cache.tick();
    if let Some((headers, body, etag)) = state.cache.get(&key) {
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
    let deps = response.extensions().get::<Dependencies>().cloned().unwrap_or(Dependencies::Everything);
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let etag = head.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    state.cache.put(key, Entry { tick, deps, headers: head.headers().clone(), body: bytes.clone(), etag });
    let response = head.set_body(bytes.boxed());
    Ok(ServiceResponse::new(request, response))
}

fn is_public(headers: &HeaderMap) -> bool {
    headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("public"))
}

/// Totals of public lists per filter, each with the tick it was counted at: a total is
/// current while the scopes it was counted from have not changed.
#[derive(Default)]
pub struct CountCache {
    entries: Mutex<HashMap<String, (u64, i64)>>,
}

/// Filters whose totals are kept before the cache starts afresh.
const MAX_COUNTS: usize = 10_000;

/// What a total of public articles is counted from: membership, and the categories, tags and
/// authors a filter names (a user deleted with reassignment changes whose articles they are).
const COUNTED_FROM: [Scope; 4] = [Scope::Lists, Scope::Categories, Scope::Tags, Scope::People];

impl CountCache {
    /// The total of `key`, if it is still current in `cache`.
    pub fn get(&self, key: &str, cache: &ResponseCache) -> Option<i64> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).filter(|(tick, _)| cache.current(&COUNTED_FROM, *tick)).map(|(_, total)| *total)
    }

    /// Records the total of `key`, counted from what was current at `tick`.
    pub fn put(&self, key: String, tick: u64, total: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_COUNTS {
            entries.clear();
        }
        entries.insert(key, (tick, total));
    }
}
