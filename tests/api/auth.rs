//! Logging in, token rotation and revocation, throttling, and forged tokens.

use base64::Engine;
use serde_json::{json, Value};
use warta::domain::Role;
use warta::startup::StartOptions;

use crate::helpers::{
    on_postgres, problem, spawn_app, spawn_app_beside, spawn_app_with, Staff, TestApp, STAFF_PASSWORD,
};

const SECRET: &str = "a-test-secret-that-is-long-enough-1234";

#[tokio::test]
async fn login_returns_a_token_pair_and_the_user_without_secrets() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi Anggraini", Role::Author).await;
    let response = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "Dewi.Anggraini@KabarHarapan.example", "password": STAFF_PASSWORD}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let text = response.text().await.unwrap();
    assert!(!text.contains(STAFF_PASSWORD) && !text.contains("argon2") && !text.contains("password"), "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["id"], dewi.id);
    assert_eq!(body["user"]["role"], "author");
    assert_eq!(body["access_token"].as_str().unwrap().split('.').count(), 3);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 40);

    let me = app.get_as("/api/v1/auth/me", body["access_token"].as_str().unwrap()).await;
    assert_eq!(me.headers()["cache-control"], "private, no-store");
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["email"], "dewi.anggraini@kabarharapan.example");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_401() {
    let app = spawn_app().await;
    app.staff("Dewi", Role::Author).await;
    let wrong = app
        .post("/api/v1/auth/login", None, &json!({"email": "dewi@kabarharapan.example", "password": "salah-sandi-123"}))
        .await;
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    let wrong = problem(wrong, 401).await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "siapa@kabarharapan.example", "password": "salah-sandi-123"}),
        )
        .await;
    let unknown = problem(unknown, 401).await;
    assert_eq!(wrong, unknown);
}

#[tokio::test]
async fn repeated_failures_for_one_account_are_throttled() {
    let app = spawn_app().await;
    app.staff("Dewi", Role::Author).await;
    let bayu = app.staff("Bayu", Role::Editor).await;
    let wrong = json!({"email": "dewi@kabarharapan.example", "password": "salah-sandi-123"});
    for _ in 0..5 {
        assert_eq!(app.post("/api/v1/auth/login", None, &wrong).await.status().as_u16(), 401);
    }
    let right = json!({"email": "dewi@kabarharapan.example", "password": STAFF_PASSWORD});
    let blocked = app.post("/api/v1/auth/login", None, &right).await;
    assert_eq!(blocked.status().as_u16(), 429, "even the right password waits");
    let wait: u64 = blocked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    problem(blocked, 429).await;
    // Another account from the same address is not locked out by these five.
    app.login(&bayu.email, STAFF_PASSWORD).await;
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    for i in 0..20 {
        let r = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"email": format!("orang{i}@example.com"), "password": "salah-sandi-123"}),
            )
            .await;
        assert_eq!(r.status().as_u16(), 401);
    }
    let blocked = app.post("/api/v1/auth/login", None, &json!({"email": dewi.email, "password": STAFF_PASSWORD})).await;
    assert_eq!(blocked.status().as_u16(), 429);
    assert!(blocked.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn login_input_is_validated() {
    let app = spawn_app().await;
    let r = app.post("/api/v1/auth/login", None, &json!({"email": "", "password": "", "remember": true})).await;
    assert_eq!(crate::helpers::invalid_fields_of(r).await, ["email", "password", "remember"]);
}

#[tokio::test]
async fn a_missing_token_on_a_protected_route_is_a_401_with_www_authenticate() {
    let app = spawn_app().await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/auth/me"),
        (reqwest::Method::GET, "/api/v1/users"),
        (reqwest::Method::POST, "/api/v1/articles"),
        (reqwest::Method::DELETE, "/api/v1/categories/1"),
    ] {
        let body = json!({"title": "x"});
        let response = app.send(method.clone(), path, None, Some(&body)).await;
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{method} {path}");
        problem(response, 401).await;
    }
}

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn forged_and_expired_tokens_are_rejected() {
    let app = spawn_app_with(&[("WARTA_JWT_SECRET", SECRET)], StartOptions::default()).await;
    let admin = app.staff("Rina", Role::Admin).await;
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| json!({"sub": admin.id.to_string(), "sid": "x", "role": "admin", "iat": now, "exp": exp, "iss": "warta"});
    let sign = |claims: &Value, secret: &str| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let (header, payload) = (b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims(now + 600)));
    let mut tampered = admin.token.clone();
    tampered.push('x');
    let forged = [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
        sign(&claims(now + 600), "some-other-secret-entirely-000000"),
        sign(&claims(now - 3600), SECRET),
        "garbage".to_owned(),
        "a.b.c".to_owned(),
        tampered,
        String::new(),
    ];
    for token in forged {
        let response = app
            .client
            .get(app.url("/api/v1/auth/me"))
            .header("Authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{token}");
        problem(response, 401).await;
    }
    for header in [format!("Basic {}", admin.token), admin.token.clone(), "Bearer".to_owned()] {
        let response = app.client.get(app.url("/api/v1/auth/me")).header("Authorization", header).send().await.unwrap();
        problem(response, 401).await;
    }
    // A bad token is a 401 on public routes too: a client bug should surface.
    problem(app.get_as("/api/v1/articles", "garbage").await, 401).await;
    // The real one works.
    assert_eq!(app.get_as("/api/v1/auth/me", &admin.token).await.status().as_u16(), 200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_login() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let first = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": dewi.refresh})).await;
    assert_eq!(first.status().as_u16(), 200);
    let first: Value = first.json().await.unwrap();
    let (access, refresh) = (first["access_token"].as_str().unwrap(), first["refresh_token"].as_str().unwrap());
    assert_ne!(refresh, dewi.refresh);
    assert_eq!(app.get_as("/api/v1/auth/me", access).await.status().as_u16(), 200);

    // The spent token again: refused, and the login is revoked.
    let reused = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": dewi.refresh})).await;
    problem(reused, 401).await;
    let successor = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh})).await;
    problem(successor, 401).await;
    problem(app.get_as("/api/v1/auth/me", access).await, 401).await;
    problem(app.get_as("/api/v1/auth/me", &dewi.token).await, 401).await;

    // Another login of the same user is untouched.
    let (other, _) = app.login(&dewi.email, STAFF_PASSWORD).await;
    assert_eq!(app.get_as("/api/v1/auth/me", &other).await.status().as_u16(), 200);
    problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": "not-a-token"})).await, 401).await;
}

#[tokio::test]
async fn logout_ends_the_login_and_its_access_tokens() {
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let out = app.post("/api/v1/auth/logout", None, &json!({"refresh_token": dewi.refresh})).await;
    assert_eq!(out.status().as_u16(), 204);
    problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": dewi.refresh})).await, 401).await;
    problem(app.get_as("/api/v1/auth/me", &dewi.token).await, 401).await;
    let again = app.post("/api/v1/auth/logout", None, &json!({"refresh_token": dewi.refresh})).await;
    assert_eq!(again.status().as_u16(), 204, "logging out twice is fine");
}

#[tokio::test]
async fn a_deactivated_users_tokens_stop_working_at_once() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let dewi = app.staff("Dewi", Role::Author).await;
    assert_eq!(app.get_as("/api/v1/auth/me", &dewi.token).await.status().as_u16(), 200);
    let r = app.patch(&format!("/api/v1/users/{}", dewi.id), Some(&admin.token), &json!({"active": false})).await;
    assert_eq!(r.status().as_u16(), 200);
    problem(app.get_as("/api/v1/auth/me", &dewi.token).await, 401).await;
    problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": dewi.refresh})).await, 401).await;
    let login = app.post("/api/v1/auth/login", None, &json!({"email": dewi.email, "password": STAFF_PASSWORD})).await;
    problem(login, 401).await;
}

/// Changes user `id` as `admin` and asserts the 200.
async fn change_user(app: &TestApp, admin: &str, id: i64, changes: Value) {
    let r = app.patch(&format!("/api/v1/users/{id}"), Some(admin), &changes).await;
    assert_eq!(r.status().as_u16(), 200, "{changes}");
}

/// Asserts that `staff`'s old access and refresh tokens are refused.
async fn sessions_are_over(app: &TestApp, staff: &Staff) {
    problem(app.get_as("/api/v1/auth/me", &staff.token).await, 401).await;
    problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": staff.refresh})).await, 401).await;
}

#[tokio::test]
async fn a_password_change_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let dewi = app.staff("Dewi", Role::Author).await;
    let bayu = app.staff("Bayu", Role::Author).await;
    // A second login of Dewi's, refreshed once: its newest tokens must end too.
    let (_, second_refresh) = app.login(&dewi.email, STAFF_PASSWORD).await;
    let renewed = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": second_refresh})).await;
    let renewed: Value = renewed.json().await.unwrap();
    let second = Staff {
        token: renewed["access_token"].as_str().unwrap().into(),
        refresh: renewed["refresh_token"].as_str().unwrap().into(),
        ..dewi.clone()
    };

    change_user(&app, &admin.token, dewi.id, json!({"password": "teh-manis-sore-hari"})).await;
    sessions_are_over(&app, &dewi).await;
    sessions_are_over(&app, &second).await;
    problem(app.post("/api/v1/auth/login", None, &json!({"email": dewi.email, "password": STAFF_PASSWORD})).await, 401)
        .await;
    let (fresh, _) = app.login(&dewi.email, "teh-manis-sore-hari").await;
    assert_eq!(app.get_as("/api/v1/auth/me", &fresh).await.status().as_u16(), 200);
    // Nobody else's login ends.
    assert_eq!(app.get_as("/api/v1/auth/me", &bayu.token).await.status().as_u16(), 200);
    assert_eq!(app.get_as("/api/v1/auth/me", &admin.token).await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_role_change_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let dewi = app.staff("Dewi", Role::Author).await;
    problem(app.get_as("/api/v1/users", &dewi.token).await, 403).await;
    change_user(&app, &admin.token, dewi.id, json!({"role": "admin"})).await;
    sessions_are_over(&app, &dewi).await;
    let (fresh, _) = app.login(&dewi.email, STAFF_PASSWORD).await;
    assert_eq!(app.get_as("/api/v1/users", &fresh).await.status().as_u16(), 200, "the new login has the new role");
}

#[tokio::test]
async fn other_changes_keep_the_sessions_and_reactivation_does_not_revive_old_ones() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let dewi = app.staff("Dewi", Role::Author).await;
    change_user(&app, &admin.token, dewi.id, json!({"display_name": "Dewi A.", "bio": "Redaktur"})).await;
    assert_eq!(app.get_as("/api/v1/auth/me", &dewi.token).await.status().as_u16(), 200);
    change_user(&app, &admin.token, dewi.id, json!({"active": false})).await;
    change_user(&app, &admin.token, dewi.id, json!({"active": true})).await;
    sessions_are_over(&app, &dewi).await;
    app.login(&dewi.email, STAFF_PASSWORD).await;
}

/// A wrong-password login for `email` as if from `client` behind the trusted proxy.
async fn wrong_login_from(app: &TestApp, client: &str, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", client)
        .json(&json!({"email": email, "password": "salah-sandi-123"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn concurrent_wrong_logins_from_one_address_cannot_pass_the_throttle() {
    let app = spawn_app().await;
    app.staff("Dewi", Role::Author).await;
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
            // Half of them aim at one real account, the rest at unknown ones.
            let email =
                if i % 2 == 0 { "dewi@kabarharapan.example".to_owned() } else { format!("orang{i}@example.com") };
            tokio::spawn(async move {
                let r = client.post(url).json(&json!({"email": email, "password": "salah-sandi-123"})).send().await;
                let r = r.unwrap();
                let retry_after = r.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
                (r.status().as_u16(), retry_after)
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for task in tasks {
        let (status, retry_after) = task.await.unwrap();
        *statuses.entry(status).or_default() += 1;
        if status == 429 || status == 503 {
            assert!(retry_after.is_some_and(|s| (1..=900).contains(&s)), "{status}: {retry_after:?}");
        }
    }
    let count = |status: u16| statuses.get(&status).copied().unwrap_or(0);
    // Twenty attempts at most reach a password check; the others are throttled at once. On a
    // machine too busy to check those twenty within the hashing wait, some of them are a 503
    // (with Retry-After) instead of a 401: never a 500, never more than twenty.
    assert!(count(401) <= 20, "{statuses:?}");
    assert!(count(429) >= 40, "{statuses:?}");
    assert_eq!(count(401) + count(429) + count(503), 60, "only 401, 429 and 503: {statuses:?}");
}

#[tokio::test]
async fn ipv6_clients_share_the_address_budget_of_their_64() {
    let app = spawn_app_with(&[("WARTA_TRUSTED_PROXIES", "127.0.0.1")], StartOptions::default()).await;
    for i in 0..20 {
        // Twenty addresses of one /64, each with an account of its own.
        let r = wrong_login_from(&app, &format!("2001:db8:1:2::{:x}", i + 1), &format!("orang{i}@example.com")).await;
        assert_eq!(r.status().as_u16(), 401);
    }
    let same_64 = wrong_login_from(&app, "2001:db8:1:2:ffff:ffff:ffff:fffe", "lain@example.com").await;
    problem(same_64, 429).await;
    let next_64 = wrong_login_from(&app, "2001:db8:1:3::1", "lain@example.com").await;
    problem(next_64, 401).await;
}

/// Instances on one PostgreSQL database count failed logins together (`rate_limits`); on
/// SQLite there is one process, whose throttles live in its memory.
fn shared_limits_apply() -> bool {
    if !on_postgres() {
        eprintln!("skipped: limits are shared between instances on PostgreSQL; this run is on SQLite");
    }
    on_postgres()
}

#[tokio::test]
async fn failures_spread_over_two_instances_throttle_the_account_on_both() {
    if !shared_limits_apply() {
        return;
    }
    let first = spawn_app().await;
    let second = spawn_app_beside(&first, &[], StartOptions::default()).await;
    let dewi = first.staff("Dewi", Role::Author).await;
    let wrong = json!({"email": dewi.email, "password": "salah-sandi-123"});
    for i in 0..5 {
        let app = if i % 2 == 0 { &first } else { &second };
        assert_eq!(app.post("/api/v1/auth/login", None, &wrong).await.status().as_u16(), 401, "failure {i}");
    }
    let right = json!({"email": dewi.email, "password": STAFF_PASSWORD});
    for app in [&first, &second] {
        let blocked = app.post("/api/v1/auth/login", None, &right).await;
        assert_eq!(blocked.status().as_u16(), 429, "five failures in all, on two instances");
        let wait: u64 = blocked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((890..=900).contains(&wait), "the window of the first failure: {wait}");
    }
}

#[tokio::test]
async fn concurrent_wrong_logins_on_two_instances_cannot_pass_the_address_throttle_twice() {
    if !shared_limits_apply() {
        return;
    }
    let first = spawn_app().await;
    let second = spawn_app_beside(&first, &[], StartOptions::default()).await;
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let app = if i % 2 == 0 { &first } else { &second };
            let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
            tokio::spawn(async move {
                let body = json!({"email": format!("orang{i}@example.com"), "password": "salah-sandi-123"});
                client.post(url).json(&body).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for task in tasks {
        *statuses.entry(task.await.unwrap()).or_default() += 1;
    }
    let count = |status: u16| statuses.get(&status).copied().unwrap_or(0);
    // Twenty for the address in all, not twenty per instance (a 503 is a check the machine was
    // too busy to make: it gives its slot back).
    assert!(count(401) <= 20, "{statuses:?}");
    assert!(count(429) >= 40, "{statuses:?}");
    assert_eq!(count(401) + count(429) + count(503), 60, "only 401, 429 and 503: {statuses:?}");
    let blocked = first.post("/api/v1/auth/login", None, &json!({"email": "lain@example.com", "password": "x"})).await;
    problem(blocked, 429).await;
}

#[tokio::test]
async fn without_its_table_the_throttle_answers_503_and_lets_nothing_through() {
    if !shared_limits_apply() {
        return;
    }
    let app = spawn_app().await;
    let dewi = app.staff("Dewi", Role::Author).await;
    {
        use diesel::connection::SimpleConnection;
        app.conn().batch_execute("DROP TABLE rate_limits").unwrap();
    }
    let right = json!({"email": dewi.email, "password": STAFF_PASSWORD});
    let r = app.post("/api/v1/auth/login", None, &right).await;
    assert_eq!(r.status().as_u16(), 503, "an uncounted attempt is not let through");
    assert_eq!(r.headers()["retry-after"], "1");
    let body = problem(r, 503).await;
    assert!(!body.to_string().contains("rate_limits"), "no internals: {body}");
}
