//! Site settings and the operational probes.

use warta::startup::StartOptions;

use warta::domain::Role;

use crate::helpers::{problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_site_defaults_to_the_reference_newsroom() {
    let app = spawn_app().await;
    let site = app.get_json("/api/v1/site", 200).await;
    assert_eq!(site["title"], "Kabar Harapan");
    assert_eq!(site["description"], "Memberikan Informasi Terupdate Dalam Negri & Luar Negri");
    assert_eq!(site["language"], "id");
}

#[tokio::test]
async fn the_site_comes_from_configuration() {
    let app = spawn_app_with(
        &[
            ("WARTA_SITE_TITLE", "Warta Timur"),
            ("WARTA_SITE_DESCRIPTION", "Berita dari timur"),
            ("WARTA_SITE_URL", "https://timur.example"),
            ("WARTA_SITE_LANGUAGE", "en-US"),
        ],
        StartOptions::default(),
    )
    .await;
    let site = app.get_json("/api/v1/site", 200).await;
    assert_eq!(
        site,
        serde_json::json!({"title": "Warta Timur", "description": "Berita dari timur", "url": "https://timur.example", "language": "en-US"})
    );
}

#[tokio::test]
async fn health_and_readiness_answer_while_the_database_does() {
    let app = spawn_app().await;
    assert_eq!(app.get_json("/health", 200).await["status"], "ok");
    assert_eq!(app.get_json("/ready", 200).await["status"], "ok");
}

#[tokio::test]
async fn the_site_is_private_for_an_authenticated_caller_like_every_read() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    assert!(app.get("/api/v1/site").await.headers()["cache-control"].to_str().unwrap().starts_with("public"));
    let staff = app.get_as("/api/v1/site", &editor.token).await;
    assert_eq!(staff.status().as_u16(), 200);
    assert_eq!(staff.headers()["cache-control"], "private, no-store");
    problem(app.get_as("/api/v1/site", "garbage").await, 401).await;
}
