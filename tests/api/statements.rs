//! No query per row: a list costs the same few statements whatever its page size.

use warta::domain::{CommentStatus, Role};

use crate::helpers::{spawn_app_with, ArticleSpec, TestApp};
use warta::startup::StartOptions;

async fn statements_for(app: &TestApp, path: &str) -> u64 {
    // Warm up so that pool connections exist (their set-up is not the request's cost).
    app.get_json(path, 200).await;
    // A due scheduled publication or the content poll may expire a kept list total once:
    // the fewest statements of three requests is the cost of a request.
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = app.stats.statements();
        app.get_json(path, 200).await;
        fewest = fewest.min(app.stats.statements() - before);
    }
    fewest
}

#[tokio::test]
async fn a_list_costs_the_same_few_statements_whatever_per_page_is() {
    // Uncached: the cost of computing a list, not of a cache hit.
    let app = spawn_app_with(&[("WARTA_RESPONSE_CACHE", "off")], StartOptions::default()).await;
    let categories: Vec<i64> = (0..5).map(|i| app.category(&format!("Rubrik {i}"), None)).collect();
    let authors: Vec<i64> = (0..5).map(|i| app.user(&format!("Penulis {i}"), Role::Author)).collect();
    let tags: Vec<i64> = (0..5).map(|i| app.tag(&format!("Label {i}"))).collect();
    for i in 0..60 {
        let article = app.article(
            ArticleSpec::published(authors[i % 5], &format!("Berita {i}"), 100 - i as i64)
                .in_categories(&[categories[i % 5], categories[(i + 1) % 5]])
                .tagged(&[tags[i % 5], tags[(i + 2) % 5]]),
        );
        app.comment(article, "a@example.com", "Komentar", CommentStatus::Approved, 0);
    }

    for (path, limit) in [
        // the count, the page, authors, categories, tags (and bodies), and the snapshot's two
        ("/api/v1/articles?include=body", 8),
        ("/api/v1/articles", 7),
        ("/api/v1/articles?category=rubrik-1", 7),
        ("/api/v1/articles?tag=label-1", 7),
        // the count, the title tier's count, the ranked page, then as any list
        ("/api/v1/articles?search=berita", 9),
        ("/api/v1/categories", 5),
        ("/api/v1/tags", 5),
        ("/api/v1/tags?search=lab", 5),
        ("/api/v1/articles/berita-1/comments", 5),
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let one = statements_for(&app, &format!("{path}{sep}per_page=1")).await;
        let many = statements_for(&app, &format!("{path}{sep}per_page=50")).await;
        assert_eq!(one, many, "{path}: {one} statements for 1 item, {many} for 50");
        assert!(many <= limit, "{path}: {many} statements");
        assert!(many >= 2, "the counter counts ({path}: {many})");
    }
}

/// Moderating the head of a thread re-decides every reply below it, a level at a time: the
/// cost follows the depth of the thread, not the number of replies.
#[tokio::test]
async fn moderating_a_thread_costs_the_same_for_few_or_many_replies() {
    let app = spawn_app_with(&[("WARTA_RESPONSE_CACHE", "off")], StartOptions::default()).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let author = app.user("Dewi", Role::Author);
    let mut cost = Vec::new();
    for (i, replies) in [2usize, 20].into_iter().enumerate() {
        let article = app.article(ArticleSpec::published(author, &format!("Utas {i}"), 5));
        let head = app.comment(article, "a@example.com", "Induk", CommentStatus::Approved, 3);
        for r in 0..replies {
            let reply = app.reply(article, head, &format!("Balasan {r}"), 2);
            app.reply(article, reply, &format!("Balasan balasan {r}"), 1);
        }
        let path = format!("/api/v1/comments/{head}");
        let before = app.stats.statements();
        let r = app.patch(&path, Some(&editor.token), &serde_json::json!({"status": "spam"})).await;
        assert_eq!(r.status().as_u16(), 200);
        cost.push(app.stats.statements() - before);
        let public = app.get_json(&format!("/api/v1/articles/utas-{i}/comments"), 200).await;
        assert_eq!(public["meta"]["total"], 0, "the whole thread is hidden with its head");
    }
    assert_eq!(cost[0], cost[1], "statements for 2 and for 20 replies per level: {cost:?}");
}

/// An edit costs the same statements whatever the article is filed under, and without
/// `If-Match` the edit rules read the article's row alone (the full representation is read
/// once, for the answer).
#[tokio::test]
async fn an_edit_costs_the_same_few_statements_whatever_the_article_carries() {
    let app = spawn_app_with(&[], StartOptions::default()).await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let author = app.user("Dewi", Role::Author);
    let categories: Vec<i64> = (0..10).map(|i| app.category(&format!("Rubrik {i}"), None)).collect();
    let tags: Vec<i64> = (0..10).map(|i| app.tag(&format!("Label {i}"))).collect();
    let few =
        app.article(ArticleSpec::published(author, "Sedikit", 2).in_categories(&categories[..1]).tagged(&tags[..1]));
    let many = app.article(ArticleSpec::published(author, "Banyak", 1).in_categories(&categories).tagged(&tags));
    let mut cost = Vec::new();
    for id in [few, many] {
        let path = format!("/api/v1/articles/{id}");
        let mut fewest = u64::MAX;
        for round in 0..3 {
            let before = app.stats.statements();
            let body = serde_json::json!({"meta_description": format!("Ringkasan {round}")});
            let r = app.patch(&path, Some(&editor.token), &body).await;
            assert_eq!(r.status().as_u16(), 200);
            fewest = fewest.min(app.stats.statements() - before);
        }
        cost.push(fewest);
    }
    eprintln!("statements per edit: {cost:?}");
    assert_eq!(cost[0], cost[1], "statements for 1 and for 10 categories and tags: {cost:?}");
    assert!(cost[0] <= 24, "an edit runs {} statements", cost[0]);
}
