//! Every error is problem+json: unknown routes, wrong methods, impossible ids.

use warta::domain::{CommentStatus, Role};

use crate::helpers::{problem, spawn_app, ArticleSpec};

#[tokio::test]
async fn an_unknown_route_is_a_problem_404() {
    let app = spawn_app().await;
    for path in ["/api/v1/nothing", "/", "/api/v2/articles", "/api/v1/articles/a/b/c"] {
        let body = problem(app.get(path).await, 404).await;
        assert_eq!(body["title"], "Not Found");
    }
}

#[tokio::test]
async fn ids_and_slugs_that_cannot_exist_are_404_not_errors() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/articles/0",
        "/api/v1/articles/-1",
        "/api/v1/articles/99999999999999999999999",
        "/api/v1/articles/9223372036854775807",
        "/api/v1/articles/Not%20A%20Slug",
        "/api/v1/articles/%2e%2e%2fetc",
        "/api/v1/articles/1'%20OR%20'1'='1",
        "/api/v1/categories/%F0%9F%98%80",
    ] {
        problem(app.get(path).await, 404).await;
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_405_naming_the_allowed_ones() {
    let app = spawn_app().await;
    let response = app.client.delete(app.url("/api/v1/site")).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    problem(response, 405).await;
    let response = app.client.put(app.url("/api/v1/categories")).send().await.unwrap();
    problem(response, 405).await;
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let response = app.client.head(app.url("/api/v1/articles")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["x-total-count"], "0");
    assert!(response.headers().contains_key("etag"));
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_parameters_on_single_resources_are_a_422() {
    let app = spawn_app().await;
    let body = problem(app.get("/api/v1/site?lang=en").await, 422).await;
    assert_eq!(body["errors"]["lang"][0], "is not a known parameter");
}

/// Every endpoint that takes a JSON body answers the same way to a body that is not JSON
/// (400), not declared as JSON (415), too large (413), or carrying an unknown field (422
/// naming it), public ones and editorial ones alike.
#[tokio::test]
async fn every_json_body_is_checked_the_same_way() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let author = app.user("Dewi", Role::Author);
    let category = app.category("Ekonomi", None);
    let article = app.article(ArticleSpec::published(author, "Harga Kopi", 2));
    let comment = app.comment(article, "a@example.com", "Komentar", CommentStatus::Pending, 1);
    let endpoints: Vec<(reqwest::Method, String, Option<&str>)> = vec![
        (reqwest::Method::POST, "/api/v1/auth/login".into(), None),
        (reqwest::Method::POST, "/api/v1/auth/refresh".into(), None),
        (reqwest::Method::POST, "/api/v1/articles/harga-kopi/comments".into(), None),
        (reqwest::Method::POST, "/api/v1/articles".into(), Some(&admin.token)),
        (reqwest::Method::PATCH, format!("/api/v1/articles/{article}"), Some(&admin.token)),
        (reqwest::Method::POST, "/api/v1/categories".into(), Some(&admin.token)),
        (reqwest::Method::PATCH, format!("/api/v1/categories/{category}"), Some(&admin.token)),
        (reqwest::Method::PATCH, format!("/api/v1/comments/{comment}"), Some(&admin.token)),
        (reqwest::Method::POST, "/api/v1/users".into(), Some(&admin.token)),
        (reqwest::Method::PATCH, format!("/api/v1/users/{}", admin.id), Some(&admin.token)),
    ];
    let huge = format!("{{\"body\": \"{}\"}}", "a".repeat(8 * 1024 * 1024));
    for (method, path, token) in &endpoints {
        let send = |content_type: &'static str, body: Vec<u8>| {
            let mut request =
                app.client.request(method.clone(), app.url(path)).header("Content-Type", content_type).body(body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send()
        };
        problem(send("application/json", b"{\"title\": ".to_vec()).await.unwrap(), 400).await;
        problem(send("text/plain", b"{}".to_vec()).await.unwrap(), 415).await;
        problem(send("application/json", huge.clone().into_bytes()).await.unwrap(), 413).await;
        let unknown = problem(send("application/json", b"{\"kolom_asing\": 1}".to_vec()).await.unwrap(), 422).await;
        assert!(unknown["errors"]["kolom_asing"].is_array(), "{method} {path}: {unknown}");
    }
    let unchanged = app.get_json(&format!("/api/v1/articles/{article}"), 200).await;
    assert_eq!(unchanged["title"], "Harga Kopi", "nothing was written");
    assert_eq!(app.get_json("/api/v1/categories", 200).await["meta"]["total"], 1);
}

/// NUL cannot be stored (PostgreSQL's text refuses it): a field that would be stored holding it
/// is a 422 naming that field once, with the field's other faults (found by the contract fuzzing
/// on PostgreSQL), and nothing is written.
#[tokio::test]
async fn a_stored_field_holding_nul_is_a_422_naming_it() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("Dewi Anggraini", Role::Admin).await;
    let r = app.post("/api/v1/categories", Some(&admin.token), &serde_json::json!({"name": "Dalam\u{0}Negeri"})).await;
    let body = problem(r, 422).await;
    assert_eq!(body["errors"]["name"], serde_json::json!(["must not contain the NUL character (U+0000)"]), "{body}");
    let r = app
        .post("/api/v1/categories", Some(&admin.token), &serde_json::json!({"name": "x", "description": ["\u{0}"]}))
        .await;
    let body = problem(r, 422).await;
    assert!(body["errors"]["description"].is_array(), "{body}");
    assert_eq!(app.get_json("/api/v1/categories", 200).await["meta"]["total"], 0, "nothing was written");
}

/// A credential is only compared, never stored: one holding NUL matches no account, the same
/// 401 as any other wrong credential (a 422 would tell a client its well-formed request was bad).
#[tokio::test]
async fn a_credential_holding_nul_matches_nothing() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("Dewi Anggraini", Role::Admin).await;
    let nul_email = format!("{}\u{0}", admin.email);
    let r = app.post("/api/v1/auth/login", None, &serde_json::json!({"email": nul_email, "password": "x"})).await;
    problem(r, 401).await;
    let r =
        app.post("/api/v1/auth/login", None, &serde_json::json!({"email": admin.email, "password": "a\u{0}b"})).await;
    problem(r, 401).await;
    let nul_token = format!("{}\u{0}", admin.refresh);
    let r = app.post("/api/v1/auth/refresh", None, &serde_json::json!({"refresh_token": nul_token})).await;
    problem(r, 401).await;
    // Logging out an unknown token is a 204, as for any other.
    let r = app.post("/api/v1/auth/logout", None, &serde_json::json!({"refresh_token": nul_token})).await;
    assert_eq!(r.status().as_u16(), 204);
    app.get_as("/api/v1/auth/me", &admin.token).await.error_for_status().expect("the login is untouched");
}

/// Parameters in the path and the query: a NUL there finds nothing and breaks nothing.
#[tokio::test]
async fn a_parameter_holding_nul_finds_nothing() {
    let app = crate::helpers::spawn_app().await;
    for path in ["/api/v1/articles/a%00b", "/api/v1/categories/a%00b", "/api/v1/articles/a%00b/comments"] {
        problem(app.get(path).await, 404).await;
    }
    for query in ["search=kopi%00", "search=%00"] {
        let body = app.get_json(&format!("/api/v1/articles?{query}"), 200).await;
        assert_eq!(body["meta"]["total"], 0, "{query}");
    }
    assert_eq!(app.invalid_fields("/api/v1/articles?category=a%00b").await, ["category"]);
}
