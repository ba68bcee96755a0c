//! Credentials and identity: Argon2id password hashes, HS256 access tokens, opaque refresh
//! tokens (stored only as hashes), and the `AuthUser` / `MaybeAuthUser` extractors.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::api::AppState;
use crate::db;
use crate::domain::Role;
use crate::error::AppError;

/// Hashes `password` with Argon2id and a fresh random salt, as a PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// How many Argon2 computations may run at once, and how long a request waits for a turn.
///
/// Each Argon2id hash holds about 19 MiB while it runs and keeps a core busy; without a bound,
/// a burst of logins runs as many at once as the blocking pool has threads (hundreds), which
/// takes gigabytes and makes every one of them slow. Every hash and check of a password made
/// for a request goes through here.
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
    wait: Duration,
}

/// Seconds a caller turned away by [`PasswordHashing`] is told to wait.
const HASHING_RETRY_AFTER_SECS: u64 = 1;

impl Default for PasswordHashing {
    /// Twice as many at once as there are cores, each waiting at most 2 s for its turn.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PasswordHashing::new(2 * cores, Duration::from_secs(2))
    }
}

impl PasswordHashing {
    /// At most `at_once` computations at a time; a request waits up to `wait` for its turn.
    pub fn new(at_once: usize, wait: Duration) -> PasswordHashing {
        PasswordHashing { permits: Arc::new(Semaphore::new(at_once.max(1))), wait }
    }

    /// A turn, or the 503 for a caller that waited too long.
    async fn turn(&self) -> Result<OwnedSemaphorePermit, AppError> {
        let acquire = self.permits.clone().acquire_owned();
        match actix_web::rt::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(AppError::Internal(closed.into())),
            Err(_elapsed) => Err(AppError::Overloaded {
                detail: "too many password checks at once; try again shortly".into(),
                retry_after_secs: HASHING_RETRY_AFTER_SECS,
            }),
        }
    }

    /// Runs `work` on the blocking pool in a turn. The turn goes with the work, so that a
    /// request given up by its client still holds it until its hash is done.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let permit = self.turn().await?;
        web::block(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))
    }

    /// [`hash_password`] in a turn, off the async workers.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_password(&password)).await?.map_err(AppError::Internal)
    }

    /// [`verify_password`] in a turn, off the async workers. `None` checks against a decoy
    /// hash, so that an unknown email takes as long as a wrong password.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move || match hash {
            Some(hash) => verify_password(&password, &hash),
            None => {
                verify_password(&password, decoy_hash());
                false
            }
        })
        .await
    }
}

/// A hash that no password is known for, made once (on the blocking pool, at first use).
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token(24)).unwrap_or_default())
}

/// `n` random bytes as unpadded base64url text.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a refresh token, hex: what the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The login (refresh-token family) the token belongs to.
    pub sid: String,
    /// The role when the token was issued (the current role is read at each request).
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

const ISSUER: &str = "warta";

/// The HS256 keys of this process.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    /// Keys from `secret`.
    pub fn new(secret: &[u8]) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        TokenKeys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    /// An access token for `user_id` in login `sid`, valid for `ttl_secs`.
    pub fn issue(
        &self,
        user_id: i64,
        role: Role,
        sid: &str,
        now: DateTime<Utc>,
        ttl_secs: u32,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user_id.to_string(),
            sid: sid.to_owned(),
            role,
            iat: now.timestamp(),
            exp: now.timestamp() + i64::from(ttl_secs),
            iss: ISSUER.into(),
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// The claims of a well-signed, unexpired HS256 token; anything else is `None`.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok().map(|data| data.claims)
    }
}

/// An authenticated, active staff member, as the database says now.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub role: Role,
    /// The login this request's token belongs to.
    pub session: String,
}

/// The caller, when the request carries a token; a bad token is still a 401.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

fn unauthorized(detail: &str) -> AppError {
    AppError::Unauthorized(detail.to_owned())
}

/// Reads the bearer token of `req`: `Ok(None)` without an Authorization header.
fn bearer(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let value = value.to_str().map_err(|_| unauthorized("the Authorization header is not a bearer token"))?;
    let (scheme, token) =
        value.split_once(' ').ok_or_else(|| unauthorized("the Authorization header is not a bearer token"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(unauthorized("the Authorization header is not a bearer token"));
    }
    Ok(Some(token.trim().to_owned()))
}

async fn authenticate(req: HttpRequest) -> Result<Option<AuthUser>, AppError> {
    let Some(token) = bearer(&req)? else { return Ok(None) };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?
        .clone();
    let claims = state.keys.verify(&token).ok_or_else(|| unauthorized("the access token is invalid or expired"))?;
    let user_id: i64 = claims.sub.parse().map_err(|_| unauthorized("the access token is invalid or expired"))?;
    let session = claims.sid.clone();
    let found = db::run(&state.pool, move |conn| db::users::session_holder(conn, user_id, &session)).await?;
    let (id, role) = found.ok_or_else(|| unauthorized("the access token is no longer valid"))?;
    Ok(Some(AuthUser { id, role, session: claims.sid }))
}

impl FromRequest for MaybeAuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(MaybeAuthUser) })
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req)
                .await?
                .ok_or_else(|| unauthorized("this needs an access token: Authorization: Bearer <token>"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("rahasia-redaksi").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-redaksi", &hash));
        assert!(!verify_password("rahasia-redaksi!", &hash));
        assert!(!verify_password("rahasia-redaksi", "not a hash"));
    }

    #[actix_web::test]
    async fn password_work_waits_for_a_turn_and_gives_up_with_a_503() {
        let hashing = PasswordHashing::new(1, Duration::from_millis(50));
        let held = hashing.turn().await.unwrap();
        match hashing.verify("x".into(), None).await {
            Err(e @ AppError::Overloaded { retry_after_secs: 1, .. }) => {
                let response = actix_web::ResponseError::error_response(&e);
                assert_eq!(response.status().as_u16(), 503);
                assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "1");
            }
            other => panic!("expected a 503, got {other:?}"),
        }
        drop(held);
        let hash = hashing.hash("rahasia-redaksi".into()).await.unwrap();
        assert!(hashing.verify("rahasia-redaksi".into(), Some(hash)).await.unwrap());
        assert!(!hashing.verify("rahasia-redaksi".into(), None).await.unwrap(), "the decoy matches nothing");
    }

    #[test]
    fn tokens_verify_with_their_own_secret_only() {
        let keys = TokenKeys::new(b"secret-one-secret-one-secret-one");
        let token = keys.issue(7, Role::Editor, "s1", Utc::now(), 60).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.sid.as_str(), claims.role), ("7", "s1", Role::Editor));
        assert!(TokenKeys::new(b"another-secret-another-secret-12").verify(&token).is_none());
        let expired = keys.issue(7, Role::Editor, "s1", Utc::now() - chrono::Duration::hours(1), 60).unwrap();
        assert!(keys.verify(&expired).is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (a, b) = (random_token(32), random_token(32));
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a.clone()), "the same token always finds its row");
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
