//! People own their passwords: changing one's own (ending one's other logins), and accepting an
//! admin's invite instead of being handed a password.

use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{invalid_fields_of, problem, spawn_app, STAFF_PASSWORD};

#[tokio::test]
async fn staff_change_their_own_password_and_their_other_logins_end() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Contributor).await;
    let (other_token, other_refresh) = app.login(&dewi.email, STAFF_PASSWORD).await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    // A wrong current password is a 422 naming it, and changes nothing.
    let r = app.post("/api/v1/auth/password", Some(&dewi.token), &change("salah-sandinya", "sandi-baru-dewi")).await;
    assert_eq!(invalid_fields_of(r).await, ["current_password"]);
    let r = app.post("/api/v1/auth/password", Some(&dewi.token), &change(STAFF_PASSWORD, "pendek")).await;
    assert_eq!(invalid_fields_of(r).await, ["new_password"]);
    let r = app.post("/api/v1/auth/password", Some(&dewi.token), &json!({"new_password": "sandi-baru-dewi"})).await;
    assert_eq!(invalid_fields_of(r).await, ["current_password"]);
    problem(app.post("/api/v1/auth/password", None, &change(STAFF_PASSWORD, "sandi-baru-dewi")).await, 401).await;
    assert_eq!(app.get_as("/api/v1/auth/me", &other_token).await.status().as_u16(), 200);

    let r = app.post("/api/v1/auth/password", Some(&dewi.token), &change(STAFF_PASSWORD, "sandi-baru-dewi")).await;
    assert_eq!(r.status().as_u16(), 204);
    // This login goes on; the other one ended, its refresh token too.
    assert_eq!(app.get_as("/api/v1/auth/me", &dewi.token).await.status().as_u16(), 200);
    problem(app.get_as("/api/v1/auth/me", &other_token).await, 401).await;
    problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": other_refresh})).await, 401).await;
    let renewed = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": dewi.refresh})).await;
    assert_eq!(renewed.status().as_u16(), 200, "the login that changed it renews");

    // The new password logs in, the old one does not.
    app.login(&dewi.email, "sandi-baru-dewi").await;
    let old = app.post("/api/v1/auth/login", None, &json!({"email": dewi.email, "password": STAFF_PASSWORD})).await;
    problem(old, 401).await;
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_logins() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let wrong = json!({"current_password": "tebakan-salah", "new_password": "sandi-baru-dewi"});
    for _ in 0..5 {
        let r = app.post("/api/v1/auth/password", Some(&dewi.token), &wrong).await;
        assert_eq!(r.status().as_u16(), 422);
    }
    let r = app.post("/api/v1/auth/password", Some(&dewi.token), &wrong).await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn an_invited_user_sets_their_own_password_once() {
    let app = spawn_app().await;
    let admin = app.staff("Admin", Role::Admin).await;
    let a = Some(admin.token.as_str());
    // A user made without a password cannot log in.
    let r = app
        .post(
            "/api/v1/users",
            a,
            &json!({"email": "rina@kabarharapan.example", "display_name": "Rina", "role": "author"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let rina = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for (password, status) in [("", 422), ("!invite", 401), ("x", 401)] {
        let r = app
            .post("/api/v1/auth/login", None, &json!({"email": "rina@kabarharapan.example", "password": password}))
            .await;
        assert_eq!(r.status().as_u16(), status, "{password:?}");
    }

    let invite_path = format!("/api/v1/users/{rina}/invite");
    let editor = app.staff("Bayu", Role::Editor).await;
    problem(app.post(&invite_path, Some(&editor.token), &json!({})).await, 403).await;
    problem(app.post("/api/v1/users/99999/invite", a, &json!({})).await, 404).await;
    let first: Value = app.post(&invite_path, a, &json!({})).await.json().await.unwrap();
    let r = app.post(&invite_path, a, &json!({})).await;
    assert_eq!(r.status().as_u16(), 201);
    let invite: Value = r.json().await.unwrap();
    let token = invite["token"].as_str().unwrap();
    // Only the token's hash is stored.
    {
        use diesel::prelude::*;
        use warta::db::schema::invites;
        let stored: Vec<String> = invites::table.select(invites::token_hash).load(&mut *app.conn()).unwrap();
        assert!(!stored.iter().any(|h| h.contains(token)), "a token is stored in clear");
        assert!(stored.contains(&warta::auth::token_hash(token)));
    }
    let expires = chrono::DateTime::parse_from_rfc3339(invite["expires_at"].as_str().unwrap()).unwrap();
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "valid 7 days: {days} hours");

    // The first invite was replaced; bad input names its fields.
    let accept = |token: &str, password: &str| json!({"token": token, "password": password});
    let r = app
        .post("/api/v1/auth/accept-invite", None, &accept(first["token"].as_str().unwrap(), "sandi-rina-2026"))
        .await;
    problem(r, 401).await;
    let r = app.post("/api/v1/auth/accept-invite", None, &accept(token, "pendek")).await;
    assert_eq!(invalid_fields_of(r).await, ["password"]);
    let r = app.post("/api/v1/auth/accept-invite", None, &json!({"password": "sandi-rina-2026"})).await;
    assert_eq!(invalid_fields_of(r).await, ["token"]);

    let r = app.post("/api/v1/auth/accept-invite", None, &accept(token, "sandi-rina-2026")).await;
    assert_eq!(r.status().as_u16(), 200);
    let login: Value = r.json().await.unwrap();
    assert_eq!(login["user"]["id"], rina);
    let me = app.get_as("/api/v1/auth/me", login["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status().as_u16(), 200);
    app.login("rina@kabarharapan.example", "sandi-rina-2026").await;

    // Once only.
    problem(app.post("/api/v1/auth/accept-invite", None, &accept(token, "sandi-lain-2026")).await, 401).await;
    app.login("rina@kabarharapan.example", "sandi-rina-2026").await;

    // A deactivated user's invite does not work.
    let again: Value = app.post(&invite_path, a, &json!({})).await.json().await.unwrap();
    let r = app.patch(&format!("/api/v1/users/{rina}"), a, &json!({"active": false})).await;
    assert_eq!(r.status().as_u16(), 200);
    let r = app
        .post("/api/v1/auth/accept-invite", None, &accept(again["token"].as_str().unwrap(), "sandi-rina-2027"))
        .await;
    problem(r, 401).await;
}
