//! API tokens over HTTP: staff make and delete their own (admins see and delete everyone's).
//! The token is shown once, at creation; its format and checks are in `auth::api_token`, and
//! what each scope allows is the table in `domain::scopes`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::articles::AuthorResponse;
use super::caching::{self, Audience};
use super::json::{JsonBody, ValidJson};
use super::pagination::{self, PageRequest, Paginated};
use super::query::{number_in, path_id, QueryReader};
use super::validation::not_blank;
use super::AppState;
use crate::auth::{api_token, token_hash, AuthUser};
use crate::db::api_tokens::{ApiToken, NewToken};
use crate::db::audit::Action;
use crate::db::users::Author;
use crate::db::{self, DbError};
use crate::domain::{self, permissions, Scope};
use crate::error::{AppError, FieldErrors, NotFoundAs, Problem};

/// An API token as its owner and admins see it: never the token itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenResponse {
    /// The token's id.
    #[schema(example = 7)]
    pub id: i64,
    /// What it is for.
    #[schema(example = "Newsletter harian")]
    pub name: String,
    /// What it may be used for.
    #[schema(example = json!(["content:read"]))]
    pub scopes: Vec<Scope>,
    /// Its first 12 characters, to recognise it by.
    #[schema(example = "warta_4fTq9Z")]
    pub prefix: String,
    /// Whose token it is: it acts as this user.
    pub user: AuthorResponse,
    /// When it stops working; null for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (recorded within a minute or so, not per request).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl From<(ApiToken, Author)> for ApiTokenResponse {
    fn from((token, author): (ApiToken, Author)) -> Self {
        ApiTokenResponse {
            id: token.id,
            scopes: token.scopes(),
            name: token.name,
            prefix: token.prefix,
            user: author.into(),
            expires_at: token.expires_at.map(|t| t.and_utc()),
            last_used_at: token.last_used_at.map(|t| t.and_utc()),
            created_at: token.created_at.and_utc(),
        }
    }
}

/// A new API token with the token itself, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiTokenResponse {
    #[serde(flatten)]
    pub api_token: ApiTokenResponse,
    /// Send it as `Authorization: Bearer <token>`. Only its hash is kept: it cannot be shown
    /// again.
    #[schema(example = "warta_4fTq9ZbC1xY7mN3pQ8rS2tU6vW0aB5cD9eF4gH1iJ7kL2m0Nq3Vd")]
    pub token: String,
}

/// A new API token of the caller.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiTokenRequest {
    /// What it is for, to tell tokens apart.
    #[validate(
        required(message = "is required"),
        custom(function = "not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[schema(example = "Newsletter harian", min_length = 1, max_length = 100, required = true)]
    pub name: Option<String>,
    /// What it may be used for (each at most once).
    #[validate(required(message = "is required"), custom(function = "scope_names"))]
    #[schema(value_type = Vec<Scope>, example = json!(["content:read"]), min_items = 1, max_items = 7, required = true)]
    pub scopes: Option<Vec<String>>,
    /// When it stops working, in the future; absent for never.
    pub expires_at: Option<DateTime<Utc>>,
}

impl JsonBody for CreateApiTokenRequest {
    const MAX_BYTES: usize = 16 * 1024;
}

/// Known scope names, 1 to 7 of them.
fn scope_names(names: &[String]) -> Result<(), ValidationError> {
    let fail = |message: String| {
        let mut error = ValidationError::new("scopes");
        error.message = Some(message.into());
        Err(error)
    };
    if names.is_empty() || names.len() > Scope::ALL.len() {
        return fail(format!("must name 1 to {} scopes", Scope::ALL.len()));
    }
    for name in names {
        if name.parse::<Scope>().is_err() {
            let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
            return fail(format!("`{name}` is not a scope; they are {}", known.join(", ")));
        }
    }
    Ok(())
}

/// The filter of the token list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenListParams {
    /// Only this user's tokens (admins; everyone else sees only their own).
    #[param(minimum = 1)]
    pub user: Option<i64>,
}

/// Whether `user` may see and delete a token of `owner`.
fn may_manage(user: &AuthUser, owner: i64) -> bool {
    owner == user.id || permissions::may_manage_all_tokens(user.role)
}

/// List API tokens
///
/// The caller's own tokens, newest first; an admin sees everyone's (`user` narrows it).
/// Never the tokens themselves.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "tokens", operation_id = "list_tokens",
    params(pagination::PageParams, TokenListParams),
    responses(
        (status = 200, description = "A page of tokens, newest first", body = Paginated<ApiTokenResponse>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API token: tokens never manage tokens", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_tokens(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    let wanted = q.parse("user", number_in(1, i64::MAX));
    q.finish()?;
    let owner = if permissions::may_manage_all_tokens(user.role) { wanted } else { Some(user.id) };
    if wanted.is_some_and(|w| Some(w) != owner) {
        return Err(FieldErrors::single("user", "only admins list other users' tokens"));
    }
    let usage = state.token_usage.clone();
    let (rows, total) = db::run(&state.pool, move |conn| {
        // What this instance noted is written first, so that the list is current.
        usage.write(conn)?;
        db::api_tokens::list(conn, owner, page.offset(), page.per_page)
    })
    .await?;
    let body = Paginated { data: rows.into_iter().map(ApiTokenResponse::from).collect(), meta: page.meta(total) };
    pagination::respond(&req, &body, Audience::Private)
}

/// Create an API token
///
/// A token of the caller, acting as them within its scopes. The answer shows the token, this
/// once.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "tokens", operation_id = "create_token",
    request_body = CreateApiTokenRequest,
    responses(
        (status = 201, description = "The token, shown this once", body = CreatedApiTokenResponse,
            headers(("Location" = String, description = "The token's URL"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API token: tokens never make tokens", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The caller holds the most tokens a user may", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_token(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<CreateApiTokenRequest>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let body = body.0;
    let now = domain::now();
    if body.expires_at.is_some_and(|at| at <= now) {
        return Err(FieldErrors::single("expires_at", "must be in the future"));
    }
    let name = body.name.unwrap_or_default().trim().to_owned();
    let mut scopes: Vec<Scope> = Vec::new();
    for scope in body.scopes.unwrap_or_default().iter().filter_map(|s| s.parse().ok()) {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    let token = api_token::generate();
    let (hash, prefix) = (token_hash(&token), api_token::shown_prefix(&token).to_owned());
    // Whole seconds, as the API shows times.
    let expires_at = body.expires_at.map(|at| at.trunc_subsecs(0));
    let (owner, who) = (user.id, user.who());
    let created = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let new = NewToken {
                user_id: owner,
                name: &name,
                token_hash: &hash,
                prefix: &prefix,
                scopes: &scopes,
                expires_at: expires_at.map(|t| t.naive_utc()),
            };
            let created = db::api_tokens::create(conn, &new, now.naive_utc())?;
            let named: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
            let summary = format!("{name} ({})", named.join(", "));
            db::audit::record(conn, &who, Action::TokenCreate, Some(created.0.id), &summary)?;
            Ok::<_, DbError>(created)
        })
    })
    .await?;
    let location = format!("/api/v1/tokens/{}", created.0.id);
    let shown = CreatedApiTokenResponse { api_token: created.into(), token };
    caching::created(&req, &shown, Some(location))
}

/// Get an API token
#[utoipa::path(
    get, path = "/api/v1/tokens/{id}", tag = "tokens", operation_id = "get_token",
    params(("id" = i64, Path, description = "The token's id", minimum = 1)),
    responses(
        (status = 200, description = "The token (never the token itself)", body = ApiTokenResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API token: tokens never manage tokens", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_token(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&path, "token")?;
    QueryReader::new(&req).finish()?;
    let usage = state.token_usage.clone();
    let found = db::run(&state.pool, move |conn| {
        usage.write(conn)?;
        db::api_tokens::find(conn, id)
    })
    .await
    .not_found_as("token")?;
    if !may_manage(&user, found.0.user_id) {
        return Err(AppError::not_found("token"));
    }
    caching::json(&req, &ApiTokenResponse::from(found), Audience::Private)
}

/// Delete an API token
///
/// It is refused from the next request on, on every instance.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "tokens", operation_id = "delete_token",
    params(("id" = i64, Path, description = "The token's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API token: tokens never manage tokens", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_token(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&path, "token")?;
    QueryReader::new(&req).finish()?;
    let who = user.who();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let (token, _) = db::api_tokens::find(conn, id)?;
            if !may_manage(&user, token.user_id) {
                return Err(DbError::NotFound);
            }
            db::api_tokens::delete(conn, id)?;
            db::audit::record(conn, &who, Action::TokenDelete, Some(id), &token.name)
        })
    })
    .await
    .not_found_as("token")?;
    Ok(HttpResponse::NoContent().finish())
}
