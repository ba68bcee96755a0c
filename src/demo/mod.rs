//! `warta serve --demo`: seeds an empty database with a small newsroom, so that a newcomer
//! has something to browse. A database with any content is never touched.

pub mod content;
pub mod photos;

use chrono::{DateTime, Duration, Utc};
use diesel::Connection;

use crate::auth;
use crate::db::{self, Conn};
use crate::domain::{ArticleKind, ArticleStatus, CommentPolicy, CommentStatus, Role, Slug};
use crate::media::{self, library::StoredFiles, Store};
use content::{DemoState, ARTICLES, CATEGORIES, COMMENTS, PAGES, TAGS, USERS};

/// The password every demo account shares (documented in the README).
pub const DEMO_PASSWORD: &str = "warta-demo-2026";

/// Seeds the demo newsroom, its photos into `store`. The caller has found the database without
/// content (users do not count): a demo account whose email a user has already is left out, and
/// its content is theirs.
pub fn seed(conn: &mut Conn, store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    // Hash and draw outside the transaction: Argon2 is deliberately slow, and so are images.
    let hashes = USERS.iter().map(|_| auth::hash_password(DEMO_PASSWORD)).collect::<anyhow::Result<Vec<_>>>()?;
    // Drawn and processed side by side: a first start with --demo waits for the slowest only.
    let photos = std::thread::scope(|scope| {
        let work: Vec<_> = ARTICLES
            .iter()
            .enumerate()
            .filter(|(_, a)| a.photo.is_some())
            .map(|(n, _)| scope.spawn(move || media::library::store_now(store, &photos::draw(n)).map(|f| (n, f))))
            .collect();
        work.into_iter()
            .map(|w| w.join().map_err(|_| anyhow::anyhow!("drawing a demo photo failed"))?.map_err(anyhow::Error::from))
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    conn.transaction(|conn| insert_all(conn, &hashes, &photos, now))?;
    Ok(())
}

fn invalid(what: String) -> anyhow::Error {
    anyhow::anyhow!("demo content is inconsistent: {what}")
}

fn insert_all(
    conn: &mut Conn,
    hashes: &[String],
    photos: &[(usize, StoredFiles)],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut user_ids = Vec::new();
    for (user, hash) in USERS.iter().zip(hashes) {
        let role: Role = user.role.parse().map_err(|e| invalid(format!("role of {}: {e}", user.email)))?;
        let new = db::users::NewUser {
            email: user.email.into(),
            display_name: user.display_name.into(),
            password_hash: hash.clone(),
            role,
            bio: user.bio.into(),
        };
        let id = match db::users::find_for_login(conn, user.email)? {
            Some((existing, _)) => existing.id,
            None => db::users::create(conn, &new, now)?,
        };
        user_ids.push(id);
    }

    let mut category_ids: Vec<(&str, i64)> = Vec::new();
    for category in CATEGORIES {
        let parent_id = match category.parent {
            Some(parent) => Some(lookup(&category_ids, parent)?),
            None => None,
        };
        let new = db::categories::NewCategory {
            name: category.name.into(),
            slug: Some(Slug::parse(category.slug).map_err(|e| invalid(format!("{}: {e}", category.slug)))?),
            description: category.description.into(),
            parent_id,
        };
        category_ids.push((category.slug, db::categories::create(conn, &new, now)?));
    }

    let mut tag_ids: Vec<(&str, i64)> = Vec::new();
    for tag in TAGS {
        let new = db::tags::NewTag {
            name: tag.name.into(),
            slug: Some(Slug::parse(tag.slug).map_err(|e| invalid(format!("{}: {e}", tag.slug)))?),
            description: String::new(),
        };
        tag_ids.push((tag.slug, db::tags::create(conn, &new, now)?));
    }

    let mut article_ids = Vec::new();
    for (i, article) in ARTICLES.iter().enumerate() {
        let (status, published_at) = match article.state {
            DemoState::PublishedHoursAgo(h) => (ArticleStatus::Published, Some(now - Duration::hours(h))),
            DemoState::ScheduledInHours(h) => (ArticleStatus::Published, Some(now + Duration::hours(h))),
            DemoState::Draft => (ArticleStatus::Draft, None),
        };
        let author_id = *user_ids.get(article.author).ok_or_else(|| invalid(format!("author of article {i}")))?;
        let categories =
            article.categories.iter().map(|slug| lookup(&category_ids, slug)).collect::<anyhow::Result<Vec<_>>>()?;
        let tags = article.tags.iter().map(|slug| lookup(&tag_ids, slug)).collect::<anyhow::Result<Vec<_>>>()?;
        let comment_status: CommentPolicy =
            article.comment_status.parse().map_err(|e| invalid(format!("article {i}: {e}")))?;
        let new = db::articles::NewArticle {
            title: article.title.into(),
            slug: None,
            excerpt: article.excerpt.into(),
            body: article.body.into(),
            status,
            published_at,
            author_id,
            category_ids: categories.clone(),
            tag_ids: tags,
            featured_image_url: None,
            featured_image_alt: None,
            featured_image_id: match (&article.photo, photos.iter().find(|(n, _)| *n == i)) {
                (Some(photo), Some((_, files))) => Some(db::media::create(
                    conn,
                    &db::media::NewMedia {
                        file_key: files.key.clone(),
                        file_name: photo.file_name.into(),
                        mime_type: files.format.mime_type().into(),
                        width: files.width,
                        height: files.height,
                        bytes: files.bytes,
                        alt: photo.alt.into(),
                        caption: String::new(),
                        credit: "Ilustrasi: Warta".into(),
                        variants: files.variants.clone(),
                        uploaded_by: author_id,
                    },
                    now,
                )?),
                _ => None,
            },
            source_name: article.source_name.map(Into::into),
            source_url: article.source_url.map(Into::into),
            language: "id".into(),
            comment_status,
            meta_title: None,
            meta_description: None,
            // The two newest stories are on the front page's top.
            featured: i < 2,
            primary_category_id: categories.first().copied(),
            kind: ArticleKind::Story,
        };
        // Articles were written before they were published; the demo dates them so.
        let written = published_at.map_or(now, |at| at.min(now)) - Duration::hours(1);
        // Each story's first revision is its author's.
        let by = db::revisions::Reviser { user_id: author_id, keep: 1 };
        article_ids.push(db::articles::create(conn, new, by, written)?);
    }

    // The site's pages, published a week before the stories, by the editor-in-chief.
    let (chief, since) = (user_ids[0], now - Duration::days(7));
    for page in PAGES {
        let new = db::articles::NewArticle {
            title: page.title.into(),
            slug: Some(Slug::parse(page.slug).map_err(|e| invalid(format!("{}: {e}", page.slug)))?),
            excerpt: String::new(),
            body: page.body.into(),
            status: ArticleStatus::Published,
            published_at: Some(since),
            author_id: chief,
            category_ids: Vec::new(),
            tag_ids: Vec::new(),
            featured_image_url: None,
            featured_image_alt: None,
            featured_image_id: None,
            source_name: None,
            source_url: None,
            language: "id".into(),
            comment_status: CommentPolicy::Closed,
            meta_title: None,
            meta_description: None,
            featured: false,
            primary_category_id: None,
            kind: ArticleKind::Page,
        };
        db::articles::create(conn, new, db::revisions::Reviser { user_id: chief, keep: 1 }, since)?;
    }

    let mut comment_ids = Vec::new();
    for (i, comment) in COMMENTS.iter().enumerate() {
        let article_id = *article_ids.get(comment.article).ok_or_else(|| invalid(format!("article of comment {i}")))?;
        let parent_id = match comment.parent {
            Some(p) => Some(*comment_ids.get(p).ok_or_else(|| invalid(format!("parent of comment {i}")))?),
            None => None,
        };
        let status: CommentStatus = comment.status.parse().map_err(|e| invalid(format!("comment {i}: {e}")))?;
        let new = db::comments::NewComment {
            article_id,
            parent_id,
            user_id: None,
            author_name: comment.author_name.into(),
            author_email: comment.author_email.into(),
            author_url: comment.author_url.map(Into::into),
            body: comment.body.into(),
            status,
            ip: Some(format!("192.0.2.{}", 10 + i)),
            user_agent: Some("Mozilla/5.0 (demo)".into()),
        };
        comment_ids.push(db::comments::create(conn, &new, now - Duration::hours(comment.hours_ago))?.id);
    }
    Ok(())
}

fn lookup(ids: &[(&str, i64)], slug: &str) -> anyhow::Result<i64> {
    ids.iter().find(|(s, _)| *s == slug).map(|(_, id)| *id).ok_or_else(|| invalid(format!("unknown slug {slug}")))
}
