//! Public author pages: who has a public article, by name, never with an email.

use serde_json::json;
use warta::domain::Role;

use crate::helpers::{problem, spawn_app, ArticleSpec};

#[tokio::test]
async fn authors_are_the_people_with_a_public_article() {
    let app = spawn_app().await;
    let (dewi, bayu, tono) =
        (app.user("Dewi", Role::Author), app.user("Bayu", Role::Editor), app.user("Tono", Role::Author));
    let _admin = app.user("Admin", Role::Admin);
    app.article(ArticleSpec::published(dewi, "Kopi", 2));
    app.article(ArticleSpec::published(bayu, "Beras", 3));
    app.article(ArticleSpec::draft(tono, "Draf"));
    let scheduled = ArticleSpec {
        published_at: Some(chrono::Utc::now() + chrono::Duration::hours(2)),
        ..ArticleSpec::published(tono, "Nanti", 0)
    };
    app.article(scheduled);

    let list = app.get_json("/api/v1/authors", 200).await;
    assert_eq!(list["meta"]["total"], 2);
    let names: Vec<&str> =
        list["data"].as_array().unwrap().iter().map(|a| a["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bayu", "Dewi"]);
    assert_eq!(list["data"][1], json!({"id": dewi, "display_name": "Dewi", "slug": "dewi", "bio": "Bio Dewi"}));
    assert!(!list.to_string().contains('@'), "no email");

    assert_eq!(app.get_json("/api/v1/authors/dewi", 200).await["id"], dewi);
    assert_eq!(app.get_json(&format!("/api/v1/authors/{bayu}"), 200).await["slug"], "bayu");
    problem(app.get("/api/v1/authors/tono").await, 404).await; // a draft and a scheduled story only
    problem(app.get("/api/v1/authors/admin").await, 404).await;
    problem(app.get("/api/v1/authors/Bukan_Slug").await, 404).await;
    let r = app.get("/api/v1/authors?page=0").await;
    assert_eq!(crate::helpers::invalid_fields_of(r).await, ["page"]);
    // Their stories are the article list's author filter.
    assert_eq!(app.get_json("/api/v1/articles?author=dewi", 200).await["meta"]["total"], 1);
}

#[tokio::test]
async fn the_author_list_follows_publication_and_renames_through_the_cache() {
    let app = spawn_app().await;
    let admin = app.staff("Admin", Role::Admin).await;
    let tono = app.staff("Tono", Role::Author).await;
    assert_eq!(app.get_json("/api/v1/authors", 200).await["meta"]["total"], 0);
    let r =
        app.post("/api/v1/articles", Some(&tono.token), &json!({"title": "Berita Tono", "status": "published"})).await;
    assert_eq!(r.status().as_u16(), 201);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.get_json("/api/v1/authors", 200).await["meta"]["total"], 1);
    let r =
        app.patch(&format!("/api/v1/users/{}", tono.id), Some(&admin.token), &json!({"display_name": "Tono S."})).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.get_json("/api/v1/authors/tono", 200).await["display_name"], "Tono S.");
    assert_eq!(app.delete(&format!("/api/v1/articles/{id}"), Some(&tono.token)).await.status().as_u16(), 204);
    assert_eq!(app.get_json("/api/v1/authors", 200).await["meta"]["total"], 0);
    problem(app.get("/api/v1/authors/tono").await, 404).await;
}
