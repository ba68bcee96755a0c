//! What operators and browsers rely on: request IDs, security headers, metrics, JSON logs,
//! and production mode refusing insecure settings.

use serde_json::Value;
use warta::startup::StartOptions;

use crate::helpers::{spawn_app, spawn_app_with, Process};

#[tokio::test]
async fn every_response_carries_a_request_id_kept_only_when_well_formed() {
    let app = spawn_app().await;
    let given = app.client.get(app.url("/api/v1/site")).header("X-Request-Id", "req-42.abc_X").send().await.unwrap();
    assert_eq!(given.headers()["x-request-id"], "req-42.abc_X");
    let generated = app.get("/api/v1/articles").await.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(generated.len() >= 12);
    let other = app.get("/api/v1/articles").await.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(generated, other);
    for bad in ["has space", "<script>", &"a".repeat(65)] {
        let r = app.client.get(app.url("/api/v1/site")).header("X-Request-Id", bad).send().await.unwrap();
        assert_ne!(r.headers()["x-request-id"], bad);
    }
    let error = app.get("/api/v1/nothing").await;
    assert!(error.headers().contains_key("x-request-id"), "errors carry it too");
}

#[tokio::test]
async fn security_headers_are_set_and_the_docs_page_gets_its_own_policy() {
    let app = spawn_app().await;
    for path in ["/api/v1/articles", "/api/v1/nothing", "/health", "/openapi.json"] {
        let r = app.get(path).await;
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(h["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"), "{path}");
    }
    let docs = app.get("/docs/").await;
    let csp = docs.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("http"), "{csp}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_with_latency_and_pool_usage() {
    let app = spawn_app().await;
    for path in ["/api/v1/articles/satu", "/api/v1/articles/dua", "/api/v1/articles"] {
        app.get(path).await;
    }
    let r = app.get("/metrics").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains(
            r#"warta_http_requests_total{method="GET",route="/api/v1/articles/{id_or_slug}",status="404"} 2"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"warta_http_requests_total{method="GET",route="/api/v1/articles",status="200"} 1"#));
    assert!(text.contains(r#"warta_http_request_duration_seconds_bucket{route="/api/v1/articles",le="+Inf"} 1"#));
    assert!(text.contains("warta_db_pool_max_connections 8"));
    assert!(text.contains("warta_cache_hits_total"));
    assert!(!text.contains("/api/v1/articles/satu"), "raw paths never become labels");
}

#[tokio::test]
async fn metrics_can_live_on_a_listener_of_their_own() {
    // Port 0: the listener picks a free port itself (no race with other tests for one).
    let app = spawn_app_with(&[("WARTA_METRICS_BIND", "127.0.0.1:0")], StartOptions::default()).await;
    let bind = format!("127.0.0.1:{}", app.metrics_port.expect("a metrics listener"));
    assert_eq!(app.get("/metrics").await.status().as_u16(), 404, "not on the public listener");
    app.get("/api/v1/site").await;
    let text = app.client.get(format!("http://{bind}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"route="/api/v1/site""#), "{text}");
}

#[tokio::test]
async fn json_logs_carry_the_request_id_on_every_line_of_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("json.db").to_string_lossy().into_owned();
    let server = Process::start(&db, &[], &[("WARTA_LOG_FORMAT", "json"), ("RUST_LOG", "info")]).await;
    let client = crate::helpers::client();
    client.get(format!("{}/api/v1/site", server.address)).header("X-Request-Id", "trace-me-123").send().await.unwrap();
    let bad_login = serde_json::json!({"email": "x@example.com", "password": "salah-sandi-123"});
    client
        .post(format!("{}/api/v1/auth/login", server.address))
        .header("X-Request-Id", "login-456")
        .json(&bad_login)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let logs = server.logs();
    let lines: Vec<Value> =
        logs.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect();
    let of = |id: &str| lines.iter().filter(|l| l["span"]["id"] == id).count();
    assert!(of("trace-me-123") >= 1, "{logs}");
    assert!(of("login-456") >= 2, "the failed-login line and the access line both carry the ID: {logs}");
}

#[test]
fn production_mode_refuses_to_start_insecurely() {
    let run = |vars: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_warta"));
        command
            .arg("serve")
            .env_remove("WARTA_JWT_SECRET")
            .env_remove("WARTA_CORS_ORIGINS")
            .env("DATABASE_URL", ":memory:")
            .env("WARTA_BIND", "127.0.0.1:0")
            .env("WARTA_ENV", "production");
        for (k, v) in vars {
            command.env(k, v);
        }
        command.output().unwrap()
    };
    let no_secret = run(&[("WARTA_CORS_ORIGINS", "https://kabarharapan.example")]);
    assert!(!no_secret.status.success());
    assert!(String::from_utf8_lossy(&no_secret.stderr).contains("WARTA_JWT_SECRET"));
    let short = run(&[("WARTA_CORS_ORIGINS", "https://kabarharapan.example"), ("WARTA_JWT_SECRET", "pendek")]);
    assert!(!short.status.success(), "a short secret stops start-up");
    assert!(String::from_utf8_lossy(&short.stderr).contains("WARTA_JWT_SECRET"));
    let no_cors = run(&[("WARTA_JWT_SECRET", "0123456789abcdef0123456789abcdef")]);
    assert!(!no_cors.status.success());
    assert!(String::from_utf8_lossy(&no_cors.stderr).contains("WARTA_CORS_ORIGINS"));
}

#[tokio::test]
async fn a_huge_query_string_is_a_clear_client_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    // Past the request-line limit the server answers 400 and closes, possibly before the
    // client has finished sending: read the answer over a raw connection.
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
    let request = format!("GET /api/v1/articles?search={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100_000));
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = vec![0u8; 64];
    let n = stream.read(&mut answer).await.unwrap();
    let status_line = String::from_utf8_lossy(&answer[..n]).to_string();
    assert!(status_line.starts_with("HTTP/1.1 4"), "{status_line}");
    let r = app.get(&format!("/api/v1/articles?search={}", "a".repeat(6_000))).await;
    assert_eq!(r.status().as_u16(), 422);
}

/// With every database connection taken, a request waits for the pool's timeout and is
/// told to come back: a 503 problem with `Retry-After`, never a 500.
#[tokio::test]
async fn an_exhausted_connection_pool_is_a_503_with_retry_after() {
    let app =
        crate::helpers::spawn_app_with(&[("WARTA_DB_POOL_SIZE", "1")], warta::startup::StartOptions::default()).await;
    let pool = app.pool.clone();
    let (taken, release) = (std::sync::mpsc::channel::<()>(), std::sync::mpsc::channel::<()>());
    let holder = std::thread::spawn(move || {
        let _conn = pool.get().expect("the only connection");
        taken.0.send(()).unwrap();
        release.1.recv().ok();
    });
    taken.1.recv().unwrap();
    let response = app.get("/api/v1/categories").await;
    assert_eq!(response.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("1"));
    crate::helpers::problem(response, 503).await;
    release.0.send(()).unwrap();
    holder.join().unwrap();
    assert_eq!(app.get("/api/v1/categories").await.status().as_u16(), 200, "and recovers");
}
