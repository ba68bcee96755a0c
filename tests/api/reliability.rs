//! Real processes: crash safety under SIGKILL, graceful SIGTERM, online backup and restore,
//! and logs that never carry a secret.

use diesel::prelude::*;
use diesel::sql_types::Text;
use reqwest::Client;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

use crate::helpers::{on_postgres, Process, TestDb};

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// SQLite's own check of the file (PostgreSQL checks its pages itself).
fn integrity(db_path: &str) -> String {
    if on_postgres() {
        return "ok".into();
    }
    let mut conn = SqliteConnection::establish(db_path).unwrap();
    diesel::sql_query("PRAGMA integrity_check").get_result::<Check>(&mut conn).unwrap().integrity_check
}

fn comment_ids(db_path: &str) -> Vec<i64> {
    use warta::db::schema::comments;
    let mut conn = warta::db::Conn::establish(db_path).unwrap();
    comments::table.select(comments::id).load(&mut conn).unwrap()
}

async fn first_slug(client: &Client, address: &str) -> String {
    let list: Value = client.get(format!("{address}/api/v1/articles")).send().await.unwrap().json().await.unwrap();
    list["data"][0]["slug"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_sigkill_mid_load() {
    let test_db = TestDb::new();
    let db = test_db.url.clone();
    let mut server = Process::start(&db, &["--demo"], &[]).await;
    let client = crate::helpers::client();
    let slug = first_slug(&client, &server.address).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));

    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, acknowledged) = (client.clone(), acknowledged.clone());
        let url = format!("{}/api/v1/articles/{slug}/comments", server.address);
        writers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let body = json!({"author_name": "Penguji", "author_email": "uji@example.com", "body": format!("tulis {w}-{i}")});
                match client.post(&url).json(&body).send().await {
                    Ok(r) if r.status().as_u16() == 201 => {
                        if let Ok(v) = r.json::<Value>().await {
                            acknowledged.lock().unwrap().push(v["id"].as_i64().unwrap());
                        }
                    }
                    Ok(r) => assert!(r.status().as_u16() < 500, "a write failed with {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    // Let the load build up, then pull the plug.
    for _ in 0..100 {
        if acknowledged.lock().unwrap().len() >= 50 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 10, "the load ran ({} writes)", acknowledged.len());

    assert_eq!(integrity(&db), "ok");
    let restarted = Process::start(&db, &["--demo"], &[]).await;
    assert_eq!(first_slug(&client, &restarted.address).await, slug, "same content after restart, not re-seeded");
    let stored = comment_ids(&db);
    let missing: Vec<&i64> = acknowledged.iter().filter(|id| !stored.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
}

#[tokio::test]
async fn sigterm_finishes_requests_checkpoints_and_exits_zero() {
    let test_db = TestDb::new();
    let db = test_db.url.clone();
    let mut server = Process::start(&db, &["--demo"], &[]).await;
    let client = crate::helpers::client();
    let slug = first_slug(&client, &server.address).await;
    let mut written = Vec::new();
    for i in 0..5 {
        let body =
            json!({"author_name": "A", "author_email": "a@example.com", "body": format!("sebelum berhenti {i}")});
        let r = client
            .post(format!("{}/api/v1/articles/{slug}/comments", server.address))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        written.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let in_flight: Vec<_> = (0..20)
        .map(|_| {
            let (client, url) =
                (client.clone(), format!("{}/api/v1/articles?include=body&per_page=100", server.address));
            tokio::spawn(async move { client.get(url).send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let status = server.terminate().await;
    assert!(status.success(), "exit status {status:?}: {}", server.logs());
    for request in in_flight {
        if let Ok(code) = request.await.unwrap() {
            assert_eq!(code, 200, "a request answered during shutdown was cut short");
        }
    }
    if !on_postgres() {
        let wal = std::fs::metadata(format!("{db}-wal")).map(|m| m.len()).unwrap_or(0);
        assert_eq!(wal, 0, "the WAL was checkpointed into the database");
        assert!(server.logs().contains("checkpointed"));
    }
    let stored = comment_ids(&db);
    assert!(written.iter().all(|id| stored.contains(id)), "the comments written before the signal are kept");
}

/// Behind a load balancer: after SIGTERM the instance says it is going (`/ready` 503) for the
/// grace period while it still serves everything else, so that the balancer's health check
/// takes it out of rotation before its listener closes; then it stops as without a grace.
#[tokio::test]
async fn sigterm_with_a_grace_period_drains_before_it_stops() {
    let test_db = TestDb::new();
    let db = test_db.url.clone();
    let mut server = Process::start(&db, &["--demo"], &[("WARTA_SHUTDOWN_GRACE_SECS", "2")]).await;
    let client = crate::helpers::client();
    let slug = first_slug(&client, &server.address).await;
    let signalled = std::time::Instant::now();
    server.signal("TERM");
    let ready = loop {
        let ready = client.get(format!("{}/ready", server.address)).send().await.expect("still listening");
        if ready.status().as_u16() != 200 || signalled.elapsed() > std::time::Duration::from_secs(1) {
            break ready;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(ready.status().as_u16(), 503, "/ready says the instance is going");
    assert_eq!(ready.headers()["retry-after"], "1");
    assert_eq!(ready.headers()["content-type"], "application/problem+json");
    let health = client.get(format!("{}/health", server.address)).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200, "the process is still up");
    let read = client.get(format!("{}/api/v1/articles/{slug}", server.address)).send().await.unwrap();
    assert_eq!(read.status().as_u16(), 200, "reads are still served");
    // Each connection ends with its response: a client (or balancer) that keeps it open would
    // otherwise send its next request on a connection about to be closed.
    assert_eq!(read.headers()["connection"], "close", "keep-alive ends while draining");
    let body = json!({"author_name": "A", "author_email": "a@example.com", "body": "saat berhenti"});
    let url = format!("{}/api/v1/articles/{slug}/comments", server.address);
    let written = client.post(url).json(&body).send().await.unwrap();
    assert_eq!(written.status().as_u16(), 201, "and writes");
    let id = written.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let status = server.exit_within(std::time::Duration::from_secs(15)).await;
    assert!(status.success(), "exit status {status:?}: {}", server.logs());
    let took = signalled.elapsed();
    assert!(took >= std::time::Duration::from_secs(2), "it served the whole grace period: {took:?}");
    assert!(server.logs().contains("draining"), "{}", server.logs());
    assert!(comment_ids(&db).contains(&id), "the comment written while draining is kept");
}

fn backup(db: &str, target: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_warta"))
        .args(["backup", target])
        .env("DATABASE_URL", db)
        .output()
        .unwrap()
}

#[tokio::test]
async fn an_online_backup_is_consistent_and_a_restored_copy_serves_the_same_content() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db").to_string_lossy().into_owned();
    let server = Process::start(&db, &["--demo"], &[]).await;
    let client = crate::helpers::client();
    let slug = first_slug(&client, &server.address).await;

    // A backup taken while writes keep coming.
    let url = format!("{}/api/v1/articles/{slug}/comments", server.address);
    let writer = {
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move {
            for i in 0..200 {
                let body =
                    json!({"author_name": "A", "author_email": "a@example.com", "body": format!("selama backup {i}")});
                let r = client.post(&url).json(&body).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 201);
            }
        })
    };
    let during = dir.path().join("during.db").to_string_lossy().into_owned();
    let out = backup(&db, &during);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    writer.await.unwrap();
    assert_eq!(integrity(&during), "ok");

    // A quiet backup restores to the same content.
    let quiet = dir.path().join("quiet.db").to_string_lossy().into_owned();
    assert!(backup(&db, &quiet).status.success());
    let refused = backup(&db, &quiet);
    assert!(!refused.status.success(), "an existing file is never overwritten");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("exists already"));
    let restored = Process::start(&quiet, &[], &[]).await;
    for path in [
        "/api/v1/articles?per_page=100&include=body",
        "/api/v1/categories?per_page=100",
        &format!("/api/v1/articles/{slug}/comments?per_page=100"),
    ] {
        let live: Value = client.get(format!("{}{path}", server.address)).send().await.unwrap().json().await.unwrap();
        let copy: Value = client.get(format!("{}{path}", restored.address)).send().await.unwrap().json().await.unwrap();
        assert_eq!(live, copy, "{path}");
    }
}

/// On PostgreSQL the backup tool is PostgreSQL's own: the command says so and fails, whether
/// or not a server answers at that URL.
#[test]
fn a_backup_of_a_postgresql_database_points_at_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.db").to_string_lossy().into_owned();
    let url = if on_postgres() { TestDb::new().url } else { "postgres://warta:rahasia@127.0.0.1:1/warta".into() };
    let out = backup(&url, &target);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("pg_dump"), "{said}");
    assert!(!said.contains("rahasia"), "no password in the message: {said}");
    assert!(!std::path::Path::new(&target).exists());
}

#[tokio::test]
async fn logs_of_a_full_run_never_contain_a_password_token_or_secret() {
    let test_db = TestDb::new();
    let db = test_db.url.clone();
    let secret = "jwt-secret-that-must-never-be-logged-0123456789";
    let admin_password = "admin-password-never-logged";
    let server = Process::start(
        &db,
        &[],
        &[
            ("WARTA_JWT_SECRET", secret),
            ("WARTA_ADMIN_EMAIL", "boss@kabarharapan.example"),
            ("WARTA_ADMIN_PASSWORD", admin_password),
            ("RUST_LOG", "debug"),
        ],
    )
    .await;
    let client = crate::helpers::client();
    let api = |path: &str| format!("{}{path}", server.address);
    let wrong = client
        .post(api("/api/v1/auth/login"))
        .json(&json!({"email": "boss@kabarharapan.example", "password": "wrong-password-not-logged"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let login: Value = client
        .post(api("/api/v1/auth/login"))
        .json(&json!({"email": "boss@kabarharapan.example", "password": admin_password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (access, refresh) =
        (login["access_token"].as_str().unwrap().to_owned(), login["refresh_token"].as_str().unwrap().to_owned());
    let renewed: Value = client
        .post(api("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_user = json!({"email": "baru@example.com", "display_name": "Baru", "password": "new-user-password-secret", "role": "author"});
    let created = client.post(api("/api/v1/users")).bearer_auth(&access).json(&new_user).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    client.get(api("/api/v1/auth/me")).bearer_auth(&access).send().await.unwrap();
    client.get(api("/api/v1/auth/me")).bearer_auth("forged.token.value").send().await.unwrap();
    client
        .post(api("/api/v1/auth/logout"))
        .json(&json!({"refresh_token": renewed["refresh_token"]}))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let logs = server.logs();
    assert!(logs.contains("request"), "the run was logged");
    for secret in [
        secret,
        admin_password,
        "wrong-password-not-logged",
        "new-user-password-secret",
        "warta-demo-2026",
        &access,
        &refresh,
        renewed["access_token"].as_str().unwrap(),
        renewed["refresh_token"].as_str().unwrap(),
        "forged.token.value",
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs: {secret}");
    }
    // The database's password either (the test server's is part of its URL).
    if let Some(password) = url::Url::parse(&db).ok().and_then(|u| u.password().map(str::to_owned)) {
        assert!(!logs.contains(&format!(":{password}@")), "the database password reached the logs");
    }
}
