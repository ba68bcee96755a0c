//! Full-text search: accents, case, prefixes, ranking, filters, and hostile input.

use serde_json::Value;
use warta::domain::Role;

use crate::helpers::{spawn_app, ArticleSpec, TestApp};

fn titles(body: &Value) -> Vec<String> {
    body["data"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
}

async fn newsroom() -> TestApp {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let ekonomi = app.category("Ekonomi", None);
    app.article(ArticleSpec {
        body: "Pengusaha membuka kafé baru di pusat kota.".into(),
        ..ArticleSpec::published(author, "Bisnis Kuliner Tumbuh", 5)
    });
    app.article(ArticleSpec {
        body: "Harga naik.".into(),
        ..ArticleSpec::published(author, "Kafé Pinggir Sawah Ramai Pengunjung", 4).in_categories(&[ekonomi])
    });
    app.article(ArticleSpec {
        body: "Ekspor kopi robusta meningkat tajam tahun ini.".into(),
        ..ArticleSpec::published(author, "Perusahaan Ekspor Kopi Kini Ramai", 3).in_categories(&[ekonomi])
    });
    app.article(ArticleSpec { body: "Kafé rahasia.".into(), ..ArticleSpec::draft(author, "Draf Tentang Kafé") });
    app
}

#[tokio::test]
async fn search_ignores_accents_and_case_and_ranks_title_matches_first() {
    let app = newsroom().await;
    let found = app.get_json("/api/v1/articles?search=KAFE", 200).await;
    assert_eq!(titles(&found), ["Kafé Pinggir Sawah Ramai Pengunjung", "Bisnis Kuliner Tumbuh"]);
    assert_eq!(found["meta"]["total"], 2, "the draft is not found");
    let ascending = app.get_json("/api/v1/articles?search=kafe&order=asc", 200).await;
    assert_eq!(titles(&ascending), ["Bisnis Kuliner Tumbuh", "Kafé Pinggir Sawah Ramai Pengunjung"]);
    let by_date = app.get_json("/api/v1/articles?search=kafe&order_by=published_at", 200).await;
    assert_eq!(titles(&by_date), ["Kafé Pinggir Sawah Ramai Pengunjung", "Bisnis Kuliner Tumbuh"]);
}

#[tokio::test]
async fn the_last_word_matches_as_a_prefix() {
    let app = newsroom().await;
    assert_eq!(
        titles(&app.get_json("/api/v1/articles?search=ekspor%20ko", 200).await),
        ["Perusahaan Ekspor Kopi Kini Ramai"]
    );
    assert_eq!(
        titles(&app.get_json("/api/v1/articles?search=robus", 200).await),
        ["Perusahaan Ekspor Kopi Kini Ramai"]
    );
    assert_eq!(
        app.get_json("/api/v1/articles?search=kopi%20sawah", 200).await["meta"]["total"],
        0,
        "all words must match"
    );
}

#[tokio::test]
async fn search_combines_with_filters_and_pagination() {
    let app = newsroom().await;
    let found = app.get_json("/api/v1/articles?search=ramai&category=ekonomi&per_page=1&page=2", 200).await;
    assert_eq!(found["meta"]["total"], 2);
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    let in_bisnis = app.get_json("/api/v1/articles?search=kafe&category=ekonomi", 200).await;
    assert_eq!(titles(&in_bisnis), ["Kafé Pinggir Sawah Ramai Pengunjung"]);
    let empty = app.get_json("/api/v1/articles?search=", 200).await;
    assert_eq!(empty["meta"]["total"], 3, "an empty search box lists everything");
}

#[tokio::test]
async fn hostile_search_input_is_searched_as_text_never_an_error() {
    let app = newsroom().await;
    for input in [
        "\"unterminated",
        "kopi*",
        "-kopi",
        "kopi NEAR(ramai",
        "kopi AND OR NOT",
        "((((kopi",
        "'; DROP TABLE articles; --",
        "title:kopi",
        "kopi^2 {x} [y]",
        "%27%22%5C",
        "NULL",
    ] {
        let path = format!("/api/v1/articles?search={}", urlencode(input));
        let response = app.get(&path).await;
        let status = response.status().as_u16();
        assert!(status == 200 || status == 422, "{input}: {status}");
        assert_eq!(
            response.headers()["content-type"],
            if status == 200 { "application/json" } else { "application/problem+json" }
        );
    }
    for input in ["***", "\"\"", "(((", "-"] {
        let found = app.get_json(&format!("/api/v1/articles?search={}", urlencode(input)), 200).await;
        assert_eq!(found["meta"]["total"], 0, "{input}: nothing to search for finds nothing");
    }
    assert_eq!(app.invalid_fields(&format!("/api/v1/articles?search={}", "a".repeat(201))).await, ["search"]);
    let unranked = app.get_json("/api/v1/articles?order_by=relevance", 200).await;
    assert_eq!(unranked, app.get_json("/api/v1/articles", 200).await, "relevance without a search: newest first");
    assert_eq!(app.get_json("/api/v1/articles?per_page=100", 200).await["meta"]["total"], 3, "nothing was harmed");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
