//! Writing categories: editors and admins only, slugs, an acyclic hierarchy, deletion rules.

use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{invalid_fields_of, problem, spawn_app, ArticleSpec};

#[tokio::test]
async fn editors_create_update_and_delete_categories() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let r = app
        .post("/api/v1/categories", Some(&editor.token), &json!({"name": "Luar Negeri", "description": "Berita dunia"}))
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let luar: Value = r.json().await.unwrap();
    assert_eq!(luar["slug"], "luar-negeri");
    assert_eq!(location, format!("/api/v1/categories/{}", luar["id"]));

    let r = app
        .post("/api/v1/categories", Some(&editor.token), &json!({"name": "Timur Tengah", "parent_id": luar["id"]}))
        .await;
    let child: Value = r.json().await.unwrap();
    assert_eq!(child["parent_id"], luar["id"]);

    let r = app.patch(&location, Some(&editor.token), &json!({"name": "Internasional", "slug": "internasional"})).await;
    assert_eq!(r.status().as_u16(), 200);
    let renamed: Value = r.json().await.unwrap();
    assert_eq!((renamed["name"].as_str(), renamed["slug"].as_str()), (Some("Internasional"), Some("internasional")));
    assert_eq!(app.get_json("/api/v1/categories/internasional", 200).await["id"], luar["id"]);

    let child_path = format!("/api/v1/categories/{}", child["id"]);
    let moved: Value =
        app.patch(&child_path, Some(&editor.token), &json!({"parent_id": null})).await.json().await.unwrap();
    assert_eq!(moved["parent_id"], Value::Null);
    assert_eq!(app.delete(&child_path, Some(&editor.token)).await.status().as_u16(), 204);
    problem(app.get(&child_path).await, 404).await;
}

#[tokio::test]
async fn authors_and_contributors_cannot_touch_categories() {
    let app = spawn_app().await;
    let id = app.category("Olahraga", None);
    for role in [Role::Author, Role::Contributor] {
        let staff = app.staff(&format!("Staf {role}"), role).await;
        problem(app.post("/api/v1/categories", Some(&staff.token), &json!({"name": "Baru"})).await, 403).await;
        problem(app.patch(&format!("/api/v1/categories/{id}"), Some(&staff.token), &json!({"name": "X"})).await, 403)
            .await;
        problem(app.delete(&format!("/api/v1/categories/{id}"), Some(&staff.token)).await, 403).await;
    }
    assert_eq!(app.get_json("/api/v1/categories/olahraga", 200).await["name"], "Olahraga");
}

#[tokio::test]
async fn the_hierarchy_stays_free_of_cycles() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let a = app.category("A", None);
    let b = app.category("B", Some(a));
    let c = app.category("C", Some(b));
    for (id, parent) in [(a, c), (a, b), (a, a), (b, c)] {
        let r =
            app.patch(&format!("/api/v1/categories/{id}"), Some(&editor.token), &json!({"parent_id": parent})).await;
        let body = problem(r, 422).await;
        assert!(body["errors"]["parent_id"].is_array(), "{body}");
    }
    let r = app.post("/api/v1/categories", Some(&editor.token), &json!({"name": "Yatim", "parent_id": 999})).await;
    assert_eq!(invalid_fields_of(r).await, ["parent_id"]);
    // A legal move still works.
    assert_eq!(
        app.patch(&format!("/api/v1/categories/{c}"), Some(&editor.token), &json!({"parent_id": a}))
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn a_category_with_children_cannot_be_deleted_and_articles_just_lose_a_deleted_one() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let parent = app.category("Luar Negeri", None);
    let child = app.category("Asia", Some(parent));
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Berita Asia", 1).in_categories(&[parent, child]));
    problem(app.delete(&format!("/api/v1/categories/{parent}"), Some(&editor.token)).await, 409).await;
    assert_eq!(app.delete(&format!("/api/v1/categories/{child}"), Some(&editor.token)).await.status().as_u16(), 204);
    let article = app.get_json("/api/v1/articles/berita-asia", 200).await;
    assert_eq!(article["categories"], json!([{"id": parent, "slug": "luar-negeri", "name": "Luar Negeri"}]));
}

#[tokio::test]
async fn category_input_is_validated() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    app.category("Olahraga", None);
    let r = app
        .post(
            "/api/v1/categories",
            Some(&editor.token),
            &json!({"name": "", "slug": "-x-", "description": "d".repeat(1001), "colour": "red"}),
        )
        .await;
    assert_eq!(invalid_fields_of(r).await, ["colour", "description", "name", "slug"]);
    let r =
        app.post("/api/v1/categories", Some(&editor.token), &json!({"name": "Sepak Bola", "slug": "olahraga"})).await;
    problem(r, 409).await;
    let r = app.post("/api/v1/categories", Some(&editor.token), &json!({"name": "Olahraga"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["slug"], "olahraga-2");
    problem(app.patch("/api/v1/categories/tidak-ada", Some(&editor.token), &json!({"name": "X"})).await, 404).await;
}

/// Two editors moving two categories under each other at the same moment: one move wins, the
/// other is refused, and no cycle is stored (on PostgreSQL both moves can run at once).
#[tokio::test]
async fn two_moves_at_once_never_make_a_cycle() {
    let app = std::sync::Arc::new(spawn_app().await);
    let editor = app.staff("Editor Pindah", Role::Editor).await;
    for round in 0..5 {
        let a = app.category(&format!("Satu {round}"), None);
        let b = app.category(&format!("Dua {round}"), None);
        let mv = |id: i64, parent: i64| {
            let (app, token) = (app.clone(), editor.token.clone());
            tokio::spawn(async move {
                let path = format!("/api/v1/categories/{id}");
                app.patch(&path, Some(&token), &json!({"parent_id": parent})).await.status().as_u16()
            })
        };
        let (one, two) = (mv(a, b), mv(b, a));
        let mut statuses = [one.await.unwrap(), two.await.unwrap()];
        statuses.sort();
        assert_eq!(statuses, [200, 422], "round {round}");
        let parent = |id: i64| {
            let app = app.clone();
            async move { app.get_json(&format!("/api/v1/categories/{id}"), 200).await["parent_id"].as_i64() }
        };
        let (pa, pb) = (parent(a).await, parent(b).await);
        assert!(pa.is_none() || pb.is_none(), "round {round}: a cycle was stored ({pa:?}, {pb:?})");
    }
}
