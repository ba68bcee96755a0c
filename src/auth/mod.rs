//! Credentials and identity: Argon2id password hashes, HS256 access tokens, opaque refresh
//! tokens and API tokens (both stored only as hashes), and the `AuthUser` / `MaybeAuthUser`
//! extractors.

pub mod api_token;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm as Argon2Algorithm, Argon2, Block, Params, Version};
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
use crate::db::audit::{Actor, Origin, Who};
use crate::domain::scopes::{token_access, TokenAccess};
use crate::domain::Role;
use crate::error::AppError;

/// Argon2 working memory (19 MiB with the default parameters), kept by a hashing thread
/// from one hash to the next.
///
/// Argon2's own `hash_password_into` allocates it afresh for every hash, 64-byte aligned, and
/// glibc keeps such freed blocks without reusing them well: RSS grew by 19 MiB per login for
/// at least twenty sequential logins (measured). A buffer per hashing thread, reused, keeps
/// the memory of password work at one buffer per thread, whatever the number of logins.
#[derive(Default)]
pub struct HashMemory(Vec<Block>);

impl HashMemory {
    /// The first `count` blocks, grown to that size on first use.
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            self.0.resize(count, Block::new());
        }
        &mut self.0[..count]
    }
}

/// Hashes `password` with Argon2id (default parameters) and a fresh random salt, as a PHC
/// string, in `memory`.
pub fn hash_password_in(password: &str, memory: &mut HashMemory) -> anyhow::Result<String> {
    let argon2 = Argon2::default();
    let params = argon2.params().clone();
    let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
    rand::rng().fill_bytes(&mut salt);
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    argon2
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory.blocks(params.block_count()))
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))?;
    let phc = || -> Result<PasswordHash, argon2::password_hash::Error> {
        Ok(PasswordHash {
            algorithm: Argon2Algorithm::default().ident(),
            version: Some(Version::default().into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(Salt::new(&salt)?),
            hash: Some(Output::new(&out)?),
        })
    };
    Ok(phc().map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))?.to_string())
}

/// Whether `password` matches the PHC string `hash` (with the algorithm, version and
/// parameters it names), computed in `memory`; a malformed hash never matches.
pub fn verify_password_in(password: &str, hash: &str, memory: &mut HashMemory) -> bool {
    let mut check = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let (salt, expected) = (parsed.salt?, parsed.hash?);
        let algorithm = Argon2Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
        let version = parsed.version.map(Version::try_from).transpose().ok()?.unwrap_or_default();
        let params = Params::try_from(&parsed).ok()?;
        let count = params.block_count();
        let mut out = vec![0u8; expected.len()];
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory.blocks(count))
            .ok()?;
        // `Output` compares in constant time.
        Some(Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
}

/// [`hash_password_in`] with memory of its own (for the CLI and start-up, not for requests).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    hash_password_in(password, &mut HashMemory::default())
}

/// [`verify_password_in`] with memory of its own.
pub fn verify_password(password: &str, hash: &str) -> bool {
    verify_password_in(password, hash, &mut HashMemory::default())
}

/// How many Argon2 computations may run at once, and how long a request waits for a turn.
///
/// Each Argon2id hash holds about 19 MiB while it runs and keeps a core busy; without a bound,
/// a burst of logins runs as many at once as the blocking pool has threads (hundreds), which
/// takes gigabytes and makes every one of them slow. Every hash and check of a password made
/// for a request goes through here: a turn (a permit) is waited for, then the work runs on
/// one of as many threads of its own as there are turns. Not on the shared blocking pool:
/// the allocator keeps a freed Argon2 buffer for reuse by the thread that freed it, so work
/// spread over many pool threads leaves a buffer on each (measured: 330 MB after 20 checks
/// through 4 permits), while a few threads of our own keep a few.
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
    wait: Duration,
    jobs: std::sync::mpsc::Sender<Job>,
}

/// A hash or check to run on a hashing thread, in that thread's memory.
type Job = Box<dyn FnOnce(&mut HashMemory) + Send>;

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
    /// At most `at_once` computations at a time, on as many threads; a request waits up to
    /// `wait` for its turn. The threads end when this is dropped.
    pub fn new(at_once: usize, wait: Duration) -> PasswordHashing {
        let at_once = at_once.max(1);
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for _ in 0..at_once {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name("warta-argon2".into()).spawn(move || {
                let mut memory = HashMemory::default();
                loop {
                    let job = match queue.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                        Ok(job) => job,
                        Err(_) => return,
                    };
                    // A panicking job must not take its thread (and a turn's worth of
                    // capacity) with it; its caller sees the dropped answer as an error.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        PasswordHashing { permits: Arc::new(Semaphore::new(at_once)), wait, jobs }
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

    /// Runs `work` on a hashing thread in a turn. The turn goes with the work, so that a
    /// request given up by its client still holds it until its hash is done.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut HashMemory) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = self.turn().await?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _permit = permit;
            let _ = answer.send(work(memory));
        });
        self.jobs
            .send(job)
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the password hashing threads are gone")))?;
        answered.await.map_err(|_| AppError::Internal(anyhow::anyhow!("a password hashing job failed")))
    }

    /// [`hash_password`] in a turn, on a hashing thread.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move |memory| hash_password_in(&password, memory)).await?.map_err(AppError::Internal)
    }

    /// [`verify_password`] in a turn, on a hashing thread. `None` checks against a decoy
    /// hash, so that an unknown email takes as long as a wrong password.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move |memory| match hash {
            // An account without a password (invited, say) takes as long as a wrong password.
            Some(hash) if PasswordHash::new(&hash).is_ok() => verify_password_in(&password, &hash, memory),
            _ => {
                let decoy = decoy_hash(memory).to_owned();
                verify_password_in(&password, &decoy, memory);
                false
            }
        })
        .await
    }
}

/// A hash that no password is known for, made once (on a hashing thread, in its memory, at
/// first use).
fn decoy_hash(memory: &mut HashMemory) -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password_in(&random_token(24), memory).unwrap_or_default())
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
    /// What the request signed in with.
    pub credential: Credential,
    pub display_name: String,
    /// Where the request comes from.
    pub origin: Origin,
}

/// What a request signed in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// An access token of the login (refresh-token family) with this id.
    Login(String),
    /// An API token, by its id and name, already checked against the operation's scope.
    ApiToken { id: i64, name: String },
}

impl AuthUser {
    /// This user acting through this request, as the audit log signs it: the person, or the
    /// API token that acted for them.
    pub fn who(&self) -> Who {
        let actor = match &self.credential {
            Credential::Login(_) => Actor::user(self.id, &self.display_name),
            Credential::ApiToken { id, name } => Actor::token(*id, name),
        };
        Who { actor, origin: self.origin.clone() }
    }

    /// The login of an access token; `None` for an API token.
    pub fn login(&self) -> Option<&str> {
        match &self.credential {
            Credential::Login(family) => Some(family),
            Credential::ApiToken { .. } => None,
        }
    }
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
    if api_token::claims_to_be(&token) {
        return authenticate_api_token(&req, &state, &token).await;
    }
    let claims = state.keys.verify(&token).ok_or_else(|| unauthorized("the access token is invalid or expired"))?;
    let user_id: i64 = claims.sub.parse().map_err(|_| unauthorized("the access token is invalid or expired"))?;
    let session = claims.sid.clone();
    let found = db::run(&state.pool, move |conn| db::users::session_holder(conn, user_id, &session)).await?;
    let (id, role, display_name) = found.ok_or_else(|| unauthorized("the access token is no longer valid"))?;
    let origin = crate::api::client::origin_of(&req, &state.config.trusted_proxies);
    Ok(Some(AuthUser { id, role, credential: Credential::Login(claims.sid), display_name, origin }))
}

/// The user an API token acts for in this request, limited by the scope table: the staff
/// view of a public read only with its scope (the public's view without), a staff operation
/// only with its scope (a 403 naming it without), and never users or tokens.
async fn authenticate_api_token(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
) -> Result<Option<AuthUser>, AppError> {
    let refused = || unauthorized("the API token is unknown, deleted or expired, or its user is deactivated");
    // A typo or a made-up token fails its checksum without a lookup.
    if !api_token::well_formed(token) {
        return Err(refused());
    }
    let (hash, now) = (token_hash(token), crate::domain::now().naive_utc());
    let holder =
        db::run(&state.pool, move |conn| db::api_tokens::holder(conn, &hash, now)).await?.ok_or_else(refused)?;
    state.token_usage.note(holder.token_id, now);
    let need = req.match_pattern().and_then(|pattern| crate::api::openapi::need_of_route(req.method(), &pattern));
    let user = AuthUser {
        id: holder.user_id,
        role: holder.role,
        credential: Credential::ApiToken { id: holder.token_id, name: holder.token_name.clone() },
        display_name: holder.display_name.clone(),
        origin: crate::api::client::origin_of(req, &state.config.trusted_proxies),
    };
    match token_access(need, &holder.scopes) {
        TokenAccess::Granted => Ok(Some(user)),
        TokenAccess::AsThePublic => Ok(None),
        TokenAccess::LacksScope(scope) => Err(AppError::Forbidden(format!("this API token lacks the scope {scope}"))),
        TokenAccess::Never => {
            Err(AppError::Forbidden("API tokens never manage users, tokens or passwords: sign in as a person".into()))
        }
    }
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
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("rahasia-redaksi", &hash));
        assert!(!verify_password("rahasia-redaksi!", &hash));
        assert!(!verify_password("rahasia-redaksi", "not a hash"));
        assert!(!verify_password("rahasia-redaksi", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ"), "no hash part");
    }

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways_and_memory_is_reused() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let mut memory = HashMemory::default();
        let ours = hash_password_in("kopi-tubruk-pagi", &mut memory).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"kopi-tubruk-pagi", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"kopi-tubruk-sore", &parsed).is_err());
        let theirs = Argon2::default().hash_password(b"kopi-tubruk-pagi").unwrap().to_string();
        assert!(verify_password_in("kopi-tubruk-pagi", &theirs, &mut memory));
        assert!(!verify_password_in("kopi-tubruk-sore", &theirs, &mut memory));
        // Other parameters named by a stored hash (older, cheaper ones) are honoured.
        let cheap = Argon2::new(Argon2Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 1, None).unwrap());
        let old = cheap.hash_password(b"teh-manis").unwrap().to_string();
        assert!(verify_password_in("teh-manis", &old, &mut memory));
        assert!(!verify_password_in("teh-pahit", &old, &mut memory));
        assert_eq!(memory.0.len(), Params::default().block_count(), "one buffer, grown once");
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
