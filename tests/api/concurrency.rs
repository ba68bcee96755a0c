//! Many writers at once: editors racing on the same and different articles with If-Match,
//! readers commenting, moderators moderating. Afterwards every acknowledged write is there,
//! every 412 was a real conflict, counts add up, and nobody saw a 5xx ("database is locked").

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use warta::domain::Role;

use crate::helpers::{on_postgres, spawn_app_with, ArticleSpec};
use warta::startup::StartOptions;

/// A successful PATCH: the version it started from and the version it made.
#[derive(Debug, Clone)]
struct Edit {
    article: i64,
    from: String,
    to: String,
    body: String,
}

#[tokio::test]
async fn concurrent_writers_lose_nothing_and_never_see_a_locked_database() {
    let app = Arc::new(spawn_app_with(&[("WARTA_COMMENT_RATE_PER_MINUTE", "100000")], StartOptions::default()).await);
    let author = app.user("Dewi", Role::Author);
    let articles: Vec<i64> =
        (0..3).map(|i| app.article(ArticleSpec::published(author, &format!("Berita {i}"), 1))).collect();
    let mut editors = Vec::new();
    for i in 0..6 {
        editors.push(app.staff(&format!("Editor {i}"), Role::Editor).await.token);
    }
    let edits = Arc::new(Mutex::new(Vec::<Edit>::new()));
    let conflicts = Arc::new(Mutex::new(0usize));
    let comments = Arc::new(Mutex::new(Vec::<(i64, i64)>::new()));
    let server_errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();

    for (e, token) in editors.iter().enumerate() {
        let (app, token, edits, conflicts, errors) =
            (app.clone(), token.clone(), edits.clone(), conflicts.clone(), server_errors.clone());
        let articles = articles.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..12 {
                // Half of the editors fight over article 0; the others spread out.
                let article = if e % 2 == 0 { articles[0] } else { articles[(e + round) % articles.len()] };
                let path = format!("/api/v1/articles/{article}");
                let current = app.get_as(&path, &token).await;
                let etag = current.headers()["etag"].to_str().unwrap().to_owned();
                let body = format!("versi editor {e} putaran {round}");
                let r = app
                    .client
                    .patch(app.url(&path))
                    .bearer_auth(&token)
                    .header("If-Match", &etag)
                    .json(&json!({"body": body}))
                    .send()
                    .await
                    .unwrap();
                match r.status().as_u16() {
                    200 => {
                        let to = r.headers()["etag"].to_str().unwrap().to_owned();
                        edits.lock().unwrap().push(Edit { article, from: etag, to, body });
                    }
                    412 => {
                        // A real conflict: the article is no longer the version we had.
                        let now = app.get_as(&path, &token).await;
                        assert_ne!(now.headers()["etag"].to_str().unwrap(), etag, "a 412 without a change");
                        *conflicts.lock().unwrap() += 1;
                    }
                    s if s >= 500 => {
                        let text = r.text().await.unwrap();
                        errors.lock().unwrap().push(format!("PATCH {s}: {text}"));
                    }
                    s => panic!("unexpected {s}"),
                }
            }
        }));
    }
    for reader in 0..6 {
        let (app, comments, errors) = (app.clone(), comments.clone(), server_errors.clone());
        let articles = articles.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..15 {
                let article = articles[(reader + i) % articles.len()];
                let body = json!({"author_name": "Pembaca", "author_email": "p@example.com", "body": format!("komentar {reader}-{i}")});
                let r = app.post(&format!("/api/v1/articles/{article}/comments"), None, &body).await;
                match r.status().as_u16() {
                    201 => {
                        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
                        comments.lock().unwrap().push((article, id));
                    }
                    s if s >= 500 => errors.lock().unwrap().push(format!("POST comment {s}")),
                    s => panic!("unexpected {s}"),
                }
            }
        }));
    }
    for (m, token) in editors.iter().take(2).enumerate() {
        let (app, token, comments, errors) = (app.clone(), token.clone(), comments.clone(), server_errors.clone());
        tasks.push(tokio::spawn(async move {
            for round in 0..40 {
                let known: Vec<(i64, i64)> = comments.lock().unwrap().clone();
                let Some((_, id)) = known.get((round * 7 + m) % known.len().max(1)).copied() else {
                    tokio::task::yield_now().await;
                    continue;
                };
                let status = ["approved", "spam", "approved", "pending", "approved"][round % 5];
                let r = app.patch(&format!("/api/v1/comments/{id}"), Some(&token), &json!({"status": status})).await;
                if r.status().as_u16() >= 500 {
                    errors.lock().unwrap().push(format!("moderation {}", r.status()));
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let errors = server_errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "server errors: {errors:?}");

    // No lost update: per article, the successful edits form one chain from the first
    // version, each starting where another ended, and the last one is what is stored.
    let edits = edits.lock().unwrap().clone();
    assert!(!edits.is_empty());
    let token = &editors[0];
    for article in &articles {
        let mine: Vec<&Edit> = edits.iter().filter(|e| e.article == *article).collect();
        let starts: Vec<&str> = mine.iter().map(|e| e.from.as_str()).collect();
        let mut unique = starts.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            starts.len(),
            "two edits of article {article} started from the same version: a lost update"
        );
        let stored: Value = app.get_as(&format!("/api/v1/articles/{article}"), token).await.json().await.unwrap();
        if let Some(last) = mine.iter().find(|e| !starts.contains(&e.to.as_str())) {
            assert_eq!(stored["body"], last.body, "the last acknowledged edit of {article} is stored");
        }
        let ends_elsewhere = mine.iter().filter(|e| !starts.contains(&e.to.as_str())).count();
        assert!(ends_elsewhere <= 1, "the edits of {article} form one chain");
    }
    assert!(*conflicts.lock().unwrap() > 0, "editors fighting over one article did conflict");

    // Every acknowledged comment is there, and each article's count equals its visible comments.
    let queue: Value = app.get_as("/api/v1/comments?per_page=100", token).await.json().await.unwrap();
    let total = queue["meta"]["total"].as_i64().unwrap();
    let acknowledged = comments.lock().unwrap().clone();
    assert_eq!(total, acknowledged.len() as i64);
    let mut visible: HashMap<i64, i64> = HashMap::new();
    let mut page = 1;
    loop {
        let list: Value =
            app.get_as(&format!("/api/v1/comments?per_page=100&page={page}"), token).await.json().await.unwrap();
        let data = list["data"].as_array().unwrap();
        if data.is_empty() {
            break;
        }
        for c in data {
            if c["visible"] == true {
                *visible.entry(c["article_id"].as_i64().unwrap()).or_default() += 1;
            }
        }
        page += 1;
    }
    for article in &articles {
        let count = app.get_json(&format!("/api/v1/articles/{article}"), 200).await["comment_count"].as_i64().unwrap();
        assert_eq!(count, visible.get(article).copied().unwrap_or(0), "comment_count of {article}");
        let public = app.get_json(&format!("/api/v1/articles/{article}/comments?per_page=1"), 200).await;
        assert_eq!(public["meta"]["total"].as_i64().unwrap(), count);
    }
}

/// Group commit, seen from the database: writes queued behind a busy writer share one
/// transaction, none is answered before it is committed, and a failing one is undone alone.
#[tokio::test]
async fn grouped_writes_answer_after_commit_and_fail_alone() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use warta::db::{group::GroupCommit, schema::categories, DbError};

    let app = spawn_app_with(&[], StartOptions::default()).await;
    let group = GroupCommit::start(app.pool.clone(), app.stats.kind).unwrap();
    // Another connection holds the write lock, as another process could (on PostgreSQL,
    // where each write has its own transaction, a lock on the table they write).
    let mut blocker = warta::db::Conn::establish(&app.db_path).unwrap();
    blocker
        .batch_execute(if on_postgres() {
            "BEGIN; LOCK TABLE categories IN EXCLUSIVE MODE"
        } else {
            "PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE"
        })
        .unwrap();

    let insert = |name: &'static str, fail: bool| {
        let group = group.clone();
        tokio::spawn(async move {
            group
                .write(move |conn| {
                    let new = warta::db::categories::NewCategory {
                        name: name.into(),
                        slug: None,
                        description: String::new(),
                        parent_id: None,
                    };
                    let id = warta::db::categories::create(conn, &new, chrono::Utc::now())?;
                    if fail {
                        return Err(DbError::Conflict(format!("{name} changes its mind")));
                    }
                    Ok(id)
                })
                .await
        })
    };
    let writes = [insert("Satu", false), insert("Dua", true), insert("Tiga", false)];
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(writes.iter().all(|w| !w.is_finished()), "no write is answered while it cannot be committed");

    blocker.batch_execute("COMMIT").unwrap();
    let [one, two, three] = writes;
    assert!(one.await.unwrap().is_ok());
    assert!(matches!(two.await.unwrap(), Err(DbError::Conflict(_))));
    assert!(three.await.unwrap().is_ok());
    let names: Vec<String> =
        categories::table.select(categories::name).order(categories::name).load(&mut app.conn()).unwrap();
    assert_eq!(names, ["Satu", "Tiga"], "the failing write is undone, the others are stored");
}

/// Edits go through group commit: edits that arrive together share a transaction, each in its
/// own savepoint. None is answered before the transaction is on disk, a refused one (a stale
/// If-Match, a taken slug) leaves neither change, revision nor audit entry, and the others of its
/// batch are stored with theirs.
#[tokio::test]
async fn edits_arriving_together_are_answered_after_commit_and_refused_alone() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    let app = Arc::new(spawn_app_with(&[], StartOptions::default()).await);
    let editor = app.staff("Bayu", Role::Editor).await;
    let admin = app.staff("Rina", Role::Admin).await;
    let author = app.user("Dewi", Role::Author);
    let [a, b, c, d] = ["Kopi", "Beras", "Gempa", "Banjir"].map(|t| app.article(ArticleSpec::published(author, t, 1)));
    let path = |id: i64| format!("/api/v1/articles/{id}");
    let stale = app.get_as(&path(b), &editor.token).await.headers()["etag"].to_str().unwrap().to_owned();
    let r = app.patch(&path(b), Some(&editor.token), &json!({"title": "Beras Naik"})).await;
    assert_eq!(r.status().as_u16(), 200);
    let taken = app.get_json(&path(d), 200).await["slug"].as_str().unwrap().to_owned();

    let mut blocker = warta::db::Conn::establish(&app.db_path).unwrap();
    blocker
        .batch_execute(if on_postgres() {
            "BEGIN; LOCK TABLE articles IN EXCLUSIVE MODE"
        } else {
            "PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE"
        })
        .unwrap();
    let send = |id: i64, if_match: Option<String>, body: Value| {
        let (app, token) = (app.clone(), editor.token.clone());
        tokio::spawn(async move {
            let mut request = app.client.patch(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(&token);
            if let Some(tag) = if_match {
                request = request.header("If-Match", tag);
            }
            request.json(&body).send().await.unwrap().status().as_u16()
        })
    };
    let edits = [
        send(a, None, json!({"meta_description": "Harga kopi"})),
        send(b, Some(stale), json!({"title": "Beras Turun"})),
        send(c, None, json!({"slug": taken})),
        send(d, None, json!({"body": "Banjir surut pagi ini."})),
    ];
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(edits.iter().all(|e| !e.is_finished()), "no edit is answered while it cannot be committed");
    blocker.batch_execute("COMMIT").unwrap();
    let mut statuses = Vec::new();
    for edit in edits {
        statuses.push(edit.await.unwrap());
    }
    assert_eq!(statuses, [200, 412, 409, 200]);

    assert_eq!(app.get_json(&path(a), 200).await["meta_description"], "Harga kopi");
    assert_eq!(app.get_json(&path(b), 200).await["title"], "Beras Naik");
    assert_ne!(app.get_json(&path(c), 200).await["slug"], taken.as_str());
    assert_eq!(app.get_json(&path(d), 200).await["body"], "Banjir surut pagi ini.");
    for (id, kept) in [(a, 2), (b, 2), (c, 1), (d, 2)] {
        let revisions = app.get_json_as(&format!("/api/v1/articles/{id}/revisions"), &editor.token).await;
        assert_eq!(revisions["meta"]["total"], kept, "revisions of article {id}");
        let audit = app.get_json_as(&format!("/api/v1/audit?entity=article&entity_id={id}"), &admin.token).await;
        assert_eq!(audit["meta"]["total"], kept - 1, "audit entries of article {id}: {audit}");
    }
}

/// Writers racing for one slug: the check before the insert stops most, the unique index the
/// rest (on PostgreSQL several can pass the check at once). Every loser gets a 409, never a 500.
#[tokio::test]
async fn writers_racing_for_one_slug_get_one_201_and_409s_never_a_500() {
    let app = Arc::new(spawn_app_with(&[], StartOptions::default()).await);
    let editor = app.staff("Editor Balap", Role::Editor).await;
    for round in 0..5 {
        let slug = format!("pemilu-{round}");
        let racers: Vec<_> = (0..8)
            .map(|i| {
                let (app, token, slug) = (app.clone(), editor.token.clone(), slug.clone());
                tokio::spawn(async move {
                    let body = json!({"name": format!("Pemilu {round} {i}"), "slug": slug});
                    let response = app.post("/api/v1/categories", Some(&token), &body).await;
                    let status = response.status().as_u16();
                    if status == 409 {
                        assert_eq!(response.headers()["content-type"], "application/problem+json");
                    }
                    status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for racer in racers {
            statuses.push(racer.await.unwrap());
        }
        statuses.sort();
        assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409], "round {round}");
    }
}

/// A periodic job (the pruning every instance would otherwise repeat) runs once per period
/// however many instances claim it at once: one claim succeeds, the rest find it not due, and
/// the next period is claimed once again.
#[tokio::test]
async fn a_due_job_is_claimed_by_exactly_one_of_many_claimants() {
    let app = crate::helpers::spawn_app().await;
    let (pool, _) = warta::db::connect(&app.db_path, 8).unwrap();
    let every = chrono::Duration::seconds(60);
    let start = chrono::Utc::now().naive_utc();
    let claims_at = |at: chrono::NaiveDateTime| -> usize {
        let barrier = Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (pool, barrier) = (pool.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    barrier.wait();
                    warta::db::write(&mut conn, |c| warta::db::jobs::claim(c, "test-job", every, at)).unwrap()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).filter(|claimed| *claimed).count()
    };
    assert_eq!(claims_at(start), 1, "the first claim of a job never run");
    assert_eq!(claims_at(start + chrono::Duration::seconds(59)), 0, "not due again within its period");
    assert_eq!(claims_at(start + every), 1, "due again after its period, claimed once");
    assert_eq!(claims_at(start + every), 0, "claimed for that period already");
}
