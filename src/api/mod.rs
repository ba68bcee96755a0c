//! HTTP only: one module per resource (request/response types and handlers), the route
//! table, pagination, caching headers and the OpenAPI document.

pub mod articles;
pub mod audit;
pub mod auth;
pub mod authors;
pub mod cache;
pub mod caching;
pub mod categories;
pub mod client;
pub mod comments;
pub mod cursor;
pub mod events;
pub mod json;
pub mod media;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod previews;
pub mod query;
pub mod redirects;
pub mod revisions;
pub mod site;
pub mod tags;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod validation;
pub mod webhooks;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, FromRequest, Handler, HttpRequest, HttpResponse, Resource, Responder, ResponseError};
use std::str::FromStr;
use std::sync::Arc;

use crate::config::Config;
use crate::db::{DbPool, DbStats};
use crate::error::{AppError, Problem, PROBLEM_JSON};
use caching::Audience;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub stats: Arc<DbStats>,
    /// The OpenAPI document, serialized once.
    pub openapi_json: web::Bytes,
    /// The keys that sign and check access tokens.
    pub keys: crate::auth::TokenKeys,
    /// Failed-login throttles.
    pub throttles: throttle::LoginThrottles,
    /// Public comment submissions per client network.
    pub comment_limit: Box<dyn crate::limits::Limiter>,
    /// The bound on Argon2 work running at once.
    pub hashing: crate::auth::PasswordHashing,
    /// Request counts and latencies.
    pub metrics: metrics::Metrics,
    /// Answers of public reads, current until content changes.
    pub cache: cache::ResponseCache,
    /// Totals of public article lists, current until content changes.
    pub counts: cache::CountCache,
    /// The writer that commits reader comments in groups.
    pub group_commit: crate::db::group::GroupCommit,
    /// Uploaded images: their store, the image threads and the files' addresses.
    pub media: std::sync::Arc<crate::media::Library>,
    /// When API tokens were last used, written in batches.
    pub token_usage: Arc<crate::auth::api_token::Usage>,
    /// The instance is shutting down: `/ready` answers 503 while requests are still served.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    /// How public responses may be cached.
    pub fn public_audience(&self) -> Audience {
        Audience::Public { max_age: self.config.cache_max_age }
    }

    /// Public caching for anonymous callers; `private, no-store` for an authenticated one.
    pub fn audience(&self, user: &crate::auth::MaybeAuthUser) -> Audience {
        match user.0 {
            Some(_) => Audience::Private,
            None => self.public_audience(),
        }
    }
}

/// A stored vocabulary value (status, policy) back as its type. The database's CHECK
/// constraints admit only known values, so the fallback is never taken in practice.
pub fn stored<T: FromStr + Default>(text: &str) -> T {
    text.parse().unwrap_or_else(|_| {
        tracing::error!(value = text, "unknown value stored in the database");
        T::default()
    })
}

/// The route table; `/metrics` is here unless it has a listener of its own.
pub fn routes(cfg: &mut web::ServiceConfig, with_metrics: bool) {
    use web::{delete, get, head, patch, post};
    if with_metrics {
        metrics_routes(cfg);
    }
    cfg.service(readable("/health", site::health))
        .service(readable("/ready", site::ready))
        .service(readable("/openapi.json", openapi_document))
        .service(readable("/media/{name}", media::get_media_file))
        .service(readable("/docs", docs_redirect))
        .service(
            web::scope("/api/v1")
                .service(
                    readable("/articles", articles::list_articles)
                        .route(post().to(articles::create_article))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(
                    readable("/articles/{id_or_slug}", articles::get_article)
                        .route(patch().to(articles::update_article))
                        .route(delete().to(articles::delete_article))
                        .default_service(not_allowed("GET, HEAD, PATCH, DELETE")),
                )
                .service(
                    web::resource("/articles/{id_or_slug}/preview")
                        .route(post().to(previews::create_preview))
                        .route(delete().to(previews::revoke_previews))
                        .default_service(not_allowed("POST, DELETE")),
                )
                .service(readable("/preview/{token}", previews::get_preview))
                .service(readable("/articles/{id_or_slug}/revisions", revisions::list_revisions))
                .service(readable("/articles/{id_or_slug}/revisions/{revision_id}", revisions::get_revision))
                .service(readable("/articles/{id_or_slug}/revisions/{revision_id}/diff", revisions::diff_revisions))
                .service(only(
                    "/articles/{id_or_slug}/revisions/{revision_id}/restore",
                    post().to(revisions::restore_revision),
                    "POST",
                ))
                .service(readable("/audit", audit::list_audit))
                .service(
                    readable("/articles/{id_or_slug}/comments", comments::list_article_comments)
                        .route(post().to(comments::create_comment))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(readable("/comments", comments::list_comments))
                .service(
                    web::resource("/comments/{id}")
                        .route(patch().to(comments::update_comment))
                        .route(delete().to(comments::delete_comment))
                        .default_service(not_allowed("PATCH, DELETE")),
                )
                .service(
                    readable("/categories", categories::list_categories)
                        .route(post().to(categories::create_category))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(
                    readable("/categories/{id_or_slug}", categories::get_category)
                        .route(patch().to(categories::update_category))
                        .route(delete().to(categories::delete_category))
                        .default_service(not_allowed("GET, HEAD, PATCH, DELETE")),
                )
                .service(
                    readable("/tags", tags::list_tags)
                        .route(post().to(tags::create_tag))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(
                    readable("/tags/{id_or_slug}", tags::get_tag)
                        .route(patch().to(tags::update_tag))
                        .route(delete().to(tags::delete_tag))
                        .default_service(not_allowed("GET, HEAD, PATCH, DELETE")),
                )
                .service(
                    web::resource("/media")
                        .route(get().to(media::list_media))
                        .route(head().to(media::list_media))
                        .route(post().to(media::upload_media))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(
                    web::resource("/media/{id}")
                        .route(get().to(media::get_media))
                        .route(head().to(media::get_media))
                        .route(patch().to(media::update_media))
                        .route(delete().to(media::delete_media))
                        .default_service(not_allowed("GET, HEAD, PATCH, DELETE")),
                )
                .service(readable("/redirects", redirects::get_redirect))
                .service(
                    web::resource("/redirects/rules")
                        .route(get().to(redirects::list_redirect_rules))
                        .route(head().to(redirects::list_redirect_rules))
                        .route(post().to(redirects::create_redirect_rule))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(only("/redirects/rules/{id}", delete().to(redirects::delete_redirect_rule), "DELETE"))
                .service(readable("/authors", authors::list_authors))
                .service(readable("/authors/{id_or_slug}", authors::get_author))
                .service(readable("/site", site::get_site))
                .service(only("/auth/login", post().to(auth::login), "POST"))
                .service(only("/auth/refresh", post().to(auth::refresh), "POST"))
                .service(only("/auth/logout", post().to(auth::logout), "POST"))
                .service(only("/auth/password", post().to(auth::change_password), "POST"))
                .service(only("/auth/accept-invite", post().to(auth::accept_invite), "POST"))
                .service(readable("/auth/me", auth::me))
                .service(
                    web::resource("/users")
                        .route(get().to(users::list_users))
                        .route(head().to(users::list_users))
                        .route(post().to(users::create_user))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(only("/users/{id}/invite", post().to(users::invite_user), "POST"))
                .service(
                    web::resource("/webhooks")
                        .route(get().to(webhooks::list_webhooks))
                        .route(head().to(webhooks::list_webhooks))
                        .route(post().to(webhooks::create_webhook))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(
                    web::resource("/webhooks/{id}")
                        .route(get().to(webhooks::get_webhook))
                        .route(head().to(webhooks::get_webhook))
                        .route(patch().to(webhooks::update_webhook))
                        .route(delete().to(webhooks::delete_webhook))
                        .default_service(not_allowed("GET, HEAD, PATCH, DELETE")),
                )
                .service(only("/webhooks/{id}/rotate-secret", post().to(webhooks::rotate_webhook_secret), "POST"))
                .service(only("/webhooks/{id}/ping", post().to(webhooks::ping_webhook), "POST"))
                .service(
                    web::resource("/webhooks/{id}/deliveries")
                        .route(get().to(webhooks::list_webhook_deliveries))
                        .route(head().to(webhooks::list_webhook_deliveries))
                        .default_service(not_allowed("GET, HEAD")),
                )
                .service(only(
                    "/webhooks/{id}/deliveries/{delivery_id}/redeliver",
                    post().to(webhooks::redeliver_webhook),
                    "POST",
                ))
                .service(
                    web::resource("/users/{id}")
                        .route(get().to(users::get_user))
                        .route(head().to(users::get_user))
                        .route(patch().to(users::update_user))
                        .route(delete().to(users::delete_user))
                        .default_service(not_allowed("GET, HEAD, PATCH, DELETE")),
                )
                .service(
                    web::resource("/tokens")
                        .route(get().to(tokens::list_tokens))
                        .route(head().to(tokens::list_tokens))
                        .route(post().to(tokens::create_token))
                        .default_service(not_allowed("GET, HEAD, POST")),
                )
                .service(
                    web::resource("/tokens/{id}")
                        .route(get().to(tokens::get_token))
                        .route(head().to(tokens::get_token))
                        .route(delete().to(tokens::delete_token))
                        .default_service(not_allowed("GET, HEAD, DELETE")),
                ),
        );
}

/// A resource with one route; other methods are a 405.
fn only(path: &str, route: actix_web::Route, allow: &'static str) -> Resource {
    web::resource(path).route(route).default_service(not_allowed(allow))
}

/// A read resource: GET, and HEAD answered by the same handler (actix sends no body for
/// HEAD); other methods are a 405 unless the caller adds routes and its own default.
fn readable<F, Args>(path: &str, handler: F) -> Resource
where
    F: Handler<Args> + Clone,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(not_allowed("GET, HEAD"))
}

/// The 405 answer naming the methods `allow`ed.
fn not_allowed(allow: &'static str) -> actix_web::Route {
    web::to(move |req: HttpRequest| async move {
        let mut response =
            AppError::MethodNotAllowed(format!("{} is not allowed here; use {allow}", req.method())).error_response();
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
        response
    })
}

/// Prometheus metrics
///
/// Requests by route template and status, a latency histogram, database pool usage and
/// response-cache hits and misses, in the Prometheus text format. Served on
/// `WARTA_METRICS_BIND` instead when that is set, so that it need not be public.
#[utoipa::path(
    get, path = "/metrics", tag = "operations", operation_id = "metrics",
    responses((status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain; version=0.0.4"))
)]
pub async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.state();
    let text = state
        .metrics
        .render((pool.connections, pool.idle_connections, state.config.db_pool_size), state.stats.statements());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text)
}

/// The routes of the metrics listener (`WARTA_METRICS_BIND`).
pub fn metrics_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(readable("/metrics", metrics_text));
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish()
}

async fn openapi_document(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    caching::json_bytes(&req, state.openapi_json.clone(), state.public_audience())
}

/// The answer for paths that name nothing.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    AppError::NotFound(format!("no resource at {}", req.path())).error_response()
}

/// Turns any error response that is not problem+json yet (from actix itself or a
/// middleware) into one, keeping its status and headers.
pub fn problemize<B: MessageBody + 'static>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = match (status.is_client_error(), res.response().error()) {
        (true, Some(err)) => err.to_string(),
        _ => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    let (req, old) = res.into_parts();
    let mut new = Problem::new(status, detail).into_response();
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    let res: ServiceResponse<EitherBody<B>> = ServiceResponse::new(req, new).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}
