//! Redirects over HTTP: where an old path of the frontend leads (for its not-found handler),
//! and the editors' hand-made rules.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::cache;
use super::caching::{self, Audience};
use super::json::{JsonBody, ValidJson};
use super::pagination::{self, PageParams, PageRequest, Paginated};
use super::query::QueryReader;
use super::validation::http_url;
use super::AppState;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::db;
use crate::db::audit::Action;
use crate::db::redirects::{NewPathRule, PathRule, SlugOwner, TargetType};
use crate::domain::addresses::{normalize_path, MAX_PATH_BYTES};
use crate::domain::{self, invalidation, permissions};
use crate::error::{AppError, FieldErrors, NotFoundAs, Problem};

/// What a redirect leads to.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedirectTargetResponse {
    /// `article`, `category`, `tag`, `author` or `url`.
    #[schema(example = "article")]
    #[serde(rename = "type")]
    pub kind: String,
    /// The resource's id (`null` for a URL).
    #[schema(example = 42)]
    pub id: Option<i64>,
    /// The resource's current slug (`null` for a URL).
    #[schema(example = "harga-kopi-naik")]
    pub slug: Option<String>,
    /// The URL of a `url` target.
    #[schema(example = json!(null))]
    pub url: Option<String>,
}

/// Where an old path leads.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedirectResponse {
    /// The path, normalised as it was matched (percent-decoded, lower-cased, no trailing slash).
    #[schema(example = "/harga-kopi")]
    pub path: String,
    /// What it leads to; `null` for a 410.
    pub target: Option<RedirectTargetResponse>,
    /// The target's public address (from `WARTA_ARTICLE_URL` and its siblings, or the rule's
    /// URL); `null` for a 410.
    #[schema(example = "https://kabarharapan.example/harga-kopi-naik")]
    pub location: Option<String>,
    /// 301 (moved for good), 302 (for now) or 410 (gone).
    #[schema(example = 301)]
    pub status: i32,
}

/// Parameters of the redirect lookup.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameter that `get_redirect` parses by hand
pub struct GetRedirectQuery {
    /// A path of the frontend that found nothing, e.g. `/2019/05/harga-kopi/` or `/?p=123`.
    /// Matched with or without a trailing slash, case-insensitively and percent-decoded.
    #[param(example = "/harga-kopi", max_length = 2000)]
    path: Option<String>,
}

/// A 422 naming `path` unless `raw` is a path.
fn read_path(raw: &str) -> Result<String, String> {
    if raw.len() > MAX_PATH_BYTES {
        return Err(format!("must be at most {MAX_PATH_BYTES} bytes"));
    }
    if !raw.starts_with('/') {
        return Err("must be a path starting with /".into());
    }
    let path = normalize_path(raw);
    if path.contains('\0') {
        // No stored path holds NUL, and PostgreSQL refuses to compare text holding it.
        return Err("must not hold NUL (U+0000), percent-encoded or not".into());
    }
    Ok(path)
}

/// Where an old path leads
///
/// For a frontend's not-found handler: a path once in use (an old slug of an article,
/// category or tag under the site's URL templates, or a rule made by hand or by an import)
/// and where it leads now; a 404 for any other path.
#[utoipa::path(
    get, path = "/api/v1/redirects", tag = "redirects", operation_id = "get_redirect",
    params(GetRedirectQuery),
    responses(
        (status = 200, description = "Where the path leads", body = RedirectResponse),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The path is not known", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The path is missing or bad", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_redirect(
    req: HttpRequest,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut q = QueryReader::new(&req);
    if !q.has("path") {
        q.error("path", "is required");
    }
    let path = q.parse("path", read_path);
    q.finish()?;
    let path = path.ok_or_else(|| AppError::not_found("redirect"))?;
    let addresses = state.config.addresses.clone();
    let now = domain::now().naive_utc();
    let response = db::run(&state.pool, move |conn| -> Result<RedirectResponse, db::DbError> {
        let slug_of = |owner: SlugOwner| match owner {
            SlugOwner::Article => addresses.article.slug_in(&path),
            SlugOwner::Category => addresses.category.slug_in(&path),
            SlugOwner::Tag => addresses.tag.slug_in(&path),
        };
        let rule = db::redirects::resolve(conn, &path, slug_of)?.ok_or(db::DbError::NotFound)?;
        let kind = rule.target_type.as_deref().and_then(TargetType::parse);
        let (target, location) = match (kind, rule.target_id) {
            (Some(TargetType::Url), _) => (
                Some(RedirectTargetResponse { kind: "url".into(), id: None, slug: None, url: rule.url.clone() }),
                rule.url.clone(),
            ),
            (Some(kind), Some(id)) => {
                // A target the public cannot see (a story taken back to draft) is not shown.
                let (slug, at) = db::redirects::target_slug(conn, kind, id, Some(now))?.ok_or(db::DbError::NotFound)?;
                let template = match kind {
                    TargetType::Article => &addresses.article,
                    TargetType::Category => &addresses.category,
                    TargetType::Tag => &addresses.tag,
                    _ => &addresses.author,
                };
                let location = template.fill(&slug, id, at);
                let target =
                    RedirectTargetResponse { kind: kind.as_str().into(), id: Some(id), slug: Some(slug), url: None };
                (Some(target), Some(location))
            }
            _ => (None, None),
        };
        Ok(RedirectResponse { path: rule.path, target, location, status: rule.status })
    })
    .await
    .not_found_as("redirect")?;
    // Answers change with any rename or rule: they are cached by nothing finer than the lists.
    Ok(cache::shows(caching::json(&req, &response, state.audience(&user))?, invalidation::redirect_reads()))
}

/// A redirect rule made by hand.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedirectRuleResponse {
    /// The rule's id.
    #[schema(example = 3)]
    pub id: i64,
    /// The path it matches, normalised.
    #[schema(example = "/2019/05/harga-kopi")]
    pub path: String,
    /// 301, 302 or 410.
    #[schema(example = 301)]
    pub status: i32,
    /// `article`, `category`, `tag`, `author` or `url`; `null` for a 410.
    #[schema(example = "article")]
    pub target_type: Option<String>,
    /// The target resource's id.
    #[schema(example = 42)]
    pub target_id: Option<i64>,
    /// The target URL of a `url` rule.
    #[schema(example = json!(null))]
    pub url: Option<String>,
    /// When the rule was made.
    #[schema(example = "2024-11-24T08:30:00Z")]
    pub created_at: DateTime<Utc>,
}

impl From<PathRule> for RedirectRuleResponse {
    fn from(r: PathRule) -> Self {
        RedirectRuleResponse {
            id: r.id,
            path: r.path,
            status: r.status,
            target_type: r.target_type,
            target_id: r.target_id,
            url: r.url,
            created_at: r.created_at.and_utc(),
        }
    }
}

/// A new redirect rule: to a resource (`target_type`, `target_id`), to a `url`, or gone (410).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRedirectRuleRequest {
    /// The path to match, starting with `/`; stored normalised.
    #[validate(required(message = "is required"), length(min = 1, max = 2000, message = "must be 1 to 2000 bytes"))]
    #[schema(value_type = String, required = true, example = "/2019/05/harga-kopi", max_length = 2000)]
    pub path: Option<String>,
    /// 301 (the default), 302 or 410 (gone: no target).
    #[schema(example = 301)]
    pub status: Option<i32>,
    /// `article`, `category`, `tag` or `author`, with `target_id`.
    #[schema(example = "article")]
    pub target_type: Option<String>,
    /// The id of the target resource.
    #[schema(example = 42, minimum = 1)]
    pub target_id: Option<i64>,
    /// An http(s) URL to send readers to, instead of a resource.
    #[validate(custom(function = "http_url"))]
    #[schema(example = "https://arsip.kabarharapan.example/2019/harga-kopi", format = "uri", max_length = 2048)]
    pub url: Option<String>,
}

impl JsonBody for CreateRedirectRuleRequest {
    const MAX_BYTES: usize = 16 * 1024;
}

impl CreateRedirectRuleRequest {
    /// The rule, or a 422 naming every field that does not fit with the others.
    fn into_rule(self) -> Result<NewPathRule, AppError> {
        let mut errors = FieldErrors::new();
        let path = match read_path(self.path.as_deref().unwrap_or("")) {
            Ok(path) => path,
            Err(message) => {
                errors.add("path", message);
                String::new()
            }
        };
        let status = self.status.unwrap_or(301);
        if ![301, 302, 410].contains(&status) {
            errors.add("status", "must be 301, 302 or 410");
        }
        let kind = match self.target_type.as_deref() {
            None => None,
            Some(name) => match TargetType::parse(name).filter(|t| *t != TargetType::Url) {
                Some(kind) => Some(kind),
                None => {
                    errors.add("target_type", "must be one of: article, category, tag, author");
                    None
                }
            },
        };
        let target = match (status, kind, self.target_id, self.url) {
            (410, None, None, None) => None,
            (410, ..) => {
                errors.add("status", "a 410 (gone) has no target_type, target_id or url");
                None
            }
            (_, Some(kind), Some(id), None) => Some((kind, Some(id), None)),
            (_, None, None, Some(url)) => Some((TargetType::Url, None, Some(url))),
            (_, Some(_), None, None) => {
                errors.add("target_id", "is required with target_type");
                None
            }
            (_, None, Some(_), None) => {
                errors.add("target_type", "is required with target_id");
                None
            }
            (_, None, None, None) => {
                errors.add("target_type", "a 301 or 302 needs a target_type and target_id, or a url");
                None
            }
            _ => {
                errors.add("url", "a rule leads to a resource or to a url, not both");
                None
            }
        };
        errors.finish(NewPathRule { path, status, target })
    }
}

fn require_editor(user: &AuthUser) -> Result<(), AppError> {
    AppError::forbidden_unless(permissions::may_manage_redirects(user.role), "only editors and admins manage redirects")
}

/// List redirect rules
///
/// The rules made by hand (and by imports), newest first.
#[utoipa::path(
    get, path = "/api/v1/redirects/rules", tag = "redirects", operation_id = "list_redirect_rules",
    params(PageParams),
    responses(
        (status = 200, description = "A page of rules", body = Paginated<RedirectRuleResponse>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_redirect_rules(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_editor(&user)?;
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    q.finish()?;
    let (rows, total) =
        db::run(&state.pool, move |conn| db::redirects::rules(conn, page.offset(), page.per_page)).await?;
    let body = Paginated { data: rows.into_iter().map(RedirectRuleResponse::from).collect(), meta: page.meta(total) };
    pagination::respond(&req, &body, Audience::Private)
}

/// Create a redirect rule
#[utoipa::path(
    post, path = "/api/v1/redirects/rules", tag = "redirects", operation_id = "create_redirect_rule",
    request_body = CreateRedirectRuleRequest,
    responses(
        (status = 201, description = "The rule", body = RedirectRuleResponse,
            headers(("Location" = String, description = "The rule's URL"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The path has a rule already", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad (also a target that does not exist); every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_redirect_rule(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<CreateRedirectRuleRequest>,
) -> Result<HttpResponse, AppError> {
    require_editor(&user)?;
    QueryReader::new(&req).finish()?;
    let new = body.0.into_rule()?;
    let who = user.who();
    let rule = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let id = db::redirects::create_rule(conn, &new, domain::now().naive_utc())?;
            let rule = db::redirects::rule_for(conn, &new.path)?.filter(|r| r.id == id).ok_or(db::DbError::NotFound)?;
            db::audit::record(conn, &who, Action::RedirectCreate, Some(id), &new.path)?;
            Ok::<_, db::DbError>(rule)
        })
    })
    .await?;
    let location = format!("/api/v1/redirects/rules/{}", rule.id);
    caching::created(&req, &RedirectRuleResponse::from(rule), Some(location))
}

/// Delete a redirect rule
#[utoipa::path(
    delete, path = "/api/v1/redirects/rules/{id}", tag = "redirects", operation_id = "delete_redirect_rule",
    params(("id" = i64, Path, description = "The rule's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_redirect_rule(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_editor(&user)?;
    QueryReader::new(&req).finish()?;
    let id: i64 = path.parse().map_err(|_| AppError::not_found("redirect rule"))?;
    let who = user.who();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            db::redirects::delete_rule(conn, id)?;
            db::audit::record(conn, &who, Action::RedirectDelete, Some(id), "a redirect rule")
        })
    })
    .await
    .not_found_as("redirect rule")?;
    Ok(HttpResponse::NoContent().finish())
}
