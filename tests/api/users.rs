//! Users: admin-only management, the CLI and the bootstrap admin.

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use warta::domain::Role;
use warta::startup::StartOptions;

use crate::helpers::{invalid_fields_of, problem, spawn_app, spawn_app_with, ArticleSpec, Staff, STAFF_PASSWORD};

#[tokio::test]
async fn an_admin_creates_lists_reads_updates_and_deletes_users() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let created = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            &json!({"email": "Bayu@KabarHarapan.example", "display_name": "Bayu Prasetyo", "password": "sandi-rahasia-1", "role": "editor", "bio": "Redaktur"}),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let text = created.text().await.unwrap();
    assert!(!text.contains("sandi-rahasia-1") && !text.contains("password"), "{text}");
    let user: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(location, format!("/api/v1/users/{}", user["id"]));
    assert_eq!(user["email"], "bayu@kabarharapan.example");
    assert_eq!(user["slug"], "bayu-prasetyo");
    assert_eq!(user["role"], "editor");
    assert_eq!(user["active"], true);

    let (bayu_token, _) = app.login("bayu@kabarharapan.example", "sandi-rahasia-1").await;
    assert_eq!(app.get_as("/api/v1/auth/me", &bayu_token).await.status().as_u16(), 200);

    let list: Value = app.get_as("/api/v1/users", &admin.token).await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 2);
    let got: Value = app.get_as(&location, &admin.token).await.json().await.unwrap();
    assert_eq!(got, user);

    let updated = app
        .patch(
            &location,
            Some(&admin.token),
            &json!({"display_name": "Bayu P.", "bio": null, "password": "sandi-baru-12345"}),
        )
        .await;
    assert_eq!(updated.status().as_u16(), 200);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!((updated["display_name"].as_str(), updated["bio"].as_str()), (Some("Bayu P."), Some("")));
    app.login("bayu@kabarharapan.example", "sandi-baru-12345").await;

    assert_eq!(app.delete(&location, Some(&admin.token)).await.status().as_u16(), 204);
    problem(app.get_as(&location, &admin.token).await, 404).await;
}

#[tokio::test]
async fn only_admins_manage_users() {
    let app = spawn_app().await;
    for role in [Role::Editor, Role::Author, Role::Contributor] {
        let staff = app.staff(&format!("Staf {role}"), role).await;
        problem(app.get_as("/api/v1/users", &staff.token).await, 403).await;
        problem(app.get_as(&format!("/api/v1/users/{}", staff.id), &staff.token).await, 403).await;
        let create =
            json!({"email": "x@example.com", "display_name": "X", "password": "sandi-rahasia-1", "role": "admin"});
        problem(app.post("/api/v1/users", Some(&staff.token), &create).await, 403).await;
        problem(
            app.patch(&format!("/api/v1/users/{}", staff.id), Some(&staff.token), &json!({"role": "admin"})).await,
            403,
        )
        .await;
        problem(app.delete(&format!("/api/v1/users/{}", staff.id), Some(&staff.token)).await, 403).await;
    }
}

#[tokio::test]
async fn user_input_is_validated_naming_every_bad_field() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let r = app
        .post("/api/v1/users", Some(&admin.token), &json!({"email": "not-an-email", "display_name": "  ", "password": "pendek", "role": "root", "nickname": "x"}))
        .await;
    assert_eq!(invalid_fields_of(r).await, ["display_name", "email", "nickname", "password", "role"]);
    // The password may be left out (the user is invited instead), nothing else.
    let r = app.post("/api/v1/users", Some(&admin.token), &json!({})).await;
    assert_eq!(invalid_fields_of(r).await, ["display_name", "email", "role"]);
    let weak = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            &json!({"email": "a@example.com", "display_name": "A", "password": "123456789", "role": "author"}),
        )
        .await;
    let body = problem(weak, 422).await;
    assert_eq!(body["errors"]["password"][0], "must be at least 10 characters");
}

#[tokio::test]
async fn emails_are_unique_whatever_their_case() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let body = json!({"email": "RINA@kabarharapan.example", "display_name": "Rina 2", "password": "sandi-rahasia-1", "role": "author"});
    problem(app.post("/api/v1/users", Some(&admin.token), &body).await, 409).await;
    let other = app.staff("Dewi", Role::Author).await;
    let r = app
        .patch(
            &format!("/api/v1/users/{}", other.id),
            Some(&admin.token),
            &json!({"email": "rina@kabarharapan.example"}),
        )
        .await;
    problem(r, 409).await;
}

#[tokio::test]
async fn a_user_who_wrote_articles_is_deleted_only_with_a_reassignment() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let dewi = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(dewi, "Tulisan Dewi", 1));
    let path = format!("/api/v1/users/{dewi}");
    problem(app.delete(&path, Some(&admin.token)).await, 409).await;
    problem(app.delete(&format!("{path}?reassign_to=999"), Some(&admin.token)).await, 409).await;
    assert_eq!(
        invalid_fields_of(app.delete(&format!("{path}?reassign_to=abc"), Some(&admin.token)).await).await,
        ["reassign_to"]
    );
    assert_eq!(app.get_json("/api/v1/articles/tulisan-dewi", 200).await["author"]["id"], dewi);
    assert_eq!(
        app.delete(&format!("{path}?reassign_to={}", admin.id), Some(&admin.token)).await.status().as_u16(),
        204
    );
    assert_eq!(app.get_json("/api/v1/articles/tulisan-dewi", 200).await["author"]["id"], admin.id);
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_removed() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let path = format!("/api/v1/users/{}", admin.id);
    problem(app.patch(&path, Some(&admin.token), &json!({"active": false})).await, 409).await;
    problem(app.patch(&path, Some(&admin.token), &json!({"role": "editor"})).await, 409).await;
    problem(app.delete(&path, Some(&admin.token)).await, 409).await;
    let second = app.staff("Bayu", Role::Admin).await;
    assert_eq!(app.patch(&path, Some(&second.token), &json!({"role": "editor"})).await.status().as_u16(), 200);
}

/// Two admins removing each other at the same moment: one of them stays (on PostgreSQL both
/// writes can run at once, and each must not count on the other still being there).
#[tokio::test]
async fn two_admins_removing_each_other_at_once_leave_one_admin() {
    use diesel::prelude::*;
    use warta::db::schema::users;
    let app = std::sync::Arc::new(spawn_app().await);
    for round in 0..5 {
        let (a, b) = (
            app.staff(&format!("Admin A{round}"), Role::Admin).await,
            app.staff(&format!("Admin B{round}"), Role::Admin).await,
        );
        if round > 0 {
            // Only these two are active admins in this round.
            let mut conn = app.conn();
            diesel::update(users::table.filter(users::id.ne(a.id)).filter(users::id.ne(b.id)))
                .set(users::active.eq(false))
                .execute(&mut conn)
                .unwrap();
        }
        let demote = |actor: Staff, target: i64| {
            let app = app.clone();
            tokio::spawn(async move {
                let path = format!("/api/v1/users/{target}");
                app.patch(&path, Some(&actor.token), &json!({"role": "editor"})).await.status().as_u16()
            })
        };
        let (one, two) = (demote(a.clone(), b.id), demote(b.clone(), a.id));
        let statuses = [one.await.unwrap(), two.await.unwrap()];
        assert!(statuses.iter().all(|s| [200, 401, 403, 409].contains(s)), "round {round}: {statuses:?}");
        let admins: i64 = users::table
            .filter(users::role.eq("admin"))
            .filter(users::active.eq(true))
            .count()
            .get_result(&mut app.conn())
            .unwrap();
        assert_eq!(admins, 1, "round {round}: {statuses:?}");
    }
}

#[tokio::test]
async fn the_bootstrap_admin_is_created_from_the_environment_once() {
    let app = spawn_app_with(
        &[("WARTA_ADMIN_EMAIL", "boss@kabarharapan.example"), ("WARTA_ADMIN_PASSWORD", "sandi-bos-123")],
        StartOptions::default(),
    )
    .await;
    let (token, _) = app.login("boss@kabarharapan.example", "sandi-bos-123").await;
    let me: Value = app.get_as("/api/v1/auth/me", &token).await.json().await.unwrap();
    assert_eq!(me["role"], "admin");
}

fn cli(db: &str, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_warta"));
    command.args(args).env("DATABASE_URL", db).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        // The command may refuse (say, a bad --role) before it reads: a closed pipe is fine.
        let _ = input.write_all(text.as_bytes());
    }
    drop(input);
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_cli_creates_users_with_a_password_from_stdin_or_a_variable() {
    let app = spawn_app().await;
    let out = cli(
        &app.db_path,
        &["user", "create", "--email", "Editor@Example.com", "--role", "editor"],
        Some("sandi-dari-stdin\n"),
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app.login("editor@example.com", "sandi-dari-stdin").await;

    let out = cli(
        &app.db_path,
        &[
            "user", "create", "--email", "a@example.com", "--role", "author", "--display-name", "Penulis A",
            "--password-env", "PW",
        ],
        None,
        &[("PW", STAFF_PASSWORD)],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!stdout.contains(STAFF_PASSWORD));
    app.login("a@example.com", STAFF_PASSWORD).await;

    for (args, stdin, reason) in [
        (vec!["user", "create", "--email", "b@example.com", "--role", "root"], Some("sandi-rahasia-1\n"), "--role"),
        (vec!["user", "create", "--email", "c@example.com", "--role", "author"], Some("pendek\n"), "at least 10"),
        (
            vec!["user", "create", "--email", "a@example.com", "--role", "author"],
            Some("sandi-rahasia-1\n"),
            "exists already",
        ),
    ] {
        let out = cli(&app.db_path, &args, stdin, &[]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason), "{reason} not in {stderr}");
        assert!(!stderr.contains("sandi-rahasia-1"));
    }
}

/// Authors are kept in memory between reads (a newsroom has a few hundred for its thousands of
/// articles), never past a change of their public fields: a rename or a new bio shows in the
/// next list, search and article, without the response cache and on another instance too.
#[tokio::test]
async fn a_renamed_author_shows_at_once_everywhere_without_the_response_cache() {
    let vars = [("WARTA_RESPONSE_CACHE", "off")];
    let app = spawn_app_with(&vars, StartOptions::default()).await;
    let other = crate::helpers::spawn_app_beside(&app, &vars, StartOptions::default()).await;
    let admin = app.staff("Rina Admin", Role::Admin).await;
    let author = app.user("Dewi Lestari", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Kopi Naik", 2));
    let name = |list: &Value| list["data"][0]["author"]["display_name"].as_str().unwrap_or_default().to_owned();
    let paths = ["/api/v1/articles", "/api/v1/articles?search=kopi", "/api/v1/articles/harga-kopi-naik"];
    for server in [&app, &other] {
        for path in paths {
            let body = server.get_json(path, 200).await;
            let shown = if path.ends_with("naik") {
                body["author"]["display_name"].as_str().unwrap().to_owned()
            } else {
                name(&body)
            };
            assert_eq!(shown, "Dewi Lestari", "{path}");
        }
    }
    let renamed = app
        .patch(
            &format!("/api/v1/users/{author}"),
            Some(&admin.token),
            &json!({"display_name": "Dewi L.", "bio": "Redaksi ekonomi"}),
        )
        .await;
    assert_eq!(renamed.status().as_u16(), 200);
    for path in paths {
        let body = app.get_json(path, 200).await;
        let author = if path.ends_with("naik") { &body["author"] } else { &body["data"][0]["author"] };
        assert_eq!(
            (author["display_name"].as_str(), author["bio"].as_str()),
            (Some("Dewi L."), Some("Redaksi ekonomi")),
            "{path}"
        );
    }
    // The other instance learns of it from the content-change poll, within a second or so.
    let started = std::time::Instant::now();
    loop {
        let shown = name(&other.get_json("/api/v1/articles", 200).await);
        if shown == "Dewi L." {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "the other instance still shows {shown}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
