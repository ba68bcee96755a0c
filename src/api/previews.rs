//! Draft preview: staff make a token for one article, and the real frontend shows the article
//! through it as it is now, before it is published (Next.js draft mode and the like).

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::articles::{find_for, staff_sees_all, ArticleResponse};
use super::caching::{self, Audience};
use super::query::QueryReader;
use super::AppState;
use crate::auth::{self, AuthUser};
use crate::db;
use crate::db::audit::Action;

use crate::domain::{self, IdOrSlug};
use crate::error::{AppError, NotFoundAs, Problem};

/// A preview token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    /// Shows this article at `GET /api/v1/preview/{token}`, and nothing else.
    #[schema(example = "3q2-7wEjTFm6H0yX2o1b4c5d6e7f8g9h0i1j2k3l4m5")]
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// `WARTA_PREVIEW_URL` filled with the token and the article's slug; null when unset.
    #[schema(
        example = "https://kabarharapan.id/api/draft?token=3q2-7wEjTFm6H0yX2o1b4c5d6e7f8g9h0i1j2k3l4m5&slug=harga-kopi-naik"
    )]
    pub url: Option<String>,
}

/// What a filled-in value keeps as it is: RFC 3986's unreserved characters (tokens and slugs
/// are made of them only).
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `template` with `{token}` and `{slug}` filled (each percent-encoded for a URL).
fn filled(template: &str, token: &str, slug: &str) -> String {
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string();
    template.replace("{token}", &encode(token)).replace("{slug}", &encode(slug))
}

fn key_of(path: &str) -> Result<IdOrSlug, AppError> {
    IdOrSlug::parse(path).ok_or_else(|| AppError::not_found("article"))
}

/// Create a preview token
///
/// For staff who may see the article, draft or published: a token that shows it as it is now
/// for `WARTA_PREVIEW_TTL` seconds (default 3600).
#[utoipa::path(
    post, path = "/api/v1/articles/{id_or_slug}/preview", tag = "articles", operation_id = "create_preview",
    params(("id_or_slug" = String, Path, description = "The article's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)),
    responses(
        (status = 201, description = "The token, shown this once", body = PreviewResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_preview(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = key_of(&path)?;
    QueryReader::new(&req).finish()?;
    let token = auth::random_token(32);
    let hash = auth::token_hash(&token);
    let now = domain::now();
    // Whole seconds, as the API shows times.
    let expires_at = (now + chrono::Duration::seconds(i64::from(state.config.preview_ttl))).trunc_subsecs(0);
    let slug = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let article = find_for(conn, &key, &user)?;
            let id = article.meta.id;
            db::previews::create(conn, id, &hash, user.id, expires_at.naive_utc(), now.naive_utc())?;
            let summary = format!("\"{}\", until {}", article.meta.title, expires_at.to_rfc3339());
            db::audit::record(conn, &user.who(), Action::PreviewCreate, Some(id), &summary)?;
            Ok::<_, AppError>(article.meta.slug)
        })
    })
    .await?;
    let url = state.config.preview_url.as_deref().map(|t| filled(t, &token, &slug));
    caching::created(&req, &PreviewResponse { token, expires_at, url }, None)
}

/// Revoke an article's preview tokens
///
/// Every token of the article stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/articles/{id_or_slug}/preview", tag = "articles", operation_id = "revoke_previews",
    params(("id_or_slug" = String, Path, description = "The article's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_previews(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = key_of(&path)?;
    QueryReader::new(&req).finish()?;
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let article = find_for(conn, &key, &user)?;
            let revoked = db::previews::revoke(conn, article.meta.id)?;
            let summary = format!("\"{}\": {revoked} token(s)", article.meta.title);
            db::audit::record(conn, &user.who(), Action::PreviewRevoke, Some(article.meta.id), &summary)?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Preview an article
///
/// The article a preview token was made for, whole and as it is now (a draft too), with no
/// other credential. Never cached, never indexed. An expired or revoked token, or one whose
/// article is gone, is a 404.
#[utoipa::path(
    get, path = "/api/v1/preview/{token}", tag = "articles", operation_id = "get_preview",
    params(("token" = String, Path, description = "A preview token", max_length = 100)),
    responses(
        (status = 200, description = "The article", body = ArticleResponse,
            headers(("X-Robots-Tag" = String, description = "noindex"))),
        (status = 404, description = "No such token, or it expired or was revoked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_preview(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let token = path.into_inner();
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::not_found("preview"));
    }
    let hash = auth::token_hash(&token);
    let view = db::run(&state.pool, move |conn| {
        let id = db::previews::article_of(conn, &hash, domain::now().naive_utc())?;
        db::articles::find(conn, &IdOrSlug::Id(id), staff_sees_all())
    })
    .await
    .map_err(AppError::from)
    .not_found_as("preview")?;
    let mut response = caching::json(&req, &ArticleResponse::new(view, &state.media.urls), Audience::Private)?;
    response.headers_mut().insert(HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}
