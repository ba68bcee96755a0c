//! Input built to cost the server work: bodies far larger than their route needs, thousands of
//! unknown fields, Markdown and HTML that nest without end. Each is refused, early and cheaply,
//! with the same problems as any other bad input.

use serde_json::{json, Value};
use warta::domain::{ArticleStatus, Role};

use crate::helpers::{invalid_fields_of, problem, spawn_app, ArticleSpec, TestApp};

/// A JSON object with `known` fields (already encoded, without braces) and `unknown` more
/// fields `"k000000": 1`, `"k000001": 1`...
fn with_unknown_fields(known: &str, unknown: usize) -> Vec<u8> {
    let mut body = String::with_capacity(known.len() + unknown * 12 + 2);
    body.push('{');
    body.push_str(known);
    for i in 0..unknown {
        body.push_str(&format!(",\"k{i:06}\":1"));
    }
    body.push('}');
    body.into_bytes()
}

async fn post_raw(app: &TestApp, path: &str, token: Option<&str>, body: Vec<u8>) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).header("Content-Type", "application/json").body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request sent")
}

#[tokio::test]
async fn a_comment_far_larger_than_any_comment_is_a_413_before_it_is_parsed() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Kopi", 2));
    // The security review's body: 3.9 MB, a 2 MiB text and 150,000 unknown fields.
    let known = format!(
        "\"author_name\":\"Siti\",\"author_email\":\"siti@example.com\",\"body\":\"{}\"",
        "a".repeat(2 * 1024 * 1024)
    );
    let hostile = with_unknown_fields(&known, 150_000);
    let body = problem(post_raw(&app, "/api/v1/articles/harga-kopi/comments", None, hostile).await, 413).await;
    assert!(body["detail"].as_str().unwrap().contains("bytes"), "{body}");
    let stored = app.get_json("/api/v1/articles/harga-kopi/comments", 200).await;
    assert_eq!(stored["meta"]["total"], 0);
}

#[tokio::test]
async fn the_longest_valid_comment_fits_its_route_however_it_is_escaped() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Kopi", 2));
    // Clients that escape everything outside ASCII spend 12 bytes on one emoji.
    let emoji = |n: usize| "\\ud83d\\ude00".repeat(n);
    let body = format!(
        "{{\"author_name\":\"{}\",\"author_email\":\"{}@{}.example.com\",\"author_url\":\"https://example.com/{}\",\"body\":\"{}\"}}",
        emoji(100),
        "s".repeat(64),
        ["a".repeat(60), "b".repeat(60), "c".repeat(55)].join("."),
        "p".repeat(2028),
        emoji(5000),
    );
    let response = post_raw(&app, "/api/v1/articles/harga-kopi/comments", None, body.into_bytes()).await;
    assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn an_article_with_150000_unknown_fields_is_one_422_naming_fifty_of_them() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    // 1.8 MB: inside what an article may take, so all of it is read and parsed.
    let hostile = with_unknown_fields("\"title\":\"Kopi\"", 150_000);
    let body = problem(post_raw(&app, "/api/v1/articles", Some(&editor.token), hostile).await, 422).await;
    let errors = body["errors"].as_object().expect("errors");
    assert_eq!(errors.len(), 50, "the list is cut at 50 fields");
    assert!(errors.values().all(|messages| messages[0] == "is not a known field"), "{errors:?}");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("149950 more"), "the detail says how many were left out: {detail}");
    assert!(detail.len() < 2000, "the detail is short too: {} bytes", detail.len());
    let list: Value = app.get_as("/api/v1/articles?status=any", &editor.token).await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 0, "nothing was written");
}

#[tokio::test]
async fn bad_known_fields_are_named_even_among_thousands_of_unknown_ones() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let hostile = with_unknown_fields("\"title\":5,\"slug\":\"Bukan Slug\",\"status\":\"live\"", 10_000);
    let body = problem(post_raw(&app, "/api/v1/articles", Some(&editor.token), hostile).await, 422).await;
    let errors = body["errors"].as_object().expect("errors");
    assert_eq!(errors.len(), 50);
    for field in ["title", "slug", "status"] {
        assert!(errors.contains_key(field), "{field} is named: {errors:?}");
    }
}

#[tokio::test]
async fn a_draft_quoting_64000_levels_deep_is_a_422_naming_body() {
    let app = spawn_app().await;
    let fajar = app.staff("Fajar", Role::Contributor).await;
    let r = app
        .post("/api/v1/articles", Some(&fajar.token), &json!({"title": "Kutipan", "body": ">".repeat(64_000)}))
        .await;
    let body = problem(r, 422).await;
    assert_eq!(body["errors"].as_object().unwrap().len(), 1, "{body}");
    let message = body["errors"]["body"][0].as_str().unwrap();
    assert!(message.contains("nests deeper than 32 levels"), "{message}");
    let list: Value = app.get_as("/api/v1/articles?status=any", &fajar.token).await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 0, "nothing was written");
}

#[tokio::test]
async fn an_edit_to_a_deeply_nested_list_is_a_422_naming_body() {
    let app = spawn_app().await;
    let fajar = app.staff("Fajar", Role::Contributor).await;
    let id = app.article(ArticleSpec { body: "Isi awal.".into(), ..ArticleSpec::draft(fajar.id, "Daftar") });
    let path = format!("/api/v1/articles/{id}");
    for nested in ["1. ".repeat(2_000), deep_bullets(200)] {
        let r = app.patch(&path, Some(&fajar.token), &json!({"body": nested})).await;
        assert_eq!(invalid_fields_of(r).await, ["body"]);
    }
    let unchanged: Value = app.get_as(&path, &fajar.token).await.json().await.unwrap();
    assert_eq!(unchanged["body"], "Isi awal.");
}

/// A bulleted list `levels` deep, each level indented under the one before.
fn deep_bullets(levels: usize) -> String {
    (0..levels).map(|level| format!("{}- tingkat {level}\n", "  ".repeat(level))).collect()
}

#[tokio::test]
async fn raw_html_nested_thousands_deep_is_a_422_naming_body() {
    let app = spawn_app().await;
    let fajar = app.staff("Fajar", Role::Contributor).await;
    for nested in ["<div>".repeat(20_000), format!("<span>{}", "<b><div></b>".repeat(5_000))] {
        let r = app.post("/api/v1/articles", Some(&fajar.token), &json!({"title": "Bertumpuk", "body": nested})).await;
        assert_eq!(invalid_fields_of(r).await, ["body"]);
    }
}

/// The HTML tokenizer compares each attribute of a tag with every earlier one: a single tag
/// with a hundred thousand attributes (in under 1 MiB) would hold a core for minutes.
#[tokio::test]
async fn one_tag_with_a_hundred_thousand_attributes_is_a_422_naming_body() {
    let app = spawn_app().await;
    let fajar = app.staff("Fajar", Role::Contributor).await;
    let names: Vec<String> = (0..140_000).map(|i| format!("a{i:x}")).collect();
    let body = format!("<p {}>teks</p>", names.join(" "));
    assert!(body.len() < 1024 * 1024);
    let r = app.post("/api/v1/articles", Some(&fajar.token), &json!({"title": "Atribut", "body": body})).await;
    let problem = problem(r, 422).await;
    assert_eq!(problem["errors"].as_object().unwrap().keys().collect::<Vec<_>>(), ["body"]);
    assert!(problem["errors"]["body"][0].as_str().unwrap().contains("attributes"), "{problem}");
    let few = r#"<p class="lead" id="pembuka" title='Kopi "enak"'>Kopi</p>"#;
    let r = app.post("/api/v1/articles", Some(&fajar.token), &json!({"title": "Atribut Biasa", "body": few})).await;
    assert_eq!(r.status().as_u16(), 201);
}

#[tokio::test]
async fn quotes_and_lists_a_few_levels_deep_render_as_written() {
    let app = spawn_app().await;
    let fajar = app.staff("Fajar", Role::Contributor).await;
    let body = "> > > > > Kutipan di dalam kutipan.\n\n\
                1. satu\n   1. dua\n      1. tiga\n         1. empat\n            1. *lima* dan **[tautan](https://example.com)**\n";
    let r = app.post("/api/v1/articles", Some(&fajar.token), &json!({"title": "Bertingkat", "body": body})).await;
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.unwrap();
    let html = created["body_html"].as_str().unwrap();
    assert_eq!(html.matches("<blockquote>").count(), 5, "{html}");
    assert_eq!(html.matches("<ol>").count(), 5, "{html}");
    assert!(html.contains(r#"<em>lima</em> dan <strong><a href="https://example.com""#), "{html}");
    assert_eq!(created["excerpt"], "Kutipan di dalam kutipan.");
    // An edit renders the same way, and a body just inside the limit is accepted.
    let id = created["id"].as_i64().unwrap();
    let r = app
        .patch(&format!("/api/v1/articles/{id}"), Some(&fajar.token), &json!({"body": "> ".repeat(30) + "dalam"}))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["body_html"].as_str().unwrap().matches("<blockquote>").count(), 30);
    assert_eq!(edited["status"], ArticleStatus::Draft.as_str());
}

#[tokio::test]
async fn an_edit_rendered_before_the_lock_is_not_stored_over_text_that_changed_meanwhile() {
    use warta::db::articles::{prepare_update, update, ArticleChanges, UpdateOutcome};
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let id = app.article(ArticleSpec { body: "Paragraf pertama.".into(), ..ArticleSpec::draft(editor.id, "Kopi") });
    let mut conn = app.conn();
    let now = chrono::Utc::now();
    let by = warta::db::revisions::Reviser { user_id: editor.id, keep: 100 };
    // Emptying the excerpt derives it from the stored body, rendered outside the transaction...
    let derive = ArticleChanges { excerpt: Some(String::new()), ..Default::default() };
    let prepared = prepare_update(&mut conn, id, &derive).unwrap();
    // ...while another edit replaces that body.
    let rewrite = ArticleChanges { body: Some("Paragraf baru.".into()), ..Default::default() };
    let rewritten = prepare_update(&mut conn, id, &rewrite).unwrap();
    assert_eq!(update(&mut conn, id, &rewrite, &rewritten, by, now).unwrap(), UpdateOutcome::Updated);
    assert_eq!(
        update(&mut conn, id, &derive, &prepared, by, now).unwrap(),
        UpdateOutcome::Stale,
        "rendered from old text"
    );
    let unprepared = Default::default();
    assert_eq!(update(&mut conn, id, &derive, &unprepared, by, now).unwrap(), UpdateOutcome::Stale, "never rendered");
    let prepared = prepare_update(&mut conn, id, &derive).unwrap();
    assert_eq!(update(&mut conn, id, &derive, &prepared, by, now).unwrap(), UpdateOutcome::Updated);
    let stored: Value = app.get_as(&format!("/api/v1/articles/{id}"), &editor.token).await.json().await.unwrap();
    assert_eq!(stored["excerpt"], "Paragraf baru.");
    assert_eq!(stored["body_html"], "<p>Paragraf baru.</p>\n");
}
