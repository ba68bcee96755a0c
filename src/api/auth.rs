//! Authentication over HTTP: login, refresh-token rotation, logout, and the caller's user.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::caching::{self, Audience};
use super::client::{client_network, origin_of};
use super::json::{JsonBody, ValidJson};
use super::query::QueryReader;
use super::throttle::refusal;
use super::users::UserResponse;
use super::validation::password_strength;
use super::AppState;
use crate::auth::{random_token, token_hash, AuthUser};
use crate::db::audit::{Action, Actor, Who};
use crate::db::{self, sessions::Rotation, sessions::Session};
use crate::domain::{self, Role};
use crate::error::{AppError, FieldErrors, Problem};
use crate::limits::{LimitError, Limiter};

/// Credentials of a staff member.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login email (any case).
    #[validate(required(message = "is required"), length(min = 1, max = 254, message = "must be 1 to 254 characters"))]
    #[schema(value_type = String, required = true, example = "dewi.anggraini@kabarharapan.example", min_length = 1, max_length = 254)]
    pub email: Option<String>,
    /// The password.
    #[validate(
        required(message = "is required"),
        length(min = 1, max = 1024, message = "must be 1 to 1024 characters")
    )]
    #[schema(value_type = String, required = true, example = "warta-demo-2026", min_length = 1, max_length = 1024, format = "password")]
    pub password: Option<String>,
}

/// A refresh token, to renew or to end a login.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The opaque refresh token from the last login or refresh.
    #[validate(required(message = "is required"), length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(example = "h3Yv0y0m6jW2bqk9oN7c1xZQ4rT8uE5sL2aD6fG0pKw", value_type = String, required = true, min_length = 1, max_length = 200)]
    pub refresh_token: Option<String>,
}

// Every valid login fits, even with each character of a 1024-character password escaped
// as a `\uXXXX` pair.
impl JsonBody for LoginRequest {
    const MAX_BYTES: usize = 16 * 1024;
    const STORED: bool = false;
}

impl JsonBody for RefreshRequest {
    const MAX_BYTES: usize = 16 * 1024;
    const STORED: bool = false;
}

/// A fresh pair of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Short-lived HS256 JWT: send as `Authorization: Bearer <token>`.
    #[schema(example = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIzIn0.c2lnbmF0dXJl")]
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u32,
    /// Opaque, single-use: exchange it at `/auth/refresh` for a new pair.
    #[schema(example = "h3Yv0y0m6jW2bqk9oN7c1xZQ4rT8uE5sL2aD6fG0pKw")]
    pub refresh_token: String,
    /// The logged-in user.
    pub user: UserResponse,
}

fn invalid_credentials() -> AppError {
    AppError::Unauthorized("the email or password is wrong".into())
}

fn token_pair(
    state: &AppState,
    user: db::users::User,
    session: &Session,
    refresh: String,
) -> Result<TokenResponse, AppError> {
    let role: Role = super::stored(&user.role);
    let ttl = state.config.access_token_ttl;
    let access_token = state.keys.issue(user.id, role, &session.family, domain::now(), ttl)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        refresh_token: refresh,
        user: user.into(),
    })
}

/// Log in
///
/// Unknown emails and wrong passwords get the same 401 in about the same time. Repeated
/// failures for one account or one client address (an IPv6 client's /64) are throttled
/// with 429; attempts are counted before they are checked, so concurrent ones count too.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "Bearer"))),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Too many password checks at once", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let LoginRequest { email, password } = body.0;
    let (email, password) = (email.unwrap_or_default().trim().to_lowercase(), password.unwrap_or_default());
    let network = client_network(&req, &state.config.trusted_proxies);
    let (account_key, address_key) = (format!("account:{email}"), format!("address:{network}"));
    let throttles = &state.throttles;
    // Every attempt takes a failure slot before its password is checked, so that attempts
    // made at once cannot all pass a throttle that none of them has failed yet. The address
    // goes first: an account slot (whose keys the client chooses) is taken only within the
    // address's budget.
    throttles.address.hit(&address_key).await.map_err(throttled)?;
    if let Err(refused) = throttles.account.hit(&account_key).await {
        release(&*throttles.address, &address_key).await;
        return Err(throttled(refused));
    }

    let origin = origin_of(&req, &state.config.trusted_proxies);
    let user = match check_credentials(&state, email, password).await {
        Ok(Ok(user)) => user,
        Ok(Err(matched)) => {
            // The slots stay taken: they are this failure.
            tracing::info!(network = network.as_str(), "failed login");
            // The account the email named, if any; never what was typed.
            let who = Who { actor: Actor::anonymous(), origin: origin.clone() };
            let summary = if matched.is_some() { "wrong password or inactive account" } else { "no such account" };
            db::run(&state.pool, move |conn| db::audit::record(conn, &who, Action::LoginFailed, matched, summary))
                .await?;
            return Err(invalid_credentials());
        }
        Err(e) => {
            // Nothing was checked (overload, database): the attempt does not count.
            release(&*throttles.account, &account_key).await;
            release(&*throttles.address, &address_key).await;
            return Err(e);
        }
    };
    // A success forgives the account's failures; the address keeps the others' failures.
    if let Err(e) = throttles.account.clear(&account_key).await {
        tracing::warn!(error = %e, "cannot clear the account's failed logins");
    }
    release(&*throttles.address, &address_key).await;

    let refresh = random_token(32);
    let session = Session { family: random_token(16), user_id: user.id };
    let hash = token_hash(&refresh);
    let ttl = Duration::seconds(i64::from(state.config.refresh_token_ttl));
    let who = Who { actor: Actor::user(user.id, &user.display_name), origin };
    let session = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let session = db::sessions::start(conn, session, &hash, domain::now(), ttl)?;
            db::audit::record(conn, &who, Action::Login, None, "password")?;
            Ok::<_, db::DbError>(session)
        })
    })
    .await?;
    let pair = token_pair(&state, user, &session, refresh)?;
    caching::json(&req, &pair, Audience::Private)
}

/// The active user whose email and password these are; else the id of the account the email
/// names, if any. An unknown email is checked against a decoy hash so that it takes as long
/// as a wrong password.
async fn check_credentials(
    state: &AppState,
    email: String,
    password: String,
) -> Result<Result<db::users::User, Option<i64>>, AppError> {
    let found = db::run(&state.pool, move |conn| db::users::find_for_login(conn, &email)).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matches = state.hashing.verify(password, hash).await?;
    Ok(match user {
        Some(user) if matches && user.active => Ok(user),
        other => Err(other.map(|user| user.id)),
    })
}

fn throttled(refused: LimitError) -> AppError {
    refusal(refused, "too many failed logins; try again later")
}

/// Gives back a slot that an attempt reserved and did not use.
async fn release(limiter: &dyn Limiter, key: &str) {
    if let Err(e) = limiter.release(key).await {
        tracing::warn!(error = %e, "cannot release a reserved login slot");
    }
}

/// Renew tokens
///
/// Spends the refresh token and returns a new pair. Presenting a spent refresh token again
/// revokes every token of that login.
#[utoipa::path(
    post, path = "/api/v1/auth/refresh", tag = "auth", operation_id = "refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the old refresh token is spent", body = TokenResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The refresh token is unknown, expired, spent or revoked", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "Bearer"))),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let presented = token_hash(&body.0.refresh_token.unwrap_or_default());
    let next = random_token(32);
    let next_hash = token_hash(&next);
    let ttl = Duration::seconds(i64::from(state.config.refresh_token_ttl));
    let who = Who { actor: Actor::anonymous(), origin: origin_of(&req, &state.config.trusted_proxies) };
    let outcome = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let rotation = db::sessions::rotate(conn, &presented, &next_hash, domain::now(), ttl)?;
            let user = match &rotation {
                Rotation::Rotated(session) => Some(db::users::find(conn, session.user_id)?),
                Rotation::Reused { user_id } => {
                    let summary = "a spent refresh token was presented again; the login is revoked";
                    db::audit::record(conn, &who, Action::RefreshReused, Some(*user_id), summary)?;
                    None
                }
                Rotation::Invalid => None,
            };
            Ok::<_, AppError>((rotation, user))
        })
    })
    .await?;
    match outcome {
        (Rotation::Rotated(session), Some(user)) => {
            let pair = token_pair(&state, user, &session, next)?;
            caching::json(&req, &pair, Audience::Private)
        }
        (Rotation::Reused { .. }, _) => {
            tracing::warn!("a spent refresh token was presented again; its login is revoked");
            Err(AppError::Unauthorized("the refresh token was used already; its login has been revoked".into()))
        }
        _ => Err(AppError::Unauthorized("the refresh token is not valid".into())),
    }
}

/// Log out
///
/// Ends the login of the refresh token: it and every access token of that login stop working.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "logout",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out (also for an unknown token)"),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let hash = token_hash(&body.0.refresh_token.unwrap_or_default());
    let origin = origin_of(&req, &state.config.trusted_proxies);
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            if let Some(user_id) = db::sessions::end(conn, &hash, domain::now())? {
                let name = db::users::find(conn, user_id)?.display_name;
                let who = Who { actor: Actor::user(user_id, &name), origin };
                db::audit::record(conn, &who, Action::Logout, None, "refresh token")?;
            }
            Ok::<_, db::DbError>(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's user
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth", operation_id = "get_me",
    responses(
        (status = 200, description = "The caller", body = UserResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "Bearer"))),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn me(req: HttpRequest, user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let found = db::run(&state.pool, move |conn| db::users::find(conn, user.id)).await?;
    caching::json(&req, &UserResponse::from(found), Audience::Private)
}

/// A change of one's own password.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    /// The password now.
    #[validate(
        required(message = "is required"),
        length(min = 1, max = 1024, message = "must be 1 to 1024 characters")
    )]
    #[schema(value_type = String, required = true, example = "kopi-tubruk-pagi", min_length = 1, max_length = 1024, format = "password")]
    pub current_password: Option<String>,
    /// The new password, at least 10 characters.
    #[validate(required(message = "is required"), custom(function = "password_strength"))]
    #[schema(value_type = String, required = true, example = "kopi-tubruk-sore", min_length = 10, max_length = 1024, format = "password")]
    pub new_password: Option<String>,
}

/// An invite being accepted.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    /// The token from `POST /api/v1/users/{id}/invite`.
    #[validate(required(message = "is required"), length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(value_type = String, required = true, example = "Zq3v9yXw1sT8uE5sL2aD6fG0pKwh3Yv0y0m6jW2bqk9", min_length = 1, max_length = 200)]
    pub token: Option<String>,
    /// The password to log in with from now on, at least 10 characters.
    #[validate(required(message = "is required"), custom(function = "password_strength"))]
    #[schema(value_type = String, required = true, example = "kopi-tubruk-pagi", min_length = 10, max_length = 1024, format = "password")]
    pub password: Option<String>,
}

// Two 1024-character passwords, however escaped.
impl JsonBody for PasswordChangeRequest {
    const MAX_BYTES: usize = 32 * 1024;
    const STORED: bool = false;
}

impl JsonBody for AcceptInviteRequest {
    const MAX_BYTES: usize = 16 * 1024;
    const STORED: bool = false;
}

/// Change your password
///
/// Any staff member, for themselves: the current password proves it is them. Every other login
/// of theirs ends (this one goes on). A wrong current password is a 422 naming it, and counts
/// as a failed login of the account (throttled the same way).
#[utoipa::path(
    post, path = "/api/v1/auth/password", tag = "auth", operation_id = "change_password",
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Changed; other logins ended"),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad (a wrong current password too); every bad field is named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords for this account", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Too many password hashes at once", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn change_password(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<PasswordChangeRequest>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let PasswordChangeRequest { current_password, new_password } = body.0;
    let id = user.id;
    let (account, stored) = db::run(&state.pool, move |conn| db::users::credentials_of(conn, id)).await?;
    // The same account budget as logins: a stolen access token cannot guess the password here.
    let account_key = format!("account:{account}");
    state.throttles.account.hit(&account_key).await.map_err(throttled)?;
    let matches = match state.hashing.verify(current_password.unwrap_or_default(), Some(stored)).await {
        Ok(matches) => matches,
        Err(e) => {
            release(&*state.throttles.account, &account_key).await;
            return Err(e);
        }
    };
    if !matches {
        return Err(FieldErrors::single("current_password", "is not your current password"));
    }
    if let Err(e) = state.throttles.account.clear(&account_key).await {
        tracing::warn!(error = %e, "cannot clear the account's failed logins");
    }
    let hash = state.hashing.hash(new_password.unwrap_or_default()).await?;
    let who = user.who();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            db::users::set_password(conn, user.id, &hash, user.login(), domain::now())?;
            db::audit::record(conn, &who, Action::PasswordChange, Some(user.id), "other logins ended")
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Accept an invite
///
/// Sets the password of the invited user and logs them in (the answer is a login's). The token
/// works once, for 7 days, for an active user; every other token is a 401.
#[utoipa::path(
    post, path = "/api/v1/auth/accept-invite", tag = "auth", operation_id = "accept_invite",
    request_body = AcceptInviteRequest,
    responses(
        (status = 200, description = "The password is set; a new login", body = TokenResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The invite is unknown, spent or expired, or its user inactive", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many password hashes at once", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn accept_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<AcceptInviteRequest>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let AcceptInviteRequest { token, password } = body.0;
    let invite_hash = token_hash(&token.unwrap_or_default());
    // Hashed before the write: Argon2 never runs inside a transaction.
    let password_hash = state.hashing.hash(password.unwrap_or_default()).await?;
    let refresh = random_token(32);
    let refresh_hash = token_hash(&refresh);
    let family = random_token(16);
    let ttl = Duration::seconds(i64::from(state.config.refresh_token_ttl));
    let origin = origin_of(&req, &state.config.trusted_proxies);
    let accepted = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let now = domain::now();
            let Some(user_id) = db::invites::accept(conn, &invite_hash, &password_hash, now)? else {
                return Ok(None);
            };
            let user = db::users::find(conn, user_id)?;
            let who = Who { actor: Actor::user(user.id, &user.display_name), origin };
            let session = db::sessions::start(conn, Session { family, user_id }, &refresh_hash, now, ttl)?;
            db::audit::record(conn, &who, Action::InviteAccept, Some(user_id), "password set; logged in")?;
            Ok::<_, db::DbError>(Some((user, session)))
        })
    })
    .await?;
    let Some((user, session)) = accepted else {
        return Err(AppError::Unauthorized("the invite is unknown, used or expired".into()));
    };
    let pair = token_pair(&state, user, &session, refresh)?;
    caching::json(&req, &pair, Audience::Private)
}
