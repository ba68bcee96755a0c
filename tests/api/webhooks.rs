//! Webhooks through HTTP: endpoints and their secrets, the events a change emits and what they
//! carry, signatures, order, retries, 410, the SSRF guard, scheduled publications, and events
//! that survive a crash.

use chrono::{SecondsFormat, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use warta::domain::Role;
use warta::startup::StartOptions;

use crate::helpers::{invalid_fields_of, problem, spawn_app_beside, spawn_app_with, Process, Staff, TestApp};
use crate::receiver::{Answer, Receiver};

const PRIVATE_OK: (&str, &str) = ("WARTA_WEBHOOK_ALLOW_PRIVATE", "true");
const SOON: Duration = Duration::from_secs(20);

async fn app_allowing_loopback() -> (TestApp, Staff) {
    let app = spawn_app_with(&[PRIVATE_OK], StartOptions::default()).await;
    let admin = app.staff("Admin Webhook", Role::Admin).await;
    (app, admin)
}

/// Subscribes `url` to `events` as `admin`; returns the endpoint's id and secret.
async fn subscribe(app: &TestApp, admin: &Staff, url: &str, events: &[&str]) -> (i64, String) {
    let response = app.post("/api/v1/webhooks", Some(&admin.token), &json!({"url": url, "events": events})).await;
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.unwrap();
    (body["id"].as_i64().unwrap(), body["secret"].as_str().unwrap().to_owned())
}

async fn publish(app: &TestApp, token: &str, title: &str) -> Value {
    let response = app.post("/api/v1/articles", Some(token), &json!({"title": title, "status": "published"})).await;
    assert_eq!(response.status().as_u16(), 201);
    response.json().await.unwrap()
}

async fn deliveries(app: &TestApp, admin: &Staff, webhook: i64, query: &str) -> Value {
    app.get_json_as(&format!("/api/v1/webhooks/{webhook}/deliveries{query}"), &admin.token).await
}

/// Asks `fetch` every 50 ms until `done` holds of its answer or [`SOON`] has passed, and gives
/// the last answer: the worker's records follow its requests, so the caller asserts on that.
async fn poll_until<F, Fut>(mut fetch: F, done: impl Fn(&Value) -> bool) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let deadline = std::time::Instant::now() + SOON;
    loop {
        let answer = fetch().await;
        if done(&answer) || std::time::Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn admins_manage_endpoints_and_see_the_secret_only_when_it_is_made() {
    let (app, admin) = app_allowing_loopback().await;
    let editor = app.staff("Editor Webhook", Role::Editor).await;
    let body = json!({"url": "https://kabarharapan.id/api/revalidate", "events": ["article.published", "article.published", "tag.created"], "description": "Next.js"});
    let refused = app.post("/api/v1/webhooks", Some(&editor.token), &body).await;
    problem(refused, 403).await;
    assert_eq!(app.get("/api/v1/webhooks").await.status().as_u16(), 401);

    let created = app.post("/api/v1/webhooks", Some(&admin.token), &body).await;
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(created["events"], json!(["article.published", "tag.created"]));
    assert_eq!(created["active"], true);
    assert_eq!(created["consecutive_failures"], 0);
    let id = created["id"].as_i64().unwrap();

    let shown = app.get_json_as(&format!("/api/v1/webhooks/{id}"), &admin.token).await;
    assert!(shown.get("secret").is_none(), "the secret is shown once: {shown}");
    assert_eq!(shown["description"], "Next.js");
    let listed = app.get_json_as("/api/v1/webhooks", &admin.token).await;
    assert_eq!(listed["meta"]["total"], 1);
    assert!(!listed.to_string().contains(secret));

    let changed = app
        .patch(&format!("/api/v1/webhooks/{id}"), Some(&admin.token), &json!({"events": ["*"], "active": false}))
        .await;
    assert_eq!(changed.status().as_u16(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!((changed["events"].clone(), changed["active"].clone()), (json!(["*"]), json!(false)));

    let rotated = app.post(&format!("/api/v1/webhooks/{id}/rotate-secret"), Some(&admin.token), &json!({})).await;
    assert_eq!(rotated.status().as_u16(), 200);
    let rotated: Value = rotated.json().await.unwrap();
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_ne!(rotated["secret"].as_str().unwrap(), secret);

    assert_eq!(app.delete(&format!("/api/v1/webhooks/{id}"), Some(&admin.token)).await.status().as_u16(), 204);
    problem(app.get_as(&format!("/api/v1/webhooks/{id}"), &admin.token).await, 404).await;
    problem(app.delete(&format!("/api/v1/webhooks/{id}"), Some(&admin.token)).await, 404).await;
}

#[tokio::test]
async fn bad_endpoints_are_422s_naming_the_field() {
    let app = spawn_app_with(&[], StartOptions::default()).await;
    let admin = app.staff("Admin Webhook", Role::Admin).await;
    let post = |body: Value| {
        let (app, token) = (&app, admin.token.clone());
        async move { app.post("/api/v1/webhooks", Some(&token), &body).await }
    };
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fc00::1]/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "ftp://kabarharapan.id/hook",
        "not a url",
    ] {
        let fields = invalid_fields_of(post(json!({"url": url, "events": ["*"]})).await).await;
        assert_eq!(fields, vec!["url"], "{url}");
    }
    for events in [json!([]), json!(["article.published", "article.exploded"]), json!(["ping"])] {
        let fields =
            invalid_fields_of(post(json!({"url": "https://kabarharapan.id/hook", "events": events})).await).await;
        assert_eq!(fields, vec!["events"], "{events}");
    }
    let fields = invalid_fields_of(post(json!({"url": "https://kabarharapan.id/hook"})).await).await;
    assert_eq!(fields, vec!["events"]);
    let fields =
        invalid_fields_of(post(json!({"url": "https://kabarharapan.id/hook", "events": ["*"], "secret": "x"})).await)
            .await;
    assert_eq!(fields, vec!["secret"]);
    let listed = app.get_json_as("/api/v1/webhooks", &admin.token).await;
    assert_eq!(listed["meta"]["total"], 0, "nothing refused was stored");
}

#[tokio::test]
async fn a_publication_is_delivered_signed_with_its_cache_tags_and_in_order() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let (id, secret) = subscribe(&app, &admin, &receiver.url, &["article.published", "article.updated"]).await;
    let ekonomi = app.category("Ekonomi", None);
    let created = app
        .post(
            "/api/v1/articles",
            Some(&admin.token),
            &json!({"title": "Harga Kopi Naik", "status": "published", "category_ids": [ekonomi], "body": "Isi **penuh**."}),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let article: Value = created.json().await.unwrap();
    let article_id = article["id"].as_i64().unwrap();
    for n in 1..=3 {
        let edit = json!({"title": format!("Harga Kopi Naik Lagi {n}")});
        let response = app.patch(&format!("/api/v1/articles/{article_id}"), Some(&admin.token), &edit).await;
        assert_eq!(response.status().as_u16(), 200);
    }
    let got = receiver.wait_for(4, SOON).await;
    let kinds: Vec<&str> = got.iter().map(|r| r.kind()).collect();
    assert_eq!(kinds, vec!["article.published", "article.updated", "article.updated", "article.updated"]);
    let titles: Vec<&str> = got.iter().map(|r| r.body["data"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles[3], "Harga Kopi Naik Lagi 3", "first attempts go in the order the events happened");

    let first = &got[0];
    assert!(first.signed_by(&secret), "signature: {:?}", first.headers);
    assert!(first.header("webhook-id").starts_with("msg_"));
    let sent_at: i64 = first.header("webhook-timestamp").parse().unwrap();
    assert!((Utc::now().timestamp() - sent_at).abs() < 60);
    assert_eq!(first.header("content-type"), "application/json");
    assert!(chrono::DateTime::parse_from_rfc3339(first.body["timestamp"].as_str().unwrap()).is_ok());
    let data = &first.body["data"];
    assert_eq!(data["id"], article_id);
    assert!(data.get("body").is_none() && data.get("body_html").is_none(), "the summary: {data}");
    let tags: Vec<&str> = first.body["cache_tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    for wanted in [
        "articles",
        &format!("article:{article_id}"),
        "article:harga-kopi-naik",
        "category:ekonomi",
        "author:admin-webhook",
    ] {
        assert!(tags.contains(&wanted), "{wanted} in {tags:?}");
    }
    assert_ne!(got[0].header("webhook-id"), got[1].header("webhook-id"));

    let log = deliveries(&app, &admin, id, "?status=succeeded").await;
    assert_eq!(log["meta"]["total"], 4);
    let newest = &log["data"][0];
    assert_eq!(newest["type"], "article.updated");
    assert_eq!(newest["attempts"], 1);
    assert_eq!(newest["response_status"], 204);
    let endpoint = app.get_json_as(&format!("/api/v1/webhooks/{id}"), &admin.token).await;
    assert!(endpoint["last_success_at"].is_string());
    let bad = app.get_as(&format!("/api/v1/webhooks/{id}/deliveries?status=lost"), &admin.token).await;
    assert_eq!(invalid_fields_of(bad).await, vec!["status"]);
}

#[tokio::test]
async fn a_slug_change_names_the_old_slug_and_an_unpublication_and_a_deletion_follow() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    subscribe(&app, &admin, &receiver.url, &["*"]).await;
    let article = publish(&app, &admin.token, "Banjir Jakarta").await;
    let id = article["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}");
    assert_eq!(app.patch(&path, Some(&admin.token), &json!({"slug": "banjir-jakarta-utara"})).await.status(), 200);
    assert_eq!(app.patch(&path, Some(&admin.token), &json!({"status": "draft"})).await.status(), 200);
    assert_eq!(app.patch(&path, Some(&admin.token), &json!({"status": "published"})).await.status(), 200);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status(), 204);
    let got = receiver.wait_for(5, SOON).await;
    let kinds: Vec<&str> = got.iter().map(|r| r.kind()).collect();
    assert_eq!(
        kinds,
        vec!["article.published", "article.updated", "article.unpublished", "article.published", "article.deleted"]
    );
    let renamed = &got[1].body;
    assert_eq!(renamed["data"]["previous_slug"], "banjir-jakarta");
    assert_eq!(renamed["data"]["slug"], "banjir-jakarta-utara");
    let tags = renamed["cache_tags"].to_string();
    assert!(tags.contains("article:banjir-jakarta-utara") && tags.contains("\"article:banjir-jakarta\""), "{tags}");
    assert!(got[2].body["data"].get("previous_slug").is_none());
    assert_eq!(got[4].body["data"]["id"], id);
}

#[tokio::test]
async fn drafts_that_were_never_public_emit_nothing() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let (id, _) = subscribe(&app, &admin, &receiver.url, &["*"]).await;
    let draft = app.post("/api/v1/articles", Some(&admin.token), &json!({"title": "Masih Draf"})).await;
    let draft: Value = draft.json().await.unwrap();
    let path = format!("/api/v1/articles/{}", draft["id"]);
    assert_eq!(app.patch(&path, Some(&admin.token), &json!({"title": "Masih Draf Juga"})).await.status(), 200);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status(), 204);
    // A ping after them: it arrives, and nothing before it did.
    let ping = app.post(&format!("/api/v1/webhooks/{id}/ping"), Some(&admin.token), &json!({})).await;
    assert_eq!(ping.status().as_u16(), 202);
    let got = receiver.wait_for(1, SOON).await;
    assert_eq!(got[0].kind(), "ping");
    assert_eq!(got[0].body["data"]["webhook_id"], id);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.received().len(), 1, "{:#?}", receiver.received());
}

#[tokio::test]
async fn comment_events_carry_no_email_address_or_user_agent() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    subscribe(&app, &admin, &receiver.url, &["comment.created", "comment.approved", "comment.removed"]).await;
    let article = publish(&app, &admin.token, "Pemilu Damai").await;
    let comment = app
        .client
        .post(app.url(&format!("/api/v1/articles/{}/comments", article["id"])))
        .header("user-agent", "Rahasia-Agent/9")
        .json(&json!({"author_name": "Siti", "author_email": "siti.rahasia@example.com", "body": "Semoga damai."}))
        .send()
        .await
        .unwrap();
    assert_eq!(comment.status().as_u16(), 201);
    let comment: Value = comment.json().await.unwrap();
    let path = format!("/api/v1/comments/{}", comment["id"]);
    assert_eq!(app.patch(&path, Some(&admin.token), &json!({"status": "approved"})).await.status(), 200);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status(), 204);
    let got = receiver.wait_for(3, SOON).await;
    let kinds: Vec<&str> = got.iter().map(|r| r.kind()).collect();
    assert_eq!(kinds, vec!["comment.created", "comment.approved", "comment.removed"]);
    for r in &got {
        for secret in ["siti.rahasia", "example.com", "Rahasia-Agent", "127.0.0.1", "author_email", "\"ip\""] {
            assert!(!r.raw.contains(secret), "{secret} in {}", r.raw);
        }
        assert_eq!(r.body["data"]["author_name"], "Siti");
        assert!(r.body["cache_tags"].to_string().contains(&format!("comments:{}", article["id"])));
    }
}

#[tokio::test]
async fn taxonomy_events_name_old_and_new_slugs() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    subscribe(
        &app,
        &admin,
        &receiver.url,
        &["category.created", "category.updated", "category.deleted", "tag.created"],
    )
    .await;
    let created = app.post("/api/v1/categories", Some(&admin.token), &json!({"name": "Luar Negeri"})).await;
    let category: Value = created.json().await.unwrap();
    let path = format!("/api/v1/categories/{}", category["id"]);
    assert_eq!(app.patch(&path, Some(&admin.token), &json!({"slug": "internasional"})).await.status(), 200);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status(), 204);
    assert_eq!(app.post("/api/v1/tags", Some(&admin.token), &json!({"name": "Iran"})).await.status(), 201);
    let got = receiver.wait_for(4, SOON).await;
    let kinds: Vec<&str> = got.iter().map(|r| r.kind()).collect();
    assert_eq!(kinds, vec!["category.created", "category.updated", "category.deleted", "tag.created"]);
    let tags = got[1].body["cache_tags"].to_string();
    assert!(tags.contains("category:internasional") && tags.contains("category:luar-negeri"), "{tags}");
    assert_eq!(got[3].body["data"]["slug"], "iran");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_the_same_id_without_holding_later_events_back() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let (id, secret) = subscribe(&app, &admin, &receiver.url, &["article.published"]).await;
    receiver.answer_next(&[Answer::Status(503)]);
    publish(&app, &admin.token, "Gempa Cianjur").await;
    publish(&app, &admin.token, "Gempa Susulan").await;
    // The first attempt of the second event goes out before the retry of the first (about 5 s).
    let got = receiver.wait_for(3, SOON).await;
    let titles: Vec<&str> = got.iter().map(|r| r.body["data"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Gempa Cianjur", "Gempa Susulan", "Gempa Cianjur"]);
    assert_eq!(got[0].header("webhook-id"), got[2].header("webhook-id"), "a retry keeps its webhook-id");
    assert_eq!(got[0].raw, got[2].raw, "and its body");
    assert!(got[2].signed_by(&secret), "signed afresh");
    let waited = got[2].at - got[0].at;
    assert!(waited >= Duration::from_secs(4), "the first retry waits about 5 s: {waited:?}");

    let log = deliveries(&app, &admin, id, "").await;
    let retried = log["data"].as_array().unwrap().iter().find(|d| d["attempts"] == 2).expect("the retried delivery");
    assert_eq!(retried["status"], "succeeded");
    let endpoint = app.get_json_as(&format!("/api/v1/webhooks/{id}"), &admin.token).await;
    assert_eq!(endpoint["consecutive_failures"], 0);
    assert!(endpoint["last_failure_at"].is_string());
    assert!(endpoint["last_failure_reason"].as_str().unwrap().contains("503"));
}

#[tokio::test]
async fn a_redelivery_sends_the_event_again() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let (id, _) = subscribe(&app, &admin, &receiver.url, &["article.published"]).await;
    publish(&app, &admin.token, "Sekali Lagi").await;
    let first = receiver.wait_for(1, SOON).await;
    let log = deliveries(&app, &admin, id, "").await;
    let delivery = log["data"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver");
    let queued = app.post(&path, Some(&admin.token), &json!({})).await;
    assert_eq!(queued.status().as_u16(), 202);
    let queued: Value = queued.json().await.unwrap();
    assert_eq!(queued["status"], "pending");
    let got = receiver.wait_for(2, SOON).await;
    assert_eq!(got[1].header("webhook-id"), first[0].header("webhook-id"));
    let missing = format!("/api/v1/webhooks/{id}/deliveries/{}/redeliver", delivery + 1000);
    problem(app.post(&missing, Some(&admin.token), &json!({})).await, 404).await;
}

#[tokio::test]
async fn a_410_switches_the_endpoint_off_with_its_reason() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let (id, _) = subscribe(&app, &admin, &receiver.url, &["article.published"]).await;
    receiver.answer_next(&[Answer::Status(410)]);
    publish(&app, &admin.token, "Pergi Saja").await;
    receiver.wait_for(1, SOON).await;
    let endpoint_path = format!("/api/v1/webhooks/{id}");
    let endpoint =
        poll_until(|| app.get_json_as(&endpoint_path, &admin.token), |endpoint| endpoint["active"] == false).await;
    assert_eq!(endpoint["active"], false);
    assert!(endpoint["last_failure_reason"].as_str().unwrap().contains("410"), "{endpoint}");
    publish(&app, &admin.token, "Tidak Terkirim").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(receiver.received().len(), 1, "a switched-off endpoint gets nothing");
}

#[tokio::test]
async fn an_endpoint_that_hangs_delays_no_other() {
    let (app, admin) = app_allowing_loopback().await;
    let (slow, fast) = (Receiver::start().await, Receiver::start().await);
    subscribe(&app, &admin, &slow.url, &["article.published"]).await;
    subscribe(&app, &admin, &fast.url, &["article.published"]).await;
    slow.answer_next(&[Answer::Hang(Duration::from_secs(12))]);
    publish(&app, &admin.token, "Satu").await;
    slow.wait_for(1, SOON).await;
    for title in ["Dua", "Tiga"] {
        publish(&app, &admin.token, title).await;
    }
    // The slow endpoint's lane waits on its hung request; the other's goes on.
    let got = fast.wait_for(3, Duration::from_secs(8)).await;
    assert_eq!(got.len(), 3);
    assert_eq!(slow.received().len(), 1, "the slow endpoint's next events wait for its first");
}

#[tokio::test]
async fn the_hung_retries_of_one_endpoint_leave_room_for_the_others() {
    let (app, admin) = app_allowing_loopback().await;
    let (slow, fast) = (Receiver::start().await, Receiver::start().await);
    subscribe(&app, &admin, &slow.url, &["article.published"]).await;
    subscribe(&app, &admin, &fast.url, &["article.published"]).await;
    // More failed first attempts than requests may be in flight at once, whose retries (in
    // about 5 s) all hang.
    const FAILED: usize = 40;
    slow.answer_next(&[Answer::Status(503); FAILED]);
    slow.answer_next(&[Answer::Hang(Duration::from_secs(12)); FAILED]);
    for n in 0..FAILED {
        publish(&app, &admin.token, &format!("Berita {n}")).await;
    }
    fast.wait_for(FAILED, SOON).await;
    slow.wait_for(FAILED + 1, SOON).await;
    // While its retries hang, another endpoint's next event goes out at once, not after them.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let published = std::time::Instant::now();
    publish(&app, &admin.token, "Sesudah").await;
    fast.wait_for(FAILED + 1, SOON).await;
    let waited = published.elapsed();
    assert!(waited < Duration::from_secs(5), "the other endpoint waited {waited:?} for the hung retries");
    // Its retries in flight (4 at most) and its lane's first attempt of the last event.
    let hung = slow.received().len() - FAILED;
    assert!(hung <= 5, "{hung} requests to one endpoint in flight at once");
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_is_not_followed() {
    let (app, admin) = app_allowing_loopback().await;
    let (moved, elsewhere) = (Receiver::start().await, Receiver::start().await);
    let (id, _) = subscribe(&app, &admin, &moved.url, &["article.published"]).await;
    let port: u16 = elsewhere.url.trim_start_matches("http://127.0.0.1:").trim_end_matches("/hook").parse().unwrap();
    moved.answer_next(&[Answer::RedirectTo(port)]);
    publish(&app, &admin.token, "Pindah Alamat").await;
    moved.wait_for(1, SOON).await;
    let log = poll_until(|| deliveries(&app, &admin, id, ""), |log| log["data"][0]["attempts"] == 1).await;
    let delivery = &log["data"][0];
    assert_eq!(delivery["status"], "pending", "a retry is to come: {delivery}");
    assert_eq!(delivery["response_status"], 307);
    assert!(delivery["error"].as_str().unwrap().contains("307"), "{delivery}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(elsewhere.received().is_empty(), "the redirect was not followed");
}

#[tokio::test]
async fn an_answer_is_read_up_to_a_limit_not_to_its_end() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let (id, _) = subscribe(&app, &admin, &receiver.url, &["article.published"]).await;
    receiver.answer_next(&[Answer::Endless]);
    publish(&app, &admin.token, "Jawaban Panjang").await;
    publish(&app, &admin.token, "Sesudahnya").await;
    // The endless answer is a success once its first KiBs are read: the next event follows
    // long before the 10 s timeout.
    let got = receiver.wait_for(2, Duration::from_secs(8)).await;
    assert_eq!(got[1].body["data"]["title"], "Sesudahnya");
    let log = deliveries(&app, &admin, id, "?status=succeeded").await;
    let first = log["data"].as_array().unwrap().iter().find(|d| d["attempts"] == 1 && d["response_status"] == 200);
    let ms = first.expect("the endless answer's delivery succeeded")["response_ms"].as_i64().unwrap();
    assert!(ms < 9_000, "read for {ms} ms");
}

#[tokio::test]
async fn three_days_of_failures_switch_an_endpoint_off_and_old_deliveries_are_pruned() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let (id, _) = subscribe(&app, &admin, &receiver.url, &["article.published"]).await;
    publish(&app, &admin.token, "Masih Diterima").await;
    receiver.wait_for(1, SOON).await;
    // The worker records the success after the answer arrives, and a success ends a run of
    // failures: the failures below are set once it is recorded.
    let succeeded =
        poll_until(|| deliveries(&app, &admin, id, "?status=succeeded"), |log| log["meta"]["total"] == 1).await;
    assert_eq!(succeeded["meta"]["total"], 1, "the first delivery was never recorded as succeeded: {succeeded}");
    // It has failed for a little over three days, and fails once more.
    let since = (Utc::now() - chrono::Duration::hours(73)).format("%Y-%m-%d %H:%M:%S");
    {
        use diesel::RunQueryDsl;
        let sql = format!("UPDATE webhooks SET failing_since = '{since}', consecutive_failures = 40 WHERE id = {id}");
        diesel::sql_query(sql).execute(&mut *app.conn()).unwrap();
    }
    receiver.answer_next(&[Answer::Status(500)]);
    publish(&app, &admin.token, "Gagal Lagi").await;
    receiver.wait_for(2, SOON).await;
    let endpoint_path = format!("/api/v1/webhooks/{id}");
    let endpoint =
        poll_until(|| app.get_json_as(&endpoint_path, &admin.token), |endpoint| endpoint["active"] == false).await;
    assert_eq!(endpoint["active"], false, "{endpoint}");
    assert!(endpoint["last_failure_reason"].as_str().unwrap().contains("3 days"), "{endpoint}");

    // Pruning (hourly, by one instance) removes what ended before the retention, and nothing
    // that is still to be sent.
    let log = deliveries(&app, &admin, id, "").await;
    assert_eq!(log["meta"]["total"], 2);
    let mut conn = app.conn();
    let later = (Utc::now() + chrono::Duration::hours(1)).naive_utc();
    let removed = warta::db::webhooks::prune(&mut conn, later).unwrap();
    assert_eq!(removed, 2, "the succeeded delivery and its event");
    drop(conn);
    let log = deliveries(&app, &admin, id, "").await;
    assert_eq!(log["meta"]["total"], 1);
    assert_eq!(log["data"][0]["status"], "pending", "kept, to go out if the endpoint is switched back on");
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_new_one() {
    let (app, admin) = app_allowing_loopback().await;
    let receiver = Receiver::start().await;
    let (id, old) = subscribe(&app, &admin, &receiver.url, &["article.published"]).await;
    let rotated = app.post(&format!("/api/v1/webhooks/{id}/rotate-secret"), Some(&admin.token), &json!({})).await;
    let new: Value = rotated.json().await.unwrap();
    let new = new["secret"].as_str().unwrap().to_owned();
    publish(&app, &admin.token, "Dua Kunci").await;
    let got = receiver.wait_for(1, SOON).await;
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2);
    assert!(got[0].signed_by(&new) && got[0].signed_by(&old));
    assert!(!got[0].signed_by("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
}

#[tokio::test]
async fn private_addresses_are_refused_at_delivery_when_they_are_not_allowed() {
    // Endpoints saved while private networks were allowed (written here to the database as
    // such an instance would), delivered by one that does not allow them: `localhost` resolves
    // to loopback, and the IP literal is loopback itself.
    let app = spawn_app_with(&[], StartOptions::default()).await;
    let admin = app.staff("Admin Webhook", Role::Admin).await;
    let receiver = Receiver::start().await;
    let mut ids = Vec::new();
    for url in [receiver.url.replace("127.0.0.1", "localhost"), receiver.url.clone()] {
        let new = warta::db::webhooks::NewEndpoint { url, description: String::new(), events: vec!["*".into()] };
        let secret = warta::webhooks::signing::new_secret();
        ids.push(warta::db::webhooks::create(&mut app.conn(), &new, &secret, Utc::now().naive_utc()).unwrap().id);
    }
    publish(&app, &admin.token, "Tidak Ke Dalam").await;
    for id in ids {
        let log = poll_until(
            || deliveries(&app, &admin, id, ""),
            |log| log["data"][0]["attempts"].as_i64().unwrap_or(0) >= 1,
        )
        .await;
        let failed = &log["data"][0];
        let error = failed["error"].as_str().unwrap_or_default();
        assert!(error.starts_with("refused"), "endpoint {id}: {failed}");
        assert!(error.contains("127.0.0.1") || error.contains("::1") || error.contains("localhost"), "{error}");
        assert_eq!(failed["status"], "pending", "retried later like any failure: {failed}");
    }
    assert!(receiver.received().is_empty(), "{:#?}", receiver.received());
}

#[tokio::test]
async fn a_scheduled_publication_is_announced_at_its_time_once_by_one_of_several_instances() {
    let shared = [PRIVATE_OK, ("WARTA_JWT_SECRET", "a-secret-that-both-instances-share-0123456789")];
    let app = spawn_app_with(&shared, StartOptions::default()).await;
    let admin = app.staff("Admin Webhook", Role::Admin).await;
    let other = spawn_app_beside(&app, &shared, StartOptions::default()).await;
    let receiver = Receiver::start().await;
    subscribe(&app, &admin, &receiver.url, &["article.published"]).await;
    let due = Utc::now() + chrono::Duration::seconds(3);
    let body = json!({"title": "Terbit Pukul Enam", "status": "published", "published_at": due.to_rfc3339_opts(SecondsFormat::Secs, true)});
    let created = other.post("/api/v1/articles", Some(&admin.token), &body).await;
    assert_eq!(created.status().as_u16(), 201);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(receiver.received().is_empty(), "nothing before its time: {:#?}", receiver.received());
    let got = receiver.wait_for(1, SOON).await;
    assert_eq!(got[0].kind(), "article.published");
    assert_eq!(got[0].body["data"]["title"], "Terbit Pukul Enam");
    let announced_at = chrono::DateTime::parse_from_rfc3339(got[0].body["timestamp"].as_str().unwrap()).unwrap();
    assert!(announced_at >= due - chrono::Duration::seconds(1), "{announced_at} before {due}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), 1, "once: {:#?}", receiver.received());
}

/// The variables of a `warta` process of these tests: private networks allowed, an admin.
fn process_vars() -> Vec<(&'static str, &'static str)> {
    vec![
        PRIVATE_OK,
        ("WARTA_ADMIN_EMAIL", "admin@kabarharapan.example"),
        ("WARTA_ADMIN_PASSWORD", "kopi-tubruk-pagi-99"),
    ]
}

async fn process_token(client: &reqwest::Client, process: &Process) -> String {
    let login = json!({"email": "admin@kabarharapan.example", "password": "kopi-tubruk-pagi-99"});
    let response = client.post(format!("{}/api/v1/auth/login", process.address)).json(&login).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn process_send(client: &reqwest::Client, process: &Process, token: &str, path: &str, body: Value) -> Value {
    let response = client
        .request(Method::POST, format!("{}{path}", process.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201, "{path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_acknowledged_publication_survives_a_crash_right_after_it() {
    let db = crate::helpers::TestDb::new();
    let receiver = Receiver::start().await;
    let client = crate::helpers::client();
    let vars = process_vars();
    let mut first = Process::start(&db.url, &[], &vars).await;
    let token = process_token(&client, &first).await;
    process_send(
        &client,
        &first,
        &token,
        "/api/v1/webhooks",
        json!({"url": receiver.url, "events": ["article.published"]}),
    )
    .await;
    // The receiver holds its first request: whatever the first process sends is not answered.
    receiver.answer_next(&[Answer::Hang(Duration::from_secs(30))]);
    let article = process_send(
        &client,
        &first,
        &token,
        "/api/v1/articles",
        json!({"title": "Tetap Sampai", "status": "published"}),
    )
    .await;
    first.signal("KILL");
    first.exit_within(Duration::from_secs(10)).await;
    let _second = Process::start(&db.url, &[], &vars).await;
    // Sent again by the new process (once the first one's claim lapsed, if it had sent it),
    // with the same id: the first request hangs unanswered, the next is answered.
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let got = loop {
        let got = receiver.received();
        let answered = got.iter().filter(|r| r.body["data"]["id"] == article["id"]).count();
        if answered >= 2 {
            break got;
        }
        assert!(std::time::Instant::now() < deadline, "the event was not sent again: {got:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let ids: Vec<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "one event, at least once: {ids:?}");
    assert!(got.iter().all(|r| r.kind() == "article.published"));
}

#[tokio::test]
async fn a_publication_scheduled_before_a_restart_is_announced_after_it_once() {
    let db = crate::helpers::TestDb::new();
    let receiver = Receiver::start().await;
    let client = crate::helpers::client();
    let vars = process_vars();
    let mut first = Process::start(&db.url, &[], &vars).await;
    let token = process_token(&client, &first).await;
    process_send(
        &client,
        &first,
        &token,
        "/api/v1/webhooks",
        json!({"url": receiver.url, "events": ["article.published"]}),
    )
    .await;
    let due = Utc::now() + chrono::Duration::seconds(4);
    let body = json!({"title": "Terbit Setelah Mulai Ulang", "status": "published", "published_at": due.to_rfc3339_opts(SecondsFormat::Secs, true)});
    process_send(&client, &first, &token, "/api/v1/articles", body).await;
    first.terminate().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(receiver.received().is_empty());
    let _second = Process::start(&db.url, &[], &vars).await;
    let got = receiver.wait_for(1, SOON).await;
    assert_eq!(got[0].body["data"]["title"], "Terbit Setelah Mulai Ulang");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), 1);
}
