//! Tags: the resource and its role rules, tags on articles, the `tag` filter, public counts and
//! the editors' autocomplete.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{invalid_fields_of, problem, spawn_app, titles, ArticleSpec};

#[tokio::test]
async fn editors_create_rename_and_delete_tags() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let r = app.post("/api/v1/tags", token, &json!({"name": "Pemilu 2024", "description": "Liputan pemilu"})).await;
    assert_eq!(r.status().as_u16(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let pemilu: Value = r.json().await.unwrap();
    assert_eq!((pemilu["slug"].as_str(), pemilu["article_count"].as_i64()), (Some("pemilu-2024"), Some(0)));
    assert_eq!(location, format!("/api/v1/tags/{}", pemilu["id"]));
    assert_eq!(app.get_json("/api/v1/tags/pemilu-2024", 200).await["description"], "Liputan pemilu");

    // The same name again gets the next free slug; a given slug that is taken is a 409.
    let again: Value = app.post("/api/v1/tags", token, &json!({"name": "Pemilu 2024"})).await.json().await.unwrap();
    assert_eq!(again["slug"], "pemilu-2024-2");
    problem(app.post("/api/v1/tags", token, &json!({"name": "X", "slug": "pemilu-2024"})).await, 409).await;

    let r = app.patch(&location, token, &json!({"name": "Pemilu Legislatif", "slug": "pileg"})).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.get_json("/api/v1/tags/pileg", 200).await["name"], "Pemilu Legislatif");
    let old = app.get("/api/v1/tags/pemilu-2024").await;
    assert_eq!((old.status().as_u16(), old.headers()["location"].to_str().unwrap()), (301, "/api/v1/tags/pileg"));
    problem(app.patch(&location, token, &json!({"slug": "pemilu-2024-2"})).await, 409).await;

    assert_eq!(app.delete(&location, token).await.status().as_u16(), 204);
    problem(app.get(&location).await, 404).await;
    problem(app.delete(&location, token).await, 404).await;
    problem(app.patch(&location, token, &json!({"name": "Hantu"})).await, 404).await;
}

#[tokio::test]
async fn authors_create_tags_but_only_editors_change_them() {
    let app = spawn_app().await;
    let id = app.tag("Iran");
    let author = app.staff("Dewi", Role::Author).await;
    let r = app.post("/api/v1/tags", Some(&author.token), &json!({"name": "Azerbaijan"})).await;
    assert_eq!(r.status().as_u16(), 201);
    problem(app.patch(&format!("/api/v1/tags/{id}"), Some(&author.token), &json!({"name": "X"})).await, 403).await;
    problem(app.delete(&format!("/api/v1/tags/{id}"), Some(&author.token)).await, 403).await;

    let contributor = app.staff("Tono", Role::Contributor).await;
    problem(app.post("/api/v1/tags", Some(&contributor.token), &json!({"name": "Baru"})).await, 403).await;
    problem(app.post("/api/v1/tags", None, &json!({"name": "Baru"})).await, 401).await;
    assert_eq!(app.get_json("/api/v1/tags/iran", 200).await["name"], "Iran");
    assert_eq!(app.get_json("/api/v1/tags", 200).await["meta"]["total"], 2);
}

#[tokio::test]
async fn bad_tag_input_names_every_bad_field() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let r = app.post("/api/v1/tags", token, &json!({"name": " ", "slug": "Bad Slug", "colour": "red"})).await;
    let body = problem(r, 422).await;
    assert!(body["errors"]["colour"].is_array(), "an unknown field is named: {body}");
    let r = app.post("/api/v1/tags", token, &json!({"name": "x".repeat(101), "slug": "Bad Slug"})).await;
    assert_eq!(invalid_fields_of(r).await, ["name", "slug"]);
    // A slug of digits only would read as an id.
    let r = app.post("/api/v1/tags", token, &json!({"name": "Tahun", "slug": "2024"})).await;
    assert_eq!(invalid_fields_of(r).await, ["slug"]);
    let year: Value = app.post("/api/v1/tags", token, &json!({"name": "2024"})).await.json().await.unwrap();
    assert_eq!(year["slug"], "2024-1");
    assert_eq!(app.get_json("/api/v1/tags/2024-1", 200).await["name"], "2024");
    assert_eq!(app.invalid_fields("/api/v1/tags?per_page=0&sort=name").await, ["per_page", "sort"]);
    assert_eq!(app.invalid_fields("/api/v1/tags?search=%21%21%21").await, ["search"]);
    assert_eq!(app.invalid_fields(&format!("/api/v1/tags?search={}", "a".repeat(101))).await, ["search"]);
}

#[tokio::test]
async fn articles_carry_their_tags_everywhere_they_are_shown() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let (iran, azerbaijan) = (app.tag("Iran"), app.tag("Azerbaijan"));
    let r = app
        .post(
            "/api/v1/articles",
            token,
            &json!({"title": "Teheran dan Baku Berunding", "status": "published",
                    "tag_ids": [iran, azerbaijan, iran]}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let article: Value = r.json().await.unwrap();
    let names = |v: &Value| -> Vec<String> {
        v["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&article), ["Azerbaijan", "Iran"], "by name, each once");
    assert_eq!(article["tags"][1], json!({"id": iran, "slug": "iran", "name": "Iran"}));

    let single = app.get_json("/api/v1/articles/teheran-dan-baku-berunding", 200).await;
    assert_eq!(names(&single), ["Azerbaijan", "Iran"]);
    let list = app.get_json("/api/v1/articles", 200).await;
    assert_eq!(names(&list["data"][0]), ["Azerbaijan", "Iran"]);
    let found = app.get_json("/api/v1/articles?search=teheran", 200).await;
    assert_eq!(names(&found["data"][0]), ["Azerbaijan", "Iran"]);

    let path = format!("/api/v1/articles/{}", article["id"]);
    let r = app.patch(&path, token, &json!({"tag_ids": [iran]})).await;
    assert_eq!(names(&r.json::<Value>().await.unwrap()), ["Iran"]);
    let r = app.patch(&path, token, &json!({"title": "Teheran dan Baku Sepakat"})).await;
    assert_eq!(names(&r.json::<Value>().await.unwrap()), ["Iran"], "an edit that names no tags keeps them");

    // Deleting a tag takes it off its articles.
    assert_eq!(app.delete(&format!("/api/v1/tags/{iran}"), token).await.status().as_u16(), 204);
    assert!(names(&app.get_json(&path, 200).await).is_empty());
}

#[tokio::test]
async fn a_tag_that_does_not_exist_is_a_422_on_tag_ids_and_changes_nothing() {
    let app = spawn_app().await;
    let editor = app.staff("Bayu", Role::Editor).await;
    let token = Some(editor.token.as_str());
    let iran = app.tag("Iran");
    let r = app.post("/api/v1/articles", token, &json!({"title": "Hantu", "tag_ids": [iran, 999]})).await;
    let body = problem(r, 422).await;
    assert!(body["errors"]["tag_ids"][0].as_str().unwrap().contains("999"), "{body}");
    let staff_list = app.get_as("/api/v1/articles?status=any", &editor.token).await.json::<Value>().await.unwrap();
    assert_eq!(staff_list["meta"]["total"], 0, "nothing was written");

    let author = app.user("Dewi", Role::Author);
    let id = app.article(ArticleSpec::published(author, "Kabar Teheran", 1).tagged(&[iran]));
    let path = format!("/api/v1/articles/{id}");
    let r = app.patch(&path, token, &json!({"tag_ids": [999], "title": "Diubah"})).await;
    assert_eq!(invalid_fields_of(r).await, ["tag_ids"]);
    let stored = app.get_json(&path, 200).await;
    assert_eq!((stored["title"].as_str(), stored["tags"][0]["id"].as_i64()), (Some("Kabar Teheran"), Some(iran)));
    let r = app.patch(&path, token, &json!({"tag_ids": "iran"})).await;
    assert_eq!(r.status().as_u16(), 422);
    let r = app.patch(&path, token, &json!({"tag_ids": (1..=51).collect::<Vec<i64>>()})).await;
    assert_eq!(invalid_fields_of(r).await, ["tag_ids"]);
}

#[tokio::test]
async fn the_tag_filter_takes_a_slug_or_an_id_and_combines_with_the_others() {
    let app = spawn_app().await;
    let (dewi, bayu) = (app.user("Dewi", Role::Author), app.user("Bayu", Role::Author));
    let ekonomi = app.category("Ekonomi", None);
    let (pemilu, kopi) = (app.tag("Pemilu 2024"), app.tag("Kopi"));
    app.article(ArticleSpec::published(dewi, "Debat Capres", 1).tagged(&[pemilu]));
    app.article(ArticleSpec::published(bayu, "Dana Kampanye", 2).tagged(&[pemilu, kopi]).in_categories(&[ekonomi]));
    app.article(ArticleSpec::published(dewi, "Kopi Gayo", 3).tagged(&[kopi]).in_categories(&[ekonomi]));
    app.article(ArticleSpec::draft(dewi, "Draf Pemilu").tagged(&[pemilu]));
    app.article(ArticleSpec {
        published_at: Some(Utc::now() + Duration::hours(5)),
        ..ArticleSpec::published(dewi, "Jadwal Pemilu", 0).tagged(&[pemilu])
    });

    let by_slug = app.get_json("/api/v1/articles?tag=pemilu-2024", 200).await;
    assert_eq!(titles(&by_slug), ["Debat Capres", "Dana Kampanye"], "public ones only, newest first");
    assert_eq!(by_slug["meta"]["total"], 2);
    assert_eq!(titles(&app.get_json(&format!("/api/v1/articles?tag={pemilu}"), 200).await), titles(&by_slug));
    let both = app.get_json("/api/v1/articles?tag=kopi&category=ekonomi&author=bayu", 200).await;
    assert_eq!(titles(&both), ["Dana Kampanye"]);
    let found = app.get_json("/api/v1/articles?tag=kopi&search=kampanye", 200).await;
    assert_eq!(titles(&found), ["Dana Kampanye"]);
    assert_eq!(app.get_json("/api/v1/articles?tag=tidak-ada", 200).await["meta"]["total"], 0);

    // Page by cursor through a tag.
    let first = app.get_json("/api/v1/articles?tag=pemilu-2024&per_page=1", 200).await;
    assert_eq!(titles(&first), ["Debat Capres"]);
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let second = app.get_json(&format!("/api/v1/articles?tag=pemilu-2024&per_page=1&cursor={cursor}"), 200).await;
    assert_eq!(titles(&second), ["Dana Kampanye"]);
    assert!(second["meta"]["next_cursor"].is_null());

    // Staff see the draft under the tag too.
    let editor = app.staff("Rina", Role::Editor).await;
    let staff = app.get_as("/api/v1/articles?tag=pemilu-2024&status=any", &editor.token).await;
    assert_eq!(staff.json::<Value>().await.unwrap()["meta"]["total"], 4);

    assert_eq!(app.invalid_fields("/api/v1/articles?tag=Bad%20Tag").await, ["tag"]);
}

#[tokio::test]
async fn article_counts_count_what_the_public_sees() {
    let app = spawn_app().await;
    let dewi = app.user("Dewi", Role::Author);
    let iran = app.tag("Iran");
    app.tag("Kosong");
    app.article(ArticleSpec::published(dewi, "Satu", 1).tagged(&[iran]));
    app.article(ArticleSpec::published(dewi, "Dua", 2).tagged(&[iran]));
    app.article(ArticleSpec::draft(dewi, "Draf").tagged(&[iran]));
    app.article(ArticleSpec {
        published_at: Some(Utc::now() + Duration::hours(5)),
        ..ArticleSpec::published(dewi, "Nanti", 0).tagged(&[iran])
    });
    assert_eq!(app.get_json("/api/v1/tags/iran", 200).await["article_count"], 2);
    let list = app.get_json("/api/v1/tags", 200).await;
    let counts: Vec<(String, i64)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t["article_count"].as_i64().unwrap()))
        .collect();
    assert_eq!(counts, [("Iran".to_owned(), 2), ("Kosong".to_owned(), 0)], "by name");
}

#[tokio::test]
async fn the_autocomplete_matches_the_start_of_the_name_or_of_a_word_whatever_the_accents() {
    let app = spawn_app().await;
    for name in ["Pemilu 2024", "Pemilihan Kepala Desa", "São Paulo", "Harga Pangan", "Kampanye Pemilu"] {
        app.tag(name);
    }
    let names = |v: &Value| -> Vec<String> {
        v["data"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect()
    };
    for (typed, expected) in [
        ("pemi", vec!["Kampanye Pemilu", "Pemilihan Kepala Desa", "Pemilu 2024"]),
        ("PÉMILU%2020", vec!["Pemilu 2024"]),
        ("2024", vec!["Pemilu 2024"]),
        ("sao", vec!["São Paulo"]),
        ("s%C3%A3o%20p", vec!["São Paulo"]),
        ("desa", vec!["Pemilihan Kepala Desa"]),
        ("milu", vec![]),
        ("", vec!["Harga Pangan", "Kampanye Pemilu", "Pemilihan Kepala Desa", "Pemilu 2024", "São Paulo"]),
    ] {
        let found = app.get_json(&format!("/api/v1/tags?search={typed}"), 200).await;
        assert_eq!(names(&found), expected, "{typed}");
        assert_eq!(found["meta"]["total"], expected.len(), "{typed}");
    }
    let page = app.get_json("/api/v1/tags?search=pemi&per_page=2&page=2", 200).await;
    assert_eq!(names(&page), ["Pemilu 2024"]);
    assert_eq!(page["meta"]["total"], 3);
}
