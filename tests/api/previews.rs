//! Draft preview through HTTP: a token shows its one article as it is now, to anyone holding
//! it, never cached or indexed, until it expires or is revoked.

use serde_json::{json, Value};
use warta::domain::Role;
use warta::startup::StartOptions;

use crate::helpers::{problem, spawn_app_with, ArticleSpec};

const TEMPLATE: (&str, &str) = ("WARTA_PREVIEW_URL", "https://kabarharapan.id/api/draft?token={token}&slug={slug}");

#[tokio::test]
async fn a_token_shows_its_draft_to_anyone_holding_it_and_nothing_else() {
    let app = spawn_app_with(&[TEMPLATE], StartOptions::default()).await;
    let author = app.staff("Dewi Penulis", Role::Author).await;
    let draft = app
        .post("/api/v1/articles", Some(&author.token), &json!({"title": "Rahasia Dapur", "body": "Belum **terbit**."}))
        .await;
    let draft: Value = draft.json().await.unwrap();
    let other = app.article(ArticleSpec::draft(author.id, "Draf Lain"));
    let made = app.post(&format!("/api/v1/articles/{}/preview", draft["id"]), Some(&author.token), &json!({})).await;
    assert_eq!(made.status().as_u16(), 201);
    let made: Value = made.json().await.unwrap();
    let token = made["token"].as_str().unwrap();
    assert!(token.len() >= 40);
    assert_eq!(
        made["url"].as_str().unwrap(),
        format!("https://kabarharapan.id/api/draft?token={token}&slug=rahasia-dapur")
    );
    let expires = chrono::DateTime::parse_from_rfc3339(made["expires_at"].as_str().unwrap()).unwrap();
    let left = expires.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(left > chrono::Duration::minutes(59) && left <= chrono::Duration::minutes(60), "{left}");

    let shown = app.get(&format!("/api/v1/preview/{token}")).await;
    assert_eq!(shown.status().as_u16(), 200);
    assert_eq!(shown.headers()["cache-control"], "private, no-store");
    assert_eq!(shown.headers()["x-robots-tag"], "noindex");
    let shown: Value = shown.json().await.unwrap();
    assert_eq!(shown["id"], draft["id"]);
    assert_eq!(shown["status"], "draft");
    assert!(shown["body_html"].as_str().unwrap().contains("<strong>terbit</strong>"));
    // The draft itself stays a 404 to the public, and so does everything near the token.
    problem(app.get(&format!("/api/v1/articles/{}", draft["id"])).await, 404).await;
    problem(app.get(&format!("/api/v1/articles/{other}")).await, 404).await;
    problem(app.get(&format!("/api/v1/preview/{token}x")).await, 404).await;
    problem(app.get("/api/v1/preview/").await, 404).await;
    let listed = app.get_json("/api/v1/articles", 200).await;
    assert_eq!(listed["meta"]["total"], 0, "a token lists nothing");
    let with_query = app.get(&format!("/api/v1/preview/{token}?id={other}")).await;
    assert_eq!(with_query.status().as_u16(), 422);

    // It follows the article as it changes.
    let path = format!("/api/v1/articles/{}", draft["id"]);
    assert_eq!(app.patch(&path, Some(&author.token), &json!({"title": "Rahasia Dapur Baru"})).await.status(), 200);
    assert_eq!(app.get_json(&format!("/api/v1/preview/{token}"), 200).await["title"], "Rahasia Dapur Baru");

    // Revoked: every token of the article stops working.
    let second: Value =
        app.post(&format!("{path}/preview"), Some(&author.token), &json!({})).await.json().await.unwrap();
    assert_eq!(app.delete(&format!("{path}/preview"), Some(&author.token)).await.status().as_u16(), 204);
    for t in [token, second["token"].as_str().unwrap()] {
        problem(app.get(&format!("/api/v1/preview/{t}")).await, 404).await;
    }
    let audit = app.staff("Admin Audit", Role::Admin).await;
    let entries = app.get_json_as("/api/v1/audit?action=preview.create", &audit.token).await;
    assert_eq!(entries["meta"]["total"], 2);
    assert!(!entries.to_string().contains(token), "the audit log never shows a token");
}

#[tokio::test]
async fn only_staff_who_may_see_the_article_make_tokens_and_deleted_articles_end_them() {
    let app = spawn_app_with(&[], StartOptions::default()).await;
    let owner = app.staff("Pemilik Draf", Role::Contributor).await;
    let stranger = app.staff("Orang Lain", Role::Contributor).await;
    let editor = app.staff("Editor Pratinjau", Role::Editor).await;
    let draft = app.article(ArticleSpec::draft(owner.id, "Draf Milik Sendiri"));
    let path = format!("/api/v1/articles/{draft}/preview");
    problem(app.post(&path, Some(&stranger.token), &json!({})).await, 404).await;
    problem(app.post(&path, None, &json!({})).await, 401).await;
    let made: Value = app.post(&path, Some(&editor.token), &json!({})).await.json().await.unwrap();
    assert_eq!(made["url"], Value::Null, "no WARTA_PREVIEW_URL, no url");
    let token = made["token"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/preview/{token}")).await.status().as_u16(), 200);
    assert_eq!(app.delete(&format!("/api/v1/articles/{draft}"), Some(&editor.token)).await.status().as_u16(), 204);
    problem(app.get(&format!("/api/v1/preview/{token}")).await, 404).await;
}

#[tokio::test]
async fn an_expired_token_is_a_404() {
    let app = spawn_app_with(&[("WARTA_PREVIEW_TTL", "60")], StartOptions::default()).await;
    let editor = app.staff("Editor Kedaluwarsa", Role::Editor).await;
    let draft = app.article(ArticleSpec::draft(editor.id, "Sebentar Saja"));
    let made: Value = app
        .post(&format!("/api/v1/articles/{draft}/preview"), Some(&editor.token), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let token = made["token"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/preview/{token}")).await.status().as_u16(), 200);
    // Its expiry moved into the past, as an hour passing would.
    let hash = warta::auth::token_hash(token);
    use diesel::prelude::*;
    use warta::db::schema::preview_tokens;
    diesel::update(preview_tokens::table.filter(preview_tokens::token_hash.eq(&hash)))
        .set(preview_tokens::expires_at.eq(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1)))
        .execute(&mut app.conn())
        .unwrap();
    problem(app.get(&format!("/api/v1/preview/{token}")).await, 404).await;
}
