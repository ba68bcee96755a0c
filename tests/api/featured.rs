//! Featured stories (WordPress's sticky): editors pin them; `featured=true` lists them.

use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{problem, spawn_app, titles, ArticleSpec};

#[tokio::test]
async fn editors_pin_stories_and_the_featured_filter_lists_them() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let author = app.staff("Dewi", Role::Author).await;
    let dalam = app.category("Dalam Negeri", None);
    let kopi = app.article(ArticleSpec::published(author.id, "Kopi", 3).in_categories(&[dalam]));
    let beras = app.article(ArticleSpec::published(author.id, "Beras", 2));
    app.article(ArticleSpec::published(author.id, "Gempa", 1).in_categories(&[dalam]));
    assert_eq!(app.get_json(&format!("/api/v1/articles/{kopi}"), 200).await["featured"], false);
    assert_eq!(app.get_json("/api/v1/articles?featured=true", 200).await["meta"]["total"], 0);

    // Only editors and admins pin or unpin.
    let path = |id: i64| format!("/api/v1/articles/{id}");
    problem(app.patch(&path(kopi), Some(&author.token), &json!({"featured": true})).await, 403).await;
    let r = app.post("/api/v1/articles", Some(&author.token), &json!({"title": "X", "featured": true})).await;
    problem(r, 403).await;
    let r = app.post("/api/v1/articles", Some(&author.token), &json!({"title": "Y", "featured": false})).await;
    assert_eq!(r.status().as_u16(), 201);
    for id in [kopi, beras] {
        let r = app.patch(&path(id), Some(&editor.token), &json!({"featured": true})).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["featured"], true);
    }
    // The author may still edit a featured story of theirs, as long as the pin stays.
    let r = app.patch(&path(kopi), Some(&author.token), &json!({"title": "Kopi Naik", "featured": true})).await;
    assert_eq!(r.status().as_u16(), 200);

    let featured = app.get_json("/api/v1/articles?featured=true", 200).await;
    assert_eq!(titles(&featured), ["Beras", "Kopi Naik"]);
    assert_eq!(featured["meta"]["total"], 2);
    assert_eq!(titles(&app.get_json("/api/v1/articles?featured=false", 200).await), ["Gempa"]);
    // With the other filters, with search and with cursor pages.
    let in_dalam = app.get_json(&format!("/api/v1/articles?featured=true&category={dalam}"), 200).await;
    assert_eq!(titles(&in_dalam), ["Kopi Naik"]);
    assert_eq!(titles(&app.get_json("/api/v1/articles?featured=true&search=kopi", 200).await), ["Kopi Naik"]);
    assert_eq!(app.get_json("/api/v1/articles?featured=false&search=kopi", 200).await["meta"]["total"], 0);
    let first = app.get_json("/api/v1/articles?featured=true&per_page=1", 200).await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap();
    let second = app.get_json(&format!("/api/v1/articles?featured=true&per_page=1&cursor={cursor}"), 200).await;
    assert_eq!(titles(&second), ["Kopi Naik"]);

    // Unpinning takes it out (the cached list and count follow).
    assert_eq!(app.patch(&path(beras), Some(&editor.token), &json!({"featured": false})).await.status().as_u16(), 200);
    let featured = app.get_json("/api/v1/articles?featured=true", 200).await;
    assert_eq!((titles(&featured), featured["meta"]["total"].as_i64()), (vec!["Kopi Naik".to_owned()], Some(1)));

    let r = app.get("/api/v1/articles?featured=yes").await;
    assert_eq!(crate::helpers::invalid_fields_of(r).await, ["featured"]);
    let r = app.patch(&path(kopi), Some(&editor.token), &json!({"featured": "ya"})).await;
    assert_eq!(crate::helpers::invalid_fields_of(r).await, ["featured"]);
}
