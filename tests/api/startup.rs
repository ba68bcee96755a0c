//! Start-up: the demo newsroom, migrations on an existing file, and configuration errors.

use std::collections::HashMap;
use std::process::Command;
use warta::config::Config;
use warta::startup::{Application, StartOptions};

use crate::helpers::{spawn_app, spawn_app_with, TestDb};

const DEMO: StartOptions = StartOptions { demo: true };

#[tokio::test]
async fn the_demo_seeds_a_browsable_newsroom() {
    let app = spawn_app_with(&[], DEMO).await;
    let articles = app.get_json("/api/v1/articles?per_page=100", 200).await;
    assert_eq!(articles["meta"]["total"], 10, "ten published articles; the draft and the scheduled one are hidden");
    let categories = app.get_json("/api/v1/categories?per_page=100", 200).await;
    let data = categories["data"].as_array().unwrap();
    assert!(data.iter().any(|c| c["slug"] == "dalam-negeri") && data.iter().any(|c| c["slug"] == "luar-negeri"));
    assert!(data.iter().any(|c| !c["parent_id"].is_null()), "a hierarchy");
    let with_comments = articles["data"].as_array().unwrap().iter().find(|a| a["comment_count"].as_i64().unwrap() > 0);
    let slug = with_comments.expect("an article with approved comments")["slug"].as_str().unwrap().to_owned();
    let comments = app.get_json(&format!("/api/v1/articles/{slug}/comments"), 200).await;
    assert!(comments["meta"]["total"].as_i64().unwrap() > 0);
    let text = articles.to_string();
    assert!(text.contains("Kabar Harapan"), "Indonesian newsroom content");
    // The site's pages, out of the story list above and read by their slugs.
    let pages = app.get_json("/api/v1/articles?kind=page", 200).await;
    assert_eq!(crate::helpers::titles(&pages), ["Pedoman Pemberitaan Media Siber", "Redaksi", "Tentang Kami"]);
    assert_eq!(app.get_json("/api/v1/articles/redaksi", 200).await["kind"], "page");
    // Real photos, drawn at seed time and stored like uploads: originals and variants are served.
    let with_photos: Vec<&serde_json::Value> =
        articles["data"].as_array().unwrap().iter().filter(|a| !a["featured_image"].is_null()).collect();
    assert!(with_photos.len() >= 3, "{} articles with photos", with_photos.len());
    for article in with_photos {
        let image = &article["featured_image"];
        assert!(!image["alt"].as_str().unwrap().is_empty());
        assert_eq!(article["featured_image_url"], image["url"]);
        let widths: Vec<u64> =
            image["variants"].as_array().unwrap().iter().map(|v| v["width"].as_u64().unwrap()).collect();
        assert_eq!(widths, [320, 640, 1024]);
        for url in [&image["url"], &image["variants"][0]["url"]] {
            let file = app.client.get(url.as_str().unwrap()).send().await.unwrap();
            assert_eq!(file.status().as_u16(), 200, "{url}");
            assert!(image::load_from_memory(&file.bytes().await.unwrap()).is_ok());
        }
    }
}

#[tokio::test]
async fn the_demo_never_seeds_a_database_that_has_content() {
    let app = spawn_app_with(&[("WARTA_PUBLIC_URL", "http://kabarharapan.test")], DEMO).await;
    let before = app.get_json("/api/v1/articles?per_page=100", 200).await;

    // A second start on the same file, with --demo again.
    let mut vars = HashMap::new();
    vars.insert("DATABASE_URL".to_owned(), app.db_path.clone());
    vars.insert("WARTA_BIND".to_owned(), "127.0.0.1:0".to_owned());
    vars.insert("WARTA_PUBLIC_URL".to_owned(), "http://kabarharapan.test".to_owned());
    let again = Application::build(Config::from_vars(&vars).unwrap(), DEMO).await.unwrap();
    let address = format!("http://127.0.0.1:{}", again.port());
    tokio::spawn(again.run_until_stopped());
    let after: serde_json::Value =
        app.client.get(format!("{address}/api/v1/articles?per_page=100")).send().await.unwrap().json().await.unwrap();
    assert_eq!(before, after);

    // A database with only a category is not empty either.
    let other = spawn_app().await;
    other.category("Olahraga", None);
    let mut vars = HashMap::new();
    vars.insert("DATABASE_URL".to_owned(), other.db_path.clone());
    vars.insert("WARTA_BIND".to_owned(), "127.0.0.1:0".to_owned());
    let seeded = Application::build(Config::from_vars(&vars).unwrap(), DEMO).await.unwrap();
    drop(seeded);
    assert_eq!(other.get_json("/api/v1/articles", 200).await["meta"]["total"], 0);
    assert_eq!(other.get_json("/api/v1/categories", 200).await["meta"]["total"], 1);
}

/// The bootstrap admin of `WARTA_ADMIN_EMAIL` is created first on an empty database, so that the
/// demo newsroom is seeded beside it and it can log in (it used to be skipped silently: the demo's
/// own admin existed first).
#[tokio::test]
async fn with_the_demo_the_configured_admin_is_created_first_and_logs_in() {
    let vars = [("WARTA_ADMIN_EMAIL", "kepala@redaksi.example"), ("WARTA_ADMIN_PASSWORD", "sandi-kepala-redaksi")];
    let app = spawn_app_with(&vars, DEMO).await;
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"email": "kepala@redaksi.example", "password": "sandi-kepala-redaksi"}),
        )
        .await;
    assert_eq!(login.status().as_u16(), 200, "the configured admin logs in");
    let login: serde_json::Value = login.json().await.unwrap();
    assert_eq!(login["user"]["role"], "admin");
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 10, "and the demo is seeded");
}

/// Users are not content: a database holding only accounts still gets the demo, and a demo
/// account whose email is taken is not made twice.
#[tokio::test]
async fn a_database_with_only_users_is_seeded_and_keeps_them() {
    let app = spawn_app().await;
    let rina = app.user("Rina Kartikasari", warta::domain::Role::Editor);
    let mut vars = HashMap::new();
    vars.insert("DATABASE_URL".to_owned(), app.db_path.clone());
    vars.insert("WARTA_BIND".to_owned(), "127.0.0.1:0".to_owned());
    drop(Application::build(Config::from_vars(&vars).unwrap(), DEMO).await.unwrap());
    assert_eq!(app.get_json("/api/v1/articles?per_page=100", 200).await["meta"]["total"], 10);
    let admin = app.staff("Admin Uji", warta::domain::Role::Admin).await;
    let users: serde_json::Value = app.get_as("/api/v1/users?per_page=100", &admin.token).await.json().await.unwrap();
    let rinas: Vec<&serde_json::Value> = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["email"] == "rina.kartikasari@kabarharapan.example")
        .collect();
    assert_eq!(rinas.len(), 1, "{users}");
    assert_eq!((rinas[0]["id"].as_i64(), rinas[0]["role"].as_str()), (Some(rina), Some("editor")));
}

fn warta(args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_warta"));
    command.args(args).current_dir(dir.path()).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in vars {
        command.env(k, v);
    }
    command.output().expect("warta runs")
}

#[test]
fn a_bad_variable_stops_start_up_naming_it() {
    for (name, value) in [
        ("WARTA_BIND", "not-an-address"),
        ("WARTA_COMMENT_RATE_PER_MINUTE", "lots"),
        ("WARTA_CORS_ORIGINS", "ftp://x"),
        ("WARTA_CACHE_MAX_AGE", "-5"),
        ("WARTA_ARTICLE_URL", "https://kabar.example/berita"),
        ("WARTA_TAG_URL", "ftp://kabar.example/{slug}"),
    ] {
        let output = warta(&["serve"], &[(name, value)]);
        assert!(!output.status.success(), "{name}={value} should stop start-up");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(name), "{name} not named in: {stderr}");
    }
}

#[test]
fn migrate_creates_the_database_and_openapi_prints_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.db");
    let output = warta(&["migrate"], &[("DATABASE_URL", db.to_str().unwrap())]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(db.exists());
    let migrations =
        std::fs::read_dir("migrations/sqlite").unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("applied {migrations} migration")), "{stdout}");
    let again = warta(&["migrate"], &[("DATABASE_URL", db.to_str().unwrap())]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("applied 0 migration"));

    let spec = warta(&["openapi"], &[]);
    assert!(spec.status.success());
    assert_eq!(String::from_utf8(spec.stdout).unwrap(), warta::api::openapi::document_json());
}

/// The pool would retry opening until its timeout; one direct attempt says why at once.
#[test]
fn a_database_in_a_directory_that_does_not_exist_stops_start_up_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("warta.db");
    let output = warta(&["serve"], &[("DATABASE_URL", missing.to_str().unwrap()), ("WARTA_BIND", "127.0.0.1:0")]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-dir") && stderr.contains("does not exist"), "{stderr}");
    assert!(!stderr.contains("timed out"), "{stderr}");
}

/// An unreachable PostgreSQL server stops start-up at once with one line that names the server
/// and never the password.
#[test]
fn an_unreachable_postgresql_server_stops_start_up_naming_the_host_not_the_password() {
    let url = "postgres://warta:rahasia-sekali@127.0.0.1:1/warta?sslmode=disable";
    let secret = ("WARTA_JWT_SECRET", "a-secret-of-more-than-thirty-two-characters");
    let output = warta(&["serve"], &[("DATABASE_URL", url), ("WARTA_BIND", "127.0.0.1:0"), secret]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains("rahasia"), "the password is never shown: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

/// Instances that start together migrate once: the others wait, then find nothing to do.
#[test]
fn migrations_run_once_when_several_instances_start_together() {
    let db = TestDb::new();
    let url = db.url.clone();
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || warta(&["migrate"], &[("DATABASE_URL", &url)]))
        })
        .collect();
    let migrations =
        std::fs::read_dir("migrations/sqlite").unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count();
    let mut applied = 0;
    for run in runs {
        let output = run.join().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let n: usize = stdout.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("applied N migration(s)");
        applied += n;
    }
    assert_eq!(applied, migrations, "each migration ran once");
}

/// A media bucket that does not answer stops start-up with one line naming the bucket and never
/// the secret key: an unreachable server always, and with `WARTA_TEST_S3` a bucket that does not
/// exist on a server that does.
#[test]
fn a_media_bucket_that_does_not_answer_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("warta.db");
    let closed = format!("http://127.0.0.1:{}", crate::helpers::free_port());
    let mut endpoints = vec![closed];
    endpoints.extend(std::env::var("WARTA_TEST_S3").ok().filter(|v| !v.is_empty()));
    for endpoint in endpoints {
        let output = warta(
            &["serve"],
            &[
                ("DATABASE_URL", db.to_str().unwrap()),
                ("WARTA_BIND", "127.0.0.1:0"),
                ("WARTA_MEDIA_S3_BUCKET", "no-such-bucket"),
                ("WARTA_MEDIA_S3_ENDPOINT", &endpoint),
                ("WARTA_MEDIA_S3_ACCESS_KEY_ID", "warta-test"),
                ("WARTA_MEDIA_S3_SECRET_ACCESS_KEY", "rahasia-sekali"),
            ],
        );
        assert!(!output.status.success(), "{endpoint}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("no-such-bucket") && stderr.contains(&endpoint), "{stderr}");
        assert!(!stderr.contains("rahasia"), "the secret is never shown: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
