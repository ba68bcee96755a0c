//! Full-text search: accents, case, prefixes, ranking, filters, and hostile input.

use serde_json::Value;
use warta::domain::Role;

use crate::helpers::{spawn_app, titles, urlencode, ArticleSpec, TestApp};

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

/// A one-letter prefix would match nearly every article (a scan of the whole index): one letter
/// is searched as a word of its own.
#[tokio::test]
async fn a_one_letter_last_word_matches_that_word_not_every_word_it_starts() {
    let app = newsroom().await;
    let author = app.user("Joko", Role::Author);
    app.article(ArticleSpec {
        body: "Jeruk kaya vitamin c dan serat.".into(),
        ..ArticleSpec::published(author, "Manfaat Buah Jeruk", 1)
    });
    assert_eq!(titles(&app.get_json("/api/v1/articles?search=vitamin%20c", 200).await), ["Manfaat Buah Jeruk"]);
    assert_eq!(
        app.get_json("/api/v1/articles?search=k", 200).await["meta"]["total"],
        0,
        "no article holds the word k, however many words start with it"
    );
    assert_eq!(
        app.get_json("/api/v1/articles?search=ka", 200).await["meta"]["total"],
        3,
        "two letters are a prefix: kafé, kaya"
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
        assert_eq!(status, 200, "{input}: searched as text");
        assert_eq!(response.headers()["content-type"], "application/json");
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

#[tokio::test]
async fn a_title_match_outranks_any_number_of_body_matches_on_every_page() {
    let app = spawn_app().await;
    let author = app.user("Rina", Role::Author);
    let body = |text: &str| ArticleSpec { body: text.into(), ..ArticleSpec::published(author, "x", 1) };
    let filler = "Lalu lintas di jalan utama kota tersendat sejak pagi karena perbaikan saluran air.";
    app.article(ArticleSpec {
        title: "Hujan Deras Semalam".into(),
        ..body(&format!("{} {filler}", "Banjir datang lagi, banjir makin tinggi.".repeat(10)))
    });
    app.article(ArticleSpec { title: "Jalan Ditutup".into(), ..body(&format!("{filler} {filler} Ada banjir kecil.")) });
    app.article(ArticleSpec { title: "Banjir Rendam Kota".into(), ..body(filler) });
    app.article(ArticleSpec { title: "Warga Mengungsi Akibat Banjir Bandang".into(), ..body(filler) });
    app.article(ArticleSpec { title: "Pasar Murah Digelar".into(), ..body(filler) });

    let all = app.get_json("/api/v1/articles?search=banjir&per_page=10", 200).await;
    assert_eq!(all["meta"]["total"], 4);
    let ranked = titles(&all);
    let mut title_tier = ranked[..2].to_vec();
    title_tier.sort();
    assert_eq!(title_tier, ["Banjir Rendam Kota", "Warga Mengungsi Akibat Banjir Bandang"], "{ranked:?}");
    assert_eq!(ranked[2..], ["Hujan Deras Semalam", "Jalan Ditutup"], "more mentions rank higher within a tier");

    // Every page size cuts the same order, also where a page spans both tiers.
    for per_page in 1..=4 {
        let mut paged = Vec::new();
        for page in 1..=4usize.div_ceil(per_page) {
            let found =
                app.get_json(&format!("/api/v1/articles?search=banjir&per_page={per_page}&page={page}"), 200).await;
            assert_eq!(found["meta"]["total"], 4);
            paged.extend(titles(&found));
        }
        assert_eq!(paged, ranked, "per_page={per_page}");
    }
    let past_the_end = app.get_json("/api/v1/articles?search=banjir&per_page=3&page=3", 200).await;
    assert_eq!(past_the_end["data"], serde_json::json!([]));
    assert_eq!(past_the_end["meta"]["total"], 4);

    let worst_first = titles(&app.get_json("/api/v1/articles?search=banjir&order=asc", 200).await);
    assert_eq!(worst_first, ranked.iter().rev().cloned().collect::<Vec<_>>());
    let second_page_asc = app.get_json("/api/v1/articles?search=banjir&order=asc&per_page=3&page=2", 200).await;
    assert_eq!(titles(&second_page_asc), [ranked[0].clone()]);
}

#[tokio::test]
async fn search_combines_with_author_dates_and_every_order() {
    let app = newsroom().await;
    let other = app.user("Joko", Role::Author);
    app.article(ArticleSpec {
        body: "Kafé di stasiun dibuka.".into(),
        ..ArticleSpec::published(other, "Stasiun Baru", 30 * 24)
    });
    let by_joko = app.get_json("/api/v1/articles?search=kafe&author=joko", 200).await;
    assert_eq!(titles(&by_joko), ["Stasiun Baru"]);
    let by_dewi = app.get_json("/api/v1/articles?search=kafe&author=dewi", 200).await;
    assert_eq!(by_dewi["meta"]["total"], 2);
    let old = (chrono::Utc::now() - chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ");
    let before = app.get_json(&format!("/api/v1/articles?search=kafe&before={old}"), 200).await;
    assert_eq!(titles(&before), ["Stasiun Baru"]);
    let after = app.get_json(&format!("/api/v1/articles?search=kafe&after={old}"), 200).await;
    assert_eq!(after["meta"]["total"], 2);
    let by_title = app.get_json("/api/v1/articles?search=kafe&order_by=title", 200).await;
    assert_eq!(titles(&by_title), ["Bisnis Kuliner Tumbuh", "Kafé Pinggir Sawah Ramai Pengunjung", "Stasiun Baru"]);
    let oldest = app.get_json("/api/v1/articles?search=kafe&order_by=published_at&order=asc", 200).await;
    assert_eq!(titles(&oldest)[0], "Stasiun Baru");
    let unknown = app.get_json("/api/v1/articles?search=kafe&category=tidak-ada", 200).await;
    assert_eq!(unknown["meta"]["total"], 0, "an unknown category matches nothing");
}

#[tokio::test]
async fn staff_search_reaches_what_their_role_may_see() {
    let app = newsroom().await;
    let editor = app.staff("Editor Satu", Role::Editor).await;
    let author = app.staff("Penulis Dua", Role::Author).await;
    app.article(ArticleSpec { body: "Kafé milik penulis.".into(), ..ArticleSpec::draft(author.id, "Draf Penulis") });

    let total = |body: Value| body["meta"]["total"].as_i64().unwrap();
    let as_editor = app.get_as("/api/v1/articles?search=kafe&status=any", &editor.token).await;
    assert_eq!(total(as_editor.json().await.unwrap()), 4, "two published and two drafts");
    let drafts = app.get_as("/api/v1/articles?search=kafe&status=draft", &editor.token).await;
    assert_eq!(total(drafts.json().await.unwrap()), 2);
    let as_author = app.get_as("/api/v1/articles?search=kafe&status=any", &author.token).await;
    let found: Value = as_author.json().await.unwrap();
    assert_eq!(found["meta"]["total"], 3, "their own draft and the public ones, not another's draft");
    assert!(titles(&found).contains(&"Draf Penulis".to_owned()));
    assert_eq!(
        app.get_json("/api/v1/articles?search=kafe", 200).await["meta"]["total"],
        2,
        "the public sees neither draft"
    );
}

/// A word in more articles than a search lists: the count stops at the cap and says so, pages
/// end with the listed matches, and the worst-first order lists the same matches reversed.
#[tokio::test]
async fn a_search_lists_the_best_thousand_matches_and_says_there_are_more() {
    use warta::db::bulk::{self, ArticleRow};
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    let at = (chrono::Utc::now() - chrono::Duration::days(1)).naive_utc();
    let rows: Vec<ArticleRow> = (1..=1005)
        .map(|i| {
            // Three have the word in the title: they lead the results.
            let title = if i % 300 == 0 { format!("Banjir Besar {i}") } else { format!("Kabar Kota {i}") };
            ArticleRow {
                id: i,
                slug: format!("kabar-{i}"),
                title,
                excerpt: format!("Ringkasan {i}"),
                body: format!("Warga kota {i} bersiap menghadapi banjir musim ini."),
                body_html: format!("<p>Warga kota {i} bersiap menghadapi banjir musim ini.</p>"),
                status: "published".into(),
                published_at: Some(at - chrono::Duration::minutes(i)),
                author_id: author,
                source_name: None,
                language: "id".into(),
                comment_status: "open".into(),
                created_at: at,
                updated_at: at,
            }
        })
        .collect();
    bulk::articles(&mut app.conn(), &rows, &[], &[]).unwrap();

    let first = app.get_json("/api/v1/articles?search=banjir&per_page=100", 200).await;
    assert_eq!(first["meta"]["total"], 1000);
    assert_eq!(first["meta"]["total_exact"], false);
    assert_eq!(first["meta"]["total_pages"], 10);
    let leading: Vec<String> = titles(&first).into_iter().take(3).collect();
    assert!(leading.iter().all(|t| t.starts_with("Banjir Besar")), "title matches first: {leading:?}");
    let last = app.get_json("/api/v1/articles?search=banjir&per_page=100&page=10", 200).await;
    assert_eq!(last["data"].as_array().unwrap().len(), 100);
    let past = app.get_json("/api/v1/articles?search=banjir&per_page=100&page=11", 200).await;
    assert!(past["data"].as_array().unwrap().is_empty(), "nothing past the listed matches");
    let ten = app.get_json("/api/v1/articles?search=banjir&per_page=10&page=100", 200).await;
    assert_eq!(ten["data"].as_array().unwrap().len(), 10);

    // Worst first: page 1 is the last listed page, reversed.
    let worst = app.get_json("/api/v1/articles?search=banjir&per_page=100&order_by=relevance&order=asc", 200).await;
    let mut reversed = titles(&last);
    reversed.reverse();
    assert_eq!(titles(&worst), reversed);
    assert_eq!(worst["meta"]["total_exact"], false);

    // By date: the same cap.
    let dated = app.get_json("/api/v1/articles?search=banjir&order_by=published_at&per_page=100&page=11", 200).await;
    assert!(dated["data"].as_array().unwrap().is_empty());
    assert_eq!(dated["meta"]["total"], 1000);

    // Fewer matches than the cap, and lists without a search, count exactly.
    let few = app.get_json("/api/v1/articles?search=besar", 200).await;
    assert_eq!((few["meta"]["total"].as_i64(), few["meta"]["total_exact"].as_bool()), (Some(3), Some(true)));
    let all = app.get_json("/api/v1/articles", 200).await;
    assert_eq!((all["meta"]["total"].as_i64(), all["meta"]["total_exact"].as_bool()), (Some(1005), Some(true)));
    let comments = app.get_json("/api/v1/articles/kabar-1/comments", 200).await;
    assert_eq!(comments["meta"]["total_exact"], true);
}

/// Words joined by punctuation (a site's address, a decimal, an email, a hyphenated name) are
/// found by each of their words, on both backends: PostgreSQL's parser kept `kompas.com` as one
/// token, so a search for `kompas com` found nothing there while SQLite found the article.
#[tokio::test]
async fn words_joined_by_punctuation_are_found_one_by_one() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec {
        body: "Menurut kompas.com, inflasi 3.5 persen; tanya redaksi@kabarharapan.id di Jawa-Barat.".into(),
        ..ArticleSpec::published(author, "Inflasi Naik", 2)
    });
    app.article(ArticleSpec { body: "Tidak ada yang lain.".into(), ..ArticleSpec::published(author, "Lain", 1) });
    // Typed with their punctuation too: a word is split where the indexes split the text.
    for query in [
        "kompas",
        "kompas com",
        "inflasi 3",
        "5 persen",
        "redaksi",
        "kabarharapan id",
        "jawa barat",
        "barat",
        "kompas.com",
        "3.5 persen",
        "redaksi@kabarharapan.id",
        "_redaksi",
        "jawa-barat",
        "persen;",
    ] {
        let found = app.get_json(&format!("/api/v1/articles?search={}", urlencode(query)), 200).await;
        assert_eq!(titles(&found), ["Inflasi Naik"], "{query}");
    }
}

/// Titles sort by their bytes on both backends (PostgreSQL's default collation follows the
/// server's locale, which orders case and punctuation otherwise).
#[tokio::test]
async fn titles_sort_the_same_on_both_backends() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    for (n, title) in ["banjir", "Banjir", "Zona", "apel", "Éra", "_catatan", "1 Januari"].iter().enumerate() {
        app.article(ArticleSpec::published(author, title, n as i64 + 1));
    }
    let sorted = app.get_json("/api/v1/articles?order_by=title&order=asc&per_page=20", 200).await;
    let mut expected: Vec<String> = titles(&sorted);
    expected.sort();
    assert_eq!(titles(&sorted), expected, "ascending by bytes");
}

/// Words follow Unicode's word rules: a script whose vowel signs and viramas are marks is
/// searched by whole words, and a mark with nothing before it is no word (it used to make the
/// whole search match nothing on one backend).
#[tokio::test]
async fn words_of_every_script_are_found_and_a_lone_mark_is_no_word() {
    let app = spawn_app().await;
    let author = app.user("Dewi", Role::Author);
    app.article(ArticleSpec {
        body: "Liputan dari New Delhi.".into(),
        ..ArticleSpec::published(author, "हिन्दी समाचार Pekan Ini", 2)
    });
    app.article(ArticleSpec { body: "Tidak ada.".into(), ..ArticleSpec::published(author, "Kabar Pasar", 1) });
    app.article(ArticleSpec { body: "Berita.".into(), ..ArticleSpec::published(author, "中文新闻 Harian", 3) });
    for search in ["हिन्दी", "हिन्दी pekan", "समाचार", "pekan \u{93F}", "\u{301}pekan", "pekan \u{301}"]
    {
        let found = app.get_json(&format!("/api/v1/articles?search={}", urlencode(search)), 200).await;
        assert_eq!(titles(&found), ["हिन्दी समाचार Pekan Ini"], "search {search:?}");
    }
    // A run of ideographs is one word to both indexes, as it is here.
    for search in ["中文新闻", "中文"] {
        let found = app.get_json(&format!("/api/v1/articles?search={}", urlencode(search)), 200).await;
        assert_eq!(titles(&found), ["中文新闻 Harian"], "search {search:?}");
    }
    let marks = app.get_json(&format!("/api/v1/articles?search={}", urlencode("\u{93F}\u{94D}")), 200).await;
    assert_eq!(marks["meta"]["total"], 0, "marks alone search nothing");
}
