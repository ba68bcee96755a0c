//! Pages (`kind: page`): the about page, the masthead, the code of conduct. Read by their slug
//! like any article, listed with `kind=page`, and out of every story list, count and search.

use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{invalid_fields_of, problem, spawn_app, titles, ArticleSpec};

#[tokio::test]
async fn a_page_is_read_by_its_slug_and_left_out_of_every_story_list() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let author = app.staff("Dewi", Role::Author).await;
    let dalam = app.category("Dalam Negeri", None);
    let pemilu = app.tag("Pemilu 2024");
    app.article(ArticleSpec::published(author.id, "Harga Kopi Redaksi", 2).in_categories(&[dalam]).tagged(&[pemilu]));
    // Warm the cached story list and its count before the page exists.
    assert_eq!(app.get_json("/api/v1/articles", 200).await["meta"]["total"], 1);

    let page = json!({
        "title": "Redaksi", "slug": "redaksi", "kind": "page", "status": "published",
        "body": "Pemimpin redaksi: Rina. Surel redaksi@kabarharapan.example",
        "category_ids": [dalam], "tag_ids": [pemilu],
    });
    let r = app.post("/api/v1/articles", Some(&editor.token), &page).await;
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["kind"], "page");
    let read = app.get_json("/api/v1/articles/redaksi", 200).await;
    assert_eq!((read["kind"].as_str(), read["title"].as_str()), (Some("page"), Some("Redaksi")));
    assert_eq!(app.get_json(&format!("/api/v1/articles/{}", created["id"]), 200).await["slug"], "redaksi");

    // Out of the story lists, their counts and searches, whatever the filter...
    for path in [
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles?category={dalam}"),
        "/api/v1/articles?tag=pemilu-2024".to_owned(),
        format!("/api/v1/articles?author={}", editor.id),
        "/api/v1/articles?search=redaksi".to_owned(),
        "/api/v1/articles?order_by=title".to_owned(),
        "/api/v1/articles?featured=false".to_owned(),
    ] {
        let list = app.get_json(&path, 200).await;
        assert!(!titles(&list).contains(&"Redaksi".to_owned()), "{path}: {list}");
    }
    let stories = app.get_json("/api/v1/articles", 200).await;
    assert_eq!((titles(&stories), stories["meta"]["total"].as_i64()), (vec!["Harga Kopi Redaksi".to_owned()], Some(1)));
    assert_eq!(app.get_json("/api/v1/articles?search=redaksi", 200).await["meta"]["total"], 1);
    // ...and out of what counts stories: categories, tags, the authors of the public.
    assert_eq!(app.get_json(&format!("/api/v1/categories/{dalam}"), 200).await["article_count"], 1);
    assert_eq!(app.get_json("/api/v1/tags/pemilu-2024", 200).await["article_count"], 1);
    problem(app.get(&format!("/api/v1/authors/{}", editor.id)).await, 404).await;
    // Staff lists hold stories too, unless they ask for pages.
    let any = app.get_json_as("/api/v1/articles?status=any", &editor.token).await;
    assert_eq!(titles(&any), ["Harga Kopi Redaksi"]);

    // `kind=page` lists the pages, with every filter, search and cursor pages.
    let pages = app.get_json("/api/v1/articles?kind=page", 200).await;
    assert_eq!((titles(&pages), pages["meta"]["total"].as_i64()), (vec!["Redaksi".to_owned()], Some(1)));
    assert_eq!(pages["data"][0]["kind"], "page");
    assert_eq!(titles(&app.get_json("/api/v1/articles?kind=page&search=surel", 200).await), ["Redaksi"]);
    assert_eq!(titles(&app.get_json(&format!("/api/v1/articles?kind=page&category={dalam}"), 200).await), ["Redaksi"]);
    assert_eq!(titles(&app.get_json("/api/v1/articles?kind=story&search=surel", 200).await), Vec::<String>::new());
    let r = app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "Pedoman", "kind": "page"})).await;
    assert_eq!(r.status().as_u16(), 201);
    let draft_page = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let staff_pages = app.get_json_as("/api/v1/articles?kind=page&status=any&per_page=1", &editor.token).await;
    assert_eq!(staff_pages["meta"]["total"], 2);
    let cursor = staff_pages["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let next_path = format!("/api/v1/articles?kind=page&status=any&per_page=1&cursor={cursor}");
    let next = app.get_json_as(&next_path, &editor.token).await;
    let both = [titles(&staff_pages), titles(&next)].concat();
    assert_eq!(both, ["Redaksi", "Pedoman"]);
    // The public never sees the draft page.
    assert_eq!(app.get_json("/api/v1/articles?kind=page", 200).await["meta"]["total"], 1);
    problem(app.get(&format!("/api/v1/articles/{draft_page}")).await, 404).await;
}

#[tokio::test]
async fn editors_turn_stories_into_pages_and_back_and_the_cached_lists_follow() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let author = app.staff("Dewi", Role::Author).await;
    let dalam = app.category("Dalam Negeri", None);
    let kopi = app.article(ArticleSpec::published(author.id, "Kopi", 2).in_categories(&[dalam]));
    app.article(ArticleSpec::published(author.id, "Beras", 1));
    assert_eq!(titles(&app.get_json("/api/v1/articles", 200).await), ["Beras", "Kopi"]);
    assert_eq!(app.get_json(&format!("/api/v1/categories/{dalam}"), 200).await["article_count"], 1);
    assert_eq!(app.get_json("/api/v1/articles?kind=page", 200).await["meta"]["total"], 0);

    let path = format!("/api/v1/articles/{kopi}");
    let r = app.patch(&path, Some(&editor.token), &json!({"kind": "page"})).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["kind"], "page");
    let stories = app.get_json("/api/v1/articles", 200).await;
    assert_eq!((titles(&stories), stories["meta"]["total"].as_i64()), (vec!["Beras".to_owned()], Some(1)));
    assert_eq!(titles(&app.get_json("/api/v1/articles?kind=page", 200).await), ["Kopi"]);
    assert_eq!(app.get_json(&format!("/api/v1/categories/{dalam}"), 200).await["article_count"], 0);
    assert_eq!(app.get_json(&path, 200).await["kind"], "page");

    // Back to a story.
    assert_eq!(app.patch(&path, Some(&editor.token), &json!({"kind": "story"})).await.status().as_u16(), 200);
    assert_eq!(titles(&app.get_json("/api/v1/articles", 200).await), ["Beras", "Kopi"]);
    assert_eq!(app.get_json("/api/v1/articles?kind=page", 200).await["meta"]["total"], 0);
    assert_eq!(app.get_json(&format!("/api/v1/categories/{dalam}"), 200).await["article_count"], 1);

    // Each change of kind is an audit entry naming the field (actors have a `kind` of their own,
    // so the summaries are what is looked at).
    let admin = app.staff("Rina", Role::Admin).await;
    let audit = app.get_json_as(&format!("/api/v1/audit?entity=article&entity_id={kopi}"), &admin.token).await;
    let summaries: Vec<&str> = audit["data"].as_array().unwrap().iter().filter_map(|e| e["summary"].as_str()).collect();
    assert_eq!(summaries.iter().filter(|s| s.ends_with(": kind")).count(), 2, "{summaries:?}");
}

#[tokio::test]
async fn only_editors_and_admins_make_pages_and_a_bad_kind_is_named() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let author = app.staff("Dewi", Role::Author).await;
    let contributor = app.staff("Fajar", Role::Contributor).await;
    for who in [&author, &contributor] {
        let r = app.post("/api/v1/articles", Some(&who.token), &json!({"title": "Tentang", "kind": "page"})).await;
        let body = problem(r, 403).await;
        assert!(body["detail"].as_str().unwrap().contains("page"), "{body}");
        // A story, said out loud, is what anyone may write.
        let r = app.post("/api/v1/articles", Some(&who.token), &json!({"title": "Berita", "kind": "story"})).await;
        assert_eq!(r.status().as_u16(), 201);
    }
    let own = app.article(ArticleSpec::published(author.id, "Kopi", 1));
    let path = format!("/api/v1/articles/{own}");
    problem(app.patch(&path, Some(&author.token), &json!({"kind": "page"})).await, 403).await;
    // Unchanged, the kind is no obstacle to the author's edit.
    let r = app.patch(&path, Some(&author.token), &json!({"kind": "story", "title": "Kopi Naik"})).await;
    assert_eq!(r.status().as_u16(), 200);
    // An author may edit a page an editor handed to them, but not make it a story.
    let page = app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "Tentang", "kind": "page"})).await;
    let page = page.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let page_path = format!("/api/v1/articles/{page}");
    assert_eq!(
        app.patch(&page_path, Some(&editor.token), &json!({"author_id": author.id})).await.status().as_u16(),
        200
    );
    let r = app.patch(&page_path, Some(&author.token), &json!({"title": "Tentang Kami"})).await;
    assert_eq!(r.status().as_u16(), 200);
    problem(app.patch(&page_path, Some(&author.token), &json!({"kind": "story"})).await, 403).await;
    assert_eq!(app.get_json_as(&page_path, &editor.token).await["kind"], "page");

    let r = app.post("/api/v1/articles", Some(&editor.token), &json!({"title": "X", "kind": "post"})).await;
    assert_eq!(invalid_fields_of(r).await, ["kind"]);
    let r = app.patch(&page_path, Some(&editor.token), &json!({"kind": 1})).await;
    assert_eq!(invalid_fields_of(r).await, ["kind"]);
    assert_eq!(app.invalid_fields("/api/v1/articles?kind=post").await, ["kind"]);
    assert_eq!(app.invalid_fields("/api/v1/articles?kind=").await, ["kind"]);
}
