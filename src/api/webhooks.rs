//! Webhook endpoints over HTTP (admins only): their management, secrets, pings and the
//! delivery log with redelivery. The events themselves are built in `events`, delivered by
//! `crate::webhooks`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::caching::{self, Audience};
use super::events::{self, EventType};
use super::json::{JsonBody, ValidJson};
use super::pagination::{self, PageRequest, Paginated};
use super::query::{path_id, QueryReader};
use super::validation::http_url;
use super::AppState;
use crate::auth::AuthUser;
use crate::db::audit::Action;
use crate::db::webhooks::{Delivery, Endpoint, EndpointChanges, NewEndpoint};
use crate::db::{self, DbError};
use crate::domain::{self, permissions};
use crate::error::{AppError, FieldErrors, NotFoundAs, Problem};
use crate::webhooks::{guard, signing};

/// An endpoint that hears of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    /// The endpoint's id.
    #[schema(example = 3)]
    pub id: i64,
    /// Where deliveries are posted.
    #[schema(example = "https://kabarharapan.id/api/revalidate")]
    pub url: String,
    /// What it is for, in words.
    #[schema(example = "Next.js revalidation")]
    pub description: String,
    /// The event types it takes, or `["*"]` for all.
    #[schema(example = json!(["article.published", "article.updated"]))]
    pub events: Vec<String>,
    /// Whether deliveries go out (a 410, or 3 days of failures, switch it off).
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When a delivery last succeeded.
    pub last_success_at: Option<DateTime<Utc>>,
    /// When a delivery last failed.
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Why the last delivery failed, or why the endpoint was switched off.
    #[schema(example = "answered 503 Service Unavailable")]
    pub last_failure_reason: Option<String>,
    /// Failures since the last success.
    #[schema(example = 0, minimum = 0)]
    pub consecutive_failures: i64,
}

impl From<Endpoint> for WebhookResponse {
    fn from(e: Endpoint) -> Self {
        WebhookResponse {
            id: e.id,
            events: e.event_list(),
            url: e.url,
            description: e.description,
            active: e.active,
            created_at: e.created_at.and_utc(),
            updated_at: e.updated_at.and_utc(),
            last_success_at: e.last_success_at.map(|t| t.and_utc()),
            last_failure_at: e.last_failure_at.map(|t| t.and_utc()),
            last_failure_reason: e.last_failure_reason,
            consecutive_failures: e.consecutive_failures,
        }
    }
}

/// An endpoint with its signing secret: shown when it is made and when it is rotated, never
/// again.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecretResponse {
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// The signing secret (`whsec_` + base64 of 24 random bytes), for Standard Webhooks
    /// verification.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// A new endpoint.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Where deliveries are posted: http(s); a loopback, private or link-local address, or
    /// `localhost`, only when the server allows private networks.
    #[validate(required(message = "is required"), custom(function = "http_url"))]
    #[schema(example = "https://kabarharapan.id/api/revalidate", max_length = 2048, required = true)]
    pub url: Option<String>,
    /// What it is for.
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[schema(example = "Next.js revalidation", max_length = 500)]
    pub description: Option<String>,
    /// The event types it takes (`*` for all); not `ping`, which every endpoint takes.
    #[validate(required(message = "is required"), custom(function = "event_names"))]
    #[schema(example = json!(["article.published", "article.updated"]), min_items = 1, max_items = 32, required = true)]
    pub events: Option<Vec<String>>,
}

impl JsonBody for CreateWebhookRequest {
    const MAX_BYTES: usize = 16 * 1024;
}

/// Changes to an endpoint; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[validate(custom(function = "http_url"))]
    #[schema(example = "https://kabarharapan.id/api/revalidate", max_length = 2048)]
    pub url: Option<String>,
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[validate(custom(function = "event_names"))]
    #[schema(min_items = 1, max_items = 32)]
    pub events: Option<Vec<String>>,
    /// Switches deliveries on or off; switching on forgets the failures.
    pub active: Option<bool>,
}

impl JsonBody for UpdateWebhookRequest {
    const MAX_BYTES: usize = 16 * 1024;
}

/// Event types an endpoint may subscribe to: known types other than `ping`, or `*`.
fn event_names(names: &[String]) -> Result<(), ValidationError> {
    let fail = |message: String| {
        let mut error = ValidationError::new("events");
        error.message = Some(message.into());
        Err(error)
    };
    if names.is_empty() || names.len() > 32 {
        return fail("must name 1 to 32 event types".into());
    }
    for name in names {
        match EventType::parse(name) {
            _ if name == "*" => {}
            Some(EventType::Ping) => return fail("ping is sent to every endpoint; it is not subscribed to".into()),
            Some(_) => {}
            None => {
                let known: Vec<&str> =
                    EventType::ALL.iter().filter(|t| **t != EventType::Ping).map(|t| t.as_str()).collect();
                return fail(format!("`{name}` is not an event type; they are *, {}", known.join(", ")));
            }
        }
    }
    Ok(())
}

/// The subscribed types, each once (`*` alone when it is among them).
fn normalized_events(names: Vec<String>) -> Vec<String> {
    if names.iter().any(|n| n == "*") {
        return vec!["*".into()];
    }
    let mut kept: Vec<String> = Vec::new();
    for name in names {
        if !kept.contains(&name) {
            kept.push(name);
        }
    }
    kept
}

/// A 422 on `url` unless the guard lets it through.
fn allowed_url(state: &AppState, raw: &str) -> Result<(), AppError> {
    let url = url::Url::parse(raw).map_err(|_| FieldErrors::single("url", "must be an http:// or https:// URL"))?;
    match guard::refusal(&url, state.config.webhooks.allow_private) {
        Some(why) => Err(FieldErrors::single("url", why)),
        None => Ok(()),
    }
}

fn require_admin(user: &AuthUser) -> Result<(), AppError> {
    AppError::forbidden_unless(permissions::may_manage_webhooks(user.role), "only admins manage webhooks")
}

fn private(status: actix_web::http::StatusCode, value: &impl Serialize) -> Result<HttpResponse, AppError> {
    let body = serde_json::to_vec(value).map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .content_type("application/json")
        .body(body))
}

/// List webhook endpoints
#[utoipa::path(
    get, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "list_webhooks",
    params(pagination::PageParams),
    responses(
        (status = 200, description = "A page of endpoints, oldest first", body = Paginated<WebhookResponse>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_webhooks(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    q.finish()?;
    let (rows, total) =
        db::run(&state.pool, move |conn| db::webhooks::list(conn, page.offset(), page.per_page)).await?;
    let body = Paginated { data: rows.into_iter().map(WebhookResponse::from).collect(), meta: page.meta(total) };
    pagination::respond(&req, &body, Audience::Private)
}

/// Create a webhook endpoint
///
/// The answer shows the signing secret, this once.
#[utoipa::path(
    post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "create_webhook",
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "The endpoint and its secret", body = WebhookWithSecretResponse,
            headers(("Location" = String, description = "The endpoint's URL"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad (a private address among them); every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_webhook(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<CreateWebhookRequest>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    QueryReader::new(&req).finish()?;
    let body = body.0;
    let url = body.url.unwrap_or_default();
    allowed_url(&state, &url)?;
    let new = NewEndpoint {
        url,
        description: body.description.unwrap_or_default().trim().to_owned(),
        events: normalized_events(body.events.unwrap_or_default()),
    };
    let (secret, who) = (signing::new_secret(), user.who());
    let stored_secret = secret.clone();
    let created = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let created = db::webhooks::create(conn, &new, &stored_secret, domain::now().naive_utc())?;
            let summary = format!("{} ({})", new.url, new.events.join(", "));
            db::audit::record(conn, &who, Action::WebhookCreate, Some(created.id), &summary)?;
            Ok::<_, DbError>(created)
        })
    })
    .await?;
    let location = format!("/api/v1/webhooks/{}", created.id);
    let shown = WebhookWithSecretResponse { webhook: created.into(), secret };
    caching::created(&req, &shown, Some(location))
}

/// Get a webhook endpoint
#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "get_webhook",
    params(("id" = i64, Path, description = "The endpoint's id", minimum = 1)),
    responses(
        (status = 200, description = "The endpoint", body = WebhookResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_webhook(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "webhook")?;
    QueryReader::new(&req).finish()?;
    let found = db::run(&state.pool, move |conn| db::webhooks::find(conn, id)).await.not_found_as("webhook")?;
    caching::json(&req, &WebhookResponse::from(found), Audience::Private)
}

/// Update a webhook endpoint
#[utoipa::path(
    patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "update_webhook",
    params(("id" = i64, Path, description = "The endpoint's id", minimum = 1)),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "The endpoint", body = WebhookResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_webhook(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<UpdateWebhookRequest>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "webhook")?;
    QueryReader::new(&req).finish()?;
    let body = body.0;
    if let Some(url) = &body.url {
        allowed_url(&state, url)?;
    }
    let changes = EndpointChanges {
        url: body.url,
        description: body.description.map(|d| d.trim().to_owned()),
        events: body.events.map(normalized_events),
        active: body.active,
    };
    let who = user.who();
    let updated = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let updated = db::webhooks::update(conn, id, &changes, domain::now().naive_utc())?;
            let summary = crate::changed_fields!(changes; url, description, events, active);
            db::audit::record(conn, &who, Action::WebhookUpdate, Some(id), &summary)?;
            Ok::<_, DbError>(updated)
        })
    })
    .await
    .not_found_as("webhook")?;
    caching::json(&req, &WebhookResponse::from(updated), Audience::Private)
}

/// Delete a webhook endpoint
///
/// Its delivery log goes with it; deliveries not yet made are not made.
#[utoipa::path(
    delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "delete_webhook",
    params(("id" = i64, Path, description = "The endpoint's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_webhook(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "webhook")?;
    QueryReader::new(&req).finish()?;
    let who = user.who();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let endpoint = db::webhooks::find(conn, id)?;
            db::webhooks::delete(conn, id)?;
            db::audit::record(conn, &who, Action::WebhookDelete, Some(id), &endpoint.url)
        })
    })
    .await
    .not_found_as("webhook")?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a webhook endpoint's secret
///
/// The answer shows the new secret, this once. For 24 hours deliveries carry a signature by
/// each secret, so that receivers can switch over without losing one.
#[utoipa::path(
    post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks", operation_id = "rotate_webhook_secret",
    params(("id" = i64, Path, description = "The endpoint's id", minimum = 1)),
    responses(
        (status = 200, description = "The endpoint and its new secret", body = WebhookWithSecretResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rotate_webhook_secret(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "webhook")?;
    QueryReader::new(&req).finish()?;
    let (secret, who) = (signing::new_secret(), user.who());
    let stored_secret = secret.clone();
    let rotated = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let rotated = db::webhooks::rotate_secret(conn, id, &stored_secret, domain::now().naive_utc())?;
            db::audit::record(conn, &who, Action::WebhookRotateSecret, Some(id), "the old secret signs for 24 hours")?;
            Ok::<_, DbError>(rotated)
        })
    })
    .await
    .not_found_as("webhook")?;
    private(actix_web::http::StatusCode::OK, &WebhookWithSecretResponse { webhook: rotated.into(), secret })
}

/// Ping a webhook endpoint
///
/// Queues a `ping` event for this endpoint alone, whatever it subscribes to; the delivery log
/// shows how it went.
#[utoipa::path(
    post, path = "/api/v1/webhooks/{id}/ping", tag = "webhooks", operation_id = "ping_webhook",
    params(("id" = i64, Path, description = "The endpoint's id", minimum = 1)),
    responses(
        (status = 202, description = "The ping is queued"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn ping_webhook(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "webhook")?;
    QueryReader::new(&req).finish()?;
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            db::webhooks::find(conn, id)?;
            events::ping(conn, id)
        })
    })
    .await
    .not_found_as("webhook")?;
    Ok(HttpResponse::Accepted().insert_header((header::CACHE_CONTROL, "private, no-store")).finish())
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Its first attempt or a retry is still to come.
    Pending,
    /// An attempt was answered with a 2xx.
    Succeeded,
    /// Every attempt failed.
    Failed,
}

impl DeliveryStatus {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// One event's delivery to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    /// The delivery's id.
    #[schema(example = 812)]
    pub id: i64,
    /// The event's id.
    #[schema(example = 640)]
    pub event_id: i64,
    /// The event's type.
    #[serde(rename = "type")]
    #[schema(example = "article.published")]
    pub kind: String,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    #[schema(example = 1, minimum = 0)]
    pub attempts: i64,
    /// The status of the last attempt's answer, when one came.
    #[schema(example = 200)]
    pub response_status: Option<i64>,
    /// How long the last attempt took, in milliseconds.
    #[schema(example = 35)]
    pub response_ms: Option<i64>,
    /// Why the last attempt failed.
    #[schema(example = json!(null))]
    pub error: Option<String>,
    /// When the next attempt is due, while one is.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        DeliveryResponse {
            id: d.id,
            event_id: d.event_id,
            kind: d.kind,
            status: match d.status.as_str() {
                "succeeded" => DeliveryStatus::Succeeded,
                "failed" => DeliveryStatus::Failed,
                _ => DeliveryStatus::Pending,
            },
            attempts: d.attempts,
            response_status: d.response_status,
            response_ms: d.response_ms,
            error: d.error,
            next_attempt_at: d.next_attempt_at.map(|t| t.and_utc()),
            created_at: d.created_at.and_utc(),
        }
    }
}

/// The parameters of the delivery log.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters that `list_deliveries` parses by hand
pub struct DeliveryQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
    /// Only deliveries in this state.
    status: Option<DeliveryStatus>,
}

/// List an endpoint's deliveries
///
/// Newest first.
#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "list_webhook_deliveries",
    params(("id" = i64, Path, description = "The endpoint's id", minimum = 1), DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries, newest first", body = Paginated<DeliveryResponse>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_webhook_deliveries(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "webhook")?;
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    let status = q.parse("status", |s| match s {
        "pending" => Ok(DeliveryStatus::Pending),
        "succeeded" => Ok(DeliveryStatus::Succeeded),
        "failed" => Ok(DeliveryStatus::Failed),
        _ => Err("must be pending, succeeded or failed".to_owned()),
    });
    q.finish()?;
    let (rows, total) = db::run(&state.pool, move |conn| {
        db::webhooks::deliveries(conn, id, status.map(DeliveryStatus::as_str), page.offset(), page.per_page)
    })
    .await
    .not_found_as("webhook")?;
    let body = Paginated { data: rows.into_iter().map(DeliveryResponse::from).collect(), meta: page.meta(total) };
    pagination::respond(&req, &body, Audience::Private)
}

/// Redeliver an event
///
/// Queues a new attempt of the delivery now, whatever became of the earlier ones; it goes out
/// beside the endpoint's other deliveries, not after them.
#[utoipa::path(
    post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", tag = "webhooks",
    operation_id = "redeliver_webhook",
    params(
        ("id" = i64, Path, description = "The endpoint's id", minimum = 1),
        ("delivery_id" = i64, Path, description = "The delivery's id", minimum = 1),
    ),
    responses(
        (status = 202, description = "The attempt is queued", body = DeliveryResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint, or no such delivery of it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn redeliver_webhook(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path.0, "webhook")?;
    let delivery_id = path_id(&path.1, "delivery")?;
    QueryReader::new(&req).finish()?;
    let queued =
        db::run(&state.pool, move |conn| db::webhooks::redeliver(conn, id, delivery_id, domain::now().naive_utc()))
            .await
            .not_found_as("delivery")?;
    private(actix_web::http::StatusCode::ACCEPTED, &DeliveryResponse::from(queued))
}
