//! An article's public comments, and that nothing private about commenters leaks.

use serde_json::Value;
use warta::domain::{CommentStatus, Role};

use crate::helpers::{spawn_app, ArticleSpec};

#[tokio::test]
async fn only_approved_comments_are_listed_oldest_first() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let article = app.article(ArticleSpec::published(author, "Harga Kopi", 10));
    app.comment(article, "a@example.com", "Komentar kedua", CommentStatus::Approved, 2);
    app.comment(article, "b@example.com", "Komentar pertama", CommentStatus::Approved, 5);
    app.comment(article, "c@example.com", "Menunggu", CommentStatus::Pending, 1);
    app.comment(article, "d@example.com", "Beli obat murah", CommentStatus::Spam, 1);
    app.comment(article, "e@example.com", "Dibuang", CommentStatus::Trash, 1);

    let body = app.get_json("/api/v1/articles/harga-kopi/comments", 200).await;
    let bodies: Vec<&str> = body["data"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Komentar pertama", "Komentar kedua"]);
    assert_eq!(body["meta"]["total"], 2);
    assert_eq!(body["data"][0]["status"], "approved");
    assert_eq!(body["data"][0]["article_id"], article);
    let by_id = app.get_json(&format!("/api/v1/articles/{article}/comments"), 200).await;
    assert_eq!(by_id, body);
    assert_eq!(app.get_json("/api/v1/articles/harga-kopi", 200).await["comment_count"], 2);
}

#[tokio::test]
async fn comment_bodies_are_returned_as_written_not_as_html() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let article = app.article(ArticleSpec::published(author, "Harga Kopi", 10));
    let text = "<b>tebal?</b> & \"kutip\" <script>alert(1)</script>";
    app.comment(article, "a@example.com", text, CommentStatus::Approved, 1);
    let body = app.get_json("/api/v1/articles/harga-kopi/comments", 200).await;
    assert_eq!(body["data"][0]["body"], text);
}

#[tokio::test]
async fn comment_lists_paginate_and_reject_bad_parameters() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let article = app.article(ArticleSpec::published(author, "Harga Kopi", 10));
    for i in 0..3 {
        app.comment(article, "a@example.com", &format!("Komentar {i}"), CommentStatus::Approved, 5 - i);
    }
    let page = app.get("/api/v1/articles/harga-kopi/comments?per_page=2&page=2").await;
    assert_eq!(page.headers()["x-total-count"], "3");
    let body: Value = page.json().await.unwrap();
    assert_eq!(body["data"][0]["body"], "Komentar 2");
    assert_eq!(body["meta"]["total_pages"], 2);
    assert_eq!(
        app.invalid_fields("/api/v1/articles/harga-kopi/comments?per_page=101&status=spam").await,
        ["per_page", "status"]
    );
    assert_eq!(app.get("/api/v1/articles/tidak-ada/comments").await.status().as_u16(), 404);
}

/// Every public read, with every variant, is scanned for the commenter's private data.
#[tokio::test]
async fn no_public_response_carries_a_commenters_email_address_or_user_agent() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let category = app.category("Dalam Negeri", None);
    let article = app.article(ArticleSpec::published(author, "Harga Kopi", 10).in_categories(&[category]));
    let email = "rahasia.pembaca@example.com";
    let approved = app.comment(article, email, "Setuju sekali", CommentStatus::Approved, 1);
    app.comment(article, email, "Belum dimoderasi", CommentStatus::Pending, 1);

    let paths = [
        "/api/v1/articles".to_owned(),
        "/api/v1/articles?include=body".to_owned(),
        "/api/v1/articles/harga-kopi".to_owned(),
        format!("/api/v1/articles/{article}"),
        "/api/v1/articles/harga-kopi/comments".to_owned(),
        format!("/api/v1/articles/{article}/comments?per_page=100"),
        "/api/v1/categories".to_owned(),
        "/api/v1/categories/dalam-negeri".to_owned(),
        "/api/v1/site".to_owned(),
    ];
    for path in paths {
        let response = app.get(&path).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let headers = format!("{:?}", response.headers());
        let text = response.text().await.unwrap();
        for secret in [email, "203.0.113.77", "FixtureBrowser", "author_email", "user_agent", "\"ip\""] {
            assert!(!text.contains(secret), "{secret} leaked in {path}: {text}");
            assert!(!headers.contains(secret), "{secret} leaked in headers of {path}");
        }
    }
    let comments = app.get_json("/api/v1/articles/harga-kopi/comments", 200).await;
    assert_eq!(comments["data"][0]["id"], approved);
}
