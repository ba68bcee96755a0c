//! The response cache: hot public reads are answered from memory, and no write, moderation
//! or scheduled publication is ever hidden behind a cached answer.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{spawn_app, ArticleSpec, TestApp};

async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).unwrap().trim().parse().unwrap()
}

#[tokio::test]
async fn a_hot_page_is_answered_from_the_cache_with_the_same_bytes_and_etag() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Harga Kopi", 1));
    let first = app.get("/api/v1/articles?per_page=5&page=1").await;
    let (etag, total) = (first.headers()["etag"].clone(), first.headers()["x-total-count"].clone());
    let first = first.text().await.unwrap();
    let hits = metric(&app, "warta_cache_hits_total").await;
    // The same query in another order is the same entry.
    let second = app.get("/api/v1/articles?page=1&per_page=5").await;
    assert_eq!(second.headers()["etag"], etag);
    assert_eq!(second.headers()["x-total-count"], total);
    assert!(second.headers().contains_key("link"));
    assert_eq!(second.text().await.unwrap(), first);
    assert_eq!(metric(&app, "warta_cache_hits_total").await, hits + 1);
    let revalidated = app
        .client
        .get(app.url("/api/v1/articles?per_page=5&page=1"))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status().as_u16(), 304, "a 304 straight from the cache");
}

/// Reads every public view an editor's write could change.
async fn public_views(app: &TestApp) -> Vec<String> {
    let mut views = Vec::new();
    for path in [
        "/api/v1/articles",
        "/api/v1/articles?category=ekonomi",
        "/api/v1/articles/harga-kopi",
        "/api/v1/articles/harga-kopi/comments",
        "/api/v1/categories",
        "/api/v1/categories/ekonomi",
        "/api/v1/articles?tag=kopi",
        "/api/v1/tags",
        "/api/v1/tags/kopi",
    ] {
        views.push(app.get(path).await.text().await.unwrap());
    }
    views
}

#[tokio::test]
async fn every_kind_of_write_shows_in_the_next_public_read() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let category: Value =
        app.post("/api/v1/categories", token, &json!({"name": "Ekonomi"})).await.json().await.unwrap();
    let tag: Value = app.post("/api/v1/tags", token, &json!({"name": "Kopi"})).await.json().await.unwrap();
    let other_tag: Value = app.post("/api/v1/tags", token, &json!({"name": "Teh"})).await.json().await.unwrap();
    let article: Value = app
        .post(
            "/api/v1/articles",
            token,
            &json!({"title": "Harga Kopi", "status": "published", "category_ids": [category["id"]],
                    "tag_ids": [tag["id"]]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/articles/{}", article["id"]);
    let mut before = public_views(&app).await;
    let comment: Value = app
        .post(
            "/api/v1/articles/harga-kopi/comments",
            None,
            &json!({"author_name": "A", "author_email": "a@example.com", "body": "Mantap"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let admin = app.staff("Rina", Role::Admin).await;
    let comment_path = format!("/api/v1/comments/{}", comment["id"]);
    let tag_path = format!("/api/v1/tags/{}", tag["id"]);
    for step in 0..9 {
        let (what, response) = match step {
            0 => ("edit the article", app.patch(&path, token, &json!({"title": "Harga Kopi Naik"})).await),
            1 => ("approve a comment", app.patch(&comment_path, token, &json!({"status": "approved"})).await),
            2 => ("mark it spam", app.patch(&comment_path, token, &json!({"status": "spam"})).await),
            3 => {
                let renamed = json!({"name": "Ekonomi Bisnis"});
                (
                    "rename the category",
                    app.patch(&format!("/api/v1/categories/{}", category["id"]), token, &renamed).await,
                )
            }
            4 => {
                let renamed = json!({"display_name": "Bayu P."});
                (
                    "rename the author",
                    app.patch(&format!("/api/v1/users/{}", editor.id), Some(&admin.token), &renamed).await,
                )
            }
            5 => ("rename the tag", app.patch(&tag_path, token, &json!({"name": "Kopi Arabika"})).await),
            6 => ("tag it anew", app.patch(&path, token, &json!({"tag_ids": [tag["id"], other_tag["id"]]})).await),
            7 => ("unpublish", app.patch(&path, token, &json!({"status": "draft"})).await),
            _ => ("delete the tag", app.delete(&tag_path, token).await),
        };
        assert!(response.status().is_success(), "{what}: {}", response.status());
        let after = public_views(&app).await;
        assert_ne!(after, before, "{what} is visible at once");
        before = after;
    }
}

#[tokio::test]
async fn a_scheduled_article_appears_on_time_without_a_write() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Sudah Terbit", 1));
    app.article(ArticleSpec {
        published_at: Some(Utc::now() + Duration::seconds(2)),
        ..ArticleSpec::published(author, "Terjadwal", 0)
    });
    // Warm the cache while the article is still in the future.
    for _ in 0..3 {
        assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 1);
        assert_eq!(app.get("/api/v1/articles/terjadwal").await.status().as_u16(), 404);
    }
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 2, "the list is not stale");
    assert_eq!(app.get("/api/v1/articles/terjadwal").await.status().as_u16(), 200);
}

#[tokio::test]
async fn staff_requests_bypass_the_cache() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let public = app.get("/api/v1/articles").await.text().await.unwrap();
    app.get("/api/v1/articles").await;
    let staff = app.get_as("/api/v1/articles?status=any", &editor.token).await;
    assert_eq!(staff.headers()["cache-control"], "private, no-store");
    let draft = app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "Draf"})).await;
    assert_eq!(draft.status().as_u16(), 201);
    let staff: Value = app.get_as("/api/v1/articles?status=any", &editor.token).await.json().await.unwrap();
    assert_eq!(staff["meta"]["total"], 1);
    assert_eq!(app.get("/api/v1/articles").await.text().await.unwrap(), public, "the public still sees nothing");
}

#[tokio::test]
async fn list_totals_are_kept_only_until_content_changes() {
    let app =
        crate::helpers::spawn_app_with(&[("WARTA_RESPONSE_CACHE", "off")], warta::startup::StartOptions::default())
            .await;
    let editor = app.staff("Bayu", Role::Editor).await;
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 0);
    assert_eq!(app.get_json("/api/v1/articles?per_page=5", 200).await["meta"]["total"], 0);
    let r = app
        .post("/api/v1/articles", Some(&editor.token), &json!({"title": "Baru Terbit", "status": "published"}))
        .await;
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(
        app.get_json("/api/v1/articles?per_page=5", 200).await["meta"]["total"],
        1,
        "a write moves the total on"
    );
    app.delete("/api/v1/articles/baru-terbit", Some(&editor.token)).await;
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 0);
}

/// A write by another process (another Warta on the same file, the CLI) reaches the cache
/// through the database's own write counter, which the server polls: the cached list shows
/// the new article shortly after, without any write by this server.
#[tokio::test]
async fn a_write_by_another_process_shows_in_public_reads() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec::published(author, "Berita Pertama", 2));
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 1);
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 1, "now served from the cache");

    // Its own pool, as another process would have: the server's pool never sees this write.
    let (other, _) = warta::db::connect(&app.db_path, 1).unwrap();
    let new = warta::db::articles::NewArticle {
        title: "Dari Proses Lain".into(),
        slug: None,
        excerpt: String::new(),
        body: "Isi.".into(),
        status: warta::domain::ArticleStatus::Published,
        published_at: Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
        author_id: author,
        category_ids: Vec::new(),
        tag_ids: Vec::new(),
        featured_image_url: None,
        featured_image_alt: None,
        featured_image_id: None,
        source_name: None,
        source_url: None,
        language: "id".into(),
        comment_status: warta::domain::CommentPolicy::Open,
        meta_title: None,
        meta_description: None,
        featured: false,
        primary_category_id: None,
        kind: warta::domain::ArticleKind::Story,
    };
    let by = warta::db::revisions::Reviser { user_id: author, keep: 100 };
    warta::db::articles::create(&mut other.get().unwrap(), new, by, chrono::Utc::now()).unwrap();
    let mut total = 1;
    for _ in 0..100 {
        total = app.get_json("/api/v1/articles", 200).await["meta"]["total"].as_i64().unwrap();
        if total == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(total, 2, "the other process's article is public within seconds");
}

/// More changes between two polls than a poll reads (10,000; 5 here): every one is still
/// read, once, over the next polls. On PostgreSQL the poll used to move past the rows it had
/// not reached, and another instance's cache then kept those pages stale for good.
#[tokio::test]
async fn a_backlog_longer_than_a_poll_is_read_to_the_end() {
    let app = spawn_app().await;
    let (pool, _) = warta::db::connect(&app.db_path, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let changes = |conn: &mut warta::db::Conn| -> Vec<i64> {
        use diesel::prelude::*;
        use warta::db::schema::content_changes;
        content_changes::table.select(content_changes::id).order(content_changes::id).load(conn).unwrap()
    };
    let before = changes(&mut conn);
    let mut cursor = warta::db::changes::cursor_at_end(&mut conn).unwrap().with_page(5);
    let author = app.user("Dewi", Role::Author);
    for n in 0..23 {
        app.article(ArticleSpec::published(author, &format!("Berita ke-{n}"), 2));
    }
    let recorded: Vec<i64> = changes(&mut conn).into_iter().filter(|id| !before.contains(id)).collect();
    assert!(recorded.len() >= 23, "each article recorded its change: {recorded:?}");
    let mut read = Vec::new();
    for _ in 0..20 {
        let found = warta::db::changes::poll(&mut conn, &mut cursor).unwrap();
        read.extend(found.into_iter().map(|(id, _)| id));
    }
    read.sort();
    assert_eq!(read, recorded, "every change read once");
}

/// The review's reproduction: nothing at all is sent between the publication time and the
/// next read, so only the clock can tell the cache that the article is due.
#[tokio::test]
async fn a_scheduled_article_reaches_cached_lists_and_counts_with_no_request_in_between() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let desk = app.category("Dalam Negeri", None);
    app.article(ArticleSpec::published(author, "Sudah Terbit", 1).in_categories(&[desk]));
    app.article(ArticleSpec {
        published_at: Some(Utc::now() + Duration::seconds(6)),
        ..ArticleSpec::published(author, "Berita Pukul Enam", 0).in_categories(&[desk])
    });
    // Past the polls that follow the fixtures' writes, so that nothing but the clock can move
    // the cached answers on.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let views = ["/api/v1/articles?per_page=1", "/api/v1/articles?category=dalam-negeri", "/api/v1/categories"];
    for _ in 0..2 {
        for path in views {
            app.get(path).await;
        }
    }
    assert!(served_from_cache(&app, "/api/v1/articles?per_page=1").await, "the list is cached");
    assert_eq!(app.get_json("/api/v1/articles?per_page=1", 200).await["meta"]["total"], 1);
    // Silence past the publication time and past more than one poll of the database.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    let list = app.get_json("/api/v1/articles?per_page=1", 200).await;
    assert_eq!(list["meta"]["total"], 2, "the list counts the due article");
    assert_eq!(list["data"][0]["slug"], "berita-pukul-enam", "and shows it first");
    let filtered = app.get_json("/api/v1/articles?category=dalam-negeri", 200).await;
    assert_eq!(filtered["meta"]["total"], 2, "the category's list too");
    let categories = app.get_json("/api/v1/categories", 200).await;
    assert_eq!(categories["data"][0]["article_count"], 2, "and the category's count");
}

async fn hits_and_misses(app: &TestApp) -> (u64, u64) {
    (metric(app, "warta_cache_hits_total").await, metric(app, "warta_cache_misses_total").await)
}

/// Reads `path` and says whether the cache answered it.
async fn served_from_cache(app: &TestApp, path: &str) -> bool {
    let (hits, _) = hits_and_misses(app).await;
    assert_eq!(app.get(path).await.status().as_u16(), 200, "{path}");
    hits_and_misses(app).await.0 == hits + 1
}

#[tokio::test]
async fn writes_the_public_cannot_see_leave_cached_responses_in_place() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let editor = app.staff("Bayu", Role::Editor).await;
    let desk = app.category("Ekonomi", None);
    app.article(ArticleSpec::published(author, "Harga Kopi", 1).in_categories(&[desk]));
    let draft = app.article(ArticleSpec::draft(author, "Draf Rahasia"));
    let views = [
        "/api/v1/articles?per_page=10",
        "/api/v1/articles/harga-kopi",
        "/api/v1/articles/harga-kopi/comments",
        "/api/v1/categories",
    ];
    for path in views {
        app.get(path).await;
    }
    // A reader's comment (pending), a login, a refresh, a draft edit: none of it is public.
    let comment = json!({"author_name": "Siti", "author_email": "siti@example.com", "body": "Kapan turun?"});
    let posted = app.post("/api/v1/articles/harga-kopi/comments", None, &comment).await;
    assert_eq!(posted.status().as_u16(), 201);
    let staff = app.staff("Rina", Role::Editor).await;
    let refreshed = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": staff.refresh})).await;
    assert_eq!(refreshed.status().as_u16(), 200);
    let edited =
        app.patch(&format!("/api/v1/articles/{draft}"), Some(&editor.token), &json!({"title": "Draf Lagi"})).await;
    assert_eq!(edited.status().as_u16(), 200);
    for path in views {
        assert!(served_from_cache(&app, path).await, "{path} is still served from the cache");
    }
}

#[tokio::test]
async fn an_approved_comment_refreshes_its_article_and_lists_but_not_other_articles_or_categories() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let editor = app.staff("Bayu", Role::Editor).await;
    let first = app.article(ArticleSpec::published(author, "Harga Kopi", 1));
    app.article(ArticleSpec::published(author, "Harga Beras", 2));
    let comment = app.comment(first, "siti@example.com", "Mantap", warta::domain::CommentStatus::Pending, 0);
    let views = [
        "/api/v1/articles",
        "/api/v1/articles/harga-kopi",
        "/api/v1/articles/harga-kopi/comments",
        "/api/v1/articles/harga-beras",
        "/api/v1/categories",
        "/api/v1/site",
    ];
    for path in views {
        app.get(path).await;
    }
    let approve = json!({"status": "approved"});
    let approved = app.patch(&format!("/api/v1/comments/{comment}"), Some(&editor.token), &approve).await;
    assert_eq!(approved.status().as_u16(), 200);
    assert_eq!(app.get_json("/api/v1/articles/harga-kopi", 200).await["comment_count"], 1);
    assert_eq!(app.get_json("/api/v1/articles/harga-kopi/comments", 200).await["meta"]["total"], 1);
    let list = app.get_json("/api/v1/articles", 200).await;
    assert_eq!(list["data"][0]["comment_count"], 1, "the list shows the new count");
    assert!(served_from_cache(&app, "/api/v1/articles/harga-beras").await, "another article stays cached");
    assert!(served_from_cache(&app, "/api/v1/categories").await, "category lists stay cached");
    assert!(served_from_cache(&app, "/api/v1/site").await, "the site's settings stay cached");
}

/// A user deleted with reassignment changes whose articles they are: the author filter's
/// list and its kept total follow at once.
#[tokio::test]
async fn reassigning_a_deleted_author_s_articles_moves_the_author_filters_totals() {
    let app = spawn_app().await;
    let admin = app.staff("Rina", Role::Admin).await;
    let dewi = app.user("Dewi", Role::Author);
    let joko = app.user("Joko", Role::Author);
    app.article(ArticleSpec::published(dewi, "Harga Kopi", 1));
    app.article(ArticleSpec::published(dewi, "Harga Beras", 2));
    app.article(ArticleSpec::published(joko, "Banjir Jakarta", 3));
    for _ in 0..2 {
        assert_eq!(app.get_json("/api/v1/articles?author=joko", 200).await["meta"]["total"], 1);
        assert_eq!(app.get_json("/api/v1/articles?author=dewi", 200).await["meta"]["total"], 2);
    }
    let gone = app.delete(&format!("/api/v1/users/{dewi}?reassign_to={joko}"), Some(&admin.token)).await;
    assert_eq!(gone.status().as_u16(), 204);
    let joko_list = app.get_json("/api/v1/articles?author=joko", 200).await;
    assert_eq!(joko_list["meta"]["total"], 3, "{joko_list}");
    assert_eq!(joko_list["data"].as_array().unwrap().len(), 3);
}
