//! Input built to cost the server work: bodies far larger than their route needs, thousands of
//! unknown fields. Each is refused, early and cheaply, with the same problems as any other bad
//! input.

use serde_json::Value;
use warta::domain::Role;

use crate::helpers::{problem, spawn_app, ArticleSpec, TestApp};

/// A JSON object with `known` fields (already encoded, without braces) and `unknown` more
/// fields `"k000000": 1`, `"k000001": 1`...
fn with_unknown_fields(known: &str, unknown: usize) -> Vec<u8> {
    let mut body = String::with_capacity(known.len() + unknown * 12 + 2);
    body.push('{');
    body.push_str(known);
    for i in 0..unknown {
        body.push_str(&format!(",\"k{i:06}\":1"));
    }
    body.push('}');
    body.into_bytes()
}

async fn post_raw(app: &TestApp, path: &str, token: Option<&str>, body: Vec<u8>) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).header("Content-Type", "application/json").body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request sent")
}

#[tokio::test]
async fn a_comment_far_larger_than_any_comment_is_a_413_before_it_is_parsed() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Kopi", 2));
    // The security review's body: 3.9 MB, a 2 MiB text and 150,000 unknown fields.
    let known = format!(
        "\"author_name\":\"Siti\",\"author_email\":\"siti@example.com\",\"body\":\"{}\"",
        "a".repeat(2 * 1024 * 1024)
    );
    let hostile = with_unknown_fields(&known, 150_000);
    let body = problem(post_raw(&app, "/api/v1/articles/harga-kopi/comments", None, hostile).await, 413).await;
    assert!(body["detail"].as_str().unwrap().contains("bytes"), "{body}");
    let stored = app.get_json("/api/v1/articles/harga-kopi/comments", 200).await;
    assert_eq!(stored["meta"]["total"], 0);
}

#[tokio::test]
async fn the_longest_valid_comment_fits_its_route_however_it_is_escaped() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Kopi", 2));
    // Clients that escape everything outside ASCII spend 12 bytes on one emoji.
    let emoji = |n: usize| "\\ud83d\\ude00".repeat(n);
    let body = format!(
        "{{\"author_name\":\"{}\",\"author_email\":\"{}@{}.example.com\",\"author_url\":\"https://example.com/{}\",\"body\":\"{}\"}}",
        emoji(100),
        "s".repeat(64),
        ["a".repeat(60), "b".repeat(60), "c".repeat(55)].join("."),
        "p".repeat(2028),
        emoji(5000),
    );
    let response = post_raw(&app, "/api/v1/articles/harga-kopi/comments", None, body.into_bytes()).await;
    assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn an_article_with_150000_unknown_fields_is_one_422_naming_fifty_of_them() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    // 1.8 MB: inside what an article may take, so all of it is read and parsed.
    let hostile = with_unknown_fields("\"title\":\"Kopi\"", 150_000);
    let body = problem(post_raw(&app, "/api/v1/articles", Some(&editor.token), hostile).await, 422).await;
    let errors = body["errors"].as_object().expect("errors");
    assert_eq!(errors.len(), 50, "the list is cut at 50 fields");
    assert!(errors.values().all(|messages| messages[0] == "is not a known field"), "{errors:?}");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("149950 more"), "the detail says how many were left out: {detail}");
    assert!(detail.len() < 2000, "the detail is short too: {} bytes", detail.len());
    let list: Value = app.get_as("/api/v1/articles?status=any", &editor.token).await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 0, "nothing was written");
}

#[tokio::test]
async fn bad_known_fields_are_named_even_among_thousands_of_unknown_ones() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let hostile = with_unknown_fields("\"title\":5,\"slug\":\"Bukan Slug\",\"status\":\"live\"", 10_000);
    let body = problem(post_raw(&app, "/api/v1/articles", Some(&editor.token), hostile).await, 422).await;
    let errors = body["errors"].as_object().expect("errors");
    assert_eq!(errors.len(), 50);
    for field in ["title", "slug", "status"] {
        assert!(errors.contains_key(field), "{field} is named: {errors:?}");
    }
}
