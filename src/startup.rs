//! Builds a running application from a `Config`: pool, migrations, seed data, routes, bind.

use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{self, AppState};
use crate::background::Background;
use crate::config::{Config, CorsOrigins};
use crate::db::{self, DbStats};
use crate::{auth, demo, domain};

/// What to do at start besides serving.
#[derive(Debug, Clone, Copy, Default)]
pub struct StartOptions {
    /// Seed the demo newsroom when the database is empty.
    pub demo: bool,
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    metrics_port: Option<u16>,
    server: Server,
    metrics_server: Option<Server>,
    stats: Arc<DbStats>,
    pool: db::DbPool,
    group_commit: db::group::GroupCommit,
    /// Set once a signal asked the server to stop (`/ready` answers 503 from then on).
    draining: Arc<AtomicBool>,
    /// How long the server drains before it stops accepting (`WARTA_SHUTDOWN_GRACE_SECS`).
    shutdown_grace: Duration,
    /// The content-change poll and the pruning of limit counts, stopped before the process ends.
    background: Arc<Background>,
}

impl Application {
    /// Opens the database, applies migrations, seeds what was asked for and binds the
    /// listener (port 0 picks a free one, for tests).
    pub async fn build(config: Config, options: StartOptions) -> anyhow::Result<Application> {
        let (pool, stats) = db::connect(&config.database_url, config.db_pool_size).with_context(|| {
            match db::Kind::of(&config.database_url) {
                // The error names the server already.
                db::Kind::Postgres => "cannot start".to_owned(),
                db::Kind::Sqlite => format!("cannot open the database {}", config.database_url),
            }
        })?;
        let config = Arc::new(config);
        let setup_config = config.clone();
        db::run(&pool, move |conn| prepare_database(conn, &setup_config, options)).await?;

        let listener = TcpListener::bind(config.bind).with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let public_url = match &config.public_url {
            Some(url) => url.clone(),
            None => format!("http://{}", listener.local_addr()?),
        };
        // Opening a bucket asks it for a listing: off the async threads.
        let (settings, url) = (config.media.clone(), public_url.clone());
        let media = web::block(move || crate::media::Library::open(&settings, &url))
            .await
            .map_err(|e| anyhow::anyhow!("opening the media store failed: {e}"))?
            .with_context(|| format!("cannot open {}", config.media.store.describe()))?;
        let media = Arc::new(media);
        let secret = match &config.jwt_secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => auth::random_token(48).into_bytes(),
        };
        let background = Arc::new(Background::default());
        let limits =
            api::throttle::Limits::for_database(&config.database_url, config.comment_rate_per_minute, &background)?;
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            config: config.clone(),
            stats: stats.clone(),
            openapi_json: api::openapi::document_json().into(),
            keys: auth::TokenKeys::new(&secret),
            throttles: limits.throttles,
            comment_limit: limits.comment_limit,
            hashing: Default::default(),
            metrics: Default::default(),
            cache: api::cache::ResponseCache::new(config.response_cache, stats.clone()),
            counts: Default::default(),
            group_commit: db::group::GroupCommit::start(pool.clone(), stats.kind)?,
            draining: Arc::new(AtomicBool::new(false)),
            token_usage: Default::default(),
            media,
        });
        let draining = state.draining.clone();
        watch_content_changes(&state, &background)?;
        sweep_media_files(&state, &background)?;
        deliver_webhooks(&state, &background)?;
        record_token_usage(&state, &background)?;
        let group_commit = state.group_commit.clone();
        let separate_metrics = config.metrics_bind.is_some();
        let main_state = state.clone();
        let server = HttpServer::new(move || {
            let state = main_state.clone();
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(api::json::MAX_BODY_BYTES))
                .configure(|cfg| api::routes(cfg, !separate_metrics))
                .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::new(["/openapi.json"])))
                .default_service(web::to(api::not_found))
                .wrap(from_fn(api::cache::serve))
                .wrap(from_fn(api::middleware::docs_head_as_get))
                .wrap(cors(&state.config.cors_origins))
                .wrap(ErrorHandlers::new().default_handler(api::problemize))
                .wrap(from_fn(api::middleware::observe))
        })
        .client_request_timeout(Duration::from_secs(10))
        .client_disconnect_timeout(Duration::from_secs(5))
        .keep_alive(Duration::from_secs(75))
        .shutdown_timeout(30)
        // Signals are ours (see `stop_on_signal`): SIGTERM drains before the listener closes.
        .disable_signals()
        .listen(listener)?
        .run();

        let (metrics_server, metrics_port) = match config.metrics_bind {
            Some(addr) => {
                let listener =
                    TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr} for metrics"))?;
                let port = listener.local_addr()?.port();
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(state.clone())
                        .configure(api::metrics_routes)
                        .default_service(web::to(api::not_found))
                        .wrap(ErrorHandlers::new().default_handler(api::problemize))
                })
                .workers(1)
                .disable_signals()
                .listen(listener)?
                .run();
                (Some(server), Some(port))
            }
            None => (None, None),
        };
        let shutdown_grace = Duration::from_secs(config.shutdown_grace_secs.into());
        Ok(Application {
            port,
            metrics_port,
            server,
            metrics_server,
            stats,
            pool,
            group_commit,
            draining,
            shutdown_grace,
            background,
        })
    }

    /// The port of the separate metrics listener, when `WARTA_METRICS_BIND` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Statement counts of the server's database pool.
    pub fn stats(&self) -> Arc<DbStats> {
        self.stats.clone()
    }

    /// The server's database pool (tests write their fixtures through it, as the server's
    /// own writes, so that the response cache sees them at once).
    pub fn pool(&self) -> db::DbPool {
        self.pool.clone()
    }

    /// Serves until the server is stopped (SIGTERM/SIGINT, see [`stop_on_signal`]): `/ready`
    /// answers 503 for the grace period, then new connections are refused, requests in flight
    /// finish, and the WAL is checkpointed into the database file.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let handles: Vec<ServerHandle> =
            std::iter::once(self.server.handle()).chain(self.metrics_server.as_ref().map(Server::handle)).collect();
        // Listening from here on: a signal that arrives before the task first runs is not lost.
        let signals = match Signals::new() {
            Ok(signals) => {
                Some(tokio::spawn(stop_on_signal(signals, handles, self.draining.clone(), self.shutdown_grace)))
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for signals; stop the server with SIGKILL");
                None
            }
        };
        let served = match self.metrics_server {
            // Both listeners stop on the same signal.
            Some(metrics) => {
                let (served, _) = futures_util::future::join(self.server, metrics).await;
                served
            }
            None => self.server.await,
        };
        if let Some(signals) = signals {
            signals.abort();
        }
        served?;
        // Requests are done; the comments they queued are committed before the checkpoint.
        let group_commit = self.group_commit.clone();
        web::block(move || group_commit.stop()).await?;
        let background = self.background.clone();
        web::block(move || background.stop()).await?;
        match db::run(&self.pool, db::checkpoint).await {
            Ok(()) => tracing::info!("stopped; the database is checkpointed"),
            Err(e) => tracing::warn!("stopped; {e} (the next start replays it)"),
        }
        Ok(())
    }
}

/// Stops the servers behind `handles` on one of `signals`. SIGTERM and SIGINT drain first: `draining`
/// turns `/ready` to 503 for `grace` while every request is still served, so that a load
/// balancer's health check takes the instance out of rotation before its listener closes
/// (a connection the balancer opens after that would be refused, and a request already
/// queued on it cut). Then the listener closes and the requests in flight finish. A second
/// signal ends the grace at once; SIGQUIT stops at once without waiting for requests.
async fn stop_on_signal(mut signals: Signals, handles: Vec<ServerHandle>, draining: Arc<AtomicBool>, grace: Duration) {
    let graceful = signals.next().await;
    draining.store(true, Ordering::Release);
    if graceful && !grace.is_zero() {
        tracing::info!(grace_secs = grace.as_secs(), "draining: /ready answers 503 until the server stops");
        tokio::select! {
            _ = tokio::time::sleep(grace) => {}
            _ = signals.next() => tracing::info!("a second signal: stopping now"),
        }
    }
    tracing::info!(graceful, "stopping: no new connections; requests in flight finish");
    // Every stop is asked for before any is awaited, so that the listeners close together.
    let stops: Vec<_> = handles.iter().map(|handle| handle.stop(graceful)).collect();
    for stop in stops {
        stop.await;
    }
}

/// The stop signals this process listens for.
struct Signals {
    #[cfg(unix)]
    streams: [tokio::signal::unix::Signal; 3],
}

impl Signals {
    #[cfg(unix)]
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            streams: [signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?, signal(SignalKind::quit())?],
        })
    }

    #[cfg(not(unix))]
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {})
    }

    /// Waits for the next signal: true for a graceful stop (SIGTERM, SIGINT), false for SIGQUIT.
    #[cfg(unix)]
    async fn next(&mut self) -> bool {
        let [term, int, quit] = &mut self.streams;
        tokio::select! {
            _ = term.recv() => true,
            _ = int.recv() => true,
            _ = quit.recv() => false,
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> bool {
        let _ = tokio::signal::ctrl_c().await;
        true
    }
}

/// Migrations, the bootstrap admin, then demo content. The admin comes first so that it exists
/// beside the demo's accounts and can log in to it; whether the demo seeds is decided before,
/// on the database as it was (the demo seeds only one without content).
fn prepare_database(conn: &mut db::Conn, config: &Config, options: StartOptions) -> anyhow::Result<()> {
    let applied = db::migrate(conn)?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    let now = domain::now();
    let seed_demo = options.demo && !db::has_content(conn)?;
    create_bootstrap_admin(conn, config, now)?;
    if seed_demo {
        let store = crate::media::store::open(&config.media.store)
            .with_context(|| format!("cannot open {}", config.media.store.describe()))?;
        demo::seed(conn, store.as_ref(), now)?;
        tracing::info!("seeded the demo newsroom (the demo accounts' password is in the README)");
    } else if options.demo {
        tracing::info!("the database is not empty: demo content not seeded");
    }
    Ok(())
}

/// Creates the admin of `WARTA_ADMIN_EMAIL`/`WARTA_ADMIN_PASSWORD` when no admin exists yet; when
/// the configured credentials cannot be used, says why in a warning.
fn create_bootstrap_admin(
    conn: &mut db::Conn,
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let (email, password) = match (&config.admin_email, &config.admin_password) {
        (Some(email), Some(password)) => (email, password),
        (None, None) => return Ok(()),
        (Some(_), None) => {
            tracing::warn!("WARTA_ADMIN_EMAIL is set without WARTA_ADMIN_PASSWORD: no bootstrap admin is created");
            return Ok(());
        }
        (None, Some(_)) => {
            tracing::warn!("WARTA_ADMIN_PASSWORD is set without WARTA_ADMIN_EMAIL: no bootstrap admin is created");
            return Ok(());
        }
    };
    if db::users::admin_exists(conn)? {
        tracing::warn!(
            email = email.as_str(),
            "WARTA_ADMIN_EMAIL and WARTA_ADMIN_PASSWORD are ignored: the database has an active admin already"
        );
        return Ok(());
    }
    let new = db::users::NewUser {
        email: email.clone(),
        display_name: "Administrator".into(),
        password_hash: auth::hash_password(password)?,
        role: domain::Role::Admin,
        bio: String::new(),
    };
    match db::users::create(conn, &new, now) {
        Ok(_) => tracing::info!(email = email.as_str(), "created the bootstrap admin"),
        Err(db::DbError::Conflict(why)) => tracing::warn!(
            email = email.as_str(),
            "WARTA_ADMIN_EMAIL and WARTA_ADMIN_PASSWORD are ignored: {why}; make that account an admin instead"
        ),
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

/// Keeps this process's view of what changed current: the changes other processes recorded
/// (`content_changes`), and where the clock stands among scheduled publications. Polls four
/// times a second on a thread of its own with a connection of its own (so that its
/// statements are not counted as the requests'), prunes changes every process has long read,
/// and ends when `background` is stopped or the application is dropped.
fn watch_content_changes(state: &web::Data<AppState>, background: &Background) -> anyhow::Result<()> {
    const POLL: Duration = Duration::from_millis(250);
    // Another process sees a change within a poll; ten minutes is ample for a slow one.
    const KEEP: chrono::Duration = chrono::Duration::minutes(10);
    const PRUNE_EVERY: chrono::Duration = chrono::Duration::minutes(1);
    let weak = std::sync::Arc::downgrade(&state.clone().into_inner());
    let (pool, _) = db::connect(&state.config.database_url, 1)?;
    let mut cursor = {
        let mut conn = pool.get()?;
        if let Some(offset) = db::changes::clock_offset_ms(&mut conn)? {
            domain::set_clock_offset_ms(offset);
        }
        db::changes::cursor_at_end(&mut conn)?
    };
    let mut last_look = domain::now().naive_utc();
    let mut polls: u32 = 0;
    // Whether the last poll failed: an outage is logged when it starts and when it ends.
    let mut failing = false;
    background.spawn("warta-content-changes", move |stop| {
        while let Some(state) = weak.upgrade().filter(|_| !stop.requested()) {
            polls = polls.wrapping_add(1);
            let now = domain::now().naive_utc();
            // A connection per poll: one lost with the server is replaced once it is back.
            let polled = pool.get().map_err(db::DbError::from).and_then(|mut conn| {
                if polls.is_multiple_of(40) {
                    // Every ten seconds: the database's clock is the one "now" of every instance.
                    if let Some(offset) = db::changes::clock_offset_ms(&mut conn)? {
                        domain::set_clock_offset_ms(offset);
                    }
                }
                let found = db::changes::poll(&mut conn, &mut cursor)?;
                state.stats.generations.publish_found(found);
                let schedule = db::changes::schedule(&mut conn, last_look, now)?;
                state.stats.generations.observe_schedule(schedule);
                last_look = now;
                if polls.is_multiple_of(40) {
                    // One instance a minute prunes (see db::jobs).
                    db::write(&mut conn, |conn| {
                        if db::jobs::claim(conn, "prune-content-changes", PRUNE_EVERY, now)? {
                            db::changes::prune(conn, now - KEEP)?;
                        }
                        Ok::<_, db::DbError>(())
                    })?;
                    let audit_kept = chrono::Duration::days(i64::from(state.config.audit_retention_days));
                    db::audit::prune_when_due(&mut conn, now, audit_kept)?;
                }
                Ok(())
            });
            match polled {
                Ok(()) if failing => {
                    failing = false;
                    tracing::info!("the content changes are read again");
                }
                Ok(()) => {}
                Err(e) if !failing => {
                    failing = true;
                    tracing::warn!(error = %e, "cannot read the content changes; retrying every poll");
                }
                Err(_) => {}
            }
            drop(state);
            if !stop.sleep(POLL) {
                break;
            }
        }
    })?;
    Ok(())
}

/// Starts the webhook worker (`crate::webhooks`) with connections of its own, so that its
/// statements are not counted as the requests'.
fn deliver_webhooks(state: &web::Data<AppState>, background: &Background) -> anyhow::Result<()> {
    let (pool, _) = db::connect(&state.config.database_url, 4)?;
    let urls = state.media.urls.clone();
    let announce: crate::webhooks::Announce = Arc::new(move |conn, now| api::events::announce_due(conn, &urls, now));
    let weak = Arc::downgrade(&state.clone().into_inner());
    crate::webhooks::start(pool, state.config.webhooks.clone(), announce, background, move || weak.strong_count() > 0)
}

/// Writes every 30 s (and once more at shutdown) when the API tokens used meanwhile were last
/// used: a request made with a token costs no write of its own.
fn record_token_usage(state: &web::Data<AppState>, background: &Background) -> anyhow::Result<()> {
    const EVERY: Duration = Duration::from_secs(30);
    let (usage, pool) = (state.token_usage.clone(), state.pool.clone());
    let weak = Arc::downgrade(&state.clone().into_inner());
    const LOOK_EVERY: Duration = Duration::from_secs(1);
    background.spawn("warta-token-usage", move |stop| {
        let mut since = std::time::Instant::now();
        loop {
            let going_on = stop.sleep(LOOK_EVERY) && weak.strong_count() > 0;
            if going_on && since.elapsed() < EVERY {
                continue;
            }
            let written = pool.get().map_err(db::DbError::from).and_then(|mut conn| usage.write(&mut conn));
            if let Err(e) = written {
                tracing::warn!(error = %e, "cannot record when API tokens were last used");
            }
            if !going_on {
                break;
            }
            since = std::time::Instant::now();
        }
    })?;
    Ok(())
}

/// Removes, once an hour on one instance, the media files that no row names: those of a
/// deletion whose file removal failed, or of an upload whose row was never written.
fn sweep_media_files(state: &web::Data<AppState>, background: &Background) -> anyhow::Result<()> {
    const LOOK_EVERY: Duration = Duration::from_secs(60);
    const SWEEP_EVERY: chrono::Duration = chrono::Duration::hours(1);
    // An upload writes its files before its row: a file this young may still be getting one.
    const MIN_AGE: Duration = Duration::from_secs(3600);
    let weak = std::sync::Arc::downgrade(&state.clone().into_inner());
    background.spawn("warta-media-sweep", move |stop| {
        while stop.sleep(LOOK_EVERY) {
            let Some(state) = weak.upgrade() else { break };
            let swept = state.pool.get().map_err(db::DbError::from).map_err(Into::into).and_then(|mut conn| {
                let now = domain::now().naive_utc();
                if !db::write(&mut conn, |conn| db::jobs::claim(conn, "sweep-media-files", SWEEP_EVERY, now))? {
                    return Ok(0);
                }
                let written_before = std::time::SystemTime::now() - MIN_AGE;
                crate::media::library::sweep(state.media.store.as_ref(), &mut conn, written_before)
            });
            match swept {
                Ok(0) => {}
                Ok(n) => tracing::info!(files = n, "removed media files that no upload uses"),
                Err(e) => tracing::warn!(error = %e, "cannot sweep the media files"),
            }
        }
    })?;
    Ok(())
}

/// CORS from `WARTA_CORS_ORIGINS`. A request from another origin is served without CORS
/// headers, so a browser will not let the page read it.
fn cors(origins: &CorsOrigins) -> Cors {
    let cors = match origins {
        CorsOrigins::Any => Cors::default().allow_any_origin().send_wildcard(),
        CorsOrigins::List(list) => list.iter().fold(Cors::default(), |cors, origin| cors.allowed_origin(origin)),
    };
    cors.allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, header::IF_NONE_MATCH])
        .expose_headers(["X-Total-Count", "Link", "ETag", "Location", "Retry-After"])
        .block_on_origin_mismatch(false)
        .max_age(3600)
}
