//! HTTP caching (ETag, If-None-Match, Cache-Control) and CORS.

use warta::domain::{CommentStatus, Role};
use warta::startup::StartOptions;

use crate::helpers::{spawn_app, spawn_app_with, ArticleSpec, TestApp};

/// The public reads of `public_content`, one per kind.
const PUBLIC_READS: [&str; 6] = [
    "/api/v1/articles",
    "/api/v1/articles/harga-kopi",
    "/api/v1/articles/harga-kopi/comments",
    "/api/v1/categories",
    "/api/v1/categories/dalam-negeri",
    "/api/v1/site",
];

/// An article with its author and a category, which `PUBLIC_READS` name.
fn public_content(app: &TestApp) {
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Kopi", 3));
    app.category("Dalam Negeri", None);
}

#[tokio::test]
async fn public_reads_carry_a_strong_etag_and_answer_304_when_unchanged() {
    let app = spawn_app().await;
    public_content(&app);
    for path in PUBLIC_READS.into_iter().chain(["/openapi.json"]) {
        let first = app.get(path).await;
        assert_eq!(first.status().as_u16(), 200, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"), "{path}: {etag}");
        assert!(first.headers()["cache-control"].to_str().unwrap().starts_with("public, max-age="), "{path}");

        let again = app.client.get(app.url(path)).header("If-None-Match", &etag).send().await.unwrap();
        assert_eq!(again.status().as_u16(), 304, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.bytes().await.unwrap().is_empty());

        let listed =
            app.client.get(app.url(path)).header("If-None-Match", format!("\"other\", {etag}")).send().await.unwrap();
        assert_eq!(listed.status().as_u16(), 304, "{path} with a list of tags");

        let stale = app.client.get(app.url(path)).header("If-None-Match", "\"stale\"").send().await.unwrap();
        assert_eq!(stale.status().as_u16(), 200, "{path}");
    }
}

#[tokio::test]
async fn the_etag_changes_when_the_representation_does() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let article = app.article(ArticleSpec::published(author, "Harga Kopi", 3));
    let etag = |r: &reqwest::Response| r.headers()["etag"].to_str().unwrap().to_owned();
    let before_list = etag(&app.get("/api/v1/articles").await);
    let before_comments = etag(&app.get("/api/v1/articles/harga-kopi/comments").await);
    let before_article = etag(&app.get("/api/v1/articles/harga-kopi").await);
    assert_eq!(before_list, etag(&app.get("/api/v1/articles").await), "stable while nothing changes");

    app.comment(article, "a@example.com", "Mantap", CommentStatus::Approved, 0);
    let after_comments = app
        .client
        .get(app.url("/api/v1/articles/harga-kopi/comments"))
        .header("If-None-Match", &before_comments)
        .send()
        .await
        .unwrap();
    assert_eq!(after_comments.status().as_u16(), 200, "a new comment invalidates the old copy");
    assert_ne!(etag(&after_comments), before_comments);
    assert_ne!(etag(&app.get("/api/v1/articles/harga-kopi").await), before_article, "comment_count changed");
    assert_ne!(etag(&app.get("/api/v1/articles").await), before_list);
}

#[tokio::test]
async fn max_age_comes_from_configuration() {
    let app = spawn_app_with(&[("WARTA_CACHE_MAX_AGE", "300")], StartOptions::default()).await;
    let response = app.get("/api/v1/site").await;
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered_for_authorization_and_json() {
    let app = spawn_app_with(
        &[("WARTA_CORS_ORIGINS", "https://kabarharapan.example,http://localhost:3000")],
        StartOptions::default(),
    )
    .await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/articles"))
        .header("Origin", "https://kabarharapan.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], "https://kabarharapan.example");
    let allowed = headers["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{allowed}");
    assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("POST"));

    let read =
        app.client.get(app.url("/api/v1/articles")).header("Origin", "http://localhost:3000").send().await.unwrap();
    assert_eq!(read.headers()["access-control-allow-origin"], "http://localhost:3000");
    let exposed = read.headers()["access-control-expose-headers"].to_str().unwrap().to_lowercase();
    for header in ["x-total-count", "link", "etag"] {
        assert!(exposed.contains(header), "{header} not exposed: {exposed}");
    }

    let foreign =
        app.client.get(app.url("/api/v1/articles")).header("Origin", "https://evil.example").send().await.unwrap();
    assert!(foreign.headers().get("access-control-allow-origin").is_none(), "a foreign origin may not read");
}

#[tokio::test]
async fn any_origin_may_read_by_default() {
    let app = spawn_app().await;
    let read =
        app.client.get(app.url("/api/v1/site")).header("Origin", "https://anywhere.example").send().await.unwrap();
    assert_eq!(read.headers()["access-control-allow-origin"], "*");
}

/// The names in a response's `Vary` headers, lower-cased.
fn vary(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|name| name.trim().to_lowercase())
        .collect()
}

#[tokio::test]
async fn public_reads_vary_by_authorization_because_staff_get_private_answers() {
    let app = spawn_app_with(&[("WARTA_CORS_ORIGINS", "https://kabarharapan.example")], StartOptions::default()).await;
    public_content(&app);
    let editor = app.staff("Bayu", Role::Editor).await;
    for path in PUBLIC_READS {
        // Twice: the second answer comes from the response cache.
        for _ in 0..2 {
            let public = app.get(path).await;
            assert!(public.headers()["cache-control"].to_str().unwrap().starts_with("public"), "{path}");
            assert!(vary(&public).contains(&"authorization".to_owned()), "{path}: {:?}", vary(&public));
            let etag = public.headers()["etag"].clone();
            let unchanged = app.client.get(app.url(path)).header("If-None-Match", etag).send().await.unwrap();
            assert_eq!(unchanged.status().as_u16(), 304, "{path}");
            assert!(vary(&unchanged).contains(&"authorization".to_owned()), "{path}: 304 {:?}", vary(&unchanged));
        }
        let staff = app.get_as(path, &editor.token).await;
        assert_eq!(staff.headers()["cache-control"], "private, no-store", "{path}");
        assert!(vary(&staff).contains(&"authorization".to_owned()), "{path}: {:?}", vary(&staff));

        let cross_origin =
            app.client.get(app.url(path)).header("Origin", "https://kabarharapan.example").send().await.unwrap();
        let names = vary(&cross_origin);
        assert!(
            names.contains(&"authorization".to_owned()) && names.contains(&"origin".to_owned()),
            "{path}: {names:?}"
        );
    }
}
