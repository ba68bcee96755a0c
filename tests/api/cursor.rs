//! Keyset pagination of article lists: `cursor` walks every order exactly once, survives
//! ties and drafts, stays put while new articles arrive, and refuses what it cannot honour.

use chrono::{Duration, SubsecRound, Utc};
use serde_json::Value;
use warta::domain::Role;

use crate::helpers::{spawn_app, ArticleSpec, TestApp};

fn ids(body: &Value) -> Vec<i64> {
    body["data"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

/// A cursor made by hand: `token` as the API encodes its own.
fn forged(token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token)
}

/// Every id of `path` (which has its own query), walking by cursor with `per_page`.
async fn walk(app: &TestApp, token: Option<&str>, path: &str, per_page: usize) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut url = format!("{path}&per_page={per_page}");
    for step in 1.. {
        assert!(step < 100, "the walk ends");
        let response = match token {
            Some(token) => app.get_as(&url, token).await,
            None => app.get(&url).await,
        };
        assert_eq!(response.status().as_u16(), 200, "{url}");
        let link = response.headers()["link"].to_str().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["meta"]["page"], step, "the page number follows the cursor");
        seen.extend(ids(&body));
        match body["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                if url.contains("cursor=") {
                    assert!(link.contains(&format!("cursor={cursor}")), "next link by cursor: {link}");
                }
                url = format!("{path}&per_page={per_page}&cursor={cursor}");
            }
            None => break,
        }
    }
    seen
}

async fn all_by_page(app: &TestApp, token: Option<&str>, path: &str) -> Vec<i64> {
    let url = format!("{path}&per_page=100");
    let response = match token {
        Some(token) => app.get_as(&url, token).await,
        None => app.get(&url).await,
    };
    ids(&response.json().await.unwrap())
}

async fn newsroom() -> (TestApp, i64) {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let tie = (Utc::now() - Duration::hours(30)).trunc_subsecs(0);
    for i in 0..11 {
        let mut spec =
            ArticleSpec::published(author, &format!("Berita {}", (b'A' + (i * 7 % 11) as u8) as char), i + 1);
        if i % 3 == 0 {
            // Same publication time: the id settles the order.
            spec.published_at = Some(tie);
        }
        app.article(spec);
    }
    app.article(ArticleSpec::draft(author, "Draf Pertama"));
    app.article(ArticleSpec::draft(author, "Draf Kedua"));
    (app, author)
}

#[tokio::test]
async fn a_cursor_walk_visits_every_article_once_in_every_order() {
    let (app, _) = newsroom().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    for path in [
        "/api/v1/articles?order=desc",
        "/api/v1/articles?order=asc",
        "/api/v1/articles?order_by=title",
        "/api/v1/articles?order_by=title&order=desc",
        "/api/v1/articles?order_by=updated_at",
    ] {
        let expected = all_by_page(&app, None, path).await;
        assert_eq!(expected.len(), 11);
        for per_page in [1, 3, 4, 11] {
            assert_eq!(walk(&app, None, path, per_page).await, expected, "{path} per_page={per_page}");
        }
    }
    // Staff lists hold drafts, which have no publication time: last when newest first.
    for path in ["/api/v1/articles?status=any&order=desc", "/api/v1/articles?status=any&order=asc"] {
        let expected = all_by_page(&app, Some(&editor.token), path).await;
        assert_eq!(expected.len(), 13);
        for per_page in [2, 5] {
            assert_eq!(walk(&app, Some(&editor.token), path, per_page).await, expected, "{path} {per_page}");
        }
    }
}

#[tokio::test]
async fn cursor_pages_stay_put_while_news_arrives() {
    let (app, author) = newsroom().await;
    let first = app.get_json("/api/v1/articles?per_page=4", 200).await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let second_before = ids(&app.get_json(&format!("/api/v1/articles?per_page=4&cursor={cursor}"), 200).await);

    app.article(ArticleSpec::published(author, "Berita Terbaru", 0));
    let by_cursor = app.get_json(&format!("/api/v1/articles?per_page=4&cursor={cursor}"), 200).await;
    assert_eq!(ids(&by_cursor), second_before, "no article repeated or skipped");
    assert_eq!(by_cursor["meta"]["total"], 12, "the total is current");
    let by_number = ids(&app.get_json("/api/v1/articles?per_page=4&page=2", 200).await);
    assert_ne!(by_number, second_before, "page numbers shift, which is what cursors avoid");
}

#[tokio::test]
async fn a_cursor_it_cannot_honour_is_a_422_naming_it() {
    let (app, _) = newsroom().await;
    let first = app.get_json("/api/v1/articles?per_page=4", 200).await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    for path in [
        "/api/v1/articles?cursor=bukan-kursor".to_owned(),
        "/api/v1/articles?cursor=eyJvIjoidGl0bGUifQ".to_owned(),
        format!("/api/v1/articles?cursor={cursor}&page=2"),
        format!("/api/v1/articles?cursor={cursor}&order=asc"),
        format!("/api/v1/articles?cursor={cursor}&order_by=title"),
        format!("/api/v1/articles?cursor={cursor}&search=berita"),
        format!("/api/v1/articles?cursor={}", "A".repeat(5000)),
        // Forged keys no article can have (PostgreSQL refused them with a 500): NUL in a title,
        // a year outside 1 to 9999.
        format!(
            "/api/v1/articles?order_by=title&order=asc&cursor={}",
            forged(r#"{"o":"title","d":false,"n":1,"k":"a\u0000","i":1}"#)
        ),
        format!(
            "/api/v1/articles?cursor={}",
            forged(r#"{"o":"published_at","d":true,"n":1,"k":"-5000-01-01T00:00:00","i":1}"#)
        ),
        format!(
            "/api/v1/articles?cursor={}",
            forged(r#"{"o":"published_at","d":true,"n":1,"k":"10000-01-01T00:00:00","i":1}"#)
        ),
    ] {
        assert_eq!(app.invalid_fields(&path).await, ["cursor"], "{path}");
    }
    let searched = app.get_json("/api/v1/articles?search=berita&per_page=2", 200).await;
    assert!(searched["meta"].get("next_cursor").is_none(), "search results are paged by number");
    let last = app.get_json("/api/v1/articles?per_page=100", 200).await;
    assert!(last["meta"].get("next_cursor").is_none(), "no cursor past the last page");
}
