//! `AppError`, the one error type handlers return, rendered as RFC 9457 problem+json.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use utoipa::ToSchema;

use crate::db::DbError;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The most fields one 422 names; how many more were bad is said in its detail. A body with
/// thousands of unknown fields gets a short answer, not one as long as the body.
pub const MAX_NAMED_FIELDS: usize = 50;

/// Messages per bad field, collected so that one response names every bad field at once (up
/// to [`MAX_NAMED_FIELDS`]; the rest are counted).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors {
    fields: BTreeMap<String, Vec<String>>,
    /// Bad fields beyond [`MAX_NAMED_FIELDS`], counted but not named.
    omitted: usize,
}

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` against `field`; a new field past [`MAX_NAMED_FIELDS`] is only counted.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if let Some(messages) = self.fields.get_mut(&field) {
            messages.push(message.into());
        } else if self.fields.len() < MAX_NAMED_FIELDS {
            self.fields.insert(field, vec![message.into()]);
        } else {
            self.omitted += 1;
        }
    }

    /// Counts `n` more bad fields without naming them.
    pub fn omit(&mut self, n: usize) {
        self.omitted += n;
    }

    /// Whether `field` has an error already.
    pub fn contains(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// How many fields are named.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// How many more bad fields there were than are named.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.omitted == 0
    }

    /// `Ok(value)` when nothing was recorded, else the 422 naming every field.
    pub fn finish<T>(self, value: T) -> Result<T, AppError> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(AppError::Validation(self))
        }
    }

    /// A single field's error as a 422.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> AppError {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        AppError::Validation(errors)
    }
}

impl Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(serializer)
    }
}

/// Everything a request can fail with. Internal errors are logged with their cause
/// chain and shown to the client as a bare 500: no SQL, no panic text.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Too much work of one kind at once (password hashing): a 503 saying `detail`, with
    /// `Retry-After`.
    #[error("{detail}")]
    Overloaded { detail: String, retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The 404 for a resource the caller cannot see, whether it exists or not.
    pub fn not_found(what: &str) -> AppError {
        AppError::NotFound(format!("{what} not found"))
    }

    /// A 403 saying `why`, unless the role check `allowed` passed.
    pub fn forbidden_unless(allowed: bool, why: &str) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden(why.to_owned()))
        }
    }
}

/// Names the missing thing in a 404: `db::run(...).await.not_found_as("article")?`.
pub trait NotFoundAs<T> {
    /// Replaces a bare 404 with "`what` not found".
    fn not_found_as(self, what: &str) -> Result<T, AppError>;
}

impl<T, E: Into<AppError>> NotFoundAs<T> for Result<T, E> {
    fn not_found_as(self, what: &str) -> Result<T, AppError> {
        self.map_err(|e| match e.into() {
            AppError::NotFound(_) => AppError::not_found(what),
            other => other,
        })
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        DbError::from(err).into()
    }
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound => AppError::NotFound("not found".into()),
            DbError::Conflict(detail) => AppError::Conflict(detail),
            DbError::Invalid { field, message } => FieldErrors::single(field, message),
            // Every connection busy past the pool's timeout: overload, not a bug.
            DbError::Pool(e) => AppError::Unavailable(e.to_string()),
            // The disk refused a commit: nothing was stored, and trying again may succeed.
            e @ DbError::NotCommitted(_) => AppError::Unavailable(e.to_string()),
            // The server went away; the pool reconnects once it is back.
            e @ DbError::Lost(_) => AppError::Unavailable(e.to_string()),
            // Undone for a concurrent write; trying again shortly succeeds.
            e @ DbError::Contended(_) => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference identifying the problem type; `about:blank` means the status says it all.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub problem_type: String,
    /// The status code's reason phrase.
    #[schema(example = "Not Found")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 404, minimum = 100, maximum = 599)]
    pub status: u16,
    /// What went wrong with this request, for humans.
    #[schema(example = "article not found")]
    pub detail: String,
    /// For 422 only: every bad field with its messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, Vec<String>>>, example = json!({"per_page": ["must be between 1 and 100"]}))]
    pub errors: Option<FieldErrors>,
}

impl Problem {
    /// A problem for `status` with `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
        }
    }

    /// The response carrying this problem.
    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status).content_type(PROBLEM_JSON).body(serde_json::to_string(&self).unwrap_or_default())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.detail)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut problem = match self {
            AppError::Validation(errors) => {
                let fields: Vec<&str> = errors.fields.keys().map(String::as_str).collect();
                let mut detail = format!("invalid input: {}", fields.join(", "));
                if errors.omitted > 0 {
                    detail.push_str(&format!("; and {} more fields, not listed", errors.omitted));
                }
                let mut p = Problem::new(status, detail);
                p.errors = Some(errors.clone());
                p
            }
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                Problem::new(status, "an unexpected error occurred; it has been logged")
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(cause = cause.as_str(), "service unavailable");
                Problem::new(status, "the service is temporarily unavailable")
            }
            other => Problem::new(status, other.to_string()),
        };
        if problem.detail.is_empty() {
            problem.detail = problem.title.clone();
        }
        let mut response = problem.into_response();
        let headers = response.headers_mut();
        match self {
            AppError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::TooManyRequests { retry_after_secs, .. } | AppError::Overloaded { retry_after_secs, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            // Every connection busy, or a commit refused: trying again shortly may succeed.
            AppError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(1u64));
            }
            _ => {}
        }
        response
    }
}
