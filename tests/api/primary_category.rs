//! The primary category: one of an article's categories, the one the frontend shows and puts in
//! the URL.

use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{invalid_fields_of, spawn_app};

#[tokio::test]
async fn the_primary_category_is_one_of_the_articles_categories() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let t = Some(editor.token.as_str());
    let (dalam, luar, ekonomi) =
        (app.category("Dalam Negeri", None), app.category("Luar Negeri", None), app.category("Ekonomi", None));

    // Not among the categories: a 422 naming it, and nothing is written.
    let r = app
        .post("/api/v1/articles", t, &json!({"title": "Kopi", "category_ids": [dalam], "primary_category_id": luar}))
        .await;
    assert_eq!(invalid_fields_of(r).await, ["primary_category_id"]);
    assert_eq!(app.get_json_as("/api/v1/articles?status=any", &editor.token).await["meta"]["total"], 0);

    let r = app
        .post("/api/v1/articles", t, &json!({"title": "Kopi", "status": "published", "category_ids": [dalam, luar], "primary_category_id": luar}))
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let article: Value = r.json().await.unwrap();
    let id = article["id"].as_i64().unwrap();
    assert_eq!(article["primary_category"], json!({"id": luar, "slug": "luar-negeri", "name": "Luar Negeri"}));
    let listed = app.get_json("/api/v1/articles", 200).await;
    assert_eq!(listed["data"][0]["primary_category"]["id"], luar, "lists show it too");
    let none: Value = app.post("/api/v1/articles", t, &json!({"title": "Tanpa"})).await.json().await.unwrap();
    assert!(none["primary_category"].is_null());

    let path = format!("/api/v1/articles/{id}");
    // Another of its categories; one it is not filed under is a 422.
    let r = app.patch(&path, t, &json!({"primary_category_id": dalam})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["primary_category"]["id"], dalam);
    let r = app.patch(&path, t, &json!({"primary_category_id": ekonomi})).await;
    assert_eq!(invalid_fields_of(r).await, ["primary_category_id"]);
    let r = app.patch(&path, t, &json!({"category_ids": [ekonomi], "primary_category_id": ekonomi})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["primary_category"]["id"], ekonomi);
    // New categories that leave the primary out end its being primary.
    let r = app.patch(&path, t, &json!({"category_ids": [dalam, luar]})).await;
    assert!(r.json::<Value>().await.unwrap()["primary_category"].is_null());
    let r = app.patch(&path, t, &json!({"primary_category_id": luar})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["primary_category"]["id"], luar);
    let r = app.patch(&path, t, &json!({"primary_category_id": null})).await;
    assert!(r.json::<Value>().await.unwrap()["primary_category"].is_null());

    // A deleted category stops being primary (and the public copy follows).
    let r = app.patch(&path, t, &json!({"primary_category_id": luar})).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.get_json(&path, 200).await["primary_category"]["id"], luar);
    assert_eq!(app.delete(&format!("/api/v1/categories/{luar}"), t).await.status().as_u16(), 204);
    let after = app.get_json(&path, 200).await;
    assert!(after["primary_category"].is_null(), "{after}");
    let r = app.patch(&path, t, &json!({"primary_category_id": "dua"})).await;
    assert_eq!(invalid_fields_of(r).await, ["primary_category_id"]);
}

#[tokio::test]
async fn ids_that_cannot_name_a_row_are_a_422_before_if_match_is_compared() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let id = app.article(crate::helpers::ArticleSpec::draft(editor.id, "Kopi"));
    // Found by contract fuzzing: a stale If-Match answered 412 for a body the schema forbids.
    for body in [
        json!({"category_ids": [-5]}),
        json!({"tag_ids": [0]}),
        json!({"primary_category_id": 0}),
        json!({"category_ids": [-9223372036854775807i64, 3]}),
    ] {
        let field = body.as_object().unwrap().keys().next().unwrap().clone();
        let r = app
            .client
            .patch(app.url(&format!("/api/v1/articles/{id}")))
            .bearer_auth(&editor.token)
            .header("If-Match", "null")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(invalid_fields_of(r).await, [field], "{body}");
    }
    let r = app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "X", "tag_ids": [-1]})).await;
    assert_eq!(invalid_fields_of(r).await, ["tag_ids"]);
}
