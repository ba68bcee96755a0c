//! Readers' comments: submission, spam handling, rate limits, threads and moderation.

use serde_json::{json, Value};
use warta::domain::{CommentStatus, Role};
use warta::startup::StartOptions;

use crate::helpers::{
    invalid_fields_of, on_postgres, problem, spawn_app, spawn_app_beside, spawn_app_with, ArticleSpec, TestApp,
};

fn comment(body: &str) -> Value {
    json!({"author_name": "Siti Rahma", "author_email": "siti@example.com", "body": body})
}

async fn submit(app: &TestApp, article: &str, body: &Value) -> Value {
    let r = app.post(&format!("/api/v1/articles/{article}/comments"), None, body).await;
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn public_bodies(app: &TestApp, article: &str) -> Vec<String> {
    let list = app.get_json(&format!("/api/v1/articles/{article}/comments?per_page=100"), 200).await;
    list["data"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap().to_owned()).collect()
}

async fn comment_count(app: &TestApp, article: &str) -> i64 {
    app.get_json(&format!("/api/v1/articles/{article}"), 200).await["comment_count"].as_i64().unwrap()
}

/// An app with one open article `kopi`, plus an editor's token.
async fn newsroom(vars: &[(&str, &str)]) -> (TestApp, String) {
    let app = spawn_app_with(vars, StartOptions::default()).await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Kopi", 5));
    let editor = app.staff("Bayu", Role::Editor).await;
    (app, editor.token)
}

async fn moderate(app: &TestApp, token: &str, id: &Value, status: &str) -> Value {
    let r = app.patch(&format!("/api/v1/comments/{id}"), Some(token), &json!({"status": status})).await;
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn an_anonymous_comment_waits_for_moderation_and_keeps_its_details_private() {
    let (app, editor) = newsroom(&[]).await;
    let r = app
        .client
        .post(app.url("/api/v1/articles/kopi/comments"))
        .header("User-Agent", "PembacaBrowser/2.0")
        .json(&comment("Terima kasih, <b>bagus</b> & jelas."))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    let text = r.text().await.unwrap();
    assert!(!text.contains("siti@example.com"), "{text}");
    let created: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(created["status"], "pending");
    assert_eq!(created["body"], "Terima kasih, <b>bagus</b> & jelas.", "stored as written");
    assert!(public_bodies(&app, "kopi").await.is_empty());
    assert_eq!(comment_count(&app, "kopi").await, 0);

    let queue: Value = app.get_as("/api/v1/comments?status=pending", &editor).await.json().await.unwrap();
    let held = &queue["data"][0];
    assert_eq!(held["id"], created["id"]);
    assert_eq!(held["author_email"], "siti@example.com");
    assert_eq!(held["ip"], "127.0.0.1");
    assert_eq!(held["user_agent"], "PembacaBrowser/2.0");
    assert_eq!(held["visible"], false);

    moderate(&app, &editor, &created["id"], "approved").await;
    assert_eq!(public_bodies(&app, "kopi").await, ["Terima kasih, <b>bagus</b> & jelas."]);
    assert_eq!(comment_count(&app, "kopi").await, 1);
}

#[tokio::test]
async fn bad_comments_are_a_422_naming_every_bad_field() {
    let (app, _) = newsroom(&[]).await;
    let r = app
        .post(
            "/api/v1/articles/kopi/comments",
            None,
            &json!({"author_email": "bukan-email", "author_url": "javascript:alert(1)", "body": "x".repeat(5001), "rating": 5}),
        )
        .await;
    assert_eq!(invalid_fields_of(r).await, ["author_email", "author_name", "author_url", "body", "rating"]);
    let r = app
        .post(
            "/api/v1/articles/kopi/comments",
            None,
            &json!({"author_name": " ", "author_email": "a@example.com", "body": "  "}),
        )
        .await;
    assert_eq!(invalid_fields_of(r).await, ["author_name", "body"]);
    let r = app
        .post(
            "/api/v1/articles/kopi/comments",
            None,
            &json!({"author_name": "A", "author_email": "a@example.com", "body": "ok", "parent_id": "satu"}),
        )
        .await;
    assert_eq!(invalid_fields_of(r).await, ["parent_id"]);
}

#[tokio::test]
async fn comments_need_a_visible_article_that_is_open_for_them() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::draft(author, "Draf"));
    app.article(ArticleSpec {
        published_at: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
        ..ArticleSpec::published(author, "Nanti", 0)
    });
    let closed = app.article(ArticleSpec::published(author, "Tertutup", 1));
    {
        use diesel::prelude::*;
        use warta::db::schema::articles;
        diesel::update(articles::table.find(closed))
            .set(articles::comment_status.eq("closed"))
            .execute(&mut app.conn())
            .unwrap();
    }
    for slug in ["draf", "nanti", "tidak-ada", "99"] {
        problem(app.post(&format!("/api/v1/articles/{slug}/comments"), None, &comment("Halo")).await, 404).await;
    }
    problem(app.post("/api/v1/articles/tertutup/comments", None, &comment("Halo")).await, 403).await;
}

#[tokio::test]
async fn a_staff_comment_is_approved_at_once_and_linked_to_the_user() {
    let (app, editor) = newsroom(&[]).await;
    let r =
        app.post("/api/v1/articles/kopi/comments", Some(&editor), &comment("Catatan redaksi: data diperbarui.")).await;
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["status"], "approved");
    assert_eq!(public_bodies(&app, "kopi").await, ["Catatan redaksi: data diperbarui."]);
    let queue: Value = app.get_as("/api/v1/comments", &editor).await.json().await.unwrap();
    let me: Value = app.get_as("/api/v1/auth/me", &editor).await.json().await.unwrap();
    assert_eq!(queue["data"][0]["user_id"], me["id"]);
}

#[tokio::test]
async fn replies_go_only_to_approved_comments_of_the_same_article() {
    let (app, editor) = newsroom(&[("WARTA_COMMENT_RATE_PER_MINUTE", "100")]).await;
    let author = app.user("Sari", Role::Author);
    let other = app.article(ArticleSpec::published(author, "Teh", 2));
    let approved = submit(&app, "kopi", &comment("Induk")).await;
    moderate(&app, &editor, &approved["id"], "approved").await;
    let pending = submit(&app, "kopi", &comment("Belum disetujui")).await;
    let elsewhere = app.comment(other, "x@example.com", "Di artikel lain", CommentStatus::Approved, 0);

    for parent in [pending["id"].clone(), json!(elsewhere), json!(999_999)] {
        let body = json!({"author_name": "A", "author_email": "a@example.com", "body": "Balasan", "parent_id": parent});
        assert_eq!(
            invalid_fields_of(app.post("/api/v1/articles/kopi/comments", None, &body).await).await,
            ["parent_id"]
        );
    }
    let reply = json!({"author_name": "A", "author_email": "a@example.com", "body": "Balasan sah", "parent_id": approved["id"]});
    let created = submit(&app, "kopi", &reply).await;
    assert_eq!(created["parent_id"], approved["id"]);
}

#[tokio::test]
async fn spam_is_kept_for_moderators_not_rejected_and_the_sender_is_told_pending() {
    let (app, editor) = newsroom(&[("WARTA_COMMENT_RATE_PER_MINUTE", "100")]).await;
    let honeypot = json!({"author_name": "Bot", "author_email": "bot@example.com", "body": "Bagus", "website": "https://spam.example"});
    assert_eq!(submit(&app, "kopi", &honeypot).await["status"], "pending");
    let links = comment("Murah! https://a.example https://b.example www.c.example");
    assert_eq!(submit(&app, "kopi", &links).await["status"], "pending");
    assert_eq!(submit(&app, "kopi", &comment("Komentar yang sama")).await["status"], "pending");
    assert_eq!(submit(&app, "kopi", &comment("Komentar yang sama")).await["status"], "pending");
    assert_eq!(
        submit(&app, "kopi", &comment("Dua tautan: https://a.example dan https://b.example")).await["status"],
        "pending"
    );

    let spam: Value = app.get_as("/api/v1/comments?status=spam", &editor).await.json().await.unwrap();
    let mut bodies: Vec<&str> = spam["data"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    bodies.sort();
    assert_eq!(bodies, ["Bagus", "Komentar yang sama", "Murah! https://a.example https://b.example www.c.example"]);
    let pending: Value = app.get_as("/api/v1/comments?status=pending", &editor).await.json().await.unwrap();
    assert_eq!(pending["meta"]["total"], 2, "the first of the duplicates and the two-link one");

    // A moderator rescues one.
    let rescued = spam["data"].as_array().unwrap().iter().find(|c| c["body"] == "Bagus").unwrap();
    moderate(&app, &editor, &rescued["id"], "approved").await;
    assert_eq!(public_bodies(&app, "kopi").await, ["Bagus"]);
}

#[tokio::test]
async fn submissions_are_rate_limited_per_client_address() {
    let (app, editor) = newsroom(&[("WARTA_COMMENT_RATE_PER_MINUTE", "3")]).await;
    for i in 0..3 {
        submit(&app, "kopi", &comment(&format!("Komentar {i}"))).await;
    }
    let r = app
        .client
        .post(app.url("/api/v1/articles/kopi/comments"))
        .header("X-Forwarded-For", "203.0.113.9")
        .json(&comment("Komentar 4"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429, "X-Forwarded-For from an untrusted peer changes nothing");
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    problem(r, 429).await;
    // Staff are not limited.
    let r = app.post("/api/v1/articles/kopi/comments", Some(&editor), &comment("Dari redaksi")).await;
    assert_eq!(r.status().as_u16(), 201);
}

#[tokio::test]
async fn ipv6_commenters_are_limited_per_64_and_mapped_ipv4_as_ipv4() {
    let (app, _) = newsroom(&[("WARTA_COMMENT_RATE_PER_MINUTE", "1"), ("WARTA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let from = |address: &'static str| {
        app.client
            .post(app.url("/api/v1/articles/kopi/comments"))
            .header("X-Forwarded-For", address)
            .json(&comment(&format!("Dari {address}")))
            .send()
    };
    assert_eq!(from("2001:db8:1:2::1").await.unwrap().status().as_u16(), 201);
    let same_64 = from("2001:db8:1:2:abcd:ef01:2345:6789").await.unwrap();
    assert_eq!(same_64.status().as_u16(), 429, "another address of the same /64 shares its budget");
    assert_eq!(from("2001:db8:1:3::1").await.unwrap().status().as_u16(), 201, "the next /64 has its own");
    assert_eq!(from("::ffff:198.51.100.7").await.unwrap().status().as_u16(), 201);
    assert_eq!(from("198.51.100.7").await.unwrap().status().as_u16(), 429, "an IPv4-mapped address is that IPv4 one");
    assert_eq!(from("198.51.100.8").await.unwrap().status().as_u16(), 201, "IPv4 counts by the full address");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_counts() {
    let (app, editor) =
        newsroom(&[("WARTA_COMMENT_RATE_PER_MINUTE", "1"), ("WARTA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    for (i, address) in ["198.51.100.1", "198.51.100.2"].iter().enumerate() {
        let r = app
            .client
            .post(app.url("/api/v1/articles/kopi/comments"))
            .header("X-Forwarded-For", format!("{address}, 127.0.0.1"))
            .json(&comment(&format!("Dari {i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "{address}");
    }
    let again = app
        .client
        .post(app.url("/api/v1/articles/kopi/comments"))
        .header("X-Forwarded-For", "198.51.100.1")
        .json(&comment("Lagi"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 429);
    let queue: Value = app.get_as("/api/v1/comments", &editor).await.json().await.unwrap();
    let mut ips: Vec<&str> = queue["data"].as_array().unwrap().iter().map(|c| c["ip"].as_str().unwrap()).collect();
    ips.sort();
    assert_eq!(ips, ["198.51.100.1", "198.51.100.2"]);
}

#[tokio::test]
async fn moderation_is_reversible_and_replies_follow_their_parent() {
    let (app, editor) = newsroom(&[("WARTA_COMMENT_RATE_PER_MINUTE", "100")]).await;
    let parent = submit(&app, "kopi", &comment("Induk")).await;
    moderate(&app, &editor, &parent["id"], "approved").await;
    let reply = submit(
        &app,
        "kopi",
        &json!({"author_name": "B", "author_email": "b@example.com", "body": "Balasan", "parent_id": parent["id"]}),
    )
    .await;
    moderate(&app, &editor, &reply["id"], "approved").await;
    let nested = submit(&app, "kopi", &json!({"author_name": "C", "author_email": "c@example.com", "body": "Balasan balasan", "parent_id": reply["id"]})).await;
    moderate(&app, &editor, &nested["id"], "approved").await;
    assert_eq!(public_bodies(&app, "kopi").await, ["Induk", "Balasan", "Balasan balasan"]);
    assert_eq!(comment_count(&app, "kopi").await, 3);

    for status in ["spam", "trash", "pending"] {
        let changed = moderate(&app, &editor, &parent["id"], status).await;
        assert_eq!(changed["status"], status);
        assert!(public_bodies(&app, "kopi").await.is_empty(), "{status}: the thread goes with its parent");
        assert_eq!(comment_count(&app, "kopi").await, 0);
        moderate(&app, &editor, &parent["id"], "approved").await;
        assert_eq!(public_bodies(&app, "kopi").await, ["Induk", "Balasan", "Balasan balasan"], "and comes back");
        assert_eq!(comment_count(&app, "kopi").await, 3);
    }
    // Hiding the middle keeps the top.
    moderate(&app, &editor, &reply["id"], "spam").await;
    assert_eq!(public_bodies(&app, "kopi").await, ["Induk"]);
    assert_eq!(comment_count(&app, "kopi").await, 1);
    moderate(&app, &editor, &reply["id"], "approved").await;

    // Deleting takes the replies along, and the count follows.
    assert_eq!(app.delete(&format!("/api/v1/comments/{}", reply["id"]), Some(&editor)).await.status().as_u16(), 204);
    assert_eq!(public_bodies(&app, "kopi").await, ["Induk"]);
    assert_eq!(comment_count(&app, "kopi").await, 1);
    problem(app.delete(&format!("/api/v1/comments/{}", nested["id"]), Some(&editor)).await, 404).await;
}

#[tokio::test]
async fn moderators_correct_text_and_filter_the_queue() {
    let (app, editor) = newsroom(&[("WARTA_COMMENT_RATE_PER_MINUTE", "100")]).await;
    let author = app.user("Sari", Role::Author);
    let teh = app.article(ArticleSpec::published(author, "Teh", 2));
    let first = submit(&app, "kopi", &comment("Salah ketk")).await;
    submit(&app, "teh", &comment("Tentang teh")).await;
    let fixed =
        app.patch(&format!("/api/v1/comments/{}", first["id"]), Some(&editor), &json!({"body": "Salah ketik"})).await;
    let fixed: Value = fixed.json().await.unwrap();
    assert_eq!((fixed["body"].as_str(), fixed["status"].as_str()), (Some("Salah ketik"), Some("pending")));

    let by_slug: Value = app.get_as("/api/v1/comments?article=teh", &editor).await.json().await.unwrap();
    assert_eq!(by_slug["meta"]["total"], 1);
    let by_id: Value = app.get_as(&format!("/api/v1/comments?article={teh}"), &editor).await.json().await.unwrap();
    assert_eq!(by_id["data"], by_slug["data"]);
    assert_eq!(
        invalid_fields_of(app.get_as("/api/v1/comments?status=hidden&article=Bad%20Slug", &editor).await).await,
        ["article", "status"]
    );
    let r = app
        .patch(&format!("/api/v1/comments/{}", first["id"]), Some(&editor), &json!({"status": "deleted", "body": ""}))
        .await;
    assert_eq!(invalid_fields_of(r).await, ["body", "status"]);
    problem(app.patch("/api/v1/comments/999999", Some(&editor), &json!({"status": "approved"})).await, 404).await;
}

#[tokio::test]
async fn only_editors_and_admins_moderate() {
    let (app, _) = newsroom(&[]).await;
    let created = submit(&app, "kopi", &comment("Halo")).await;
    let path = format!("/api/v1/comments/{}", created["id"]);
    for role in [Role::Author, Role::Contributor] {
        let staff = app.staff(&format!("Staf {role}"), role).await;
        problem(app.get_as("/api/v1/comments", &staff.token).await, 403).await;
        problem(app.patch(&path, Some(&staff.token), &json!({"status": "approved"})).await, 403).await;
        problem(app.delete(&path, Some(&staff.token)).await, 403).await;
    }
    problem(app.get("/api/v1/comments").await, 401).await;
    problem(app.patch(&path, None, &json!({"status": "approved"})).await, 401).await;
    let admin = app.staff("Rina", Role::Admin).await;
    assert_eq!(app.patch(&path, Some(&admin.token), &json!({"status": "approved"})).await.status().as_u16(), 200);
}

/// The promise of the comment form: the email is never published, nor the address.
#[tokio::test]
async fn a_commenters_email_and_address_never_appear_in_any_public_response() {
    let (app, editor) = newsroom(&[("WARTA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let email = "rahasia.sekali@example.org";
    let address = "198.51.100.77";
    let category = app.category("Ekonomi", None);
    let author = app.user("Sari", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Beras", 1).in_categories(&[category]));
    let r = app
        .client
        .post(app.url("/api/v1/articles/harga-beras/comments"))
        .header("X-Forwarded-For", address)
        .header("User-Agent", "AgenRahasia/1.0")
        .json(&json!({"author_name": "Pembaca Setia", "author_email": email, "body": "Semoga harga turun."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.unwrap();
    moderate(&app, &editor, &created["id"], "approved").await;
    let reply =
        json!({"author_name": "Pembaca Setia", "author_email": email, "body": "Tambahan.", "parent_id": created["id"]});
    let r = app
        .client
        .post(app.url("/api/v1/articles/harga-beras/comments"))
        .header("X-Forwarded-For", address)
        .json(&reply)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);

    let paths = [
        "/api/v1/articles",
        "/api/v1/articles?include=body",
        "/api/v1/articles?category=ekonomi&include=body&per_page=100",
        "/api/v1/articles?author=sari",
        "/api/v1/articles/harga-beras",
        "/api/v1/articles/harga-beras/comments",
        "/api/v1/articles/harga-beras/comments?per_page=100",
        "/api/v1/categories",
        "/api/v1/categories/ekonomi",
        "/api/v1/site",
        "/openapi.json",
    ];
    for path in paths {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let headers = format!("{:?}", r.headers());
        let text = r.text().await.unwrap();
        for secret in [email, address, "AgenRahasia"] {
            assert!(!text.contains(secret), "{secret} leaked by {path}");
            assert!(!headers.contains(secret), "{secret} leaked in the headers of {path}");
        }
    }
    // The moderators do see them.
    let queue = app.get_as("/api/v1/comments", &editor).await.text().await.unwrap();
    assert!(queue.contains(email) && queue.contains(address));
}

#[tokio::test]
async fn a_burst_of_submissions_is_stored_whole_and_a_bad_one_fails_alone() {
    let (app, editor) = newsroom(&[("WARTA_COMMENT_RATE_PER_MINUTE", "1000")]).await;
    let pending = submit(&app, "kopi", &comment("Belum disetujui")).await;
    // Submitted at once, these share transactions; the replies to a pending comment must
    // fail alone without taking the others with them.
    let requests = (0..48).map(|i| {
        let body = if i % 4 == 0 {
            json!({"author_name": "A", "author_email": "a@example.com", "body": format!("Balasan {i}"), "parent_id": pending["id"]})
        } else {
            comment(&format!("Komentar serentak {i}"))
        };
        let app = &app;
        async move {
            let r = app.post("/api/v1/articles/kopi/comments", None, &body).await;
            (i, r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    });
    let answers = futures_util::future::join_all(requests).await;
    let mut stored = Vec::new();
    for (i, status, body) in answers {
        if i % 4 == 0 {
            assert_eq!(status, 422, "{body}");
            assert!(body["errors"]["parent_id"].is_array(), "{body}");
        } else {
            assert_eq!(status, 201, "{body}");
            assert_eq!(body["body"], format!("Komentar serentak {i}"));
            stored.push(body["id"].as_i64().unwrap());
        }
    }
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 36, "every acknowledged comment has its own id");

    let r = app.get_as("/api/v1/comments?status=pending&per_page=100", &editor).await;
    let queue: Value = r.json().await.unwrap();
    assert_eq!(queue["meta"]["total"], 37, "the 36 and the first one, no failed reply");
    let listed: Vec<i64> = queue["data"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(stored.iter().all(|id| listed.contains(id)));
    assert!(queue["data"].as_array().unwrap().iter().all(|c| !c["body"].as_str().unwrap().starts_with("Balasan")));
}

#[tokio::test]
async fn the_comment_limit_holds_across_two_instances_on_one_database() {
    if !on_postgres() {
        eprintln!("skipped: limits are shared between instances on PostgreSQL; this run is on SQLite");
        return;
    }
    let vars = [("WARTA_COMMENT_RATE_PER_MINUTE", "3")];
    let (first, _) = newsroom(&vars).await;
    let second = spawn_app_beside(&first, &vars, StartOptions::default()).await;
    // Submissions at once, half on each instance: three pass in all.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let app = if i % 2 == 0 { &first } else { &second };
            let (client, url) = (app.client.clone(), app.url("/api/v1/articles/kopi/comments"));
            tokio::spawn(async move {
                let r = client.post(url).json(&comment(&format!("Serentak {i}"))).send().await.unwrap();
                (r.status().as_u16(), r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()))
            })
        })
        .collect();
    let mut passed = 0;
    for task in tasks {
        match task.await.unwrap() {
            (201, _) => passed += 1,
            (429, Some(wait)) => assert!((1..=60).contains(&wait.parse::<u64>().unwrap()), "{wait}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(passed, 3, "three per minute for the address, not three per instance");
    for app in [&first, &second] {
        let r = app.post("/api/v1/articles/kopi/comments", None, &comment("Lagi")).await;
        problem(r, 429).await;
    }
}

#[tokio::test]
async fn without_its_table_the_comment_limit_answers_503_and_stores_nothing() {
    if !on_postgres() {
        eprintln!("skipped: the comment limit has a table on PostgreSQL only; this run is on SQLite");
        return;
    }
    let (app, editor) = newsroom(&[]).await;
    {
        use diesel::connection::SimpleConnection;
        app.conn().batch_execute("DROP TABLE rate_limits").unwrap();
    }
    let r = app.post("/api/v1/articles/kopi/comments", None, &comment("Tanpa hitungan")).await;
    assert_eq!(r.headers()["retry-after"], "1");
    problem(r, 503).await;
    let queue: Value = app.get_as("/api/v1/comments?status=pending", &editor).await.json().await.unwrap();
    assert_eq!(queue["meta"]["total"], 0, "nothing stored: {queue}");
}

/// A comment sent while its article is being deleted by another transaction: the article
/// exists when the submission checks, and is gone by the time its row goes in. The answer is
/// a 404 or a 409, never a 500 (PostgreSQL refused the row with a foreign-key error, which
/// used to surface as one), and no comment is left without its article.
#[tokio::test]
async fn a_comment_racing_the_deletion_of_its_article_is_refused_cleanly() {
    use diesel::connection::SimpleConnection;
    let (app, _) = newsroom(&[]).await;
    let listed = app.get_json("/api/v1/articles", 200).await;
    let (id, slug) =
        (listed["data"][0]["id"].as_i64().unwrap(), listed["data"][0]["slug"].as_str().unwrap().to_owned());
    let (other, _) = warta::db::connect(&app.db_path, 1).unwrap();
    let mut deleting = other.get().unwrap();
    deleting.batch_execute(&format!("BEGIN; DELETE FROM articles WHERE id = {id};")).unwrap();
    let sent = {
        let (client, url) = (app.client.clone(), app.url(&format!("/api/v1/articles/{slug}/comments")));
        tokio::spawn(async move { client.post(url).json(&comment("Balapan")).send().await.unwrap() })
    };
    // The submission reaches the database and waits on the deleting transaction's lock.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    deleting.batch_execute("COMMIT").unwrap();
    let response = sent.await.unwrap();
    let status = response.status().as_u16();
    assert!(status == 404 || status == 409, "status {status}");
    problem(response, status).await;
    let orphans: i64 = {
        use diesel::prelude::*;
        use warta::db::schema::comments;
        comments::table.filter(comments::article_id.eq(id)).count().get_result(&mut app.conn()).unwrap()
    };
    assert_eq!(orphans, 0);
}

/// A staff reply (approved at once) written while another transaction hides its parent: the
/// reply must not end up shown under a hidden comment. On PostgreSQL the reply read the
/// parent as still visible and was stored visible; now it waits for the hiding to commit, then
/// finds the parent hidden (a 422), as on SQLite, where the write lock orders the two.
#[tokio::test]
async fn a_reply_racing_the_hiding_of_its_parent_is_not_shown_under_it() {
    use diesel::connection::SimpleConnection;
    let (app, editor) = newsroom(&[]).await;
    let parent = submit(&app, "kopi", &comment("Induk")).await;
    moderate(&app, &editor, &parent["id"], "approved").await;
    let (other, _) = warta::db::connect(&app.db_path, 1).unwrap();
    let mut hiding = other.get().unwrap();
    let hide = format!("BEGIN; UPDATE comments SET status = 'trash', visible = false WHERE id = {};", parent["id"]);
    hiding.batch_execute(&hide).unwrap();
    let sent = {
        let (client, url) = (app.client.clone(), app.url("/api/v1/articles/kopi/comments"));
        let mut body = comment("Balasan redaksi");
        body["parent_id"] = parent["id"].clone();
        tokio::spawn(async move { client.post(url).bearer_auth(editor).json(&body).send().await.unwrap() })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    hiding.batch_execute("COMMIT").unwrap();
    assert_eq!(invalid_fields_of(sent.await.unwrap()).await, ["parent_id"]);
    assert!(public_bodies(&app, "kopi").await.is_empty(), "nothing is shown");
    assert_eq!(comment_count(&app, "kopi").await, 0);
}
