//! What wraps every request: a request ID carried by every log line and echoed in
//! `X-Request-Id`, the access log, metrics, and the security headers; and HEAD on the docs.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use std::time::Instant;
use tracing::Instrument;

use super::AppState;

/// The request ID header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The ID of the request being served, for what records it (the audit log).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// An incoming request ID is kept when it is 1 to 64 characters of `[A-Za-z0-9._-]`;
/// anything else is replaced, so that logs cannot be forged through it.
fn well_formed(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// CSP for the API's own answers: JSON is never a document, so nothing may load.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// CSP for the docs page: its scripts and styles ship inside the binary (Swagger UI sets
/// inline styles on elements, hence 'unsafe-inline' for styles only).
const DOCS_CSP: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; \
                        connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The request ID, the access log line, metrics, and the security headers.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed(v))
        .map(str::to_owned)
        .unwrap_or_else(|| crate::auth::random_token(12));
    let method = req.method().to_string();
    let path = logged_path(req.path());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    actix_web::HttpMessage::extensions_mut(&req).insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", id = id.as_str());
    let mut res = next.call(req).instrument(span.clone()).await?;

    let status = res.status().as_u16();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    span.in_scope(|| {
        tracing::info!(
            method = method.as_str(),
            path = path.as_str(),
            status,
            micros = elapsed.as_micros() as u64,
            "request"
        )
    });
    if let Some(state) = state {
        state.metrics.observe(&method, &route, status, elapsed);
        if state.draining.load(std::sync::atomic::Ordering::Acquire) {
            // The listener closes after the grace period: a connection kept alive would carry a
            // client's next request into that close. Each one ends with its response instead,
            // and the next request opens a connection the balancer sends elsewhere.
            res.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
        }
    }

    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let csp = if path.starts_with("/docs") { DOCS_CSP } else { API_CSP };
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    Ok(res)
}

/// The path as the access log shows it: a preview token is a credential, so it is left out.
fn logged_path(path: &str) -> String {
    match path.strip_prefix(PREVIEW_PREFIX) {
        Some(token) if !token.is_empty() => format!("{PREVIEW_PREFIX}{{token}}"),
        _ => path.to_owned(),
    }
}

/// Where preview tokens sit in a path.
const PREVIEW_PREFIX: &str = "/api/v1/preview/";

/// Answers HEAD on the docs pages as GET: the Swagger UI service answers GET only, and would
/// leave HEAD to the 404 of unknown paths. The response keeps its headers (`Content-Length`
/// included); actix sends no body for a request that came in as HEAD.
pub async fn docs_head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD && req.path().starts_with("/docs/") {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_tokens_are_left_out_of_logged_paths() {
        assert_eq!(logged_path("/api/v1/preview/abcDEF123"), "/api/v1/preview/{token}");
        assert_eq!(logged_path("/api/v1/articles/42"), "/api/v1/articles/42");
    }

    #[test]
    fn only_tame_request_ids_are_kept() {
        assert!(well_formed("abc-123_X.y"));
        for bad in ["", "a b", "x\ny", "<script>", &"a".repeat(65)] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }
}
