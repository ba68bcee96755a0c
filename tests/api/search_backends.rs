//! Search on both backends: one generated newsroom, served from SQLite and from a copy of it on
//! PostgreSQL, finds the same articles for the same words, in the same two tiers (a title match
//! before a match elsewhere). bm25 and ts_rank need not order a tier alike, so within a tier
//! only the set is compared. A run without PostgreSQL checks the tiers on SQLite alone.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Client;
use serde_json::Value;

use crate::copy::{copy, generate, said, Db};
use crate::helpers::{on_postgres, urlencode, Process};

/// Enough articles that a word of every article is over the search cap, with room to spare
/// for the drafts and scheduled articles the generator makes.
const ARTICLES: usize = 1_500;
const CAP: usize = 1_000;

/// What a search of one backend lists: every page, in relevance order.
struct Found {
    total: i64,
    exact: bool,
    /// (id, title), best first.
    items: Vec<(i64, String)>,
}

async fn search(client: &Client, server: &Process, words: &str) -> Found {
    let mut items = Vec::new();
    let mut meta = Value::Null;
    for page in 1..=CAP / 100 {
        let path = format!("/api/v1/articles?search={}&order_by=relevance&per_page=100&page={page}", urlencode(words));
        let r = client.get(format!("{}{path}", server.address)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        let body: Value = r.json().await.unwrap();
        let data = body["data"].as_array().unwrap();
        items.extend(data.iter().map(|a| (a["id"].as_i64().unwrap(), a["title"].as_str().unwrap().to_owned())));
        meta = body["meta"].clone();
        if data.len() < 100 {
            break;
        }
    }
    Found { total: meta["total"].as_i64().unwrap(), exact: meta["total_exact"].as_bool().unwrap(), items }
}

/// Lower case without the accents the test's variants add: what both indexes compare.
fn folded(word: &str) -> String {
    word.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            c => c,
        })
        .collect()
}

fn title_words(title: &str) -> Vec<String> {
    title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(folded).collect()
}

/// Whether `title` holds one of the words of `query` (the last as a prefix once it has two letters).
fn in_title(title: &str, query: &str) -> bool {
    let words: Vec<String> = title_words(query);
    let tokens = title_words(title);
    words.iter().enumerate().any(|(i, w)| {
        let prefix = i + 1 == words.len() && w.chars().count() >= 2;
        tokens.iter().any(|t| t == w || (prefix && t.starts_with(w.as_str())))
    })
}

/// Searches that find something to compare: words of the titles from rare to common, two
/// words of one title (also joined by punctuation), a prefix, upper case and accents, and a
/// word of every article (over the cap).
fn queries(titles: &[String]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for title in titles {
        for word in title_words(title).into_iter().collect::<BTreeSet<_>>() {
            *counts.entry(word).or_default() += 1;
        }
    }
    let mut by_count: Vec<(usize, String)> =
        counts.into_iter().filter(|(w, _)| w.chars().count() >= 4).map(|(w, n)| (n, w)).collect();
    by_count.sort();
    let pick = |at: f64| by_count[((by_count.len() - 1) as f64 * at) as usize].1.clone();
    let (rare, middling, common) = (pick(0.5), pick(0.9), pick(0.99));
    let two = title_words(&titles[7]);
    let accented = middling.replacen('a', "á", 1).replacen('e', "é", 1);
    vec![
        rare,
        middling.clone(),
        common,
        format!("{} {}", two[0], two[1]),
        // Punctuation inside what a reader types separates words, on both backends.
        format!("{}.{}", two[0], two[1]),
        format!("{}\u{2019}{}", two[0], two[1]),
        middling.chars().take(3).collect(),
        middling.to_uppercase(),
        accented,
        "yang".to_owned(),
    ]
}

#[tokio::test]
async fn both_backends_find_the_same_articles_in_the_same_tiers() {
    let client = crate::helpers::client();
    let sqlite = Db::sqlite();
    generate(&sqlite, ARTICLES, ARTICLES);
    let mut servers = vec![Process::start(sqlite.url(), &[], &[("WARTA_RESPONSE_CACHE", "off")]).await];
    let postgres = on_postgres().then(Db::postgres);
    if let Some(postgres) = &postgres {
        let out = copy(sqlite.url(), postgres.url());
        assert!(out.status.success(), "{}", said(&out));
        servers.push(Process::start(postgres.url(), &[], &[("WARTA_RESPONSE_CACHE", "off")]).await);
    }

    let mut titles = Vec::new();
    for page in 1..=ARTICLES.div_ceil(100) {
        let path = format!("{}/api/v1/articles?per_page=100&page={page}", servers[0].address);
        let r = client.get(&path).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        let body: Value = r.json().await.unwrap();
        titles.extend(body["data"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()));
    }
    assert!(titles.len() > CAP, "the newsroom has more articles than the cap");

    let mut capped = 0;
    for query in queries(&titles) {
        let mut seen: Vec<Found> = Vec::new();
        for server in &servers {
            let found = search(&client, server, &query).await;
            assert_eq!(found.items.len() as i64, found.total, "{query}: every listed match is on the pages");
            // The title tier comes first.
            let tiers: Vec<bool> = found.items.iter().map(|(_, title)| in_title(title, &query)).collect();
            let first_other = tiers.iter().position(|t| !t).unwrap_or(tiers.len());
            assert!(
                tiers[first_other..].iter().all(|t| !t),
                "{query}: a title match after the others on {}",
                server.address
            );
            seen.push(found);
        }
        assert!(seen[0].total > 0, "{query} finds something");
        if !seen[0].exact {
            capped += 1;
            assert_eq!(seen[0].total as usize, CAP, "{query}");
        }
        for other in &seen[1..] {
            assert_eq!((other.total, other.exact), (seen[0].total, seen[0].exact), "{query}: the same count");
            if seen[0].exact {
                // With the ordering checked above on each backend, the same set means the
                // same tiers.
                let ids = |f: &Found| f.items.iter().map(|(id, _)| *id).collect::<BTreeSet<_>>();
                assert_eq!(ids(other), ids(&seen[0]), "{query}: the same articles");
            }
        }
    }
    assert!(capped >= 1, "one of the searches is over the cap");
}
