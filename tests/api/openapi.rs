//! The OpenAPI document: committed, served, and equal to what the code generates.

use serde_json::Value;

use crate::helpers::spawn_app;

const REGENERATE: &str = "regenerate it with `cargo run -- openapi > openapi/openapi.json`";

#[tokio::test]
async fn the_committed_spec_is_what_the_code_generates() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
        .unwrap_or_else(|_| panic!("openapi/openapi.json is missing: {REGENERATE}"));
    let generated = warta::api::openapi::document_json();
    assert!(committed == generated, "openapi/openapi.json differs from the code: {REGENERATE}");

    let app = spawn_app().await;
    let served = app.get("/openapi.json").await;
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers()["content-type"], "application/json");
    assert_eq!(served.text().await.unwrap(), committed);
}

#[tokio::test]
async fn the_spec_is_openapi_3_1_and_describes_every_public_route() {
    let app = spawn_app().await;
    let spec: Value = app.get_json("/openapi.json", 200).await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for (path, operation) in [
        ("/api/v1/articles", "list_articles"),
        ("/api/v1/articles/{id_or_slug}", "get_article"),
        ("/api/v1/articles/{id_or_slug}/comments", "list_article_comments"),
        ("/api/v1/categories", "list_categories"),
        ("/api/v1/categories/{id_or_slug}", "get_category"),
        ("/api/v1/tags", "list_tags"),
        ("/api/v1/tags/{id_or_slug}", "get_tag"),
        ("/api/v1/site", "get_site"),
        ("/health", "health"),
        ("/ready", "ready"),
    ] {
        assert_eq!(spec["paths"][path]["get"]["operationId"], operation, "{path}");
    }
    let per_page = spec["paths"]["/api/v1/articles"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .unwrap()
        .clone();
    assert_eq!(per_page["schema"]["minimum"], 1);
    assert_eq!(per_page["schema"]["maximum"], 100);
    let comment = &spec["components"]["schemas"]["PublicCommentResponse"]["properties"];
    assert!(comment.get("author_email").is_none() && comment.get("ip").is_none());
}

#[tokio::test]
async fn the_docs_page_is_served_from_the_binary() {
    let app = spawn_app().await;
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status().as_u16(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app.get("/docs/").await;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("https://"), "the page must not load assets from the internet: {html}");
    let init = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(init.status().as_u16(), 200);
    assert!(init.text().await.unwrap().contains("/openapi.json"));
    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status().as_u16(), 200);
    assert!(bundle.bytes().await.unwrap().len() > 100_000);
}

#[tokio::test]
async fn head_on_the_docs_page_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    for path in ["/docs/", "/docs/swagger-ui-bundle.js"] {
        let get = app.get(path).await;
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status().as_u16(), 200, "HEAD {path}");
        assert_eq!(head.headers()["content-type"], get.headers()["content-type"], "{path}");
        assert_eq!(head.headers().get("content-length"), get.headers().get("content-length"), "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
}

/// Every `slug` a client sends or reads carries the slug rule itself (never only digits), so
/// that a generated client refuses what the server would.
#[test]
fn every_slug_in_the_spec_carries_the_slug_rule() {
    let spec: Value = serde_json::from_str(&warta::api::openapi::document_json()).unwrap();
    let mut seen = 0;
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        if let Some(slug) = schema["properties"].get("slug") {
            if slug.get("pattern").is_some() || name.ends_with("Request") {
                assert_eq!(slug["pattern"], warta::domain::slug::SLUG_PATTERN, "{name}.slug");
                seen += 1;
            }
        }
    }
    assert!(seen >= 9, "the schemas with slugs were found ({seen})");
}

#[tokio::test]
async fn list_items_are_references_to_the_one_schema_of_their_type() {
    let app = spawn_app().await;
    let spec: Value = app.get_json("/openapi.json", 200).await;
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let lists: Vec<&String> = schemas.keys().filter(|k| k.starts_with("Paginated_")).collect();
    assert!(lists.len() >= 10, "{lists:?}");
    for list in lists {
        let items = &schemas[list]["properties"]["data"]["items"];
        let item = list.trim_start_matches("Paginated_");
        assert_eq!(items["$ref"], format!("#/components/schemas/{item}"), "{list}: {items}");
        assert!(schemas.contains_key(item), "{item} is a component");
    }
}

#[tokio::test]
async fn every_webhook_event_is_described_with_its_payload() {
    let app = spawn_app().await;
    let spec: Value = app.get_json("/openapi.json", 200).await;
    let webhooks = spec["webhooks"].as_object().expect("a top-level webhooks section");
    for kind in warta::api::events::EventType::ALL {
        let post = &webhooks[kind.as_str()]["post"];
        let schema = &post["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        let name = schema.as_str().unwrap_or_else(|| panic!("{}: {post}", kind.as_str())).rsplit('/').next().unwrap();
        let body = &spec["components"]["schemas"][name];
        for field in ["type", "timestamp", "data", "cache_tags"] {
            assert!(body["properties"].get(field).is_some(), "{name} lacks {field}");
        }
        let headers: Vec<&str> =
            post["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(headers, vec!["webhook-id", "webhook-timestamp", "webhook-signature"]);
    }
    assert_eq!(webhooks.len(), warta::api::events::EventType::ALL.len());
}
