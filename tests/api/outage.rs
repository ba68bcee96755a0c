//! A database server that goes away while Warta serves: clear 503s meanwhile, and everything
//! back by itself when the server returns, the content-change poll included.

use serde_json::{json, Value};
use std::time::{Duration, Instant};

use crate::helpers::{on_postgres, spawn_app_on, ArticleSpec, TestDb};
use warta::domain::Role;
use warta::startup::StartOptions;

/// Polls `path` on `app` until it answers `status`, for at most `limit`.
async fn eventually(app: &crate::helpers::TestApp, path: &str, status: u16, limit: Duration) -> reqwest::Response {
    let started = Instant::now();
    loop {
        let response = app.get(path).await;
        if response.status().as_u16() == status || started.elapsed() > limit {
            return response;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_lost_database_is_a_503_meanwhile_and_everything_recovers_by_itself() {
    if !on_postgres() {
        // A SQLite file is opened, not connected to: there is no server to lose.
        eprintln!("runs on PostgreSQL only (set WARTA_TEST_POSTGRES)");
        return;
    }
    {
        let db = TestDb::new();
        // A second instance on the same database, to see the first one's writes after the outage.
        let other = spawn_app_on(db.shared(), &[], StartOptions::default()).await;
        let app = spawn_app_on(db, &[], StartOptions::default()).await;
        let editor = app.staff("Editor Pagi", Role::Editor).await;
        let author = app.user("Dewi", Role::Author);
        app.article(ArticleSpec::published(author, "Sebelum Gangguan", 2));
        assert_eq!(app.get("/api/v1/articles").await.status().as_u16(), 200);
        assert_eq!(other.get_json("/api/v1/articles", 200).await["meta"]["total"], 1, "cached on the other instance");

        // The server refuses this database and drops every connection to it.
        app._db.as_admin(
            "ALTER DATABASE {db} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}';",
        );
        let ready = app.get("/ready").await;
        assert_eq!(ready.status().as_u16(), 503);
        assert_eq!(ready.headers()["content-type"], "application/problem+json");
        // (A page past the end would need no statement: its total is known, kept per content
        // version, and it holds no rows; this one must read its rows.)
        let read = app.get("/api/v1/articles?per_page=7").await;
        assert_eq!(read.status().as_u16(), 503, "an uncached read");
        assert_eq!(read.headers()["content-type"], "application/problem+json");
        assert_eq!(read.headers()["retry-after"], "1");
        let write = app.post("/api/v1/categories", Some(&editor.token), &json!({"name": "Selama Gangguan"})).await;
        assert_eq!(write.status().as_u16(), 503, "a write is refused, not half done");

        // Back: readiness, reads and writes return without a restart.
        app._db.as_admin("ALTER DATABASE {db} ALLOW_CONNECTIONS true;");
        assert_eq!(eventually(&app, "/ready", 200, Duration::from_secs(15)).await.status().as_u16(), 200);
        assert_eq!(eventually(&other, "/ready", 200, Duration::from_secs(15)).await.status().as_u16(), 200);
        let created = app
            .post(
                "/api/v1/articles",
                Some(&editor.token),
                &json!({"title": "Setelah Gangguan", "body": "Kembali normal.", "status": "published"}),
            )
            .await;
        assert_eq!(created.status().as_u16(), 201);
        // The other instance's poll reconnected too: its cached list learns of the write.
        let started = Instant::now();
        loop {
            let list: Value = other.get_json("/api/v1/articles", 200).await;
            if list["meta"]["total"] == 2 {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "the other instance still serves {list}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let none = app.get_json("/api/v1/categories", 200).await;
        assert!(
            none["data"].as_array().unwrap().iter().all(|c| c["name"] != "Selama Gangguan"),
            "the refused write left nothing"
        );
    }
}
