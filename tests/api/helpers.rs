//! `spawn_app()`: each test gets its own server on a random port with its own temporary
//! database, plus fixtures written through the library (the write API comes later).

use chrono::{DateTime, Duration, SubsecRound, Utc};
use reqwest::{Client, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tempfile::TempDir;
use warta::config::Config;
use warta::db::{self, DbPool, DbStats};
use warta::domain::{ArticleStatus, CommentPolicy, CommentStatus, Role, Slug};
use warta::startup::{Application, StartOptions};

/// The admin URL of the PostgreSQL server the tests run on (`postgres://user:pw@host/postgres`),
/// or none: SQLite files.
const POSTGRES_VAR: &str = "WARTA_TEST_POSTGRES";

/// Whether this run tests the PostgreSQL backend.
pub fn on_postgres() -> bool {
    std::env::var(POSTGRES_VAR).is_ok_and(|v| !v.is_empty())
}

/// A client as every test makes one. reqwest is built here without a TLS provider of its own
/// (Warta installs ring, for its S3 client), so a process installs one before its first client.
pub fn client() -> Client {
    tls_provider();
    Client::new()
}

/// Installs ring as the process's TLS provider, once.
pub fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The address of an S3-compatible server (moto's, in CI) the media files go to, or none: a
/// directory per test.
const S3_VAR: &str = "WARTA_TEST_S3";

/// The variables that put the media files of the database `db_url` in `dir`, or with
/// `WARTA_TEST_S3` in a bucket of that database's own (see [`create_bucket`]).
pub fn media_vars(db_url: &str, dir: &std::path::Path) -> Vec<(String, String)> {
    let Some(endpoint) = std::env::var(S3_VAR).ok().filter(|v| !v.is_empty()) else {
        return vec![("WARTA_MEDIA_DIR".into(), dir.display().to_string())];
    };
    vec![
        ("WARTA_MEDIA_S3_BUCKET".into(), bucket_of(db_url)),
        ("WARTA_MEDIA_S3_ENDPOINT".into(), endpoint),
        ("WARTA_MEDIA_S3_ACCESS_KEY_ID".into(), "warta-test".into()),
        ("WARTA_MEDIA_S3_SECRET_ACCESS_KEY".into(), "warta-test-secret".into()),
    ]
}

/// One bucket per database, so that servers sharing a database share their files.
fn bucket_of(db_url: &str) -> String {
    format!("warta-test-{:016x}", xxhash_rust::xxh3::xxh3_64(db_url.as_bytes()))
}

/// With `WARTA_TEST_S3`, creates the bucket of the database `db_url` (an operator's job: Warta
/// only checks that its bucket answers).
pub async fn create_bucket(db_url: &str) {
    let Some(endpoint) = std::env::var(S3_VAR).ok().filter(|v| !v.is_empty()) else { return };
    let url = format!("{}/{}", endpoint.trim_end_matches('/'), bucket_of(db_url));
    let created = client().put(&url).send().await.expect("the test S3 server answers");
    assert!(created.status().is_success(), "cannot create the bucket {url}: {}", created.status());
}

/// A test's own database: a file in a temporary directory, or on PostgreSQL a database
/// created for the test and dropped when the test ends.
pub struct TestDb {
    pub url: String,
    /// Holds the SQLite file (and any file a test writes beside it).
    pub _dir: TempDir,
    /// Dropped with the test: the database goes with it.
    _postgres: Option<PgDatabase>,
}

struct PgDatabase {
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    admin_url: String,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    name: String,
}

#[cfg(feature = "postgres")]
impl Drop for PgDatabase {
    fn drop(&mut self) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

impl TestDb {
    /// On PostgreSQL: runs `sql` (with `{db}` standing for this database's name) as the
    /// server's administrator, for tests that play the operator (an outage, say).
    #[cfg(feature = "postgres")]
    pub fn as_admin(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let pg = self._postgres.as_ref().expect("a PostgreSQL test database");
        let mut admin = diesel::PgConnection::establish(&pg.admin_url).unwrap();
        admin.batch_execute(&sql.replace("{db}", &pg.name)).unwrap();
    }

    /// The same database for a second server: the first `TestDb` still owns (and drops) it.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub fn shared(&self) -> TestDb {
        TestDb { url: self.url.clone(), _dir: tempfile::tempdir().expect("temp dir"), _postgres: None }
    }

    /// A new, empty database.
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let Some(admin_url) = std::env::var(POSTGRES_VAR).ok().filter(|v| !v.is_empty()) else {
            let url = dir.path().join("warta.db").to_string_lossy().into_owned();
            return TestDb { url, _dir: dir, _postgres: None };
        };
        Self::on_postgres_server(dir, admin_url)
    }

    #[cfg(not(feature = "postgres"))]
    fn on_postgres_server(_dir: TempDir, _admin_url: String) -> TestDb {
        panic!("{POSTGRES_VAR} is set: run the tests with `--features postgres`");
    }

    #[cfg(feature = "postgres")]
    fn on_postgres_server(dir: TempDir, admin_url: String) -> TestDb {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("warta_test_{}_{n}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&admin_url).expect("the test PostgreSQL server answers");
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let mut url = url::Url::parse(&admin_url).expect("WARTA_TEST_POSTGRES is a URL");
        url.set_path(&name);
        TestDb { url: url.into(), _dir: dir, _postgres: Some(PgDatabase { admin_url, name }) }
    }
}

pub struct TestApp {
    pub address: String,
    /// The separate metrics listener's port, when `WARTA_METRICS_BIND` is set.
    pub metrics_port: Option<u16>,
    pub client: Client,
    pub pool: DbPool,
    pub stats: Arc<DbStats>,
    /// The database's URL: a file path on SQLite.
    pub db_path: String,
    /// Where the server keeps its media files.
    pub media: warta::config::StoreSettings,
    // Dropped last: the database lives in it.
    pub _db: TestDb,
}

/// A server with default configuration and an empty database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[], StartOptions::default()).await
}

/// A server with these environment variables (on top of a new database and port 0).
pub async fn spawn_app_with(vars: &[(&str, &str)], options: StartOptions) -> TestApp {
    spawn_app_on(TestDb::new(), vars, options).await
}

/// A second server on the database of `app`, as another instance of the same site would be
/// (it must not outlive `app`, which owns the database).
pub async fn spawn_app_beside(app: &TestApp, vars: &[(&str, &str)], options: StartOptions) -> TestApp {
    let db = TestDb { url: app.db_path.clone(), _dir: tempfile::tempdir().expect("temp dir"), _postgres: None };
    spawn_app_on(db, vars, options).await
}

/// A server on an existing database.
pub async fn spawn_app_on(db: TestDb, vars: &[(&str, &str)], options: StartOptions) -> TestApp {
    let mut env: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    env.insert("DATABASE_URL".into(), db.url.clone());
    env.insert("WARTA_BIND".into(), "127.0.0.1:0".into());
    // Each test's uploads in its own directory or bucket, whatever the database.
    if !env.contains_key("WARTA_MEDIA_DIR") {
        create_bucket(&db.url).await;
        env.extend(media_vars(&db.url, &db._dir.path().join("media")));
    }
    let config = Config::from_vars(&env).expect("test configuration");
    let media = config.media.store.clone();
    let app = Application::build(config, options).await.expect("application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let stats = app.stats();
    let metrics_port = app.metrics_port();
    let pool = app.pool();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        metrics_port,
        client: {
            tls_provider();
            Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
        },
        pool,
        stats,
        db_path: db.url.clone(),
        media,
        _db: db,
    }
}

/// The password every `staff()` account has.
pub const STAFF_PASSWORD: &str = "kopi-tubruk-pagi";

/// A logged-in staff member.
#[derive(Clone)]
pub struct Staff {
    pub id: i64,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

impl TestApp {
    /// The store of the server's media files, as the server opened it.
    pub fn media_store(&self) -> Arc<dyn warta::media::Store> {
        warta::media::store::open(&self.media).expect("the media store opens")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }

    /// GETs `path`, asserts `status`, and returns the JSON body.
    pub async fn get_json(&self, path: &str, status: u16) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.json().await.expect("JSON body")
    }

    /// The error fields of a 422 at `path`.
    pub async fn invalid_fields(&self, path: &str) -> Vec<String> {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), 422, "GET {path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let body: Value = response.json().await.unwrap();
        let mut fields: Vec<String> = body["errors"].as_object().expect("errors object").keys().cloned().collect();
        fields.sort();
        fields
    }

    pub fn conn(&self) -> db::Pooled {
        self.pool.get().expect("fixture connection")
    }

    /// How many articles the full-text index finds for one plain `word`, read from the
    /// backend's own index (FTS5 table or tsvector column), whatever the article's status.
    pub fn index_hits(&self, word: &str) -> i64 {
        use diesel::prelude::*;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn();
        let sql = if on_postgres() {
            "SELECT count(*) AS n FROM articles WHERE search @@ to_tsquery('warta_search', $1)"
        } else {
            "SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH ?"
        };
        diesel::sql_query(sql).bind::<diesel::sql_types::Text, _>(word).get_result::<Count>(&mut *conn).unwrap().n
    }

    /// A user with a real password, logged in through the API.
    pub async fn staff(&self, name: &str, role: Role) -> Staff {
        let email = format!("{}@kabarharapan.example", name.to_lowercase().replace(' ', "."));
        let new = db::users::NewUser {
            email: email.clone(),
            display_name: name.into(),
            password_hash: warta::auth::hash_password(STAFF_PASSWORD).unwrap(),
            role,
            bio: String::new(),
        };
        let id = db::users::create(&mut self.conn(), &new, Utc::now()).expect("user");
        let (token, refresh) = self.login(&email, STAFF_PASSWORD).await;
        Staff { id, email, token, refresh }
    }

    /// Logs in and returns the access and refresh tokens.
    pub async fn login(&self, email: &str, password: &str) -> (String, String) {
        let response =
            self.post("/api/v1/auth/login", None, &serde_json::json!({"email": email, "password": password})).await;
        assert_eq!(response.status().as_u16(), 200, "login of {email}");
        let body: Value = response.json().await.unwrap();
        (body["access_token"].as_str().unwrap().into(), body["refresh_token"].as_str().unwrap().into())
    }

    /// Sends `method path` with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request sent")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(reqwest::Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(reqwest::Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.send(reqwest::Method::DELETE, path, token, None).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.send(reqwest::Method::GET, path, Some(token), None).await
    }

    /// GETs `path` with `token`, asserts a 200, and returns the JSON body.
    pub async fn get_json_as(&self, path: &str, token: &str) -> Value {
        let response = self.get_as(path, token).await;
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response.json().await.expect("JSON body")
    }

    pub fn user(&self, name: &str, role: Role) -> i64 {
        let new = db::users::NewUser {
            email: format!("{}@kabarharapan.example", name.to_lowercase().replace(' ', ".")),
            display_name: name.into(),
            password_hash: "$argon2id$fixture".into(),
            role,
            bio: format!("Bio {name}"),
        };
        db::users::create(&mut self.conn(), &new, Utc::now()).expect("user")
    }

    pub fn category(&self, name: &str, parent_id: Option<i64>) -> i64 {
        let new = db::categories::NewCategory {
            name: name.into(),
            slug: None,
            description: format!("Tentang {name}"),
            parent_id,
        };
        db::categories::create(&mut self.conn(), &new, Utc::now()).expect("category")
    }

    pub fn tag(&self, name: &str) -> i64 {
        let new = db::tags::NewTag { name: name.into(), slug: None, description: String::new() };
        db::tags::create(&mut self.conn(), &new, Utc::now()).expect("tag")
    }

    pub fn article(&self, spec: ArticleSpec) -> i64 {
        let new = db::articles::NewArticle {
            title: spec.title.clone(),
            slug: spec.slug.as_deref().map(|s| Slug::parse(s).unwrap()),
            excerpt: spec.excerpt.clone(),
            body: spec.body.clone(),
            status: spec.status,
            published_at: spec.published_at,
            author_id: spec.author_id,
            category_ids: spec.category_ids.clone(),
            tag_ids: spec.tag_ids.clone(),
            featured_image_url: None,
            featured_image_alt: None,
            featured_image_id: None,
            source_name: Some("Anadolu".into()),
            source_url: None,
            language: "id".into(),
            comment_status: CommentPolicy::Open,
            meta_title: None,
            meta_description: None,
            featured: false,
            primary_category_id: None,
            kind: warta::domain::ArticleKind::Story,
        };
        let at = spec.written_at.unwrap_or_else(Utc::now);
        let by = db::revisions::Reviser { user_id: spec.author_id, keep: 100 };
        db::articles::create(&mut self.conn(), new, by, at).expect("article")
    }

    pub fn comment(&self, article_id: i64, email: &str, body: &str, status: CommentStatus, hours_ago: i64) -> i64 {
        self.stored_comment(article_id, None, email, body, status, hours_ago)
    }

    /// An approved reply to comment `parent`.
    pub fn reply(&self, article_id: i64, parent: i64, body: &str, hours_ago: i64) -> i64 {
        self.stored_comment(article_id, Some(parent), "r@example.com", body, CommentStatus::Approved, hours_ago)
    }

    fn stored_comment(
        &self,
        article_id: i64,
        parent_id: Option<i64>,
        email: &str,
        body: &str,
        status: CommentStatus,
        hours_ago: i64,
    ) -> i64 {
        let new = db::comments::NewComment {
            article_id,
            parent_id,
            user_id: None,
            author_name: "Pembaca".into(),
            author_email: email.into(),
            author_url: None,
            body: body.into(),
            status,
            ip: Some("203.0.113.77".into()),
            user_agent: Some("FixtureBrowser/1.0".into()),
        };
        db::comments::create(&mut self.conn(), &new, Utc::now() - Duration::hours(hours_ago)).expect("comment").id
    }
}

/// An article to create; `published(author, title, hours_ago)` covers most tests.
#[derive(Clone)]
pub struct ArticleSpec {
    pub title: String,
    pub slug: Option<String>,
    pub excerpt: String,
    pub body: String,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub author_id: i64,
    pub category_ids: Vec<i64>,
    pub tag_ids: Vec<i64>,
    pub written_at: Option<DateTime<Utc>>,
}

impl ArticleSpec {
    pub fn published(author_id: i64, title: &str, hours_ago: i64) -> ArticleSpec {
        let at = (Utc::now() - Duration::hours(hours_ago)).trunc_subsecs(0);
        ArticleSpec {
            title: title.into(),
            slug: None,
            excerpt: String::new(),
            body: format!("Jakarta (Kabar Harapan) – Isi berita {title}.\n\nParagraf kedua."),
            status: ArticleStatus::Published,
            published_at: Some(at),
            author_id,
            category_ids: Vec::new(),
            tag_ids: Vec::new(),
            written_at: Some(at),
        }
    }

    pub fn draft(author_id: i64, title: &str) -> ArticleSpec {
        ArticleSpec { status: ArticleStatus::Draft, published_at: None, ..ArticleSpec::published(author_id, title, 0) }
    }

    pub fn in_categories(mut self, ids: &[i64]) -> ArticleSpec {
        self.category_ids = ids.to_vec();
        self
    }

    pub fn tagged(mut self, ids: &[i64]) -> ArticleSpec {
        self.tag_ids = ids.to_vec();
        self
    }
}

/// Asserts `response` is an RFC 9457 problem with `status` and returns its body.
pub async fn problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "{:?}", response.url().path());
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["type"], "about:blank", "{body}");
    assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
    body
}

/// The fields a 422 problem names, sorted.
pub async fn invalid_fields_of(response: Response) -> Vec<String> {
    let body = problem(response, 422).await;
    let mut fields: Vec<String> = body["errors"].as_object().expect("errors object").keys().cloned().collect();
    fields.sort();
    fields
}

/// A `warta` process of its own (for what needs a real process: signals, crashes, logs).
pub struct Process {
    pub child: std::process::Child,
    pub address: String,
    pub log_path: std::path::PathBuf,
}

/// The titles of a list response's items, in order.
pub fn titles(body: &Value) -> Vec<String> {
    body["data"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
}

/// `s` percent-encoded for a query string (everything but RFC 3986 unreserved characters).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A free port on loopback (the OS picks it; it is released before the server binds it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Process {
    /// Starts `warta serve` on `db_path` with `vars`, logging to a file, and waits until it is ready.
    pub async fn start(db_path: &str, args: &[&str], vars: &[(&str, &str)]) -> Process {
        Process::start_on(free_port(), db_path, args, vars).await
    }

    /// As [`Process::start`], on loopback port `port` (a restart in place of a stopped process).
    pub async fn start_on(port: u16, db_path: &str, args: &[&str], vars: &[(&str, &str)]) -> Process {
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Beside a SQLite file; for a database URL, in the temporary directory.
        let log_path = if db_path.contains("://") {
            std::env::temp_dir().join(format!("warta-test-{}-{port}-{n}.log", std::process::id()))
        } else {
            std::path::PathBuf::from(format!("{db_path}.{port}-{n}.log"))
        };
        let log = std::fs::File::create(&log_path).unwrap();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_warta"));
        // Media files beside a SQLite file as by default, else beside the log (or in the
        // database's bucket): never in the working directory.
        let media_dir = match std::path::Path::new(db_path).parent() {
            Some(dir) if !db_path.contains("://") => dir.join("media"),
            _ => log_path.with_extension("media"),
        };
        create_bucket(db_path).await;
        command.envs(media_vars(db_path, &media_dir));
        command
            .arg("serve")
            .args(args)
            .env("DATABASE_URL", db_path)
            .env("WARTA_BIND", format!("127.0.0.1:{port}"))
            .env("WARTA_COMMENT_RATE_PER_MINUTE", "100000")
            // Processes of one site answer with one public address, whatever their ports.
            .env("WARTA_PUBLIC_URL", "http://kabarharapan.test")
            .stdout(std::process::Stdio::null())
            .stderr(log);
        for (k, v) in vars {
            command.env(k, v);
        }
        let child = command.spawn().expect("warta starts");
        let process = Process { child, address: format!("http://127.0.0.1:{port}"), log_path };
        let client = client();
        for _ in 0..200 {
            if let Ok(r) = client.get(format!("{}/ready", process.address)).send().await {
                if r.status().is_success() {
                    return process;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("warta did not become ready: {}", std::fs::read_to_string(&process.log_path).unwrap_or_default());
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        self.signal("TERM");
        self.exit_within(std::time::Duration::from_secs(15)).await
    }

    /// Sends `signal` (`TERM`, `INT`...) and returns at once.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap().success());
    }

    /// Waits until the process exits by itself (at most `within`), and returns its status.
    pub async fn exit_within(&mut self, within: std::time::Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "warta did not stop within {within:?}: {}", self.logs());
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Everything the process logged so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
