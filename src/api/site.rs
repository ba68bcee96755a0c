//! The site's public settings, and the operational probes.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::cache;
use super::caching;
use super::query::QueryReader;
use super::AppState;
use crate::auth::MaybeAuthUser;
use crate::db::{self, DbError};
use crate::domain::invalidation;
use crate::error::{AppError, Problem};

/// What a frontend needs to present the site.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteResponse {
    /// The site's name.
    #[schema(example = "Kabar Harapan")]
    pub title: String,
    /// The site's tagline.
    #[schema(example = "Memberikan Informasi Terupdate Dalam Negri & Luar Negri")]
    pub description: String,
    /// The public site's address.
    #[schema(example = "https://kabarharapan.example")]
    pub url: String,
    /// Default BCP 47 language of the content.
    #[schema(example = "id")]
    pub language: String,
}

/// Get the site settings
#[utoipa::path(
    get,
    path = "/api/v1/site",
    tag = "site",
    operation_id = "get_site",
    responses(
        (status = 200, description = "The site settings", body = SiteResponse,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_site(
    req: HttpRequest,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let site = &state.config.site;
    let body = SiteResponse {
        title: site.title.clone(),
        description: site.description.clone(),
        url: site.url.clone(),
        language: site.language.clone(),
    };
    Ok(cache::shows(caching::json(&req, &body, state.audience(&user))?, invalidation::site_reads()))
}

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResponse {
    /// `ok` when healthy.
    #[schema(example = "ok")]
    pub status: String,
}

fn probe_response(status: &str) -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(StatusResponse { status: status.to_owned() })
}

/// Liveness
///
/// 200 whenever the process is up.
#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    operation_id = "health",
    responses((status = 200, description = "The process is up", body = StatusResponse))
)]
pub async fn health() -> HttpResponse {
    probe_response("ok")
}

/// Readiness
///
/// 200 only when the database answers and the instance is not shutting down: after SIGTERM,
/// 503 for the grace period (`WARTA_SHUTDOWN_GRACE_SECS`) while every other request is still
/// served, so that a load balancer's health check takes the instance out before it stops.
#[utoipa::path(
    get,
    path = "/ready",
    tag = "operations",
    operation_id = "ready",
    responses(
        (status = 200, description = "The database answers", body = StatusResponse),
        (status = 503, description = "The database does not answer, or the instance is shutting down", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if state.draining.load(std::sync::atomic::Ordering::Acquire) {
        // Not a fault to log at every health check: the instance is going away on purpose.
        return Err(AppError::Overloaded { detail: "the instance is shutting down".into(), retry_after_secs: 1 });
    }
    db::run(&state.pool, db::ping).await.map_err(|e: DbError| AppError::Unavailable(e.to_string()))?;
    Ok(probe_response("ok"))
}
