//! Revisions: written by every create, update and restore; read, compared and restored by
//! whoever may edit the article; pruned per article; never changed.

use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{problem, spawn_app, spawn_app_with, ArticleSpec, TestApp};
use warta::startup::StartOptions;

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/articles", Some(token), &body).await;
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.unwrap()
}

async fn patch(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    let r = app.patch(&format!("/api/v1/articles/{id}"), Some(token), &body).await;
    assert_eq!(r.status().as_u16(), 200, "PATCH {body}");
    r.json().await.unwrap()
}

async fn revisions(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let r = app.get_as(&format!("/api/v1/articles/{id}/revisions?per_page=100"), token).await;
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_create_and_update_stores_a_revision_newest_first_with_who_made_it() {
    let app = spawn_app().await;
    let author = app.staff("Dewi", Role::Author).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let dalam = app.category("Dalam Negeri", None);
    let iran = app.tag("Iran");
    let article = create(
        &app,
        &author.token,
        json!({"title": "Harga Kopi Naik", "body": "Baris satu.\nBaris dua.\n", "category_ids": [dalam], "tag_ids": [iran]}),
    )
    .await;
    let id = article["id"].as_i64().unwrap();
    patch(&app, &editor.token, id, json!({"title": "Harga Kopi Turun", "status": "published"})).await;

    let page = app.get_json_as(&format!("/api/v1/articles/{id}/revisions?per_page=1&page=2"), &author.token).await;
    assert_eq!((page["meta"]["total"].as_i64(), page["data"].as_array().unwrap().len()), (Some(2), 1));
    assert_eq!(page["data"][0]["title"], "Harga Kopi Naik", "page 2 of 1 per page is the older one");
    let list = revisions(&app, &author.token, id).await;
    assert_eq!(list.len(), 2);
    let (newest, first) = (&list[0], &list[1]);
    assert!(newest["id"].as_i64() > first["id"].as_i64(), "ids grow with time");
    assert_eq!((newest["title"].as_str(), newest["status"].as_str()), (Some("Harga Kopi Turun"), Some("published")));
    assert_eq!((first["title"].as_str(), first["status"].as_str()), (Some("Harga Kopi Naik"), Some("draft")));
    assert_eq!(newest["author"]["display_name"], "Bayu", "the editor made the second");
    assert_eq!(first["author"]["id"], author.id);
    assert_eq!(first["category_ids"], json!([dalam]));
    assert_eq!(first["tag_ids"], json!([iran]));
    assert!(first.get("body").is_none(), "lists leave out bodies");
    assert!(newest["published_at"].is_string());
    assert!(first["author"].get("email").is_none(), "the author object is public");

    let one = app.get_as(&format!("/api/v1/articles/{id}/revisions/{}", first["id"]), &author.token).await;
    assert_eq!(one.status().as_u16(), 200);
    let one: Value = one.json().await.unwrap();
    assert_eq!(one["body"], "Baris satu.\nBaris dua.\n");
    assert_eq!(one["article_id"], id);
}

#[tokio::test]
async fn a_diff_names_each_changed_field_and_diffs_the_body_by_line() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let t = &editor.token;
    let id = create(&app, t, json!({"title": "Harga Kopi Naik", "body": "Teheran.\nHarga naik.\nSumber: Anadolu\n"}))
        .await["id"]
        .as_i64()
        .unwrap();
    patch(&app, t, id, json!({"title": "Harga Kopi Turun", "body": "Teheran.\nHarga turun.\nSumber: Anadolu\n"})).await;
    patch(&app, t, id, json!({"source_name": "Reuters"})).await;
    let list = revisions(&app, t, id).await;
    let ids: Vec<i64> = list.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    let (third, second, first) = (ids[0], ids[1], ids[2]);

    // By default, against the revision before it.
    let diff = app.get_json_as(&format!("/api/v1/articles/{id}/revisions/{second}/diff"), t).await;
    assert_eq!((diff["from"].as_i64(), diff["to"].as_i64()), (Some(first), Some(second)));
    assert_eq!(diff["fields"], json!({"title": {"from": "Harga Kopi Naik", "to": "Harga Kopi Turun"}}));
    let runs: Vec<(String, String)> = diff["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["op"].as_str().unwrap().to_owned(), r["text"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("equal", "Teheran.\n"),
        ("delete", "Harga naik.\n"),
        ("insert", "Harga turun.\n"),
        ("equal", "Sumber: Anadolu\n"),
    ];
    assert_eq!(runs, expected.map(|(op, text)| (op.to_owned(), text.to_owned())));

    // Against any revision of the same article, older or newer: always from older to newer.
    let diff = app.get_json_as(&format!("/api/v1/articles/{id}/revisions/{first}/diff?against={third}"), t).await;
    assert_eq!((diff["from"].as_i64(), diff["to"].as_i64()), (Some(first), Some(third)));
    let fields: Vec<&String> = diff["fields"].as_object().unwrap().keys().collect();
    assert_eq!(fields, ["source_name", "title"]);
    assert_eq!(diff["fields"]["source_name"], json!({"from": null, "to": "Reuters"}));

    // The first revision's diff is against nothing.
    let diff = app.get_json_as(&format!("/api/v1/articles/{id}/revisions/{first}/diff"), t).await;
    assert!(diff["from"].is_null());
    assert_eq!(diff["fields"]["title"], json!({"from": null, "to": "Harga Kopi Naik"}));
    assert_eq!(diff["body"], json!([{"op": "insert", "text": "Teheran.\nHarga naik.\nSumber: Anadolu\n"}]));

    // A revision of another article, here or as `against`, is not found; bad values are 422s.
    let other = create(&app, t, json!({"title": "Lain"})).await["id"].as_i64().unwrap();
    let other_rev = revisions(&app, t, other).await[0]["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/articles/{id}/revisions/{other_rev}"),
        format!("/api/v1/articles/{id}/revisions/{other_rev}/diff"),
        format!("/api/v1/articles/{id}/revisions/{first}/diff?against={other_rev}"),
        format!("/api/v1/articles/{id}/revisions/99999/diff"),
        format!("/api/v1/articles/{id}/revisions/abc"),
        "/api/v1/articles/99999/revisions".to_owned(),
    ] {
        problem(app.get_as(&path, t).await, 404).await;
    }
    let r = app.get_as(&format!("/api/v1/articles/{id}/revisions/{first}/diff?against=x"), t).await;
    assert_eq!(crate::helpers::invalid_fields_of(r).await, ["against"]);
    let r = app.get_as(&format!("/api/v1/articles/{id}/revisions?colour=red"), t).await;
    assert_eq!(crate::helpers::invalid_fields_of(r).await, ["colour"]);
}

#[tokio::test]
async fn a_restore_is_an_edit_that_keeps_status_and_leaves_out_what_was_deleted() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let t = &editor.token;
    let (dalam, luar) = (app.category("Dalam Negeri", None), app.category("Luar Negeri", None));
    let (iran, azer) = (app.tag("Iran"), app.tag("Azerbaijan"));
    let id = create(
        &app,
        t,
        json!({"title": "Versi Awal", "body": "Teks **awal**.", "category_ids": [dalam, luar], "tag_ids": [iran, azer],
               "source_name": "Anadolu"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let first = revisions(&app, t, id).await[0]["id"].as_i64().unwrap();
    let edited = patch(
        &app,
        t,
        id,
        json!({"title": "Versi Kedua", "body": "Teks kedua.", "category_ids": [dalam], "tag_ids": [], "source_name": null,
               "status": "published"}),
    )
    .await;
    assert_eq!(edited["status"], "published");
    assert_eq!(app.delete(&format!("/api/v1/categories/{luar}"), Some(t)).await.status().as_u16(), 204);
    assert_eq!(app.delete(&format!("/api/v1/tags/{azer}"), Some(t)).await.status().as_u16(), 204);

    // A stale If-Match is a 412 and restores nothing.
    let restore = format!("/api/v1/articles/{id}/revisions/{first}/restore");
    let stale = app.client.post(app.url(&restore)).bearer_auth(t).header("If-Match", "\"stale\"").send().await.unwrap();
    problem(stale, 412).await;
    assert_eq!(revisions(&app, t, id).await.len(), 2);

    let current = app.get_as(&format!("/api/v1/articles/{id}"), t).await;
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let r = app.client.post(app.url(&restore)).bearer_auth(t).header("If-Match", &etag).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().contains_key("etag"));
    let restored: Value = r.json().await.unwrap();
    assert_eq!(restored["title"], "Versi Awal");
    assert_eq!(restored["body_html"], "<p>Teks <strong>awal</strong>.</p>\n", "rendered again");
    assert_eq!(restored["status"], "published", "a restore neither publishes nor unpublishes");
    assert_eq!(restored["published_at"], edited["published_at"]);
    assert_eq!(restored["source_name"], "Anadolu");
    let categories: Vec<i64> =
        restored["categories"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(categories, [dalam], "the deleted category is left out");
    let tags: Vec<i64> = restored["tags"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(tags, [iran], "the deleted tag is left out");
    // The search index follows.
    let found = app.get_json("/api/v1/articles?search=awal", 200).await;
    assert_eq!(found["meta"]["total"], 1);

    // It made a new revision; the restored one is unchanged.
    let list = revisions(&app, t, id).await;
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["title"], "Versi Awal");
    assert_eq!(list[2]["id"], first);
    assert_eq!(list[2]["title"], "Versi Awal");

    problem(app.post(&format!("/api/v1/articles/{id}/revisions/99999/restore"), Some(t), &json!({})).await, 404).await;
}

#[tokio::test]
async fn the_rules_of_editing_decide_who_reads_and_restores_revisions() {
    let app = spawn_app().await;
    let contributor = app.staff("Tono", Role::Contributor).await;
    let author = app.staff("Dewi", Role::Author).await;
    let other_author = app.staff("Rina", Role::Author).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let draft = create(&app, &contributor.token, json!({"title": "Draf Tono"})).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{draft}/revisions");
    assert_eq!(app.get_as(&path, &contributor.token).await.status().as_u16(), 200, "own draft");
    assert_eq!(app.get_as(&path, &editor.token).await.status().as_u16(), 200, "editors see all");
    problem(app.get_as(&path, &other_author.token).await, 404).await; // cannot even see it
    problem(app.get(&path).await, 401).await;

    // Once published, the contributor may still see their story but no longer edit it.
    patch(&app, &editor.token, draft, json!({"status": "published"})).await;
    problem(app.get_as(&path, &contributor.token).await, 403).await;
    let first = revisions(&app, &editor.token, draft).await[1]["id"].as_i64().unwrap();
    let restore = format!("{path}/{first}/restore");
    problem(app.post(&restore, Some(&contributor.token), &json!({})).await, 403).await;
    problem(app.get_as(&path, &other_author.token).await, 403).await;

    let own = app.article(ArticleSpec::published(author.id, "Milik Dewi", 1));
    assert_eq!(app.get_as(&format!("/api/v1/articles/{own}/revisions"), &author.token).await.status().as_u16(), 200);
}

#[tokio::test]
async fn revisions_are_pruned_to_the_newest_per_article_and_never_change() {
    let app = spawn_app_with(&[("WARTA_REVISIONS_KEEP", "3")], StartOptions::default()).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let t = &editor.token;
    let id = create(&app, t, json!({"title": "Versi 0"})).await["id"].as_i64().unwrap();
    let other = create(&app, t, json!({"title": "Lain"})).await["id"].as_i64().unwrap();
    for n in 1..=5 {
        patch(&app, t, id, json!({"title": format!("Versi {n}")})).await;
    }
    let titles: Vec<String> =
        revisions(&app, t, id).await.iter().map(|r| r["title"].as_str().unwrap().to_owned()).collect();
    assert_eq!(titles, ["Versi 5", "Versi 4", "Versi 3"]);
    assert_eq!(revisions(&app, t, other).await.len(), 1, "other articles keep theirs");

    // The database itself refuses to change a revision.
    use diesel::connection::SimpleConnection;
    let refused = app.conn().batch_execute("UPDATE revisions SET title = 'Palsu'");
    assert!(refused.is_err(), "a revision never changes");
    assert_eq!(revisions(&app, t, id).await[0]["title"], "Versi 5");

    // Deleting the article deletes its history.
    assert_eq!(app.delete(&format!("/api/v1/articles/{id}"), Some(t)).await.status().as_u16(), 204);
    problem(app.get_as(&format!("/api/v1/articles/{id}/revisions"), t).await, 404).await;
}

#[tokio::test]
async fn a_revision_keeps_its_author_as_they_were_after_they_are_deleted() {
    let app = spawn_app().await;
    let admin = app.staff("Admin", Role::Admin).await;
    let author = app.staff("Dewi", Role::Author).await;
    let id = create(&app, &author.token, json!({"title": "Tulisan Dewi"})).await["id"].as_i64().unwrap();
    let r = app.delete(&format!("/api/v1/users/{}?reassign_to={}", author.id, admin.id), Some(&admin.token)).await;
    assert_eq!(r.status().as_u16(), 204);
    let list = revisions(&app, &admin.token, id).await;
    assert_eq!(list[0]["author"]["id"], author.id);
    assert_eq!(list[0]["author"]["display_name"], "Dewi");
}
