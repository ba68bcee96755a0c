//! `warta generate`: fills an empty database with synthetic newsroom content for
//! benchmarks: Indonesian-like text of news length, a category hierarchy, several authors,
//! and comments in every moderation state, reproducible from a seed.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::{IsTerminal, Write};
use std::time::Instant;

use crate::db::bulk::{self, ArticleRow, CategoryRow, CommentRow, TagRow, UserRow};
use crate::db::{self, Conn};
use crate::domain::content::{derive_excerpt, render_markdown};
use crate::domain::nesting::TooDeep;
use crate::domain::Slug;

mod vocabulary;
use vocabulary::{Vocabulary, DESKS};

/// The password of every generated account.
pub const GENERATED_PASSWORD: &str = "warta-bench-2026";

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub articles: usize,
    pub comments: usize,
    pub seed: u64,
}

const PLACES: &[&str] = &[
    "Jakarta", "Bandung", "Surabaya", "Medan", "Makassar", "Semarang", "Denpasar", "Padang", "Pontianak", "Ambon",
    "Kupang", "Jayapura", "Teheran", "Kairo", "Tokyo", "Seoul", "Bangkok", "Manila", "Riyadh", "Ankara",
];
const SOURCES: &[&str] = &["Kabar Harapan", "Anadolu", "Reuters", "AFP", "Xinhua"];
const NAMES: &[&str] = &[
    "Budi", "Siti", "Agus", "Dewi", "Rina", "Joko", "Wati", "Andi", "Putri", "Hendra", "Yuni", "Rudi", "Sari", "Bayu",
    "Fitri", "Eko", "Lestari", "Dimas", "Ayu", "Fajar", "Indah", "Teguh", "Nur", "Wahyu", "Ratna",
];

/// How many tags a generated site has.
const TAGS: usize = 100;

fn capitalised(w: &str) -> String {
    let mut c = w.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn sentence(words: &Vocabulary, rng: &mut StdRng, desk: usize) -> String {
    let n = rng.random_range(8..20);
    let mut text: Vec<String> = (0..n).map(|_| words.prose(rng, desk).to_owned()).collect();
    text[0] = capitalised(&text[0]);
    format!("{}.", text.join(" "))
}

fn title(words: &Vocabulary, rng: &mut StdRng, desk: usize) -> String {
    let n = rng.random_range(5..11);
    let mut picked: Vec<&str> = Vec::with_capacity(n);
    while picked.len() < n {
        let w = words.headline(rng, desk);
        if !picked.contains(&w) {
            picked.push(w);
        }
    }
    picked.into_iter().map(capitalised).collect::<Vec<_>>().join(" ")
}

fn body(words: &Vocabulary, rng: &mut StdRng, desk: usize) -> String {
    let place = PLACES[rng.random_range(0..PLACES.len())];
    let mut paragraphs = vec![format!("{place} (Kabar Harapan) – {}", sentence(words, rng, desk))];
    for p in 0..rng.random_range(4..10) {
        if p == 3 {
            paragraphs.push(format!("## {}", capitalised(words.headline(rng, desk))));
        }
        let s = rng.random_range(2..6);
        paragraphs.push((0..s).map(|_| sentence(words, rng, desk)).collect::<Vec<_>>().join(" "));
    }
    paragraphs.join("\n\n")
}

/// An article's text: title, Markdown body, derived excerpt and sanitized HTML.
struct Text {
    title: String,
    body: String,
    excerpt: String,
    html: String,
}

impl Text {
    fn write(words: &Vocabulary, desk: usize, seed: u64, id: i64) -> Result<Text, TooDeep> {
        let mut rng = StdRng::seed_from_u64(seed ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let title = title(words, &mut rng, desk);
        let body = body(words, &mut rng, desk);
        Ok(Text { excerpt: derive_excerpt(&body), html: render_markdown(&body)?, title, body })
    }
}

/// A desk for text that belongs to none in particular (bios, comments), from its id.
fn rng_desk(id: i64) -> usize {
    id.unsigned_abs() as usize % DESKS.len()
}

fn progress(enabled: bool, what: &str, done: usize, total: usize, started: Instant) {
    if enabled {
        eprint!("\r{what}: {done}/{total} ({:.0?})   ", started.elapsed());
        if done == total {
            eprintln!();
        }
        let _ = std::io::stderr().flush();
    }
}

/// Generates `plan` into the database behind `conn`, which must be empty. Progress is shown
/// on a terminal only.
pub fn run(conn: &mut Conn, plan: Plan, now: DateTime<Utc>) -> anyhow::Result<()> {
    db::migrate(conn)?;
    if !db::is_empty(conn)? {
        anyhow::bail!("the database is not empty: generate only fills an empty one");
    }
    let show = std::io::stderr().is_terminal();
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let words = Vocabulary::new();
    let stamp = now.naive_utc();

    let hash = crate::auth::hash_password(GENERATED_PASSWORD)?;
    let roles = [("admin", 1), ("editor", 4), ("author", 20), ("contributor", 5)];
    let mut users = Vec::new();
    for (role, count) in roles {
        for _ in 0..count {
            let id = users.len() as i64 + 1;
            let name = format!("{} {}", NAMES[rng.random_range(0..NAMES.len())], capitalised(words.any(&mut rng)));
            users.push(UserRow {
                id,
                email: format!("{role}{id}@generated.example"),
                display_name: name.clone(),
                slug: format!("{}-{id}", Slug::from_title(&name, "penulis")),
                bio: sentence(&words, &mut rng, rng_desk(id)),
                password_hash: hash.clone(),
                role: role.into(),
                active: true,
                created_at: stamp,
                updated_at: stamp,
            });
        }
    }
    bulk::users(conn, &users)?;
    let writers: Vec<i64> = users.iter().filter(|u| u.role != "contributor").map(|u| u.id).collect();

    // Each category belongs to a desk, whose topic words its articles use.
    let mut categories = Vec::new();
    let mut desk_of = Vec::new();
    for (desk, top) in DESKS.iter().enumerate() {
        let parent = categories.len() as i64 + 1;
        categories.push(category(parent, top, None, stamp));
        desk_of.push(desk);
        for _ in 0..3 {
            let id = categories.len() as i64 + 1;
            let name = format!("{} {}", capitalised(words.headline(&mut rng, desk)), capitalised(words.any(&mut rng)));
            categories.push(category(id, &name, Some(parent), stamp));
            desk_of.push(desk);
        }
    }
    bulk::categories(conn, &categories)?;

    // Tags: a long tail, as in a newsroom, where a few ("Pemilu 2024") label thousands of
    // stories; the most used one labels about as many as the biggest category.
    let tags: Vec<TagRow> = (1..=TAGS as i64)
        .map(|id| {
            let name = format!("{} {}", capitalised(words.any(&mut rng)), capitalised(words.any(&mut rng)));
            let slug = format!("{}-{id}", Slug::from_title(&name, "tag"));
            TagRow {
                id,
                name_key: crate::domain::slug::fold(&name),
                description: format!("Berita tentang {name}"),
                name,
                slug,
                created_at: stamp,
                updated_at: stamp,
            }
        })
        .collect();
    bulk::tags(conn, &tags)?;

    let started = Instant::now();
    let mut public: Vec<(i64, NaiveDateTime)> = Vec::new();
    let batch = 2000;
    let mut next_id = 1i64;
    while (next_id as usize) <= plan.articles {
        let end = (next_id as usize + batch - 1).min(plan.articles) as i64;
        // id, first category, author
        let drafts: Vec<(i64, i64, i64)> = (next_id..=end)
            .map(|id| {
                (id, rng.random_range(0..categories.len()) as i64 + 1, writers[rng.random_range(0..writers.len())])
            })
            .collect();
        // Writing and rendering dominate: split them over the cores. Each article's text has
        // its own seed, so the result does not depend on how the work is split.
        let (words, desk_of) = (&words, &desk_of);
        let texts: Vec<Text> = std::thread::scope(|scope| {
            let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
            let per = drafts.len().div_ceil(threads);
            let handles: Vec<_> = drafts
                .chunks(per.max(1))
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|&(id, first, _)| Text::write(words, desk_of[(first - 1) as usize], plan.seed, id))
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            // A writer thread that panicked stops the generation rather than misalign texts.
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect::<Result<Vec<_>, _>>()
                .map(|chunks| chunks.into_iter().flatten().collect())
        })?;
        let mut rows = Vec::with_capacity(drafts.len());
        let mut links = Vec::new();
        let mut tag_links = Vec::new();
        for ((id, first, author), Text { title, body, excerpt, html }) in drafts.into_iter().zip(texts) {
            let roll: u32 = rng.random_range(0..100);
            let age = Duration::minutes(rng.random_range(0..5 * 365 * 24 * 60));
            let (status, published_at) = match roll {
                0..=89 => ("published", Some(stamp - age)),
                90..=94 => ("draft", None),
                95..=97 => ("archived", Some(stamp - age)),
                _ => ("published", Some(stamp + Duration::minutes(rng.random_range(60..30 * 24 * 60)))),
            };
            if status == "published" && published_at.is_some_and(|t| t <= stamp) {
                public.push((id, published_at.unwrap_or(stamp)));
            }
            links.push((id, first));
            let parent = categories[(first - 1) as usize].parent_id;
            if let Some(parent) = parent.filter(|_| rng.random_bool(0.5)) {
                links.push((id, parent));
            }
            let mut picked: Vec<i64> = Vec::with_capacity(3);
            for _ in 0..rng.random_range(1..=3) {
                // Skewed to the first tags: tag 1 takes about 4% of the picks.
                let u: f64 = rng.random();
                let tag = (u.powf(1.5) * TAGS as f64) as i64 + 1;
                if !picked.contains(&tag) {
                    picked.push(tag);
                    tag_links.push((id, tag));
                }
            }
            let written = published_at.unwrap_or(stamp).min(stamp) - Duration::hours(1);
            rows.push(ArticleRow {
                id,
                slug: format!("{}-{id}", Slug::from_title(&title, "berita")),
                title,
                excerpt,
                body,
                body_html: html,
                status: status.into(),
                published_at,
                author_id: author,
                source_name: Some(SOURCES[rng.random_range(0..SOURCES.len())].into()),
                language: "id".into(),
                comment_status: if rng.random_bool(0.95) { "open" } else { "closed" }.into(),
                created_at: written,
                updated_at: written,
            });
        }
        bulk::articles(conn, &rows, &links, &tag_links)?;
        next_id = end + 1;
        progress(show, "articles", (end as usize).min(plan.articles), plan.articles, started);
    }

    // Newest last, so that the comment pick below favours recent articles.
    public.sort_by_key(|&(id, at)| (at, id));
    if public.is_empty() || plan.comments == 0 {
        return advance_sequences(conn);
    }
    let started = Instant::now();
    let mut rows: Vec<CommentRow> = Vec::with_capacity(10_000);
    let mut approved_on: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for id in 1..=plan.comments as i64 {
        // Popular articles get more: a square skews the pick towards the newest ones.
        let pick = (rng.random::<f64>().powi(2) * public.len() as f64) as usize;
        let (article, published) = public[public.len() - 1 - pick.min(public.len() - 1)];
        let status = match rng.random_range(0..100) {
            0..=69 => "approved",
            70..=89 => "pending",
            90..=96 => "spam",
            _ => "trash",
        };
        let parent = approved_on.get(&article).copied().filter(|_| rng.random_bool(0.2));
        let visible = status == "approved";
        if visible && parent.is_none() {
            approved_on.insert(article, id);
        }
        let since = (stamp - published).num_minutes().max(1);
        let at = published + Duration::minutes(rng.random_range(0..since));
        let name = NAMES[rng.random_range(0..NAMES.len())];
        let body =
            (0..rng.random_range(1..4)).map(|_| sentence(&words, &mut rng, rng_desk(id))).collect::<Vec<_>>().join(" ");
        rows.push(CommentRow {
            id,
            article_id: article,
            parent_id: parent,
            author_name: name.into(),
            author_email: format!("{}{id}@pembaca.example", name.to_lowercase()),
            body_hash: crate::db::comments::body_hash(&body),
            body,
            status: status.into(),
            visible,
            ip: Some(format!("198.51.100.{}", rng.random_range(1..255))),
            user_agent: Some("Mozilla/5.0 (generated)".into()),
            created_at: at,
            updated_at: at,
        });
        if rows.len() == 10_000 {
            bulk::comments(conn, &rows)?;
            rows.clear();
            progress(show, "comments", id as usize, plan.comments, started);
        }
    }
    bulk::comments(conn, &rows)?;
    progress(show, "comments", plan.comments, plan.comments, started);
    advance_sequences(conn)
}

/// Every row went in with its id: the sequences move past them, so that the next article or
/// comment written through the API does not collide (PostgreSQL's identities do not follow
/// explicit ids; SQLite's AUTOINCREMENT does, and nothing changes there).
fn advance_sequences(conn: &mut Conn) -> anyhow::Result<()> {
    db::write(conn, |c| db::sequences::advance(c, &Default::default()))
}

fn category(id: i64, name: &str, parent_id: Option<i64>, stamp: NaiveDateTime) -> CategoryRow {
    CategoryRow {
        id,
        name: name.into(),
        slug: format!("{}-{id}", Slug::from_title(name, "rubrik")),
        description: format!("Berita {name}"),
        parent_id,
        created_at: stamp,
        updated_at: stamp,
    }
}
