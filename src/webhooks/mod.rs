//! Webhook delivery: a worker that sends the outbox's events to their endpoints, off the HTTP
//! workers, on a thread and runtime of its own.
//!
//! Each pass it announces the scheduled publications whose time came, claims the *lanes* of
//! endpoints with first attempts waiting (see `db::webhooks`) and the retries that are due,
//! and sends them: a lane's first attempts one after another in event order, everything else
//! side by side, at most [`MAX_IN_FLIGHT`] requests at once. An endpoint that hangs holds only
//! its own lane. A pass runs when a commit wrote events (this process's), and at least every
//! [`POLL`] (other instances' events, retries coming due).
//!
//! Every request: a 10 s timeout, no redirects, no proxy, the answer read up to
//! [`MAX_ANSWER_BYTES`], and only to addresses the guard let through (`guard`), signed afresh
//! (`signing`).

pub mod guard;
pub mod signing;

use chrono::NaiveDateTime;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

use crate::background::{Background, Stop};
use crate::db::webhooks::{self as outbox, Attempt, Outgoing};
use crate::db::{self, Conn, DbError, DbPool};
use crate::domain;

/// Requests in flight at most, over all endpoints.
pub const MAX_IN_FLIGHT: usize = 32;
/// Lanes one instance holds at most (endpoints whose first attempts it sends).
const MAX_LANES: usize = 24;
/// How long a delivery may take, answer included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an answer is read (the status decides; the rest is dropped).
const MAX_ANSWER_BYTES: usize = 4096;
/// The longest wait between two passes.
const POLL: Duration = Duration::from_millis(500);
/// A lane held without renewal lapses after this (an instance that died gives it up). It is
/// renewed at least every [`LANE_BATCH_TIME`] plus one request's [`TIMEOUT`].
const LANE_TTL: chrono::Duration = chrono::Duration::seconds(20);
/// A lane stops taking first attempts from a batch after this, stores how they went and
/// renews its claim.
const LANE_BATCH_TIME: Duration = Duration::from_secs(5);
/// First attempts read at once for a lane.
const LANE_BATCH: i64 = 100;
/// A claimed retry lapses after this (more than one request's [`TIMEOUT`]).
const RETRY_TTL: chrono::Duration = chrono::Duration::seconds(20);
/// How often one instance prunes the outbox.
const PRUNE_EVERY: chrono::Duration = chrono::Duration::hours(1);

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether loopback and private addresses may be reached (`WARTA_WEBHOOK_ALLOW_PRIVATE`).
    pub allow_private: bool,
    /// Days ended deliveries and their events are kept (`WARTA_WEBHOOK_RETENTION_DAYS`).
    pub retention_days: u32,
}

/// Announces the scheduled publications that came due by `now`, in the caller's connection;
/// returns how many it announced. (The API layer builds their events.)
pub type Announce = Arc<dyn Fn(&mut Conn, NaiveDateTime) -> Result<usize, DbError> + Send + Sync>;

struct Worker {
    pool: DbPool,
    client: reqwest::Client,
    settings: Settings,
    announce: Announce,
    permits: Semaphore,
    lanes: Mutex<HashSet<i64>>,
    stop: Stop,
    /// Whether the application still lives (a dropped one stops its worker like a stop).
    alive: Box<dyn Fn() -> bool + Send + Sync>,
}

impl Worker {
    fn ending(&self) -> bool {
        self.stop.requested() || !(self.alive)()
    }
}

/// Starts the delivery worker on its own thread, stopped with `background` or once `alive`
/// says the application is gone.
pub fn start(
    pool: DbPool,
    settings: Settings,
    announce: Announce,
    background: &Background,
    alive: impl Fn() -> bool + Send + Sync + 'static,
) -> anyhow::Result<()> {
    let client = client(settings.allow_private)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    background.spawn("warta-webhooks", move |stop| {
        let worker = Arc::new(Worker {
            pool,
            client,
            settings,
            announce,
            permits: Semaphore::new(MAX_IN_FLIGHT),
            lanes: Mutex::new(HashSet::new()),
            stop,
            alive: Box::new(alive),
        });
        runtime.block_on(run(worker));
        // Requests still in flight are dropped with the runtime; their claims lapse and they
        // are sent again (delivery is at least once).
        runtime.shutdown_timeout(Duration::from_secs(1));
    })?;
    Ok(())
}

/// The HTTP client of deliveries.
pub fn client(allow_private: bool) -> anyhow::Result<reqwest::Client> {
    // rustls without a default provider: ring, as the media store uses.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(guard::GuardedResolver { allow_private }))
        .user_agent(concat!("Warta-Webhooks/", env!("CARGO_PKG_VERSION")))
        .pool_max_idle_per_host(4)
        .build()?)
}

/// Runs `f` with a connection on the blocking pool.
async fn with_conn<T: Send + 'static>(
    pool: &DbPool,
    f: impl FnOnce(&mut Conn) -> Result<T, DbError> + Send + 'static,
) -> Result<T, DbError> {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await
    .map_err(|_| DbError::Cancelled)?
}

async fn run(worker: Arc<Worker>) {
    let mut failing = false;
    let mut passes: u64 = 0;
    while !worker.ending() {
        passes += 1;
        match pass(&worker, passes).await {
            Ok(()) if failing => {
                failing = false;
                tracing::info!("webhook deliveries go on");
            }
            Ok(()) => {}
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, "cannot read the webhook outbox; retrying");
            }
            Err(_) => {}
        }
        tokio::select! {
            _ = outbox::WRITTEN.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// One look at the outbox: announcements, lanes, retries, and now and then a prune.
async fn pass(worker: &Arc<Worker>, passes: u64) -> Result<(), DbError> {
    let now = domain::now().naive_utc();
    let waiting = with_conn(&worker.pool, move |conn| outbox::waiting(conn, now)).await?;
    if waiting.publications {
        let announce = worker.announce.clone();
        with_conn(&worker.pool, move |conn| db::write(conn, |conn| announce(conn, now))).await?;
    }

    let free_lanes = MAX_LANES.saturating_sub(worker.lanes.lock().unwrap_or_else(|e| e.into_inner()).len());
    // An announcement just made is a first attempt to send now.
    if free_lanes > 0 && (waiting.first_attempts || waiting.publications) {
        let claimed =
            with_conn(&worker.pool, move |conn| outbox::claim_lanes(conn, now, LANE_TTL, free_lanes as i64)).await?;
        for id in claimed {
            worker.lanes.lock().unwrap_or_else(|e| e.into_inner()).insert(id);
            tokio::spawn(lane(worker.clone(), id));
        }
    }

    let free = worker.permits.available_permits().min(50);
    if free > 0 && waiting.retries {
        let retries =
            with_conn(&worker.pool, move |conn| outbox::claim_retries(conn, now, RETRY_TTL, free as i64)).await?;
        for out in retries {
            let worker = worker.clone();
            tokio::spawn(async move {
                let attempt = send(&worker, &out).await;
                let stored = with_conn(&worker.pool, move |conn| outbox::record_attempts(conn, &[attempt])).await;
                if let Err(e) = stored {
                    tracing::warn!(error = %e, delivery = out.delivery_id, "cannot store a webhook attempt");
                }
            });
        }
    }

    if passes.is_multiple_of(120) {
        let kept = chrono::Duration::days(i64::from(worker.settings.retention_days));
        with_conn(&worker.pool, move |conn| {
            if db::write(conn, |conn| db::jobs::claim(conn, "prune-webhook-deliveries", PRUNE_EVERY, now))? {
                outbox::prune(conn, now - kept)?;
            }
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// Sends endpoint `id`'s first attempts in event order while its lane is this instance's.
async fn lane(worker: Arc<Worker>, id: i64) {
    let sent = async {
        loop {
            let now = domain::now().naive_utc();
            let batch = with_conn(&worker.pool, move |conn| outbox::first_attempts(conn, id, LANE_BATCH, now)).await?;
            if batch.is_empty() || worker.ending() {
                return Ok::<_, DbError>(());
            }
            let started = Instant::now();
            let mut attempts = Vec::with_capacity(batch.len());
            for out in &batch {
                attempts.push(send(&worker, out).await);
                if started.elapsed() > LANE_BATCH_TIME || worker.ending() {
                    break;
                }
            }
            let kept = with_conn(&worker.pool, move |conn| {
                outbox::record_attempts(conn, &attempts)?;
                outbox::renew_lane(conn, id, domain::now().naive_utc(), LANE_TTL)
            })
            .await?;
            if !kept {
                return Ok(());
            }
        }
    };
    if let Err(e) = sent.await {
        tracing::warn!(error = %e, webhook = id, "webhook deliveries to an endpoint stopped; the lane lapses");
    } else if let Err(e) = with_conn(&worker.pool, move |conn| outbox::release_lane(conn, id)).await {
        tracing::warn!(error = %e, webhook = id, "cannot give up a webhook lane; it lapses");
    }
    worker.lanes.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
}

/// Makes one attempt of `out`, signed now.
async fn send(worker: &Worker, out: &Outgoing) -> Attempt {
    let _permit = worker.permits.acquire().await;
    let at = domain::now();
    let started = Instant::now();
    let (response_status, error) = attempt(worker, out, at.timestamp()).await;
    let failed = out.attempts + 1;
    Attempt {
        delivery_id: out.delivery_id,
        webhook_id: out.webhook_id,
        attempts_before: out.attempts,
        response_status,
        response_ms: started.elapsed().as_millis().min(i64::MAX as u128) as i64,
        error,
        at: at.naive_utc(),
        retry_in: jittered(outbox::retry_delay(failed)),
    }
}

/// The answer's status and, unless it was a 2xx, why the attempt failed.
async fn attempt(worker: &Worker, out: &Outgoing, timestamp: i64) -> (Option<u16>, Option<String>) {
    let url = match url::Url::parse(&out.url) {
        Ok(url) => url,
        Err(e) => return (None, Some(format!("the URL does not parse: {e}"))),
    };
    // An IP literal is never resolved: it is checked here (the setting may have changed
    // since the endpoint was saved).
    if let Some(why) = guard::refusal(&url, worker.settings.allow_private) {
        return (None, Some(format!("refused: {why}")));
    }
    let signature = signing::signature(&out.secrets, &out.message_id, timestamp, out.body.as_bytes());
    let request = worker
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &out.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(out.body.clone());
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(e) => return (None, Some(describe(&e))),
    };
    let status = response.status();
    let mut read = 0;
    while read < MAX_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            _ => break,
        }
    }
    match status.as_u16() {
        200..=299 => (Some(status.as_u16()), None),
        code => (Some(code), Some(format!("answered {status}"))),
    }
}

/// Why a request failed, in words: the guard's refusal, a timeout, or the connection's error.
fn describe(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<guard::Refused>() {
            return format!("refused: {refused}");
        }
        source = cause.source();
    }
    if e.is_timeout() {
        return format!("no answer within {} s", TIMEOUT.as_secs());
    }
    if e.is_connect() {
        return "could not connect".into();
    }
    if e.is_redirect() {
        return "answered with a redirect, which is not followed".into();
    }
    "the request failed".into()
}

/// `delay` give or take a tenth, so that retries of many deliveries spread out.
fn jittered(delay: chrono::Duration) -> chrono::Duration {
    let ms = delay.num_milliseconds();
    let spread = ms / 10;
    let offset = rand::Rng::random_range(&mut rand::rng(), -spread..=spread);
    chrono::Duration::milliseconds(ms + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_tenth() {
        for _ in 0..100 {
            let d = jittered(chrono::Duration::seconds(100)).num_milliseconds();
            assert!((90_000..=110_000).contains(&d), "{d}");
        }
    }
}
