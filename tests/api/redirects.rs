//! Old slugs keep working: a renamed article, category or tag answers its old slug with a 301
//! to the current one, in one hop however often it was renamed.

use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{problem, spawn_app, ArticleSpec, TestApp};

/// Asserts that `path` is a 301 to `location`, and returns where it leads.
async fn assert_moved(app: &TestApp, path: &str, location: &str) {
    let r = app.get(path).await;
    assert_eq!(r.status().as_u16(), 301, "{path}");
    assert_eq!(r.headers()["location"], location, "{path}");
    assert!(r.headers()["cache-control"].to_str().unwrap().starts_with("public"), "{path}");
}

#[tokio::test]
async fn an_old_article_slug_leads_to_the_current_one_in_one_hop() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let author = app.user("Dewi", Role::Author);
    let id = app.article(ArticleSpec::published(author, "Harga Kopi", 1));
    let path = format!("/api/v1/articles/{id}");
    // Read (and cached) under its first slug before the renames.
    assert_eq!(app.get_json("/api/v1/articles/harga-kopi", 200).await["id"], id);

    for slug in ["harga-kopi-naik", "harga-kopi-naik-lagi"] {
        assert_eq!(app.patch(&path, token, &json!({"slug": slug})).await.status().as_u16(), 200);
    }
    for old in ["harga-kopi", "harga-kopi-naik"] {
        assert_moved(&app, &format!("/api/v1/articles/{old}"), "/api/v1/articles/harga-kopi-naik-lagi").await;
    }
    assert_eq!(app.get_json("/api/v1/articles/harga-kopi-naik-lagi", 200).await["id"], id);

    // Back to a slug it had: that one is its own again, and the one it leaves leads to it.
    assert_eq!(app.patch(&path, token, &json!({"slug": "harga-kopi"})).await.status().as_u16(), 200);
    assert_eq!(app.get_json("/api/v1/articles/harga-kopi", 200).await["id"], id);
    assert_moved(&app, "/api/v1/articles/harga-kopi-naik-lagi", "/api/v1/articles/harga-kopi").await;

    // A slug that never was stays a 404, and an id is never redirected.
    problem(app.get("/api/v1/articles/tidak-pernah-ada").await, 404).await;
    problem(app.get("/api/v1/articles/999").await, 404).await;
}

#[tokio::test]
async fn old_slugs_are_not_given_to_new_stories_unless_an_editor_takes_one_explicitly() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let author = app.user("Dewi", Role::Author);
    let first = app.article(ArticleSpec::published(author, "Banjir Jakarta", 2));
    let r = app.patch(&format!("/api/v1/articles/{first}"), token, &json!({"slug": "banjir-jakarta-utara"})).await;
    assert_eq!(r.status().as_u16(), 200);

    let second: Value = app
        .post("/api/v1/articles", token, &json!({"title": "Banjir Jakarta", "status": "published"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["slug"], "banjir-jakarta-2", "the old slug is still taken by its link");
    assert_moved(&app, "/api/v1/articles/banjir-jakarta", "/api/v1/articles/banjir-jakarta-utara").await;

    let third: Value = app
        .post(
            "/api/v1/articles",
            token,
            &json!({"title": "Banjir Jakarta Lagi", "slug": "banjir-jakarta", "status": "published"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(third["slug"], "banjir-jakarta");
    let now = app.get_json("/api/v1/articles/banjir-jakarta", 200).await;
    assert_eq!(now["id"], third["id"], "the story that took the slug wins over the redirect");
}

#[tokio::test]
async fn an_old_slug_of_a_story_the_reader_may_not_see_is_a_404() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let author = app.user("Dewi", Role::Author);
    let id = app.article(ArticleSpec::published(author, "Rapat Kabinet", 1));
    let path = format!("/api/v1/articles/{id}");
    app.patch(&path, token, &json!({"slug": "rapat-kabinet-terbatas", "status": "draft"})).await;
    problem(app.get("/api/v1/articles/rapat-kabinet").await, 404).await;
    let staff = app.get_as("/api/v1/articles/rapat-kabinet", &editor.token).await;
    assert_eq!(staff.status().as_u16(), 301, "staff may see the draft, so they are sent on");
    assert_eq!(staff.headers()["cache-control"], "private, no-store");

    // A deleted story takes its old slugs with it.
    app.patch(&path, token, &json!({"status": "published"})).await;
    assert_moved(&app, "/api/v1/articles/rapat-kabinet", "/api/v1/articles/rapat-kabinet-terbatas").await;
    assert_eq!(app.delete(&path, token).await.status().as_u16(), 204);
    problem(app.get("/api/v1/articles/rapat-kabinet").await, 404).await;
}

#[tokio::test]
async fn renamed_categories_and_tags_answer_their_old_slugs() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let category = app.category("Luar Negeri", None);
    let tag = app.tag("Pemilu 2024");
    app.get_json("/api/v1/categories/luar-negeri", 200).await;
    let r = app.patch(&format!("/api/v1/categories/{category}"), token, &json!({"slug": "internasional"})).await;
    assert_eq!(r.status().as_u16(), 200);
    let r = app.patch(&format!("/api/v1/tags/{tag}"), token, &json!({"slug": "pemilu"})).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_moved(&app, "/api/v1/categories/luar-negeri", "/api/v1/categories/internasional").await;
    assert_moved(&app, "/api/v1/tags/pemilu-2024", "/api/v1/tags/pemilu").await;

    // A new category named as the old one gets another slug; deleting the tag ends its redirect.
    let again: Value =
        app.post("/api/v1/categories", token, &json!({"name": "Luar Negeri"})).await.json().await.unwrap();
    assert_eq!(again["slug"], "luar-negeri-2");
    assert_eq!(app.delete(&format!("/api/v1/tags/{tag}"), token).await.status().as_u16(), 204);
    problem(app.get("/api/v1/tags/pemilu-2024").await, 404).await;
}
