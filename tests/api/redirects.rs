//! Old slugs keep working: a renamed article, category or tag answers its old slug with a 301
//! to the current one, in one hop however often it was renamed.

use serde_json::{json, Value};
use warta::domain::Role;

use warta::startup::StartOptions;

use crate::helpers::{invalid_fields_of, problem, spawn_app, spawn_app_with, urlencode, ArticleSpec, TestApp};

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

#[tokio::test]
async fn the_frontend_asks_where_an_old_path_leads_under_its_url_templates() {
    let vars = [
        ("WARTA_ARTICLE_URL", "https://kabar.example/{yyyy}/{mm}/{slug}"),
        ("WARTA_TAG_URL", "https://kabar.example/topik/{slug}/"),
    ];
    let app = spawn_app_with(&vars, StartOptions::default()).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let author = app.user("Dewi", Role::Author);
    let id = app.article(ArticleSpec::published(author, "Harga Kopi", 1));
    let tag = app.tag("Pemilu 2024");
    app.patch(&format!("/api/v1/articles/{id}"), token, &json!({"slug": "harga-kopi-naik"})).await;
    app.patch(&format!("/api/v1/tags/{tag}"), token, &json!({"slug": "pemilu"})).await;
    let published = app.get_json(&format!("/api/v1/articles/{id}"), 200).await["published_at"].as_str().unwrap()[..7]
        .replace('-', "/");

    // Trailing slash, case and percent-encoding do not matter.
    let path = urlencode(&format!("/{published}/Harga-Kopi/"));
    let found = app.get_json(&format!("/api/v1/redirects?path={path}"), 200).await;
    assert_eq!(found["status"], 301);
    assert_eq!(found["path"], format!("/{published}/harga-kopi"));
    assert_eq!(found["target"], json!({"type": "article", "id": id, "slug": "harga-kopi-naik", "url": null}));
    assert_eq!(found["location"], format!("https://kabar.example/{published}/harga-kopi-naik"));
    let found = app.get_json(&format!("/api/v1/redirects?path={}", urlencode("/topik/pemilu-2024")), 200).await;
    assert_eq!(found["location"], "https://kabar.example/topik/pemilu/");

    // A current slug, a path of another shape and a path never used are not redirects.
    for path in [format!("/{published}/harga-kopi-naik"), "/harga-kopi".to_owned(), "/tidak/ada".to_owned()] {
        problem(app.get(&format!("/api/v1/redirects?path={}", urlencode(&path))).await, 404).await;
    }
    assert_eq!(app.invalid_fields("/api/v1/redirects").await, ["path"]);
    assert_eq!(app.invalid_fields("/api/v1/redirects?path=harga-kopi").await, ["path"]);
    assert_eq!(app.invalid_fields(&format!("/api/v1/redirects?path=/{}", "a".repeat(2000))).await, ["path"]);
}

#[tokio::test]
async fn editors_make_redirect_rules_by_hand() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let author = app.user("Dewi", Role::Author);
    let id = app.article(ArticleSpec::published(author, "Harga Kopi", 1));

    let r = app
        .post(
            "/api/v1/redirects/rules",
            token,
            &json!({"path": "/2019/05/Kopi-Lama/", "target_type": "article", "target_id": id}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let rule: Value = r.json().await.unwrap();
    assert_eq!((rule["path"].as_str(), rule["status"].as_i64()), (Some("/2019/05/kopi-lama"), Some(301)));
    let found = app.get_json("/api/v1/redirects?path=/2019/05/kopi-lama", 200).await;
    assert_eq!(found["location"], "http://localhost:3000/harga-kopi", "the default article address");

    let r = app
        .post(
            "/api/v1/redirects/rules",
            token,
            &json!({"path": "/?p=123", "status": 302, "url": "https://arsip.example/123"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let found = app.get_json(&format!("/api/v1/redirects?path={}", urlencode("/?p=123&utm_source=fb")), 200).await;
    assert_eq!((found["status"].as_i64(), found["location"].as_str()), (Some(302), Some("https://arsip.example/123")));
    let gone: Value = app
        .post("/api/v1/redirects/rules", token, &json!({"path": "/hoaks", "status": 410}))
        .await
        .json()
        .await
        .unwrap();
    let found = app.get_json("/api/v1/redirects?path=/hoaks", 200).await;
    assert_eq!(
        (found["status"].as_i64(), &found["target"], &found["location"]),
        (Some(410), &Value::Null, &Value::Null)
    );

    problem(app.post("/api/v1/redirects/rules", token, &json!({"path": "/hoaks/", "status": 410})).await, 409).await;
    for (body, fields) in [
        (json!({"path": "tanpa-garis-miring", "url": "https://a.example"}), vec!["path"]),
        (json!({"path": "/a", "status": 307, "url": "https://a.example"}), vec!["status"]),
        (json!({"path": "/a", "status": 410, "url": "https://a.example"}), vec!["status"]),
        (json!({"path": "/a", "target_type": "article"}), vec!["target_id"]),
        (json!({"path": "/a", "target_type": "halaman", "target_id": 1}), vec!["target_type"]),
        (json!({"path": "/a", "target_type": "article", "target_id": 999}), vec!["target_id"]),
        (json!({"path": "/a", "url": "javascript:alert(1)"}), vec!["url"]),
        (json!({"path": "/a"}), vec!["target_type"]),
    ] {
        let r = app.post("/api/v1/redirects/rules", token, &body).await;
        assert_eq!(invalid_fields_of(r).await, fields, "{body}");
    }

    let list = app.get_as("/api/v1/redirects/rules", &editor.token).await.json::<Value>().await.unwrap();
    assert_eq!(list["meta"]["total"], 3);
    assert_eq!(list["data"][0]["id"], gone["id"], "newest first");
    let author_staff = app.staff("Tono", Role::Author).await;
    problem(app.get_as("/api/v1/redirects/rules", &author_staff.token).await, 403).await;
    problem(
        app.post("/api/v1/redirects/rules", Some(&author_staff.token), &json!({"path": "/x", "status": 410})).await,
        403,
    )
    .await;
    problem(app.delete(&format!("/api/v1/redirects/rules/{}", gone["id"]), Some(&author_staff.token)).await, 403).await;

    assert_eq!(app.delete(&format!("/api/v1/redirects/rules/{}", gone["id"]), token).await.status().as_u16(), 204);
    problem(app.get("/api/v1/redirects?path=/hoaks").await, 404).await;
    problem(app.delete(&format!("/api/v1/redirects/rules/{}", gone["id"]), token).await, 404).await;
}

/// Found by review: a NUL in a path was a 500 on PostgreSQL; deleting a story removed the rules
/// editors had made for it; a draft taking over an old slug left the cached lookup in place.
#[tokio::test]
async fn rules_outlive_their_story_and_a_take_over_by_a_draft_shows_at_once() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    assert_eq!(app.invalid_fields("/api/v1/redirects?path=/%2500").await, ["path"]);
    let r = app.post("/api/v1/redirects/rules", token, &json!({"path": "/a%00b", "url": "https://a.example"})).await;
    assert_eq!(invalid_fields_of(r).await, ["path"]);

    let author = app.user("Dewi", Role::Author);
    let id = app.article(ArticleSpec::published(author, "Harga Kopi", 1));
    let rule = json!({"path": "/lama", "target_type": "article", "target_id": id});
    assert_eq!(app.post("/api/v1/redirects/rules", token, &rule).await.status().as_u16(), 201);
    app.patch(&format!("/api/v1/articles/{id}"), token, &json!({"slug": "harga-kopi-naik"})).await;
    // Cached while it leads to the renamed story.
    assert_eq!(app.get_json("/api/v1/redirects?path=/harga-kopi", 200).await["target"]["id"], id);
    let draft = app.post("/api/v1/articles", token, &json!({"title": "Kopi", "slug": "harga-kopi"})).await;
    assert_eq!(draft.status().as_u16(), 201);
    problem(app.get("/api/v1/redirects?path=/harga-kopi").await, 404).await;

    assert_eq!(app.delete(&format!("/api/v1/articles/{id}"), token).await.status().as_u16(), 204);
    problem(app.get("/api/v1/redirects?path=/lama").await, 404).await;
    let rules = app.get_as("/api/v1/redirects/rules", &editor.token).await.json::<Value>().await.unwrap();
    assert_eq!(rules["meta"]["total"], 1, "the editor's rule stays: {rules}");
}
