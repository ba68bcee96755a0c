//! Every error is problem+json: unknown routes, wrong methods, impossible ids.

use serde_json::Value;

use crate::helpers::spawn_app;

async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], "about:blank");
    assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
    body
}

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
