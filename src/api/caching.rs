//! JSON responses with HTTP caching: a strong `ETag` over the exact bytes sent,
//! `If-None-Match` answered with 304, `Cache-Control` by audience, and `Vary: Authorization`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::AppError;

/// Who a response is for, which decides how caches may keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone: shared caches may keep it for `max_age` seconds.
    Public { max_age: u32 },
    /// One authenticated caller: nobody may store it.
    Private,
}

/// The strong entity tag of `body`: a 128-bit hash, quoted.
pub fn etag_of(body: &[u8]) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(body))
}

/// Whether `If-None-Match` on `req` matches `etag` (weak comparison, as RFC 9110 asks for it).
pub fn none_match_hits(req: &HttpRequest, etag: &str) -> bool {
    let Some(value) = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// Serializes `value` as a 200 JSON response with caching headers, or a bodiless 304
/// when the client's copy is current.
pub fn json<T: Serialize>(req: &HttpRequest, value: &T, audience: Audience) -> Result<HttpResponse, AppError> {
    let body = serde_json::to_vec(value).map_err(|e| AppError::Internal(e.into()))?;
    Ok(json_bytes(req, body, audience))
}

/// Already serialized JSON as a 200 with caching headers, or a bodiless 304.
pub fn json_bytes(req: &HttpRequest, body: impl Into<actix_web::web::Bytes>, audience: Audience) -> HttpResponse {
    let body = body.into();
    let etag = etag_of(&body);
    let cache_control = match audience {
        Audience::Public { max_age } => format!("public, max-age={max_age}"),
        Audience::Private => "private, no-store".to_owned(),
    };
    let mut response = if audience != Audience::Private && none_match_hits(req, &etag) {
        HttpResponse::build(StatusCode::NOT_MODIFIED).finish()
    } else {
        HttpResponse::Ok().content_type(mime_json()).body(body)
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cache_control) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    // The same URL is public for readers and private for staff: a shared cache must key
    // its copy by the Authorization header, or it could hand a reader's copy to staff (or
    // keep one made for staff). Appended, so that CORS's own `Vary: Origin` stays beside it.
    headers.append(header::VARY, HeaderValue::from_static("Authorization"));
    response
}

/// A `301 Moved Permanently` to `location`, for an old slug: cached like the reads it stands
/// for (an old slug can be taken over by a new story, so not for longer).
pub fn moved(location: &str, audience: Audience) -> HttpResponse {
    let cache_control = match audience {
        Audience::Public { max_age } => format!("public, max-age={max_age}"),
        Audience::Private => "private, no-store".to_owned(),
    };
    let mut response = HttpResponse::MovedPermanently().finish();
    let headers = response.headers_mut();
    for (name, value) in [(header::LOCATION, location), (header::CACHE_CONTROL, cache_control.as_str())] {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    }
    headers.append(header::VARY, HeaderValue::from_static("Authorization"));
    response
}

/// A `201 Created` for a caller who wrote something: the new resource, its `ETag`, and its
/// URL in `Location` when it has one of its own.
pub fn created<T: Serialize>(req: &HttpRequest, value: &T, location: Option<String>) -> Result<HttpResponse, AppError> {
    let mut response = json(req, value, Audience::Private)?;
    *response.status_mut() = StatusCode::CREATED;
    if let Some(location) = location {
        let value = HeaderValue::from_str(&location).map_err(|e| AppError::Internal(e.into()))?;
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

fn mime_json() -> HeaderValue {
    HeaderValue::from_static("application/json")
}
