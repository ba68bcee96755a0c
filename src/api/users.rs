//! Users over HTTP: staff accounts, managed by admins.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::caching::{self, Audience};
use super::json::{JsonBody, ValidJson};
use super::pagination::{self, PageParams, PageRequest, Paginated};
use super::query::{number_in, path_id, QueryReader};
use super::validation::{double_option, not_blank, password_strength};
use super::{stored, AppState};
use crate::auth::AuthUser;
use crate::db;
use crate::db::audit::Action;
use crate::domain::{self, permissions, Role};
use crate::error::{AppError, NotFoundAs, Problem};

/// A staff account. The password is never part of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// The user's id.
    #[schema(example = 3)]
    pub id: i64,
    /// Login email, lower-cased.
    #[schema(example = "dewi.anggraini@kabarharapan.example")]
    pub email: String,
    /// Name shown in bylines.
    #[schema(example = "Dewi Anggraini")]
    pub display_name: String,
    /// URL-safe name, unique among users.
    #[schema(example = "dewi-anggraini")]
    pub slug: String,
    /// A short biography; may be empty.
    #[schema(example = "Wartawan ekonomi dan internasional.")]
    pub bio: String,
    /// What the user may do.
    pub role: Role,
    /// Whether the user may log in; deactivated users' tokens stop working at once.
    #[schema(example = true)]
    pub active: bool,
    /// When the account was created.
    #[schema(example = "2024-01-05T09:00:00Z")]
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    #[schema(example = "2024-03-01T10:15:00Z")]
    pub updated_at: DateTime<Utc>,
}

impl From<db::users::User> for UserResponse {
    fn from(u: db::users::User) -> Self {
        UserResponse {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            slug: u.slug,
            bio: u.bio,
            role: stored(&u.role),
            active: u.active,
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
        }
    }
}

/// A new staff account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login email; unique, compared without case.
    #[validate(
        required(message = "is required"),
        email(message = "must be a valid email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    #[schema(value_type = String, required = true, example = "dewi.anggraini@kabarharapan.example", format = "email", max_length = 254)]
    pub email: Option<String>,
    /// Name shown in bylines.
    #[validate(
        required(message = "is required"),
        custom(function = "not_blank"),
        length(min = 1, max = 100, message = "must be 1 to 100 characters")
    )]
    #[schema(value_type = String, required = true, example = "Dewi Anggraini", min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    /// At least 10 characters; stored as an Argon2id hash, never returned. Leave it out to
    /// invite the user instead (`POST /api/v1/users/{id}/invite`): they set their own.
    #[validate(custom(function = "password_strength"))]
    #[schema(value_type = String, example = "kopi-tubruk-pagi", min_length = 10, max_length = 1024, format = "password")]
    pub password: Option<String>,
    /// What the user may do.
    #[validate(required(message = "is required"))]
    #[schema(value_type = Role, required = true)]
    pub role: Option<Role>,
    /// A short biography.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(example = "Wartawan ekonomi dan internasional.", max_length = 2000)]
    pub bio: Option<String>,
}

/// Changes to a staff account; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New login email.
    #[validate(
        email(message = "must be a valid email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    #[schema(example = "dewi@kabarharapan.example", format = "email", max_length = 254)]
    pub email: Option<String>,
    /// New display name.
    #[validate(custom(function = "not_blank"), length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[schema(example = "Dewi A.", min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    /// New password (at least 10 characters); ends every login of the user.
    #[validate(custom(function = "password_strength"))]
    #[schema(example = "kopi-tubruk-sore", min_length = 10, max_length = 1024, format = "password")]
    pub password: Option<String>,
    /// New role; a different one ends every login of the user.
    pub role: Option<Role>,
    /// New biography; `null` empties it.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(example = "Redaktur pelaksana.", value_type = Option<String>, max_length = 2000)]
    pub bio: Option<Option<String>>,
    /// `false` deactivates the user: their tokens stop working at once.
    #[schema(example = false)]
    pub active: Option<bool>,
}

// An email, name, 1024-character password and 2,000-character bio, however escaped.
impl JsonBody for CreateUserRequest {
    const MAX_BYTES: usize = 64 * 1024;
}

impl JsonBody for UpdateUserRequest {
    const MAX_BYTES: usize = 64 * 1024;
}

fn require_admin(user: &AuthUser) -> Result<(), AppError> {
    AppError::forbidden_unless(permissions::may_manage_users(user.role), "only admins manage users")
}

/// List users
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users", operation_id = "list_users",
    params(PageParams),
    responses(
        (status = 200, description = "A page of users, by id", body = Paginated<UserResponse>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_users(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    q.finish()?;
    let (rows, total) = db::run(&state.pool, move |conn| db::users::list(conn, page.offset(), page.per_page)).await?;
    let body = Paginated { data: rows.into_iter().map(UserResponse::from).collect(), meta: page.meta(total) };
    pagination::respond(&req, &body, Audience::Private)
}

/// Create a user
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users", operation_id = "create_user",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "The user", body = UserResponse,
            headers(("Location" = String, description = "The new user's URL"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many password hashes at once", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn create_user(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<CreateUserRequest>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    QueryReader::new(&req).finish()?;
    let body = body.0;
    // Without a password the account cannot log in until its invite is accepted.
    let hash = match body.password {
        Some(password) => state.hashing.hash(password).await?,
        None => db::users::NO_PASSWORD.to_owned(),
    };
    let new = db::users::NewUser {
        email: body.email.unwrap_or_default(),
        display_name: body.display_name.unwrap_or_default().trim().to_owned(),
        password_hash: hash,
        role: body.role.unwrap_or_default(),
        bio: body.bio.unwrap_or_default(),
    };
    let who = user.who();
    let created = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let id = db::users::create(conn, &new, domain::now())?;
            let summary = format!("{} <{}> ({})", new.display_name, new.email, new.role);
            db::audit::record(conn, &who, Action::UserCreate, Some(id), &summary)?;
            db::users::find(conn, id)
        })
    })
    .await?;
    let location = format!("/api/v1/users/{}", created.id);
    caching::created(&req, &UserResponse::from(created), Some(location))
}

/// Get a user
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users", operation_id = "get_user",
    params(("id" = i64, Path, description = "The user's id", minimum = 1)),
    responses(
        (status = 200, description = "The user", body = UserResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_user(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "user")?;
    QueryReader::new(&req).finish()?;
    let found = db::run(&state.pool, move |conn| db::users::find(conn, id)).await.not_found_as("user")?;
    caching::json(&req, &UserResponse::from(found), Audience::Private)
}

/// Update a user
///
/// `{"active": false}` deactivates: the user's tokens stop working at the next request. A new
/// `password` or `role` ends every login of the user the same way: they log in again.
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users", operation_id = "update_user",
    params(("id" = i64, Path, description = "The user's id", minimum = 1)),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The user", body = UserResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is taken, or this would leave no active admin", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many password hashes at once", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn update_user(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<UpdateUserRequest>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "user")?;
    QueryReader::new(&req).finish()?;
    let body = body.0;
    let password_hash = match body.password {
        Some(password) => Some(state.hashing.hash(password).await?),
        None => None,
    };
    let changes = db::users::UserChanges {
        email: body.email,
        display_name: body.display_name.map(|n| n.trim().to_owned()),
        password_hash,
        role: body.role,
        bio: body.bio.map(Option::unwrap_or_default),
        active: body.active,
    };
    let who = user.who();
    let updated = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let updated = db::users::update(conn, id, &changes, domain::now())?;
            // Which fields changed, never their values: `password_hash` is named `password`.
            let fields = crate::changed_fields!(changes; email, display_name, password_hash, role, bio, active)
                .replace("password_hash", "password");
            let summary = format!("{} <{}>: {fields}", updated.display_name, updated.email);
            db::audit::record(conn, &who, Action::UserUpdate, Some(id), &summary)?;
            Ok::<_, db::DbError>(updated)
        })
    })
    .await
    .not_found_as("user")?;
    caching::json(&req, &UserResponse::from(updated), Audience::Private)
}

/// Parameters of a user deletion.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameter that `delete_user` parses by hand
pub struct DeleteUserQuery {
    /// The user who takes over the deleted user's articles; required when there are any.
    #[param(minimum = 1)]
    reassign_to: Option<i64>,
}

/// Delete a user
///
/// A user who wrote articles can only be deleted with `?reassign_to={user_id}`.
#[utoipa::path(
    delete, path = "/api/v1/users/{id}", tag = "users", operation_id = "delete_user",
    params(("id" = i64, Path, description = "The user's id", minimum = 1), DeleteUserQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user wrote articles and no reassign_to was given, or is the last admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_user(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "user")?;
    let mut q = QueryReader::new(&req);
    let reassign_to = q.parse("reassign_to", number_in(1, i64::MAX));
    q.finish()?;
    let who = user.who();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let gone = db::users::find(conn, id)?;
            db::users::delete(conn, id, reassign_to)?;
            let mut summary = format!("{} <{}>", gone.display_name, gone.email);
            if let Some(to) = reassign_to {
                summary.push_str(&format!(", articles to user {to}"));
            }
            db::audit::record(conn, &who, Action::UserDelete, Some(id), &summary)
        })
    })
    .await
    .not_found_as("user")?;
    Ok(HttpResponse::NoContent().finish())
}

/// A one-time invite token.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteResponse {
    /// Pass it on to the user (Warta sends no email); they accept it at
    /// `POST /api/v1/auth/accept-invite` with a password of their own. Shown once: only its
    /// hash is stored.
    #[schema(example = "Zq3v9yXw1sT8uE5sL2aD6fG0pKwh3Yv0y0m6jW2bqk9")]
    pub token: String,
    /// When it stops working (7 days from now).
    #[schema(example = "2024-12-01T08:30:00Z")]
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// How long an invite is valid.
const INVITE_TTL: chrono::Duration = chrono::Duration::days(7);

/// Invite a user
///
/// A one-time token with which the user sets their own password, valid 7 days; it replaces any
/// open invite of theirs. An admin never needs to know anyone's password.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/invite", tag = "users", operation_id = "invite_user",
    params(("id" = i64, Path, description = "The user's id", minimum = 1)),
    responses(
        (status = 201, description = "The invite", body = InviteResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn invite_user(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path_id(&path, "user")?;
    QueryReader::new(&req).finish()?;
    let token = crate::auth::random_token(32);
    let hash = crate::auth::token_hash(&token);
    let who = user.who();
    let expires_at = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let invited = db::users::find(conn, id)?;
            let expires_at = db::invites::create(conn, id, &hash, domain::now(), INVITE_TTL)?;
            let summary = format!("{} <{}>", invited.display_name, invited.email);
            db::audit::record(conn, &who, Action::UserInvite, Some(id), &summary)?;
            Ok::<_, db::DbError>(expires_at)
        })
    })
    .await
    .not_found_as("user")?;
    let invite = InviteResponse { token, expires_at: expires_at.and_utc() };
    caching::created(&req, &invite, None)
}
