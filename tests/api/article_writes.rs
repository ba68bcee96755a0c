//! Writing articles: creation, validation, slugs, the status workflow, If-Match, deletion,
//! and what each role may do.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use warta::domain::{CommentStatus, Role};

use crate::helpers::{invalid_fields_of, problem, spawn_app, ArticleSpec, Staff, TestApp};

async fn created(app: &TestApp, who: &Staff, body: Value) -> (Value, String) {
    let response = app.post("/api/v1/articles", Some(&who.token), &body).await;
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let text = response.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    (serde_json::from_str(&text).unwrap(), etag)
}

#[tokio::test]
async fn an_author_creates_a_draft_with_location_etag_and_rendered_body() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let response = app
        .post(
            "/api/v1/articles",
            Some(&dewi.token),
            &json!({"title": "Perusahaan Ekspor Kopi Kini Ramai", "body": "Teheran (Kabar Harapan) – Harga *kopi* naik.\n\n<script>alert(1)</script>Paragraf dua."}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(response.headers().contains_key("etag"));
    let article: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/articles/{}", article["id"]));
    assert_eq!(article["slug"], "perusahaan-ekspor-kopi-kini-ramai");
    assert_eq!(article["status"], "draft");
    assert_eq!(article["published_at"], Value::Null);
    assert_eq!(article["language"], "id");
    assert_eq!(article["comment_status"], "open");
    assert_eq!(article["author"]["id"], dewi.id);
    assert_eq!(article["excerpt"], "Teheran (Kabar Harapan) – Harga kopi naik.");
    assert!(article["body_html"].as_str().unwrap().contains("<em>kopi</em>"));
    assert!(!article["body_html"].as_str().unwrap().contains("<script"));
    // A draft: the author sees it, the public does not.
    assert_eq!(app.get_as(&location, &dewi.token).await.status().as_u16(), 200);
    assert_eq!(app.get(&location).await.status().as_u16(), 404);
}

#[tokio::test]
async fn slugs_are_transliterated_and_clashes_numbered() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let slug = |v: &Value| v["slug"].as_str().unwrap().to_owned();
    assert_eq!(
        slug(&created(&app, &dewi, json!({"title": "Kafé di São Paulo – Rp 5 Triliun"})).await.0),
        "kafe-di-sao-paulo-rp-5-triliun"
    );
    assert_eq!(slug(&created(&app, &dewi, json!({"title": "Kopi"})).await.0), "kopi");
    assert_eq!(slug(&created(&app, &dewi, json!({"title": "KOPI!"})).await.0), "kopi-2");
    assert_eq!(slug(&created(&app, &dewi, json!({"title": "kopi"})).await.0), "kopi-3");
    let symbols = slug(&created(&app, &dewi, json!({"title": "!!! ??? ★★★"})).await.0);
    assert!(warta::domain::slug::is_valid(&symbols), "{symbols}");
    assert_eq!(
        slug(&created(&app, &dewi, json!({"title": "Bebas", "slug": "pilihan-redaksi"})).await.0),
        "pilihan-redaksi"
    );
    problem(app.post("/api/v1/articles", Some(&dewi.token), &json!({"title": "Lain", "slug": "kopi"})).await, 409)
        .await;
}

#[tokio::test]
async fn bad_article_input_names_every_bad_field_at_once() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let r = app
        .post(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({
                "title": "x".repeat(301),
                "slug": "Not A Slug",
                "excerpt": "e".repeat(1001),
                "status": "live",
                "published_at": "tomorrow",
                "featured_image_url": "javascript:alert(1)",
                "source_url": "ftp://example.com",
                "language": "bahasa indonesia",
                "comment_status": "maybe",
                "category_ids": "satu",
                "subtitle": "unknown",
            }),
        )
        .await;
    assert_eq!(
        invalid_fields_of(r).await,
        [
            "category_ids",
            "comment_status",
            "excerpt",
            "featured_image_url",
            "language",
            "published_at",
            "slug",
            "source_url",
            "status",
            "subtitle",
            "title"
        ]
    );
    let r = app.post("/api/v1/articles", Some(&editor.token), &json!({"body": "tanpa judul"})).await;
    assert_eq!(invalid_fields_of(r).await, ["title"]);
    let r = app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "   "})).await;
    assert_eq!(invalid_fields_of(r).await, ["title"]);
    let r =
        app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "Kategori", "category_ids": [999]})).await;
    let body = problem(r, 422).await;
    assert_eq!(body["errors"]["category_ids"][0], "no such category: 999");
    let r = app
        .post("/api/v1/articles", Some(&editor.token), &json!({"title": "Besar", "body": "a".repeat(1024 * 1024 + 1)}))
        .await;
    assert_eq!(invalid_fields_of(r).await, ["body"]);
    let r = app.post("/api/v1/articles", Some(&editor.token), &json!(["not", "an", "object"])).await;
    assert_eq!(invalid_fields_of(r).await, ["body"]);
    // Nothing was written by any of these.
    let list: Value = app.get_as("/api/v1/articles?status=any", &editor.token).await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 0);
}

#[tokio::test]
async fn bodies_that_are_not_json_are_400_415_or_413() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let send = |content_type: &'static str, body: Vec<u8>| {
        app.client
            .post(app.url("/api/v1/articles"))
            .bearer_auth(&editor.token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    problem(send("application/json", b"{\"title\": ".to_vec()).await.unwrap(), 400).await;
    problem(send("application/json", b"".to_vec()).await.unwrap(), 400).await;
    problem(send("application/json", vec![0xff, 0xfe, b'{', b'}']).await.unwrap(), 400).await;
    problem(send("application/json", b"{\"title\": \"a\"} trailing".to_vec()).await.unwrap(), 400).await;
    problem(send("text/plain", b"{\"title\": \"a\"}".to_vec()).await.unwrap(), 415).await;
    problem(send("application/x-www-form-urlencoded", b"title=a".to_vec()).await.unwrap(), 415).await;
    let huge = format!("{{\"title\": \"a\", \"body\": \"{}\"}}", "a".repeat(8 * 1024 * 1024));
    problem(send("application/json", huge.into_bytes()).await.unwrap(), 413).await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    problem(send("application/json", deep.into_bytes()).await.unwrap(), 400).await;
}

#[tokio::test]
async fn publishing_sets_the_time_and_a_future_time_schedules() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let (now_article, _) = created(&app, &dewi, json!({"title": "Terbit Sekarang", "status": "published"})).await;
    let published_at = chrono::DateTime::parse_from_rfc3339(now_article["published_at"].as_str().unwrap()).unwrap();
    assert!((Utc::now() - published_at.with_timezone(&Utc)).num_seconds().abs() < 30);
    assert_eq!(app.get_json("/api/v1/articles/terbit-sekarang", 200).await["status"], "published");

    let later = (Utc::now() + Duration::hours(3)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (scheduled, _) =
        created(&app, &dewi, json!({"title": "Terbit Nanti", "status": "published", "published_at": later})).await;
    assert_eq!(scheduled["published_at"], later);
    assert_eq!(app.get("/api/v1/articles/terbit-nanti").await.status().as_u16(), 404);
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 1);
    assert_eq!(app.get_as("/api/v1/articles/terbit-nanti", &dewi.token).await.status().as_u16(), 200);

    // Draft -> published by PATCH: the first publication gets a time.
    let (draft, _) = created(&app, &dewi, json!({"title": "Draf Dulu"})).await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    let published: Value =
        app.patch(&path, Some(&dewi.token), &json!({"status": "published"})).await.json().await.unwrap();
    assert!(published["published_at"].is_string());
    assert_eq!(app.get_json("/api/v1/articles/draf-dulu", 200).await["id"], draft["id"]);
    // ...and back to draft hides it again.
    app.patch(&path, Some(&dewi.token), &json!({"status": "draft"})).await;
    assert_eq!(app.get("/api/v1/articles/draf-dulu").await.status().as_u16(), 404);
}

#[tokio::test]
async fn a_patch_rerenders_the_body_excerpt_and_full_text_entry() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let (article, _) =
        created(&app, &dewi, json!({"title": "Harga Kopi", "body": "Kopi naik.", "source_name": "Anadolu"})).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let r = app.patch(&path, Some(&dewi.token), &json!({"body": "Teh **turun** drastis.", "source_name": null})).await;
    assert_eq!(r.status().as_u16(), 200);
    let updated: Value = r.json().await.unwrap();
    assert_eq!(updated["excerpt"], "Teh turun drastis.");
    assert!(updated["body_html"].as_str().unwrap().contains("<strong>turun</strong>"));
    assert_eq!(updated["source_name"], Value::Null);
    assert_eq!(updated["title"], "Harga Kopi", "untouched fields stay");
    assert_eq!(updated["slug"], "harga-kopi");

    assert_eq!(app.index_hits("drastis"), 1);
    assert_eq!(app.index_hits("naik"), 0);
    let written: Value =
        app.patch(&path, Some(&dewi.token), &json!({"excerpt": "Ringkasan."})).await.json().await.unwrap();
    assert_eq!(written["excerpt"], "Ringkasan.");
    let derived: Value = app.patch(&path, Some(&dewi.token), &json!({"excerpt": ""})).await.json().await.unwrap();
    assert_eq!(derived["excerpt"], "Teh turun drastis.");
}

#[tokio::test]
async fn a_stale_if_match_is_a_412_and_nothing_is_overwritten() {
    let app = spawn_app().await;
    let editor_a = app.staff("Bayu", Role::Editor).await;
    let editor_b = app.staff("Sari", Role::Editor).await;
    let (article, etag) = created(&app, &editor_a, json!({"title": "Rapat Redaksi", "body": "Versi pertama."})).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let fetched = app.get_as(&path, &editor_b.token).await;
    assert_eq!(fetched.headers()["etag"].to_str().unwrap(), etag, "the ETag of a write is the ETag of the next read");

    let first = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&editor_a.token)
        .header("If-Match", &etag)
        .json(&json!({"body": "Versi A."}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let new_etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);

    let second = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&editor_b.token)
        .header("If-Match", &etag)
        .json(&json!({"body": "Versi B."}))
        .send()
        .await
        .unwrap();
    problem(second, 412).await;
    let now: Value = app.get_as(&path, &editor_b.token).await.json().await.unwrap();
    assert_eq!(now["body"], "Versi A.");

    let retry = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&editor_b.token)
        .header("If-Match", &new_etag)
        .json(&json!({"body": "Versi B."}))
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status().as_u16(), 200);
    let weak = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&editor_b.token)
        .header("If-Match", format!("W/{new_etag}"))
        .json(&json!({"body": "C"}))
        .send()
        .await
        .unwrap();
    problem(weak, 412).await;
}

#[tokio::test]
async fn deleting_an_article_takes_its_comments_along() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let (article, _) = created(&app, &dewi, json!({"title": "Akan Dihapus", "status": "published"})).await;
    let id = article["id"].as_i64().unwrap();
    let comment = app.comment(id, "a@example.com", "Komentar", CommentStatus::Approved, 0);
    assert_eq!(app.delete(&format!("/api/v1/articles/{id}"), Some(&dewi.token)).await.status().as_u16(), 204);
    assert_eq!(app.get(&format!("/api/v1/articles/{id}")).await.status().as_u16(), 404);
    problem(app.delete(&format!("/api/v1/articles/{id}"), Some(&dewi.token)).await, 404).await;
    use warta::db::schema::comments;
    let left: i64 = comments::table.filter(comments::id.eq(comment)).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn contributors_write_only_their_own_drafts() {
    let app = spawn_app().await;
    let fajar = app.staff("Fajar", Role::Contributor).await;
    let dewi = app.staff("Dewi", Role::Author).await;
    problem(
        app.post("/api/v1/articles", Some(&fajar.token), &json!({"title": "Langsung Terbit", "status": "published"}))
            .await,
        403,
    )
    .await;
    let (draft, _) = created(&app, &fajar, json!({"title": "Draf Fajar"})).await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    assert_eq!(app.patch(&path, Some(&fajar.token), &json!({"body": "Isi baru"})).await.status().as_u16(), 200);
    problem(app.patch(&path, Some(&fajar.token), &json!({"status": "published"})).await, 403).await;
    problem(app.delete(&path, Some(&fajar.token)).await, 403).await;
    problem(
        app.post("/api/v1/articles", Some(&fajar.token), &json!({"title": "Atas Nama", "author_id": dewi.id})).await,
        403,
    )
    .await;

    // Others' work: a draft does not exist for them, a published article is off limits.
    let (dewi_draft, _) = created(&app, &dewi, json!({"title": "Draf Dewi"})).await;
    let (dewi_public, _) = created(&app, &dewi, json!({"title": "Terbit Dewi", "status": "published"})).await;
    problem(app.get_as(&format!("/api/v1/articles/{}", dewi_draft["id"]), &fajar.token).await, 404).await;
    problem(
        app.patch(&format!("/api/v1/articles/{}", dewi_draft["id"]), Some(&fajar.token), &json!({"title": "X"})).await,
        404,
    )
    .await;
    problem(
        app.patch(&format!("/api/v1/articles/{}", dewi_public["id"]), Some(&fajar.token), &json!({"title": "X"})).await,
        403,
    )
    .await;

    // Once an editor publishes it, it is no longer the contributor's to change.
    let editor = app.staff("Bayu", Role::Editor).await;
    app.patch(&path, Some(&editor.token), &json!({"status": "published"})).await;
    problem(app.patch(&path, Some(&fajar.token), &json!({"title": "Ubah"})).await, 403).await;
}

#[tokio::test]
async fn authors_publish_and_delete_their_own_articles_only() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let sari = app.staff("Sari", Role::Author).await;
    let (own, _) = created(&app, &dewi, json!({"title": "Milik Dewi"})).await;
    let own_path = format!("/api/v1/articles/{}", own["id"]);
    assert_eq!(app.patch(&own_path, Some(&dewi.token), &json!({"status": "published"})).await.status().as_u16(), 200);
    let (other, _) = created(&app, &sari, json!({"title": "Milik Sari", "status": "published"})).await;
    let other_path = format!("/api/v1/articles/{}", other["id"]);
    problem(app.patch(&other_path, Some(&dewi.token), &json!({"title": "Diubah"})).await, 403).await;
    problem(app.delete(&other_path, Some(&dewi.token)).await, 403).await;
    problem(app.patch(&own_path, Some(&dewi.token), &json!({"author_id": sari.id})).await, 403).await;
    assert_eq!(app.patch(&own_path, Some(&dewi.token), &json!({"status": "archived"})).await.status().as_u16(), 200);
    assert_eq!(app.delete(&own_path, Some(&dewi.token)).await.status().as_u16(), 204);
}

#[tokio::test]
async fn editors_and_admins_handle_every_article() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let (draft, _) = created(&app, &dewi, json!({"title": "Draf Dewi"})).await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    for role in [Role::Editor, Role::Admin] {
        let staff = app.staff(&format!("Staf {role}"), role).await;
        assert_eq!(app.get_as(&path, &staff.token).await.status().as_u16(), 200);
        let r = app.patch(&path, Some(&staff.token), &json!({"title": format!("Disunting {role}")})).await;
        assert_eq!(r.status().as_u16(), 200);
    }
    let editor = app.staff("Bayu", Role::Editor).await;
    let (for_dewi, _) = created(&app, &editor, json!({"title": "Atas Nama Dewi", "author_id": dewi.id})).await;
    assert_eq!(for_dewi["author"]["id"], dewi.id);
    let r = app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "Hantu", "author_id": 999})).await;
    assert_eq!(invalid_fields_of(r).await, ["author_id"]);
    assert_eq!(app.delete(&path, Some(&editor.token)).await.status().as_u16(), 204);
}

async fn staff_list(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app.get_as(&format!("/api/v1/articles?{query}"), token).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    r.json::<Value>().await.unwrap()
}

#[tokio::test]
async fn staff_lists_show_what_each_role_may_see_and_are_private() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let sari = app.staff("Sari", Role::Author).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    created(&app, &dewi, json!({"title": "Draf Dewi"})).await;
    created(&app, &sari, json!({"title": "Draf Sari"})).await;
    created(&app, &sari, json!({"title": "Terbit Sari", "status": "published"})).await;
    created(&app, &sari, json!({"title": "Arsip Sari", "status": "archived"})).await;
    app.article(ArticleSpec::published(sari.id, "Lama", 5));

    let titles = |v: &Value| -> Vec<String> {
        let mut t: Vec<String> =
            v["data"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect();
        t.sort();
        t
    };
    assert_eq!(titles(&staff_list(&app, &editor.token, "status=draft").await), ["Draf Dewi", "Draf Sari"]);
    assert_eq!(titles(&staff_list(&app, &dewi.token, "status=draft").await), ["Draf Dewi"]);
    assert_eq!(titles(&staff_list(&app, &dewi.token, "status=any").await), ["Draf Dewi", "Lama", "Terbit Sari"]);
    assert_eq!(titles(&staff_list(&app, &dewi.token, "status=archived").await), Vec::<String>::new());
    assert_eq!(titles(&staff_list(&app, &editor.token, "status=archived").await), ["Arsip Sari"]);
    assert_eq!(staff_list(&app, &editor.token, "status=any").await["meta"]["total"], 5);
    assert_eq!(
        titles(&staff_list(&app, &editor.token, "").await),
        ["Lama", "Terbit Sari"],
        "without status: the public list"
    );
    problem(app.get("/api/v1/articles?status=draft").await, 401).await;
    assert_eq!(invalid_fields_of(app.get_as("/api/v1/articles?status=deleted", &editor.token).await).await, ["status"]);
}

#[tokio::test]
async fn an_author_cannot_see_or_touch_another_authors_draft() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let sari = app.staff("Sari", Role::Author).await;
    let (draft, _) = created(&app, &dewi, json!({"title": "Draf Dewi"})).await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    problem(app.get_as(&path, &sari.token).await, 404).await;
    problem(app.patch(&path, Some(&sari.token), &json!({"title": "Diambil"})).await, 404).await;
    problem(app.delete(&path, Some(&sari.token)).await, 404).await;
    let listed: Value = app.get_as("/api/v1/articles?status=any", &sari.token).await.json().await.unwrap();
    assert_eq!(listed["meta"]["total"], 0, "nor in her lists");
    let still: Value = app.get_as(&path, &dewi.token).await.json().await.unwrap();
    assert_eq!(still["title"], "Draf Dewi", "untouched, and its author still sees it");
}

/// A CDN, a search engine or a webhook receiver holds ids: one must never name another thing.
#[tokio::test]
async fn ids_of_deleted_articles_comments_categories_and_users_are_never_handed_out_again() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let token = Some(admin.token.as_str());
    let created = |body: Value| async move { body["id"].as_i64().expect("an id") };
    for (collection, body) in [
        ("/api/v1/articles", json!({"title": "Berita Tiga Belas", "status": "published"})),
        ("/api/v1/categories", json!({"name": "Luar Negeri"})),
        (
            "/api/v1/users",
            json!({"email": "tamu@kabarharapan.example", "display_name": "Tamu", "password": "sandi-rahasia-panjang", "role": "author"}),
        ),
    ] {
        let first = created(app.post(collection, token, &body).await.json().await.unwrap()).await;
        let gone = app.delete(&format!("{collection}/{first}"), token).await;
        assert_eq!(gone.status().as_u16(), 204, "{collection}");
        let second = created(app.post(collection, token, &body).await.json().await.unwrap()).await;
        assert!(second > first, "{collection}: {second} after deleting {first}");
    }
    let article = created(
        app.post("/api/v1/articles", token, &json!({"title": "Ada Komentar", "status": "published"}))
            .await
            .json()
            .await
            .unwrap(),
    )
    .await;
    let comment = json!({"author_name": "Siti", "author_email": "siti@example.com", "body": "Satu"});
    let path = format!("/api/v1/articles/{article}/comments");
    let first = created(app.post(&path, token, &comment).await.json().await.unwrap()).await;
    assert_eq!(app.delete(&format!("/api/v1/comments/{first}"), token).await.status().as_u16(), 204);
    let second = created(
        app.post(&path, token, &json!({"author_name": "Siti", "author_email": "siti@example.com", "body": "Dua"}))
            .await
            .json()
            .await
            .unwrap(),
    )
    .await;
    assert!(second > first, "comments: {second} after deleting {first}");
}

/// A body of more distinct words than PostgreSQL's search vector of one article holds (1 MB):
/// a 422 naming `body` there, not a 500, and nothing written. SQLite's index has no such
/// limit and stores it.
#[tokio::test]
async fn a_body_too_rich_for_the_search_index_is_a_422_or_stored() {
    let app = spawn_app().await;
    let editor = app.staff("Dewi Anggraini", Role::Editor).await;
    let words: Vec<String> = (0..140_000).map(|i| format!("k{i:x}")).collect();
    let body = words.join(" ");
    assert!(body.len() < 1024 * 1024);
    let response = app
        .post(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({"title": "Tabel data", "body": body, "status": "published"}),
        )
        .await;
    if crate::helpers::on_postgres() {
        assert_eq!(invalid_fields_of(response).await, ["body"]);
        assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 0, "nothing was written");
    } else {
        assert_eq!(response.status().as_u16(), 201);
        let found = app.get_json("/api/v1/articles?search=k1ffff", 200).await;
        assert_eq!(found["meta"]["total"], 1, "the last of its words is found");
    }
}
