//! The public article list and single articles.

use chrono::{Duration, Utc};
use serde_json::Value;
use warta::domain::{ArticleStatus, Role};

use crate::helpers::{spawn_app, titles, ArticleSpec, TestApp};

/// Three public articles, a draft, an archived and a scheduled one.
async fn newsroom() -> (TestApp, i64) {
    let app = spawn_app().await;
    let author = app.user("Dewi Anggraini", Role::Author);
    app.article(ArticleSpec::published(author, "Berita Lama", 30));
    app.article(ArticleSpec::published(author, "Berita Kemarin", 20));
    app.article(ArticleSpec::published(author, "Berita Baru", 1));
    app.article(ArticleSpec::draft(author, "Draf Rahasia"));
    app.article(ArticleSpec { status: ArticleStatus::Archived, ..ArticleSpec::published(author, "Arsip Lama", 40) });
    app.article(ArticleSpec {
        published_at: Some(Utc::now() + Duration::hours(5)),
        ..ArticleSpec::published(author, "Berita Terjadwal", 0)
    });
    (app, author)
}

#[tokio::test]
async fn published_articles_are_listed_newest_first_as_summaries() {
    let (app, _) = newsroom().await;
    let body = app.get_json("/api/v1/articles", 200).await;
    assert_eq!(titles(&body), ["Berita Baru", "Berita Kemarin", "Berita Lama"]);
    assert_eq!(
        body["meta"],
        serde_json::json!({"page": 1, "per_page": 10, "total": 3, "total_pages": 1, "total_exact": true})
    );
    let first = &body["data"][0];
    assert!(first.get("body").is_none() && first.get("body_html").is_none(), "{first}");
    assert_eq!(first["status"], "published");
    assert_eq!(first["author"]["display_name"], "Dewi Anggraini");
    assert!(first["author"].get("email").is_none());
    assert!(first["published_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn include_body_adds_the_body_and_its_html_to_list_items() {
    let (app, _) = newsroom().await;
    let body = app.get_json("/api/v1/articles?include=body", 200).await;
    let items = body["data"].as_array().unwrap();
    assert_eq!(items.len(), body["meta"]["total"].as_u64().unwrap() as usize);
    assert!(!items.is_empty());
    for item in items {
        assert!(item["body"].as_str().unwrap().starts_with("Jakarta (Kabar Harapan)"));
        assert!(item["body_html"].as_str().unwrap().starts_with("<p>Jakarta (Kabar Harapan)"));
    }
}

#[tokio::test]
async fn drafts_archived_and_scheduled_articles_are_invisible_to_anonymous_readers() {
    let (app, _) = newsroom().await;
    let body = app.get_json("/api/v1/articles?per_page=100", 200).await;
    assert_eq!(body["meta"]["total"], 3);
    for hidden in ["draf-rahasia", "arsip-lama", "berita-terjadwal"] {
        assert!(!titles(&body).iter().any(|t| t.to_lowercase().replace(' ', "-") == hidden));
        let response = app.get(&format!("/api/v1/articles/{hidden}")).await;
        assert_eq!(response.status().as_u16(), 404, "{hidden}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let response = app.get(&format!("/api/v1/articles/{hidden}/comments")).await;
        assert_eq!(response.status().as_u16(), 404, "{hidden} comments");
    }
    // and by id: ids 4, 5 and 6 are the hidden ones
    for id in 4..=6 {
        assert_eq!(app.get(&format!("/api/v1/articles/{id}")).await.status().as_u16(), 404);
    }
}

#[tokio::test]
async fn a_scheduled_article_appears_once_its_time_has_come() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec {
        published_at: Some(Utc::now() + Duration::seconds(2)),
        ..ArticleSpec::published(author, "Segera Terbit", 0)
    });
    assert_eq!(app.get("/api/v1/articles/segera-terbit").await.status().as_u16(), 404);
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    let article = app.get_json("/api/v1/articles/segera-terbit", 200).await;
    assert_eq!(article["title"], "Segera Terbit");
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 1);
}

#[tokio::test]
async fn a_single_article_is_found_by_id_and_by_slug_with_its_full_body() {
    let app = spawn_app().await;
    let author = app.user("Dewi Anggraini", Role::Author);
    let category = app.category("Luar Negeri", None);
    let id = app.article(
        ArticleSpec {
            body: "Teheran (Kabar Harapan) – Harga **kopi** naik.\n\n## Latar\n\nTeks kedua.".into(),
            ..ArticleSpec::published(author, "Perusahaan Ekspor Kopi Kini Ramai", 2)
        }
        .in_categories(&[category]),
    );
    let by_slug = app.get_json("/api/v1/articles/perusahaan-ekspor-kopi-kini-ramai", 200).await;
    let by_id = app.get_json(&format!("/api/v1/articles/{id}"), 200).await;
    assert_eq!(by_slug, by_id);
    assert_eq!(by_id["slug"], "perusahaan-ekspor-kopi-kini-ramai");
    assert_eq!(by_id["excerpt"], "Teheran (Kabar Harapan) – Harga kopi naik.");
    assert!(by_id["body_html"].as_str().unwrap().contains("<strong>kopi</strong>"));
    assert!(by_id["body_html"].as_str().unwrap().contains("<h2>Latar</h2>"));
    assert_eq!(
        by_id["categories"],
        serde_json::json!([{"id": category, "slug": "luar-negeri", "name": "Luar Negeri"}])
    );
    assert_eq!(by_id["source_name"], "Anadolu");
    assert_eq!(by_id["comment_count"], 0);
}

#[tokio::test]
async fn body_html_is_sanitized_and_a_written_excerpt_is_kept() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec {
        body: "Halo <script>alert('x')</script> dunia\n\n<img src=x onerror=alert(1)>\n\n[klik](javascript:alert(1))\n\n<iframe src=\"https://evil.example\"></iframe>".into(),
        excerpt: "Ringkasan dari redaksi.".into(),
        ..ArticleSpec::published(author, "Uji Keamanan", 1)
    });
    let article = app.get_json("/api/v1/articles/uji-keamanan", 200).await;
    let html = article["body_html"].as_str().unwrap();
    for bad in ["<script", "onerror", "javascript:", "<iframe"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert_eq!(article["excerpt"], "Ringkasan dari redaksi.");
}

#[tokio::test]
async fn articles_filter_by_category_slug_or_id() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let dalam = app.category("Dalam Negeri", None);
    let luar = app.category("Luar Negeri", None);
    app.article(ArticleSpec::published(author, "Pemilu Daerah", 3).in_categories(&[dalam]));
    app.article(ArticleSpec::published(author, "Konflik Perbatasan", 2).in_categories(&[luar]));
    app.article(ArticleSpec::published(author, "Kerja Sama Dagang", 1).in_categories(&[dalam, luar]));
    app.article(ArticleSpec::draft(author, "Draf Luar").in_categories(&[luar]));

    let by_slug = app.get_json("/api/v1/articles?category=luar-negeri", 200).await;
    assert_eq!(titles(&by_slug), ["Kerja Sama Dagang", "Konflik Perbatasan"]);
    let by_id = app.get_json(&format!("/api/v1/articles?category={dalam}"), 200).await;
    assert_eq!(titles(&by_id), ["Kerja Sama Dagang", "Pemilu Daerah"]);
    let unknown = app.get_json("/api/v1/articles?category=olahraga", 200).await;
    assert_eq!(unknown["meta"]["total"], 0);
}

#[tokio::test]
async fn articles_filter_by_author_slug_or_id() {
    let app = spawn_app().await;
    let dewi = app.user("Dewi Anggraini", Role::Author);
    let bayu = app.user("Bayu Prasetyo", Role::Editor);
    app.article(ArticleSpec::published(dewi, "Tulisan Dewi", 2));
    app.article(ArticleSpec::published(bayu, "Tulisan Bayu", 1));
    assert_eq!(titles(&app.get_json("/api/v1/articles?author=dewi-anggraini", 200).await), ["Tulisan Dewi"]);
    assert_eq!(titles(&app.get_json(&format!("/api/v1/articles?author={bayu}"), 200).await), ["Tulisan Bayu"]);
}

#[tokio::test]
async fn articles_filter_by_publication_time() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Tiga Hari Lalu", 72));
    app.article(ArticleSpec::published(author, "Dua Hari Lalu", 48));
    app.article(ArticleSpec::published(author, "Sejam Lalu", 1));
    let fmt = |h: i64| (Utc::now() - Duration::hours(h)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let after = app.get_json(&format!("/api/v1/articles?after={}", fmt(60)), 200).await;
    assert_eq!(titles(&after), ["Sejam Lalu", "Dua Hari Lalu"]);
    let before = app.get_json(&format!("/api/v1/articles?before={}", fmt(24)), 200).await;
    assert_eq!(titles(&before), ["Dua Hari Lalu", "Tiga Hari Lalu"]);
    let between = app.get_json(&format!("/api/v1/articles?after={}&before={}", fmt(60), fmt(24)), 200).await;
    assert_eq!(titles(&between), ["Dua Hari Lalu"]);
    // an offset other than Z is understood
    let offset = (Utc::now() - Duration::hours(60)).with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap());
    let with_offset =
        app.get_json(&format!("/api/v1/articles?after={}", offset.format("%Y-%m-%dT%H:%M:%S%%2B07:00")), 200).await;
    assert_eq!(titles(&with_offset), ["Sejam Lalu", "Dua Hari Lalu"]);
}

#[tokio::test]
async fn articles_can_be_ordered_by_title_update_time_and_direction() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let now = Utc::now();
    for (title, published, written) in [("Banjir", 3, 1), ("Angin", 2, 3), ("Cuaca", 1, 2)] {
        app.article(ArticleSpec {
            written_at: Some(now - Duration::hours(written)),
            ..ArticleSpec::published(author, title, published)
        });
    }
    assert_eq!(titles(&app.get_json("/api/v1/articles?order_by=title", 200).await), ["Angin", "Banjir", "Cuaca"]);
    assert_eq!(
        titles(&app.get_json("/api/v1/articles?order_by=title&order=desc", 200).await),
        ["Cuaca", "Banjir", "Angin"]
    );
    assert_eq!(titles(&app.get_json("/api/v1/articles?order=asc", 200).await), ["Banjir", "Angin", "Cuaca"]);
    assert_eq!(titles(&app.get_json("/api/v1/articles?order_by=updated_at", 200).await), ["Banjir", "Cuaca", "Angin"]);
}

#[tokio::test]
async fn bad_list_parameters_are_a_422_naming_every_one() {
    let app = spawn_app().await;
    let fields = app
        .invalid_fields(
            "/api/v1/articles?category=Bad%20Slug&author=-1&after=yesterday&before=2024-13-01&order_by=random&order=up&include=comments&colour=red",
        )
        .await;
    assert_eq!(fields, ["after", "author", "before", "category", "colour", "include", "order", "order_by"]);
    assert_eq!(app.invalid_fields("/api/v1/articles?page=1&page=2").await, ["page"]);
}

#[tokio::test]
async fn pagination_edges_are_exact() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    for i in 0..5 {
        app.article(ArticleSpec::published(author, &format!("Berita {i}"), 10 - i));
    }
    let page2 = app.get("/api/v1/articles?per_page=2&page=2").await;
    assert_eq!(page2.headers()["x-total-count"], "5");
    let link = page2.headers()["link"].to_str().unwrap().to_owned();
    assert_eq!(
        link,
        "</api/v1/articles?page=1&per_page=2>; rel=\"first\", </api/v1/articles?page=1&per_page=2>; rel=\"prev\", \
         </api/v1/articles?page=3&per_page=2>; rel=\"next\", </api/v1/articles?page=3&per_page=2>; rel=\"last\""
    );
    let mut body: Value = page2.json().await.unwrap();
    assert_eq!(titles(&body), ["Berita 2", "Berita 1"]);
    let cursor = body["meta"].as_object_mut().unwrap().remove("next_cursor");
    assert!(cursor.is_some_and(|c| c.is_string()), "a page with a successor offers a cursor");
    assert_eq!(
        body["meta"],
        serde_json::json!({"page": 2, "per_page": 2, "total": 5, "total_pages": 3, "total_exact": true})
    );

    let past = app.get_json("/api/v1/articles?per_page=2&page=9", 200).await;
    assert_eq!(past["data"], serde_json::json!([]));
    assert_eq!(
        past["meta"],
        serde_json::json!({"page": 9, "per_page": 2, "total": 5, "total_pages": 3, "total_exact": true})
    );

    let last = app.get("/api/v1/articles?per_page=2&page=3").await;
    let link = last.headers()["link"].to_str().unwrap();
    assert!(!link.contains("rel=\"next\""), "{link}");

    for bad in
        ["per_page=0", "per_page=101", "page=0", "page=-1", "per_page=ten", "page=1.5", "page=99999999999999999999"]
    {
        let field = bad.split('=').next().unwrap();
        assert_eq!(app.invalid_fields(&format!("/api/v1/articles?{bad}")).await, [field], "{bad}");
    }
    assert_eq!(app.get_json("/api/v1/articles?per_page=100", 200).await["meta"]["per_page"], 100);
}

#[tokio::test]
async fn an_empty_archive_lists_nothing_with_one_page_of_links() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/articles").await;
    assert_eq!(response.headers()["x-total-count"], "0");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"data": [], "meta": {"page": 1, "per_page": 10, "total": 0, "total_pages": 0, "total_exact": true}})
    );
}
