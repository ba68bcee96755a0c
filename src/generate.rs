//! `warta generate`: fills an empty database with synthetic newsroom content for
//! benchmarks: Indonesian-like text of news length, a category hierarchy, several authors,
//! and comments in every moderation state, reproducible from a seed.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::{IsTerminal, Write};
use std::time::Instant;

use crate::db::bulk::{self, ArticleRow, CategoryRow, CommentRow, UserRow};
use crate::db::{self, Conn};
use crate::domain::content::{derive_excerpt, render_markdown};
use crate::domain::Slug;

/// The password of every generated account.
pub const GENERATED_PASSWORD: &str = "warta-bench-2026";

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub articles: usize,
    pub comments: usize,
    pub seed: u64,
}

const WORDS: &[&str] = &[
    "pemerintah",
    "daerah",
    "warga",
    "harga",
    "pasar",
    "kopi",
    "beras",
    "petani",
    "nelayan",
    "sekolah",
    "guru",
    "rumah",
    "sakit",
    "jalan",
    "tol",
    "banjir",
    "hujan",
    "musim",
    "kemarau",
    "ekspor",
    "impor",
    "perusahaan",
    "investasi",
    "bank",
    "rupiah",
    "dolar",
    "inflasi",
    "anggaran",
    "menteri",
    "presiden",
    "gubernur",
    "bupati",
    "desa",
    "kota",
    "provinsi",
    "pulau",
    "laut",
    "pelabuhan",
    "bandara",
    "kereta",
    "listrik",
    "air",
    "bersih",
    "kesehatan",
    "pendidikan",
    "teknologi",
    "digital",
    "aplikasi",
    "internet",
    "usaha",
    "kecil",
    "menengah",
    "pekerja",
    "buruh",
    "upah",
    "minimum",
    "pajak",
    "program",
    "bantuan",
    "sosial",
    "pangan",
    "stok",
    "gudang",
    "distribusi",
    "cuaca",
    "ekstrem",
    "gempa",
    "bumi",
    "relawan",
    "pengungsi",
    "tim",
    "penyelamat",
    "polisi",
    "pengadilan",
    "hakim",
    "jaksa",
    "kasus",
    "korupsi",
    "pemilu",
    "partai",
    "calon",
    "suara",
    "kampanye",
    "debat",
    "dewan",
    "rapat",
    "paripurna",
    "undang",
    "peraturan",
    "kebijakan",
    "baru",
    "lama",
    "besar",
    "penting",
    "terbaru",
    "meningkat",
    "menurun",
    "naik",
    "turun",
    "stabil",
    "tajam",
    "pesat",
    "perlahan",
    "hari",
    "pekan",
    "bulan",
    "tahun",
    "pagi",
    "sore",
    "malam",
    "menurut",
    "kata",
    "ujar",
    "jelas",
    "tambah",
    "sementara",
    "namun",
    "karena",
    "sehingga",
    "bahkan",
    "juga",
    "masih",
    "sudah",
    "akan",
    "dapat",
    "harus",
    "olahraga",
    "sepak",
    "bola",
    "pemain",
    "pelatih",
    "liga",
    "juara",
    "turnamen",
    "stadion",
    "penonton",
    "budaya",
    "festival",
    "seni",
    "musik",
    "film",
    "wisata",
    "wisatawan",
    "kuliner",
    "tradisional",
    "modern",
];
const PLACES: &[&str] = &[
    "Jakarta",
    "Bandung",
    "Surabaya",
    "Medan",
    "Makassar",
    "Semarang",
    "Denpasar",
    "Padang",
    "Pontianak",
    "Ambon",
    "Kupang",
    "Jayapura",
    "Teheran",
    "Kairo",
    "Tokyo",
    "Seoul",
    "Bangkok",
    "Manila",
    "Riyadh",
    "Ankara",
];
const SOURCES: &[&str] = &["Kabar Harapan", "Anadolu", "Reuters", "AFP", "Xinhua"];
const NAMES: &[&str] = &[
    "Budi", "Siti", "Agus", "Dewi", "Rina", "Joko", "Wati", "Andi", "Putri", "Hendra", "Yuni", "Rudi", "Sari", "Bayu",
    "Fitri", "Eko", "Lestari", "Dimas", "Ayu", "Fajar", "Indah", "Teguh", "Nur", "Wahyu", "Ratna",
];

fn word(rng: &mut StdRng) -> &'static str {
    WORDS[rng.random_range(0..WORDS.len())]
}

fn capitalised(w: &str) -> String {
    let mut c = w.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn sentence(rng: &mut StdRng) -> String {
    let n = rng.random_range(8..20);
    let mut words: Vec<String> = (0..n).map(|_| word(rng).to_owned()).collect();
    words[0] = capitalised(&words[0]);
    format!("{}.", words.join(" "))
}

fn title(rng: &mut StdRng) -> String {
    let n = rng.random_range(5..11);
    (0..n).map(|_| capitalised(word(rng))).collect::<Vec<_>>().join(" ")
}

fn body(rng: &mut StdRng) -> String {
    let place = PLACES[rng.random_range(0..PLACES.len())];
    let mut paragraphs = vec![format!("{place} (Kabar Harapan) – {}", sentence(rng))];
    for p in 0..rng.random_range(4..10) {
        if p == 3 {
            paragraphs.push(format!("## {}", capitalised(word(rng))));
        }
        let s = rng.random_range(2..6);
        paragraphs.push((0..s).map(|_| sentence(rng)).collect::<Vec<_>>().join(" "));
    }
    paragraphs.join("\n\n")
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
    if !db::is_empty(conn)? {
        anyhow::bail!("the database is not empty: generate only fills an empty one");
    }
    db::migrate(conn)?;
    let show = std::io::stderr().is_terminal();
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let stamp = now.naive_utc();

    let hash = crate::auth::hash_password(GENERATED_PASSWORD)?;
    let roles = [("admin", 1), ("editor", 4), ("author", 20), ("contributor", 5)];
    let mut users = Vec::new();
    for (role, count) in roles {
        for _ in 0..count {
            let id = users.len() as i64 + 1;
            let name = format!("{} {}", NAMES[rng.random_range(0..NAMES.len())], capitalised(word(&mut rng)));
            users.push(UserRow {
                id,
                email: format!("{role}{id}@generated.example"),
                display_name: name.clone(),
                slug: format!("{}-{id}", Slug::from_title(&name, "penulis")),
                bio: sentence(&mut rng),
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

    let tops = ["Dalam Negeri", "Luar Negeri", "Ekonomi", "Olahraga", "Teknologi", "Budaya"];
    let mut categories = Vec::new();
    for top in tops {
        let parent = categories.len() as i64 + 1;
        categories.push(category(parent, top, None, stamp));
        for _ in 0..3 {
            let id = categories.len() as i64 + 1;
            let name = format!("{} {}", capitalised(word(&mut rng)), capitalised(word(&mut rng)));
            categories.push(category(id, &name, Some(parent), stamp));
        }
    }
    bulk::categories(conn, &categories)?;

    let started = Instant::now();
    let mut public: Vec<(i64, NaiveDateTime)> = Vec::new();
    let batch = 2000;
    let mut next_id = 1i64;
    while (next_id as usize) <= plan.articles {
        let end = (next_id as usize + batch - 1).min(plan.articles) as i64;
        let drafts: Vec<(i64, String, String, i64)> = (next_id..=end)
            .map(|id| (id, title(&mut rng), body(&mut rng), writers[rng.random_range(0..writers.len())]))
            .collect();
        // Rendering dominates: split it over the cores.
        let rendered: Vec<(String, String)> = std::thread::scope(|scope| {
            let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
            let per = drafts.len().div_ceil(threads);
            let handles: Vec<_> = drafts
                .chunks(per.max(1))
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk.iter().map(|d| (derive_excerpt(&d.2), render_markdown(&d.2))).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        });
        let mut rows = Vec::with_capacity(drafts.len());
        let mut links = Vec::new();
        for ((id, title, body, author), (excerpt, html)) in drafts.into_iter().zip(rendered) {
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
            let first = rng.random_range(0..categories.len()) as i64 + 1;
            links.push((id, first));
            let parent = categories[(first - 1) as usize].parent_id;
            if let Some(parent) = parent.filter(|_| rng.random_bool(0.5)) {
                links.push((id, parent));
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
        bulk::articles(conn, &rows, &links)?;
        next_id = end + 1;
        progress(show, "articles", (end as usize).min(plan.articles), plan.articles, started);
    }

    if public.is_empty() || plan.comments == 0 {
        return Ok(());
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
        rows.push(CommentRow {
            id,
            article_id: article,
            parent_id: parent,
            author_name: name.into(),
            author_email: format!("{}{id}@pembaca.example", name.to_lowercase()),
            body: (0..rng.random_range(1..4)).map(|_| sentence(&mut rng)).collect::<Vec<_>>().join(" "),
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
    Ok(())
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
