//! API tokens through HTTP: the format, shown once, stored hashed; every scope boundary; a
//! token acting as its user and never managing users or tokens; refused at once when
//! deleted, expired or its user deactivated; `last_used_at` recorded without a write per
//! request.

use reqwest::Method;
use serde_json::{json, Value};
use warta::domain::{CommentStatus, Role};

use crate::helpers::{problem, spawn_app, ArticleSpec, TestApp};

const ALL_SCOPES: [&str; 7] = [
    "content:read",
    "articles:write",
    "taxonomy:write",
    "media:write",
    "comments:moderate",
    "webhooks:manage",
    "audit:read",
];

/// Makes a token of the user behind `session` with `scopes`; returns its object and the token.
async fn make_token(app: &TestApp, session: &str, name: &str, scopes: &[&str]) -> (Value, String) {
    let response = app.post("/api/v1/tokens", Some(session), &json!({"name": name, "scopes": scopes})).await;
    assert_eq!(response.status().as_u16(), 201, "POST /api/v1/tokens");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/tokens/{}", body["id"]));
    let token = body["token"].as_str().unwrap().to_owned();
    (body, token)
}

fn sql(app: &TestApp, statement: &str) {
    use diesel::RunQueryDsl;
    diesel::sql_query(statement).execute(&mut *app.conn()).unwrap();
}

#[tokio::test]
async fn a_token_has_the_documented_format_is_shown_once_and_kept_only_as_a_hash() {
    let app = spawn_app().await;
    let editor = app.staff("Rina Redaktur", Role::Editor).await;
    let (made, token) = make_token(&app, &editor.token, "Newsletter harian", &["content:read", "content:read"]).await;
    // `warta_` + 40 random base62 characters + the CRC-32 of the rest in 6 base62 digits.
    assert_eq!(token.len(), 52, "{token}");
    assert!(token.starts_with("warta_") && token[6..].bytes().all(|b| b.is_ascii_alphanumeric()), "{token}");
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut crc = u64::from(crc32fast::hash(&token.as_bytes()[..46]));
    let mut checksum = String::new();
    for _ in 0..6 {
        checksum.insert(0, char::from(BASE62[(crc % 62) as usize]));
        crc /= 62;
    }
    assert_eq!(&token[46..], checksum);

    assert_eq!(made["name"], "Newsletter harian");
    assert_eq!(made["scopes"], json!(["content:read"]), "each scope once");
    assert_eq!(made["prefix"], &token[..12]);
    assert_eq!(
        made["user"],
        json!({"id": editor.id, "display_name": "Rina Redaktur", "slug": "rina-redaktur", "bio": ""})
    );
    assert!(made["expires_at"].is_null() && made["last_used_at"].is_null(), "{made}");
    assert!(made["user"].get("email").is_none());

    // Never shown again: not in the token's object, the list, the audit log or the database.
    let id = made["id"].as_i64().unwrap();
    let shown = app.get_json_as(&format!("/api/v1/tokens/{id}"), &editor.token).await;
    assert!(shown.get("token").is_none(), "{shown}");
    let listed = app.get_json_as("/api/v1/tokens", &editor.token).await;
    assert_eq!(listed["meta"]["total"], 1);
    let admin = app.staff("Admin Token", Role::Admin).await;
    let audit = app.get_json_as("/api/v1/audit?action=token.create", &admin.token).await;
    assert_eq!(audit["data"][0]["entity_id"], id);
    assert_eq!(audit["data"][0]["summary"], "Newsletter harian (content:read)");
    for text in [listed.to_string(), audit.to_string()] {
        assert!(!text.contains(&token[12..]), "the secret part is never shown: {text}");
    }
    use diesel::prelude::*;
    use warta::db::schema::api_tokens;
    let stored: String = api_tokens::table.find(id).select(api_tokens::token_hash).first(&mut *app.conn()).unwrap();
    assert_eq!(stored, warta::auth::token_hash(&token), "the SHA-256, hex");

    // It works as a bearer credential, acting as its user.
    let me = app.get_json_as("/api/v1/auth/me", &token).await;
    assert_eq!(me["id"], editor.id);
}

#[tokio::test]
async fn a_bad_create_request_names_every_bad_field() {
    let app = spawn_app().await;
    let author = app.staff("Budi Penulis", Role::Author).await;
    let bad = app
        .post("/api/v1/tokens", Some(&author.token), &json!({"name": "  ", "scopes": ["content:read", "root"]}))
        .await;
    let body = problem(bad, 422).await;
    assert!(body["errors"]["name"].is_array(), "{body}");
    assert!(body["errors"]["scopes"][0].as_str().unwrap().contains("`root` is not a scope"), "{body}");
    let empty = app.post("/api/v1/tokens", Some(&author.token), &json!({"name": "x", "scopes": []})).await;
    assert!(problem(empty, 422).await["errors"]["scopes"].is_array());
    let missing = app.post("/api/v1/tokens", Some(&author.token), &json!({})).await;
    let missing = problem(missing, 422).await;
    assert!(missing["errors"]["name"].is_array() && missing["errors"]["scopes"].is_array(), "{missing}");
    let past = json!({"name": "x", "scopes": ["content:read"], "expires_at": "2020-01-01T00:00:00Z"});
    let past = problem(app.post("/api/v1/tokens", Some(&author.token), &past).await, 422).await;
    assert!(past["errors"]["expires_at"].is_array(), "{past}");
    let garbled = json!({"name": "x", "scopes": ["content:read"], "expires_at": "besok"});
    assert!(problem(app.post("/api/v1/tokens", Some(&author.token), &garbled).await, 422).await["errors"]
        ["expires_at"]
        .is_array());
    problem(app.post("/api/v1/tokens", None, &json!({"name": "x", "scopes": ["content:read"]})).await, 401).await;
    let listed = app.get_json_as("/api/v1/tokens", &author.token).await;
    assert_eq!(listed["meta"]["total"], 0, "nothing was made");
}

#[tokio::test]
async fn every_scope_opens_its_operations_and_only_those() {
    let app = spawn_app().await;
    let admin = app.staff("Admin Cakupan", Role::Admin).await;
    let article = app.article(ArticleSpec::published(admin.id, "Harga Kopi Naik", 1));
    let comment = app.comment(article, "pembaca@example.com", "Setuju sekali.", CommentStatus::Pending, 1);
    // One operation per scope, and what it answers to a token holding that scope.
    let cases: Vec<(&str, Method, String, Option<Value>, u16)> = vec![
        ("content:read", Method::GET, "/api/v1/comments".into(), None, 200),
        ("content:read", Method::GET, "/api/v1/media".into(), None, 200),
        ("content:read", Method::GET, format!("/api/v1/articles/{article}/revisions"), None, 200),
        (
            "articles:write",
            Method::POST,
            "/api/v1/articles".into(),
            Some(json!({"title": "Dari Token", "body": "Isi."})),
            201,
        ),
        ("articles:write", Method::GET, "/api/v1/redirects/rules".into(), None, 200),
        ("taxonomy:write", Method::POST, "/api/v1/categories".into(), Some(json!({"name": "Dalam Negeri"})), 201),
        ("taxonomy:write", Method::POST, "/api/v1/tags".into(), Some(json!({"name": "Ekonomi"})), 201),
        ("media:write", Method::DELETE, "/api/v1/media/999999".into(), None, 404),
        (
            "comments:moderate",
            Method::PATCH,
            format!("/api/v1/comments/{comment}"),
            Some(json!({"status": "approved"})),
            200,
        ),
        ("webhooks:manage", Method::GET, "/api/v1/webhooks".into(), None, 200),
        ("audit:read", Method::GET, "/api/v1/audit".into(), None, 200),
    ];
    for scope in ALL_SCOPES {
        let others: Vec<&str> = ALL_SCOPES.iter().copied().filter(|s| *s != scope).collect();
        let (_, without) = make_token(&app, &admin.token, &format!("tanpa {scope}"), &others).await;
        let (_, with) = make_token(&app, &admin.token, &format!("hanya {scope}"), &[scope]).await;
        assert!(cases.iter().any(|(s, ..)| *s == scope), "a case for {scope}");
        for (needed, method, path, body, status) in cases.iter().filter(|(s, ..)| *s == scope) {
            let refused = app.send(method.clone(), path, Some(&without), body.as_ref()).await;
            let refused = problem(refused, 403).await;
            assert_eq!(refused["detail"], format!("this API token lacks the scope {needed}"), "{method} {path}");
            let allowed = app.send(method.clone(), path, Some(&with), body.as_ref()).await;
            assert_eq!(allowed.status().as_u16(), *status, "{method} {path} with {scope}");
        }
    }
}

#[tokio::test]
async fn without_content_read_a_token_reads_what_the_public_reads() {
    let app = spawn_app().await;
    let editor = app.staff("Editor Baca", Role::Editor).await;
    app.article(ArticleSpec::published(editor.id, "Sudah Terbit", 2));
    let draft = app.article(ArticleSpec::draft(editor.id, "Masih Draf"));
    let (_, reader) = make_token(&app, &editor.token, "pembaca", &["content:read"]).await;
    let (_, writer) = make_token(&app, &editor.token, "penulis", &["articles:write"]).await;

    let staff_view = app.get_as("/api/v1/articles?status=draft", &reader).await;
    assert_eq!(staff_view.status().as_u16(), 200);
    assert_eq!(staff_view.headers()["cache-control"], "private, no-store");
    let staff_view: Value = staff_view.json().await.unwrap();
    assert_eq!(staff_view["meta"]["total"], 1);
    assert_eq!(app.get_json_as(&format!("/api/v1/articles/{draft}"), &reader).await["status"], "draft");

    let public_view = app.get_as("/api/v1/articles", &writer).await;
    assert_eq!(public_view.status().as_u16(), 200);
    assert!(public_view.headers()["cache-control"].to_str().unwrap().starts_with("public"), "the public's answer");
    let public_view: Value = public_view.json().await.unwrap();
    assert_eq!(crate::helpers::titles(&public_view), ["Sudah Terbit"]);
    problem(app.get_as(&format!("/api/v1/articles/{draft}"), &writer).await, 404).await;
    // Yet it writes: an edit of the draft goes through, as its user.
    let edited = app.patch(&format!("/api/v1/articles/{draft}"), Some(&writer), &json!({"title": "Draf Diubah"})).await;
    assert_eq!(edited.status().as_u16(), 200);
}

#[tokio::test]
async fn a_token_never_manages_users_or_tokens_whatever_its_scopes() {
    let app = spawn_app().await;
    let admin = app.staff("Admin Penuh", Role::Admin).await;
    let (made, token) = make_token(&app, &admin.token, "semua", &ALL_SCOPES).await;
    let own = format!("/api/v1/tokens/{}", made["id"]);
    let user = format!("/api/v1/users/{}", admin.id);
    let new_user = json!({"email": "baru@kabarharapan.example", "display_name": "Baru", "role": "author", "password": "kopi-susu-gula-aren"});
    let new_token = json!({"name": "lagi", "scopes": ["content:read"]});
    let requests: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/api/v1/users", None),
        (Method::POST, "/api/v1/users", Some(new_user)),
        (Method::GET, &user, None),
        (Method::PATCH, &user, Some(json!({"display_name": "Diubah Token"}))),
        (Method::DELETE, &user, None),
        (Method::GET, "/api/v1/tokens", None),
        (Method::POST, "/api/v1/tokens", Some(new_token)),
        (Method::GET, &own, None),
        (Method::DELETE, &own, None),
        (
            Method::POST,
            "/api/v1/auth/password",
            Some(json!({"current_password": "x", "new_password": "kopi-susu-gula-aren"})),
        ),
    ];
    for (method, path, body) in requests {
        let refused = problem(app.send(method.clone(), path, Some(&token), body.as_ref()).await, 403).await;
        assert!(
            refused["detail"].as_str().unwrap().contains("never manage users, tokens or passwords"),
            "{method} {path}"
        );
    }
    // Nothing changed: the token and the user are as they were.
    let still = app.get_json_as(&own, &admin.token).await;
    assert_eq!(still["name"], "semua");
    assert_eq!(app.get_json_as(&user, &admin.token).await["display_name"], "Admin Penuh");
    // Yet the scoped work of an admin is open to it.
    assert_eq!(app.get_as("/api/v1/webhooks", &token).await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_token_acts_as_its_user_whose_role_still_decides_and_signs_the_audit_log_as_itself() {
    let app = spawn_app().await;
    let author = app.staff("Sari Penulis", Role::Author).await;
    let (made, token) = make_token(&app, &author.token, "Aplikasi ponsel", &ALL_SCOPES).await;
    // Its scopes do not lift its user's role.
    problem(app.post("/api/v1/categories", Some(&token), &json!({"name": "Luar Negeri"})).await, 403).await;
    problem(app.get_as("/api/v1/webhooks", &token).await, 403).await;
    problem(app.get_as("/api/v1/audit", &token).await, 403).await;
    // It writes as its user.
    let created =
        app.post("/api/v1/articles", Some(&token), &json!({"title": "Dari Ponsel", "body": "Isi berita."})).await;
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["author"]["id"], author.id);
    let admin = app.staff("Admin Audit", Role::Admin).await;
    let entries = app.get_json_as("/api/v1/audit?action=article.create", &admin.token).await;
    assert_eq!(
        entries["data"][0]["actor"],
        json!({"type": "token", "id": made["id"], "display_name": "Aplikasi ponsel"}),
        "{entries}"
    );
}

#[tokio::test]
async fn a_token_is_refused_at_once_when_deleted_expired_or_its_user_deactivated() {
    let app = spawn_app().await;
    let admin = app.staff("Admin Cabut", Role::Admin).await;
    let author = app.staff("Redaktur Cabut", Role::Editor).await;
    let (first, deleted) = make_token(&app, &author.token, "satu", &["content:read"]).await;
    let (second, expiring) = make_token(&app, &author.token, "dua", &["content:read"]).await;
    let (_, deactivated) = make_token(&app, &author.token, "tiga", &["content:read"]).await;
    for token in [&deleted, &expiring, &deactivated] {
        assert_eq!(app.get_as("/api/v1/comments", token).await.status().as_u16(), 200);
    }

    let path = format!("/api/v1/tokens/{}", first["id"]);
    assert_eq!(app.delete(&path, Some(&author.token)).await.status().as_u16(), 204);
    problem(app.get_as("/api/v1/comments", &deleted).await, 401).await;
    problem(app.get_as("/api/v1/articles", &deleted).await, 401).await;
    problem(app.get_as(&path, &author.token).await, 404).await;
    problem(app.delete(&path, Some(&author.token)).await, 404).await;

    sql(&app, &format!("UPDATE api_tokens SET expires_at = '2020-01-01 00:00:00' WHERE id = {}", second["id"]));
    problem(app.get_as("/api/v1/comments", &expiring).await, 401).await;

    let deactivate =
        app.patch(&format!("/api/v1/users/{}", author.id), Some(&admin.token), &json!({"active": false})).await;
    assert_eq!(deactivate.status().as_u16(), 200);
    problem(app.get_as("/api/v1/comments", &deactivated).await, 401).await;

    // A mistyped token and a made-up one are refused alike, and are never taken for a JWT.
    let mut typo = deactivated.clone().into_bytes();
    typo[20] = if typo[20] == b'a' { b'b' } else { b'a' };
    problem(app.get_as("/api/v1/comments", std::str::from_utf8(&typo).unwrap()).await, 401).await;
    problem(app.get_as("/api/v1/comments", "warta_KabarHarapanDalamNegeriLuarNegeri2026Abc40q052").await, 401).await;
    problem(app.get_as("/api/v1/comments", "warta_").await, 401).await;
}

#[tokio::test]
async fn owners_manage_their_own_tokens_and_admins_everyones() {
    let app = spawn_app().await;
    let admin = app.staff("Admin Semua", Role::Admin).await;
    let dewi = app.staff("Dewi Kontributor", Role::Contributor).await;
    let budi = app.staff("Budi Kontributor", Role::Contributor).await;
    let (dewis, _) = make_token(&app, &dewi.token, "punya Dewi", &["content:read"]).await;
    make_token(&app, &budi.token, "punya Budi", &["articles:write"]).await;
    make_token(&app, &admin.token, "punya Admin", &["audit:read"]).await;

    let names = |page: &Value| -> Vec<String> {
        page["data"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&app.get_json_as("/api/v1/tokens", &dewi.token).await), ["punya Dewi"]);
    assert_eq!(
        names(&app.get_json_as("/api/v1/tokens", &admin.token).await),
        ["punya Admin", "punya Budi", "punya Dewi"]
    );
    let filtered = app.get_json_as(&format!("/api/v1/tokens?user={}", budi.id), &admin.token).await;
    assert_eq!(names(&filtered), ["punya Budi"]);
    let refused = problem(app.get_as(&format!("/api/v1/tokens?user={}", dewi.id), &budi.token).await, 422).await;
    assert!(refused["errors"]["user"].is_array());
    problem(app.get_as("/api/v1/tokens?user=nol", &admin.token).await, 422).await;

    let path = format!("/api/v1/tokens/{}", dewis["id"]);
    problem(app.get_as(&path, &budi.token).await, 404).await;
    problem(app.delete(&path, Some(&budi.token)).await, 404).await;
    assert_eq!(app.get_json_as(&path, &admin.token).await["user"]["id"], dewi.id);
    assert_eq!(app.delete(&path, Some(&admin.token)).await.status().as_u16(), 204);
    assert_eq!(app.get_json_as("/api/v1/tokens", &dewi.token).await["meta"]["total"], 0);
    let entries = app.get_json_as("/api/v1/audit?action=token.delete", &admin.token).await;
    assert_eq!(entries["data"][0]["summary"], "punya Dewi");
    assert_eq!(entries["data"][0]["actor"]["id"], admin.id);
}

#[tokio::test]
async fn last_use_is_recorded_in_batches_not_per_request() {
    let started = std::time::Instant::now();
    let app = spawn_app().await;
    let editor = app.staff("Editor Pakai", Role::Editor).await;
    let (made, token) = make_token(&app, &editor.token, "dipakai", &["content:read"]).await;
    let id = made["id"].as_i64().unwrap();
    let stored = || {
        use diesel::prelude::*;
        use warta::db::schema::api_tokens;
        api_tokens::table
            .find(id)
            .select(api_tokens::last_used_at)
            .first::<Option<chrono::NaiveDateTime>>(&mut *app.conn())
            .unwrap()
    };
    let before = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    for _ in 0..5 {
        assert_eq!(app.get_as("/api/v1/comments", &token).await.status().as_u16(), 200);
    }
    // The requests wrote nothing: the batch runs every 30 s from the server's start.
    if started.elapsed() < std::time::Duration::from_secs(25) {
        assert_eq!(stored(), None, "no write per request");
    }
    // Reading the token writes what this instance noted first.
    let shown = app.get_json_as(&format!("/api/v1/tokens/{id}"), &editor.token).await;
    let used = chrono::DateTime::parse_from_rfc3339(shown["last_used_at"].as_str().unwrap()).unwrap();
    assert!(used.naive_utc() >= before - chrono::Duration::seconds(1), "{used}");
    assert_eq!(stored().map(|t| t.and_utc().timestamp()), Some(used.timestamp()));
}

#[tokio::test]
async fn the_document_declares_the_scope_of_each_operation() {
    let app = spawn_app().await;
    let doc = app.get_json("/openapi.json", 200).await;
    assert_eq!(doc["components"]["securitySchemes"]["api_token"]["scheme"], "bearer");
    assert_eq!(
        doc["paths"]["/api/v1/categories"]["post"]["security"],
        json!([{"bearer": []}, {"api_token": ["taxonomy:write"]}])
    );
    assert_eq!(
        doc["paths"]["/api/v1/articles"]["get"]["security"],
        json!([{}, {"bearer": []}, {"api_token": ["content:read"]}])
    );
    assert_eq!(doc["paths"]["/api/v1/users"]["get"]["security"], json!([{"bearer": []}]));
    assert_eq!(doc["paths"]["/api/v1/tokens"]["post"]["security"], json!([{"bearer": []}]));
}
