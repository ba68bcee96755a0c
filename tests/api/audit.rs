//! The audit log: an entry for every staff write and security event, signed with actor,
//! request id and address; admin-only reads with filters; retention; and never a secret.

use serde_json::{json, Value};
use std::collections::HashSet;
use warta::domain::{CommentStatus, Role};

use crate::helpers::{invalid_fields_of, problem, spawn_app, spawn_app_with, ArticleSpec, TestApp, STAFF_PASSWORD};
use warta::startup::StartOptions;

const SECRET: &str = "rahasia-jwt-redaksi-kabar-harapan-0123456789";

/// Every entry the admin can read, newest first, through the pages.
async fn all_entries(app: &TestApp, token: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    for page in 1.. {
        let body = app.get_json_as(&format!("/api/v1/audit?per_page=100&page={page}"), token).await;
        let data = body["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        entries.extend(data);
    }
    entries
}

/// Sends `method path` with a request id of our choosing.
async fn send_tagged(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    request_id: &str,
) -> u16 {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token).header("X-Request-Id", request_id);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_full_run_records_every_staff_write_and_security_event_and_no_secret() {
    let app = spawn_app_with(&[("WARTA_JWT_SECRET", SECRET)], StartOptions::default()).await;
    let admin = app.staff("Admin Redaksi", Role::Admin).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let (a, e) = (admin.token.as_str(), editor.token.as_str());
    let mut secrets: Vec<String> =
        vec![SECRET.into(), STAFF_PASSWORD.into(), admin.token.clone(), admin.refresh.clone()];
    secrets.extend([editor.token.clone(), editor.refresh.clone()]);

    // Security events: failed logins (one with the password pasted into the email field), a
    // refresh, a reused refresh token, a logout.
    let pasted = "kata-sandi-yang-salah-tempel";
    secrets.push(pasted.into());
    for (email, password) in [(pasted, "x"), (editor.email.as_str(), pasted), ("nobody@kabarharapan.example", pasted)] {
        let r = app.post("/api/v1/auth/login", None, &json!({"email": email, "password": password})).await;
        assert_eq!(r.status().as_u16(), 401);
    }
    let (_, refresh) = app.login(&editor.email, STAFF_PASSWORD).await;
    let renewed: Value =
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh})).await.json().await.unwrap();
    secrets.extend([refresh.clone(), renewed["refresh_token"].as_str().unwrap().into()]);
    secrets.push(renewed["access_token"].as_str().unwrap().into());
    problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh})).await, 401).await;
    let (token, refresh) = app.login(&editor.email, STAFF_PASSWORD).await;
    secrets.extend([token, refresh.clone()]);
    assert_eq!(app.post("/api/v1/auth/logout", None, &json!({"refresh_token": refresh})).await.status().as_u16(), 204);

    // Users, with a new password.
    let new_password = "sandi-baru-untuk-tono-2026";
    secrets.push(new_password.into());
    let r = app
        .post(
            "/api/v1/users",
            Some(a),
            &json!({"email": "tono@kabarharapan.example", "display_name": "Tono",
            "password": "sandi-awal-tono-2026", "role": "author"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    secrets.push("sandi-awal-tono-2026".into());
    let tono = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r =
        app.patch(&format!("/api/v1/users/{tono}"), Some(a), &json!({"password": new_password, "bio": "Baru"})).await;
    assert_eq!(r.status().as_u16(), 200);
    // An invite accepted, and a change of one's own password.
    let invite: Value =
        app.post(&format!("/api/v1/users/{tono}/invite"), Some(a), &json!({})).await.json().await.unwrap();
    let invite_token = invite["token"].as_str().unwrap().to_owned();
    let own_password = "sandi-tono-sendiri-2026";
    let r =
        app.post("/api/v1/auth/accept-invite", None, &json!({"token": invite_token, "password": own_password})).await;
    assert_eq!(r.status().as_u16(), 200);
    let tono_login: Value = r.json().await.unwrap();
    let tono_token = tono_login["access_token"].as_str().unwrap().to_owned();
    let changed_password = "sandi-tono-diganti-2026";
    let change = json!({"current_password": own_password, "new_password": changed_password});
    assert_eq!(app.post("/api/v1/auth/password", Some(&tono_token), &change).await.status().as_u16(), 204);
    secrets.extend([invite_token, own_password.into(), changed_password.into(), tono_token.clone()]);
    secrets.push(tono_login["refresh_token"].as_str().unwrap().into());

    // Articles, categories, tags, comments, redirect rules.
    let cat: Value =
        app.post("/api/v1/categories", Some(e), &json!({"name": "Dalam Negeri"})).await.json().await.unwrap();
    let cat_id = cat["id"].as_i64().unwrap();
    assert_eq!(
        app.patch(&format!("/api/v1/categories/{cat_id}"), Some(e), &json!({"description": "D"})).await.status(),
        200
    );
    let tag: Value = app.post("/api/v1/tags", Some(e), &json!({"name": "Iran"})).await.json().await.unwrap();
    let tag_id = tag["id"].as_i64().unwrap();
    assert_eq!(
        app.patch(&format!("/api/v1/tags/{tag_id}"), Some(e), &json!({"name": "Iran Raya"})).await.status(),
        200
    );
    let article: Value = app
        .post(
            "/api/v1/articles",
            Some(e),
            &json!({"title": "Harga Kopi", "category_ids": [cat_id], "tag_ids": [tag_id]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = article["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}");
    let tagged = "audit-run-1";
    assert_eq!(
        send_tagged(&app, reqwest::Method::PATCH, &path, e, Some(json!({"title": "Harga Kopi Naik"})), tagged).await,
        200
    );
    assert_eq!(app.patch(&path, Some(e), &json!({"status": "published"})).await.status(), 200);
    assert_eq!(app.patch(&path, Some(e), &json!({"status": "draft"})).await.status(), 200);
    let revisions = app.get_json_as(&format!("{path}/revisions"), e).await;
    let first = revisions["data"].as_array().unwrap().last().unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.post(&format!("{path}/revisions/{first}/restore"), Some(e), &json!({})).await.status(), 200);
    let comment = app.comment(id, "pembaca@example.com", "Komentar", CommentStatus::Pending, 0);
    let comment_path = format!("/api/v1/comments/{comment}");
    assert_eq!(app.patch(&comment_path, Some(e), &json!({"status": "approved"})).await.status(), 200);
    assert_eq!(app.patch(&comment_path, Some(e), &json!({"body": "Disunting"})).await.status(), 200);
    assert_eq!(app.delete(&comment_path, Some(e)).await.status(), 204);
    let rule: Value = app
        .post(
            "/api/v1/redirects/rules",
            Some(e),
            &json!({"path": "/lama", "status": 301, "url": "https://example.com/baru"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(app.delete(&format!("/api/v1/redirects/rules/{}", rule["id"]), Some(e)).await.status(), 204);
    assert_eq!(app.delete(&path, Some(e)).await.status(), 204);
    assert_eq!(app.delete(&format!("/api/v1/tags/{tag_id}"), Some(e)).await.status(), 204);
    assert_eq!(app.delete(&format!("/api/v1/categories/{cat_id}"), Some(e)).await.status(), 204);
    assert_eq!(app.delete(&format!("/api/v1/users/{tono}"), Some(a)).await.status(), 204);

    let entries = all_entries(&app, a).await;
    let actions: HashSet<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    for expected in [
        "auth.login",
        "auth.login_failed",
        "auth.refresh_reused",
        "auth.logout",
        "auth.password_change",
        "auth.invite_accept",
        "user.invite",
        "user.create",
        "user.update",
        "user.delete",
        "article.create",
        "article.update",
        "article.publish",
        "article.unpublish",
        "article.restore",
        "article.delete",
        "category.create",
        "category.update",
        "category.delete",
        "tag.create",
        "tag.update",
        "tag.delete",
        "comment.moderate",
        "comment.update",
        "comment.delete",
        "redirect.create",
        "redirect.delete",
    ] {
        assert!(actions.contains(expected), "no {expected} in {actions:?}");
    }
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");

    // Who, from where, through which request.
    let update = entries.iter().find(|e| e["request_id"] == tagged).expect("the tagged PATCH");
    assert_eq!(update["action"], "article.update");
    assert_eq!((update["entity"].as_str(), update["entity_id"].as_i64()), (Some("article"), Some(id)));
    assert_eq!(update["actor"], json!({"type": "user", "id": editor.id, "display_name": "Bayu"}));
    assert_eq!(update["ip"], "127.0.0.1");
    assert!(update["summary"].as_str().unwrap().contains("title"), "{update}");
    let failed: Vec<&Value> = entries.iter().filter(|e| e["action"] == "auth.login_failed").collect();
    assert_eq!(failed.len(), 3);
    assert!(failed.iter().all(|e| e["actor"]["type"] == "anonymous" && e["actor"]["id"].is_null()));
    let named: Vec<Option<i64>> = failed.iter().map(|e| e["entity_id"].as_i64()).collect();
    assert_eq!(named.iter().filter(|id| **id == Some(editor.id)).count(), 1, "the account whose email matched");

    // No password, token or secret anywhere in the log.
    let text = serde_json::to_string(&entries).unwrap();
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "the log holds a secret: {secret}");
    }
    // Nor any token hash (refresh tokens are stored hashed).
    for refresh in [&admin.refresh, &editor.refresh] {
        assert!(!text.contains(&warta::auth::token_hash(refresh)));
    }
}

#[tokio::test]
async fn writes_that_fail_leave_no_entry_and_reads_leave_none() {
    let app = spawn_app().await;
    let admin = app.staff("Admin", Role::Admin).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let id = app.article(ArticleSpec::draft(editor.id, "Kopi"));
    let before = all_entries(&app, &admin.token).await.len();
    let path = format!("/api/v1/articles/{id}");
    problem(app.patch(&path, Some(&editor.token), &json!({"tag_ids": [999]})).await, 422).await;
    let stale = app.client.patch(app.url(&path)).bearer_auth(&editor.token).header("If-Match", "\"x\"");
    problem(stale.json(&json!({"title": "Baru"})).send().await.unwrap(), 412).await;
    let parent = app.category("Induk", None);
    let child = app.category("Anak", Some(parent));
    let r = app.patch(&format!("/api/v1/categories/{parent}"), Some(&editor.token), &json!({"parent_id": child})).await;
    problem(r, 422).await;
    problem(app.delete(&format!("/api/v1/categories/{parent}"), Some(&editor.token)).await, 409).await;
    app.get_as(&path, &editor.token).await;
    app.get_as(&format!("{path}/revisions"), &editor.token).await;
    assert_eq!(all_entries(&app, &admin.token).await.len(), before);
}

#[tokio::test]
async fn only_admins_read_the_log_with_filters_that_name_bad_values() {
    let app = spawn_app().await;
    let admin = app.staff("Admin", Role::Admin).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    problem(app.get_as("/api/v1/audit", &editor.token).await, 403).await;
    problem(app.get("/api/v1/audit").await, 401).await;

    let e = Some(editor.token.as_str());
    let mut ids = Vec::new();
    for title in ["Satu", "Dua", "Tiga"] {
        let r: Value = app.post("/api/v1/articles", e, &json!({"title": title})).await.json().await.unwrap();
        ids.push(r["id"].as_i64().unwrap());
    }
    assert_eq!(app.patch(&format!("/api/v1/articles/{}", ids[1]), e, &json!({"excerpt": "x"})).await.status(), 200);
    let r = app.post("/api/v1/auth/login", None, &json!({"email": "siapa@example.com", "password": "x"})).await;
    assert_eq!(r.status().as_u16(), 401);

    let page = app.get_json_as("/api/v1/audit?action=article.create&per_page=2", &admin.token).await;
    assert_eq!((page["meta"]["total"].as_i64(), page["meta"]["total_exact"].as_bool()), (Some(3), Some(true)));
    let listed: Vec<i64> = page["data"].as_array().unwrap().iter().map(|e| e["entity_id"].as_i64().unwrap()).collect();
    assert_eq!(listed, [ids[2], ids[1]]);
    let page2 = app.get_json_as("/api/v1/audit?action=article.create&per_page=2&page=2", &admin.token).await;
    assert_eq!(page2["data"][0]["entity_id"], ids[0]);

    let about = app.get_json_as(&format!("/api/v1/audit?entity=article&entity_id={}", ids[1]), &admin.token).await;
    let actions: Vec<&str> = about["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["article.update", "article.create"]);
    let anonymous = app.get_json_as("/api/v1/audit?actor_type=anonymous", &admin.token).await;
    assert_eq!(anonymous["meta"]["total"], 1);
    assert!(anonymous["data"][0]["entity_id"].is_null(), "no account had that email");
    let by_editor = app.get_json_as(&format!("/api/v1/audit?actor={}&entity=article", editor.id), &admin.token).await;
    assert_eq!(by_editor["meta"]["total"], 4);
    let future = app.get_json_as("/api/v1/audit?after=2999-01-01T00:00:00Z", &admin.token).await;
    assert_eq!(future["meta"]["total"], 0);
    let past = app.get_json_as("/api/v1/audit?before=2000-01-01T00:00:00Z", &admin.token).await;
    assert_eq!(past["meta"]["total"], 0);

    let r = app
        .get_as(
            "/api/v1/audit?actor_type=robot&action=article.explode&entity=planet&after=kemarin&actor=0",
            &admin.token,
        )
        .await;
    assert_eq!(invalid_fields_of(r).await, ["action", "actor", "actor_type", "after", "entity"]);
}

#[tokio::test]
async fn entries_older_than_the_retention_are_pruned_in_the_background() {
    let app = spawn_app_with(&[("WARTA_AUDIT_RETENTION_DAYS", "30")], StartOptions::default()).await;
    let admin = app.staff("Admin", Role::Admin).await;
    {
        use diesel::connection::SimpleConnection;
        let old = chrono::Utc::now().naive_utc() - chrono::Duration::days(31);
        let recent = chrono::Utc::now().naive_utc() - chrono::Duration::days(29);
        let insert = |at: chrono::NaiveDateTime, summary: &str| {
            format!(
                "INSERT INTO audit_log (at, actor_type, action, entity, summary) \
                 VALUES ('{}', 'system', 'article.delete', 'article', '{summary}');",
                at.format("%Y-%m-%d %H:%M:%S")
            )
        };
        let sql = format!("{}{}", insert(old, "lama"), insert(recent, "baru"));
        app.conn().batch_execute(&sql).unwrap();
    }
    // The first prune runs within seconds of the start (then hourly).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let pruned = loop {
        let body = app.get_json_as("/api/v1/audit?action=audit.prune", &admin.token).await;
        if body["meta"]["total"] == 1 {
            break body["data"][0].clone();
        }
        assert!(std::time::Instant::now() < deadline, "no prune within 90 s");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert_eq!(pruned["actor"]["type"], "system");
    assert_eq!(pruned["summary"], "entries older than 30 days: 1");
    let summaries: Vec<String> = all_entries(&app, &admin.token)
        .await
        .iter()
        .filter(|e| e["action"] == "article.delete")
        .map(|e| e["summary"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(summaries, ["baru"]);
}
