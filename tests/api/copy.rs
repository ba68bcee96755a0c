//! `warta copy`: a whole database into an empty one of either backend, which then serves the
//! same content; every table covered; a non-empty target refused; a copy that does not match
//! its source failed.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reqwest::Client;
use serde_json::{json, Value};
use tempfile::TempDir;
use warta::db::copy::TABLES;

use crate::helpers::{on_postgres, Process, TestDb};

/// A test's database of either backend, gone with the test.
pub(crate) enum Db {
    /// A file and the directory that holds it (deleted with it).
    Sqlite(String, #[allow(dead_code)] TempDir),
    Postgres(TestDb),
}

impl Db {
    pub(crate) fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        Db::Sqlite(dir.path().join("warta.db").to_string_lossy().into_owned(), dir)
    }

    /// A fresh PostgreSQL database (only in a run with `WARTA_TEST_POSTGRES`).
    pub(crate) fn postgres() -> Db {
        assert!(on_postgres());
        Db::Postgres(TestDb::new())
    }

    pub(crate) fn url(&self) -> &str {
        match self {
            Db::Sqlite(path, _) => path,
            Db::Postgres(db) => &db.url,
        }
    }

    fn is_sqlite(&self) -> bool {
        matches!(self, Db::Sqlite(..))
    }

    fn conn(&self) -> warta::db::Pooled {
        let (pool, _) = warta::db::connect(self.url(), 1).unwrap();
        pool.get().unwrap()
    }

    /// Rows per table, read with SQL of its own.
    fn counts(&self) -> Vec<(String, i64)> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn();
        TABLES
            .iter()
            .map(|t| {
                let n = diesel::sql_query(format!("SELECT count(*) AS n FROM {t}")).get_result::<Count>(&mut conn);
                (t.to_string(), n.unwrap().n)
            })
            .collect()
    }
}

/// What this run copies: SQLite to SQLite on its own, or with PostgreSQL from SQLite to
/// PostgreSQL and back.
fn directions() -> Vec<(Db, Db)> {
    if on_postgres() {
        vec![(Db::sqlite(), Db::postgres()), (Db::postgres(), Db::sqlite())]
    } else {
        vec![(Db::sqlite(), Db::sqlite())]
    }
}

fn warta(args: &[&str], database_url: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_warta"));
    command.args(args).env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    command.output().unwrap()
}

pub(crate) fn copy(from: &str, to: &str) -> std::process::Output {
    warta(&["copy", "--from", from, "--to", to], None)
}

pub(crate) fn said(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

pub(crate) fn generate(db: &Db, articles: usize, comments: usize) {
    let (a, c) = (articles.to_string(), comments.to_string());
    let out = warta(&["generate", "--articles", &a, "--comments", &c], Some(db.url()));
    assert!(out.status.success(), "{}", said(&out));
}

const ADMIN: &str = "rina.kartikasari@kabarharapan.example";

async fn login(client: &Client, server: &Process, email: &str, password: &str) -> (String, String) {
    let r = client
        .post(format!("{}/api/v1/auth/login", server.address))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "login of {email}");
    let body: Value = r.json().await.unwrap();
    (body["access_token"].as_str().unwrap().into(), body["refresh_token"].as_str().unwrap().into())
}

async fn get(client: &Client, server: &Process, path: &str, token: Option<&str>) -> Value {
    let mut request = client.get(format!("{}{path}", server.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "GET {path}");
    r.json().await.unwrap()
}

async fn send(
    client: &Client,
    server: &Process,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Value,
) -> Value {
    let r = client
        .request(method.clone(), format!("{}{path}", server.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{method} {path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

/// Asserts that `source` and `copy` answer every path with the same JSON. `tokens` are a staff
/// member's on each, for the paths that need one. Searches find the same articles on both
/// backends, but each ranks them its own way: for them the order is compared only when both
/// databases are of one backend.
async fn assert_same(
    client: &Client,
    (source, source_db): (&Process, &Db),
    (copy, copy_db): (&Process, &Db),
    paths: &[String],
    tokens: Option<(&str, &str)>,
) {
    let found = |list: &Value| {
        let mut slugs: Vec<String> =
            list["data"].as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap().to_owned()).collect();
        slugs.sort();
        (slugs, list["meta"].clone())
    };
    for path in paths {
        let theirs = get(client, source, path, tokens.map(|t| t.0)).await;
        let ours = get(client, copy, path, tokens.map(|t| t.1)).await;
        if path.contains("search=") && source_db.is_sqlite() != copy_db.is_sqlite() {
            assert!(theirs["meta"]["total"].as_i64().unwrap() < 50, "every match on one page: {path}");
            assert_eq!(found(&theirs), found(&ours), "GET {path}");
        } else {
            assert_eq!(theirs, ours, "GET {path}");
        }
    }
}

/// The public reads of a newsroom: lists, every article and its comments, a search.
async fn public_paths(client: &Client, server: &Process) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/api/v1/site",
        "/api/v1/categories?per_page=100",
        "/api/v1/articles?per_page=100&include=body",
        "/api/v1/articles?per_page=100&page=2",
        "/api/v1/articles?search=jakarta&per_page=50",
        "/api/v1/articles?search=surabaya&per_page=50",
    ]
    .map(String::from)
    .to_vec();
    let list = get(client, server, "/api/v1/articles?per_page=40", None).await;
    for article in list["data"].as_array().unwrap() {
        let slug = article["slug"].as_str().unwrap();
        paths.push(format!("/api/v1/articles/{slug}"));
        paths.push(format!("/api/v1/articles/{slug}/comments?per_page=100"));
    }
    paths
}

/// What only staff read: drafts, the moderation queue with commenters' emails, accounts.
fn staff_paths() -> Vec<String> {
    ["/api/v1/articles?status=draft&per_page=100", "/api/v1/comments?per_page=100", "/api/v1/users?per_page=100"]
        .map(String::from)
        .to_vec()
}

#[test]
fn every_table_of_a_migrated_database_is_copied() {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let mut dbs = vec![Db::sqlite()];
    if on_postgres() {
        dbs.push(Db::postgres());
    }
    for db in dbs {
        let mut conn = db.conn();
        warta::db::migrate(&mut conn).unwrap();
        let sql = if db.is_sqlite() {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'articles_fts%' AND name <> '__diesel_schema_migrations'"
        } else {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '__diesel_schema_migrations'"
        };
        let tables: Vec<String> =
            diesel::sql_query(sql).load::<Name>(&mut conn).unwrap().into_iter().map(|n| n.name).collect();
        assert!(tables.len() >= 7, "{tables:?}");
        let missing: Vec<&String> = tables.iter().filter(|t| !TABLES.contains(&t.as_str())).collect();
        assert!(
            missing.is_empty(),
            "`warta copy` does not copy {missing:?} ({}): give each its line in `warta_tables!` in src/db/copy.rs",
            db.url()
        );
        let stale: Vec<&&str> = TABLES.iter().filter(|t| !tables.iter().any(|n| n == *t)).collect();
        assert!(stale.is_empty(), "`warta copy` lists tables the migrations do not make: {stale:?}");
    }
}

#[tokio::test]
async fn a_copy_of_the_demo_newsroom_serves_the_same_content_and_carries_on_from_it() {
    let client = crate::helpers::client();
    for (source, target) in directions() {
        let server = Process::start(source.url(), &["--demo"], &[]).await;
        let (token, refresh) = login(&client, &server, ADMIN, warta::demo::DEMO_PASSWORD).await;
        let post = reqwest::Method::POST;
        // A category moved under a newer one: its parent comes after it in id order.
        let newer =
            send(&client, &server, post.clone(), "/api/v1/categories", &token, json!({"name": "Nusantara"})).await;
        let categories = get(&client, &server, "/api/v1/categories?per_page=100", None).await;
        let oldest = categories["data"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).min().unwrap();
        let path = format!("/api/v1/categories/{oldest}");
        send(&client, &server, reqwest::Method::PATCH, &path, &token, json!({"parent_id": newer["id"]})).await;
        // The newest article deleted: its id is never handed out again, on the copy either.
        let gone = send(
            &client,
            &server,
            post.clone(),
            "/api/v1/articles",
            &token,
            json!({"title": "Berita yang ditarik", "body": "Isi.", "status": "published"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let r = client.delete(format!("{}/api/v1/articles/{gone}", server.address)).bearer_auth(&token).send().await;
        assert_eq!(r.unwrap().status().as_u16(), 204);

        let out = copy(source.url(), target.url());
        assert!(out.status.success(), "{}", said(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        for table in TABLES {
            assert!(stderr.contains(&format!("{table}: ")), "a line per table without a terminal: {stderr}");
        }
        assert!(String::from_utf8_lossy(&out.stdout).contains("every count matches"), "{}", said(&out));
        assert_eq!(source.counts(), target.counts());

        let copy = Process::start(target.url(), &[], &[]).await;
        let (copy_token, _) = login(&client, &copy, ADMIN, warta::demo::DEMO_PASSWORD).await;
        assert_same(&client, (&server, &source), (&copy, &target), &public_paths(&client, &server).await, None).await;
        assert_same(&client, (&server, &source), (&copy, &target), &staff_paths(), Some((&token, &copy_token))).await;

        // The copy carries on: sessions, ids after the source's, counts kept by its triggers.
        let r = client.post(format!("{}/api/v1/auth/refresh", copy.address)).json(&json!({"refresh_token": refresh}));
        assert_eq!(r.send().await.unwrap().status().as_u16(), 200, "a session of the source goes on on the copy");
        let next = send(
            &client,
            &copy,
            post.clone(),
            "/api/v1/articles",
            &copy_token,
            json!({"title": "Berita pertama di salinan", "body": "Isi.", "status": "published"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        assert!(next > gone, "id {next} after the source's last, {gone}");
        let slug = get(&client, &copy, "/api/v1/articles?per_page=2", None).await["data"][1]["slug"]
            .as_str()
            .unwrap()
            .to_owned();
        let before =
            get(&client, &copy, &format!("/api/v1/articles/{slug}"), None).await["comment_count"].as_i64().unwrap();
        let path = format!("/api/v1/articles/{slug}/comments");
        send(
            &client,
            &copy,
            post.clone(),
            &path,
            &copy_token,
            json!({"author_name": "Rina", "author_email": ADMIN, "body": "Komentar redaksi di salinan."}),
        )
        .await;
        let after =
            get(&client, &copy, &format!("/api/v1/articles/{slug}"), None).await["comment_count"].as_i64().unwrap();
        assert_eq!(after, before + 1, "the copy counts new comments");
    }
}

#[tokio::test]
async fn a_copy_of_generated_content_serves_the_same_content() {
    let client = crate::helpers::client();
    for (source, target) in directions() {
        generate(&source, 300, 3000);
        // A comment that answers a later one: copied in id order, its parent is not there yet.
        let first: i64 = {
            let mut conn = source.conn();
            conn.batch_execute(
                "UPDATE comments SET parent_id = (SELECT max(c.id) FROM comments c \
                   WHERE c.article_id = comments.article_id AND c.parent_id IS NULL AND c.id > comments.id) \
                 WHERE id = (SELECT min(id) FROM comments)",
            )
            .unwrap();
            use warta::db::schema::comments;
            comments::table.select(diesel::dsl::min(comments::id)).first::<Option<i64>>(&mut conn).unwrap().unwrap()
        };
        let parent_of = |db: &Db| -> Option<i64> {
            use warta::db::schema::comments;
            comments::table.find(first).select(comments::parent_id).first(&mut db.conn()).unwrap()
        };
        assert!(parent_of(&source).is_some_and(|p| p > first), "the fixture answers a later comment");

        let out = copy(source.url(), target.url());
        assert!(out.status.success(), "{}", said(&out));
        assert_eq!(source.counts(), target.counts());
        assert_eq!(parent_of(&source), parent_of(&target));

        let server = Process::start(source.url(), &[], &[]).await;
        let copy = Process::start(target.url(), &[], &[]).await;
        let mut paths = public_paths(&client, &server).await;
        for page in 3..=6 {
            paths.push(format!("/api/v1/articles?per_page=50&page={page}"));
        }
        assert_same(&client, (&server, &source), (&copy, &target), &paths, None).await;
        let password = warta::generate::GENERATED_PASSWORD;
        let users = {
            use warta::db::schema::users;
            users::table
                .filter(users::role.eq("admin"))
                .select(users::email)
                .first::<String>(&mut source.conn())
                .unwrap()
        };
        let (theirs, _) = login(&client, &server, &users, password).await;
        let (ours, _) = login(&client, &copy, &users, password).await;
        assert_same(&client, (&server, &source), (&copy, &target), &staff_paths(), Some((&theirs, &ours))).await;
    }
}

#[tokio::test]
async fn a_target_with_content_is_refused_and_left_as_it_was() {
    let (source, target) = directions().pop().unwrap();
    generate(&source, 5, 20);
    drop(Process::start(target.url(), &["--demo"], &[]).await);
    let before = target.counts();

    let out = copy(source.url(), target.url());
    assert!(!out.status.success());
    let said = said(&out);
    assert!(said.contains("is not empty") && said.contains("articles"), "{said}");
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    assert_eq!(target.counts(), before, "nothing written");
}

#[test]
fn what_cannot_be_copied_is_refused_with_a_reason_and_no_password() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("tidak-ada.db").to_string_lossy().into_owned();
    let target = dir.path().join("salinan.db").to_string_lossy().into_owned();

    let out = copy(&missing, &target);
    assert!(!out.status.success());
    assert!(said(&out).contains("no database at"), "{}", said(&out));
    assert!(!std::path::Path::new(&missing).exists(), "a missing source is not created");

    let out = copy(&target, &target);
    assert!(!out.status.success());
    assert!(said(&out).contains("the same database"), "{}", said(&out));

    let unmigrated = dir.path().join("kosong.db").to_string_lossy().into_owned();
    SqliteConnection::establish(&unmigrated).unwrap().batch_execute("CREATE TABLE notes (id INTEGER)").unwrap();
    let out = copy(&unmigrated, &target);
    assert!(!out.status.success());
    assert!(said(&out).contains("holds no Warta database"), "{}", said(&out));

    // Nobody listens on port 1.
    let secret = "postgres://warta:rahasia-sekali@127.0.0.1:1/warta";
    let migrated = Db::sqlite();
    warta::db::migrate(&mut migrated.conn()).unwrap();
    for out in [copy(secret, &target), copy(migrated.url(), secret)] {
        assert!(!out.status.success());
        let said = said(&out);
        assert!(said.contains("127.0.0.1:1"), "the server is named: {said}");
        assert!(!said.contains("rahasia"), "no password in the message: {said}");
    }
}

#[test]
fn the_check_at_the_end_finds_a_lost_row_a_wrong_count_and_a_sequence_behind() {
    use warta::db::schema::{article_categories, articles, comments};
    let (source, target) = directions().pop().unwrap();
    generate(&source, 20, 200);
    let out = copy(source.url(), target.url());
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(warta::db::copy::compare(source.url(), target.url()).unwrap(), Vec::<String>::new());

    let mut conn = target.conn();
    let (article, category): (i64, i64) = article_categories::table.first(&mut conn).unwrap();
    diesel::delete(article_categories::table.find((article, category))).execute(&mut conn).unwrap();
    let counted: i64 =
        comments::table.filter(comments::visible.eq(true)).select(comments::article_id).first(&mut conn).unwrap();
    diesel::update(articles::table.find(counted))
        .set(articles::comment_count.eq(articles::comment_count + 1))
        .execute(&mut conn)
        .unwrap();
    let rewind = if target.is_sqlite() {
        "UPDATE sqlite_sequence SET seq = 1 WHERE name = 'comments'"
    } else {
        "SELECT setval(pg_get_serial_sequence('comments', 'id'), 1)"
    };
    conn.batch_execute(rewind).unwrap();
    drop(conn);

    let problems = warta::db::copy::compare(source.url(), target.url()).unwrap().join("\n");
    assert!(problems.contains("article_categories has"), "{problems}");
    assert!(problems.contains(&format!("articles.comment_count differs ({counted}:")), "{problems}");
    assert!(problems.contains("the id sequence of comments is at 1"), "{problems}");
}

/// `warta generate` writes every row with its id; the next ones written through the API must
/// come after them on each backend (PostgreSQL's identities do not follow explicit ids).
#[tokio::test]
async fn generated_content_takes_new_writes() {
    let client = crate::helpers::client();
    let mut databases = vec![Db::sqlite()];
    if on_postgres() {
        databases.push(Db::postgres());
    }
    for db in databases {
        generate(&db, 5, 20);
        let server = Process::start(db.url(), &[], &[]).await;
        let admin = {
            use warta::db::schema::users;
            let mut conn = db.conn();
            users::table.filter(users::role.eq("admin")).select(users::email).first::<String>(&mut conn).unwrap()
        };
        let (token, _) = login(&client, &server, &admin, warta::generate::GENERATED_PASSWORD).await;
        let post = reqwest::Method::POST;
        let category =
            send(&client, &server, post.clone(), "/api/v1/categories", &token, json!({"name": "Kolom Baru"})).await;
        let body = json!({"title": "Berita sesudah generate", "body": "Isi.", "status": "published"});
        let article = send(&client, &server, post.clone(), "/api/v1/articles", &token, body).await;
        assert!(article["id"].as_i64().unwrap() > 5, "{article}");
        assert!(category["id"].as_i64().unwrap() > 1, "{category}");
        let path = format!("/api/v1/articles/{}/comments", article["slug"].as_str().unwrap());
        let comment = send(
            &client,
            &server,
            post,
            &path,
            &token,
            json!({"author_name": "Redaksi", "author_email": "redaksi@generated.example", "body": "Komentar redaksi."}),
        )
        .await;
        assert!(comment["id"].as_i64().unwrap() > 20, "{comment}");
    }
}
