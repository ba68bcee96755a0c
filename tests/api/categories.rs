//! The public category list and single categories.

use chrono::{Duration, Utc};
use serde_json::Value;
use warta::domain::Role;

use crate::helpers::{spawn_app, ArticleSpec};

fn slugs(body: &Value) -> Vec<String> {
    body["data"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn categories_are_listed_by_name_with_public_article_counts() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let luar = app.category("Luar Negeri", None);
    let dalam = app.category("Dalam Negeri", None);
    let asia = app.category("Asia", Some(luar));
    app.article(ArticleSpec::published(author, "Satu", 3).in_categories(&[luar, asia]));
    app.article(ArticleSpec::published(author, "Dua", 2).in_categories(&[luar]));
    app.article(ArticleSpec::draft(author, "Draf").in_categories(&[luar, dalam]));
    app.article(
        ArticleSpec {
            published_at: Some(Utc::now() + Duration::hours(2)),
            ..ArticleSpec::published(author, "Nanti", 0)
        }
        .in_categories(&[dalam]),
    );

    let body = app.get_json("/api/v1/categories", 200).await;
    assert_eq!(slugs(&body), ["asia", "dalam-negeri", "luar-negeri"]);
    let counts: Vec<i64> =
        body["data"].as_array().unwrap().iter().map(|c| c["article_count"].as_i64().unwrap()).collect();
    assert_eq!(counts, [1, 0, 2]);
    assert_eq!(body["data"][0]["parent_id"], luar);
    assert_eq!(body["data"][1]["parent_id"], Value::Null);
    assert_eq!(body["data"][1]["description"], "Tentang Dalam Negeri");
    assert_eq!(body["meta"]["total"], 3);
}

#[tokio::test]
async fn categories_filter_by_parent() {
    let app = spawn_app().await;
    let luar = app.category("Luar Negeri", None);
    app.category("Dalam Negeri", None);
    app.category("Timur Tengah", Some(luar));
    app.category("Asia", Some(luar));
    assert_eq!(slugs(&app.get_json("/api/v1/categories?parent=luar-negeri", 200).await), ["asia", "timur-tengah"]);
    assert_eq!(slugs(&app.get_json(&format!("/api/v1/categories?parent={luar}"), 200).await), ["asia", "timur-tengah"]);
    assert_eq!(slugs(&app.get_json("/api/v1/categories?parent=none", 200).await), ["dalam-negeri", "luar-negeri"]);
    assert_eq!(app.get_json("/api/v1/categories?parent=olahraga", 200).await["meta"]["total"], 0);
    assert_eq!(app.invalid_fields("/api/v1/categories?parent=Luar%20Negeri&per_page=0").await, ["parent", "per_page"]);
}

#[tokio::test]
async fn a_category_is_found_by_id_and_slug() {
    let app = spawn_app().await;
    let id = app.category("Dalam Negeri", None);
    let by_slug = app.get_json("/api/v1/categories/dalam-negeri", 200).await;
    assert_eq!(by_slug, app.get_json(&format!("/api/v1/categories/{id}"), 200).await);
    assert_eq!(by_slug["name"], "Dalam Negeri");
    assert_eq!(by_slug["article_count"], 0);
    let missing = app.get("/api/v1/categories/olahraga").await;
    assert_eq!(missing.status().as_u16(), 404);
    let problem: Value = missing.json().await.unwrap();
    assert_eq!(problem["detail"], "category not found");
}

#[tokio::test]
async fn category_slugs_clash_into_numbered_ones() {
    let app = spawn_app().await;
    app.category("Kopi", None);
    app.category("Kopi!", None);
    app.category("kopi", None);
    assert_eq!(slugs(&app.get_json("/api/v1/categories", 200).await), ["kopi", "kopi-2", "kopi-3"]);
}
