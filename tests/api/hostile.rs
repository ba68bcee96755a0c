//! Hostile input: script injection in article bodies, metacharacters in every parameter,
//! and rejected requests that leave the database exactly as it was.

use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{invalid_fields_of, spawn_app, urlencode, ArticleSpec, TestApp};

const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" ONERROR=\"alert(1)\">",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<a href=\"javascript:alert(1)\">klik</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">klik</a>",
    "<a href=\"&#106;avascript:alert(1)\">klik</a>",
    "<a href=\"&#x6A;&#x61;vascript:alert(1)\">klik</a>",
    "<a href=\" javascript:alert(1)\">klik</a>",
    "<a href=\"java\tscript:alert(1)\">klik</a>",
    "[klik](javascript:alert(1))",
    "[klik](JAVASCRIPT:alert(1))",
    "![gambar](javascript:alert(1))",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<form action=\"https://evil.example\"><input name=p></form>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext></mtext><mglyph><svg><mtext><style><img src=x onerror=alert(1)></style></mtext></svg></mglyph></math>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)//",
    "<a href=x onmouseover=alert(1)>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"https://evil.example/\">",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "\"><script>alert(1)</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
];

/// Whether `html` has anything a browser would execute or that loads active content.
fn executable(html: &str) -> Option<String> {
    let lower = html.to_lowercase();
    for tag in [
        "<script", "<svg", "<iframe", "<object", "<embed", "<form", "<style", "<meta", "<base", "<link", "<math",
        "<body", "<input",
    ] {
        if lower.contains(tag) {
            return Some(format!("tag {tag}"));
        }
    }
    // Inside every tag: no event handler, no script or data URL, no style attribute.
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let tag = &rest[start..end];
        let attributes = tag.split_once(char::is_whitespace).map_or("", |(_, a)| a);
        for attribute in attributes.split_whitespace() {
            let name = attribute.split('=').next().unwrap_or("");
            if name.starts_with("on") || name == "style" || name == "srcdoc" || name == "formaction" {
                return Some(format!("attribute {attribute} in {tag}"));
            }
        }
        if tag.contains("javascript:") || tag.contains("vbscript:") || tag.contains("data:") {
            return Some(format!("URL in {tag}"));
        }
        rest = &rest[end..];
    }
    None
}

#[tokio::test]
async fn no_xss_payload_yields_executable_html() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    for (i, payload) in XSS.iter().enumerate() {
        let body = format!("Paragraf aman.\n\n{payload}\n\nPenutup.");
        let r = app
            .post("/api/v1/articles", Some(&editor.token), &json!({"title": format!("Uji {i}"), "body": body}))
            .await;
        assert_eq!(r.status().as_u16(), 201, "{payload}");
        let article: Value = r.json().await.unwrap();
        let html = article["body_html"].as_str().unwrap();
        assert!(executable(html).is_none(), "{payload} became {html}: {:?}", executable(html));
        assert!(html.contains("Paragraf aman."), "the harmless text stays");
        assert_eq!(article["body"], body, "the source is kept as written");
    }
    // The checker itself catches what it must.
    assert!(executable("<img src=x onerror=alert(1)>").is_some());
    assert!(executable("<a href=\"javascript:x\">").is_some());
    assert!(executable("<p>javascript: as text is harmless</p>").is_none());
}

/// Every public and staff read, as an editor sees it: the whole observable state.
async fn snapshot(app: &TestApp, token: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        "/api/v1/articles?status=any&per_page=100&include=body",
        "/api/v1/categories?per_page=100",
        "/api/v1/comments?per_page=100",
        "/api/v1/users?per_page=100",
    ] {
        let mut v: Value = app.get_as(path, token).await.json().await.unwrap();
        all.push(v["data"].take());
    }
    all
}

#[tokio::test]
async fn metacharacters_in_every_parameter_are_a_clear_4xx_or_searched_as_text() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Kopi", 1));
    let before = snapshot(&app, &admin.token).await;
    let payloads = [
        "'",
        "\"",
        "' OR '1'='1",
        "1; DROP TABLE articles; --",
        "%",
        "_",
        "\\",
        "*",
        "NEAR(a b)",
        "a AND b",
        "\"unterminated",
        "(",
        ")",
        "-1",
        "0",
        "99999999999999999999",
        "1e9",
        "NaN",
        "null",
        "../../etc/passwd",
        "%00",
        "\u{0}",
        "😀",
        "ᴀʙᴄ",
        "<script>",
        "${x}",
        "{{7*7}}",
        "a\nb",
    ];
    let params = [
        "category", "author", "after", "before", "order_by", "order", "include", "search", "page", "per_page", "status",
    ];
    for param in params {
        for payload in payloads {
            let mut url = reqwest::Url::parse(&app.url("/api/v1/articles")).unwrap();
            url.query_pairs_mut().append_pair(param, payload);
            for token in [None, Some(admin.token.as_str())] {
                let mut request = app.client.get(url.clone());
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let r = request.send().await.unwrap();
                let status = r.status().as_u16();
                assert!((200..500).contains(&status), "{param}={payload:?}: {status}");
                if status >= 400 {
                    assert_eq!(r.headers()["content-type"], "application/problem+json", "{param}={payload:?}");
                }
            }
        }
    }
    for payload in payloads {
        for path in ["/api/v1/articles/", "/api/v1/categories/", "/api/v1/users/", "/api/v1/comments/"] {
            let url = format!("{}{}{}", app.address, path, urlencode(payload));
            let r = app.client.get(&url).bearer_auth(&admin.token).send().await.unwrap();
            assert!((200..500).contains(&r.status().as_u16()), "{url}: {}", r.status());
        }
    }
    assert_eq!(snapshot(&app, &admin.token).await, before, "reads changed nothing");
}

#[tokio::test]
async fn rejected_writes_leave_the_database_unchanged() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let category = app.category("Ekonomi", None);
    let author = app.user("Dewi", Role::Author);
    let article = app.article(ArticleSpec::published(author, "Harga Kopi", 1).in_categories(&[category]));
    let before = snapshot(&app, &admin.token).await;
    let token = Some(admin.token.as_str());
    let path = format!("/api/v1/articles/{article}");
    let rejected = [
        app.post("/api/v1/articles", token, &json!({"title": "", "body": "x"})).await,
        app.post("/api/v1/articles", token, &json!({"title": "Baru", "category_ids": [category, 999]})).await,
        app.post("/api/v1/articles", token, &json!({"title": "Baru", "slug": "harga-kopi"})).await,
        app.patch(&path, token, &json!({"title": "Diubah", "language": "bukan bahasa"})).await,
        app.patch(&path, token, &json!({"title": "Diubah", "category_ids": [12345]})).await,
        app.patch(&path, token, &json!({"title": "Diubah", "author_id": 12345})).await,
        app.client.patch(app.url(&path)).bearer_auth(&admin.token).header("If-Match", "\"stale\"").json(&json!({"title": "X"})).send().await.unwrap(),
        app.post("/api/v1/categories", token, &json!({"name": "Anak", "parent_id": 999})).await,
        app.patch(&format!("/api/v1/categories/{category}"), token, &json!({"parent_id": category})).await,
        app.post("/api/v1/users", token, &json!({"email": "rina@kabarharapan.example", "display_name": "X", "password": "sandi-rahasia-1", "role": "author"})).await,
        app.delete(&format!("/api/v1/users/{author}"), token).await,
        app.post(&format!("/api/v1/articles/{article}/comments"), None, &json!({"author_name": "A", "author_email": "x", "body": "y"})).await,
        app.post(&format!("/api/v1/articles/{article}/comments"), None, &json!({"author_name": "A", "author_email": "a@example.com", "body": "y", "parent_id": 777})).await,
    ];
    for response in rejected {
        assert!(response.status().is_client_error(), "{} {}", response.url(), response.status());
    }
    assert_eq!(snapshot(&app, &admin.token).await, before);
}

#[tokio::test]
async fn urls_are_parsed_as_urls_with_any_case_of_scheme_and_no_quotes_or_backslashes() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let author = app.user("Dewi", Role::Author);
    let article = app.article(ArticleSpec::published(author, "Harga Kopi", 1));
    let good = json!({
        "title": "Skema Besar",
        "featured_image_url": "HTTPS://example.com/x",
        "source_url": "Http://example.com/sumber?a=1#b",
    });
    let r = app.post("/api/v1/articles", Some(&editor.token), &good).await;
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    let comment = json!({"author_name": "Siti", "author_email": "siti@example.com", "author_url": "HTTPS://example.com/x", "body": "Bagus."});
    let r = app.post("/api/v1/articles/harga-kopi/comments", None, &comment).await;
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());

    for bad in [
        "https://example.com/\"onmouseover=alert(1)",
        "https://example.com/'onmouseover=alert(1)",
        "https://example.com\\evil",
        "https:\\\\evil.example",
        "https://exa mple.com",
        "https://example.com/\u{7}",
        "https:///x",
        "https://user:pw@example.com",
        "javascript://example.com/%0Aalert(1)",
    ] {
        for field in ["featured_image_url", "source_url"] {
            let r = app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "Buruk", field: bad})).await;
            assert_eq!(invalid_fields_of(r).await, [field], "{field} = {bad}");
            let r = app.patch(&format!("/api/v1/articles/{article}"), Some(&editor.token), &json!({field: bad})).await;
            assert_eq!(invalid_fields_of(r).await, [field], "{field} = {bad}");
        }
        let comment =
            json!({"author_name": "Siti", "author_email": "siti@example.com", "author_url": bad, "body": "Bagus."});
        let r = app.post("/api/v1/articles/harga-kopi/comments", None, &comment).await;
        assert_eq!(invalid_fields_of(r).await, ["author_url"], "author_url = {bad}");
    }
}
