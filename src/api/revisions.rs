//! Revisions over HTTP: an article's history, one revision, the diff between two, and a
//! restore, which is an edit like any other (see `articles::edit`).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

use super::articles::{edit, find_for, if_match_of, ArticleResponse, AuthorResponse, Edit};
use super::caching::{self, Audience};
use super::pagination::{self, PageParams, PageRequest, Paginated};
use super::query::{path_id, QueryReader};
use super::{stored, AppState};
use crate::auth::AuthUser;
use crate::db::articles::{ArticleChanges, ArticleView};
use crate::db::audit::Action;
use crate::db::revisions::{Reviser, Revision, RevisionMeta};
use crate::db::users::Author;
use crate::db::{self};
use crate::domain::{diff, permissions, ArticleStatus, CommentPolicy, IdOrSlug};
use crate::error::{AppError, NotFoundAs, Problem};

/// What an article was after one create or update. Lists leave out `body`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionResponse {
    /// The revision's id; later revisions have greater ids.
    #[schema(example = 311)]
    pub id: i64,
    /// The article it is a revision of.
    #[schema(example = 42)]
    pub article_id: i64,
    /// When it was made.
    #[schema(example = "2024-11-24T23:40:00Z")]
    pub created_at: DateTime<Utc>,
    /// Who made it, as they were then.
    pub author: AuthorResponse,
    #[schema(example = "perusahaan-ekspor-kopi-kini-ramai")]
    pub slug: String,
    #[schema(example = "Perusahaan Ekspor Kopi Kini Ramai")]
    pub title: String,
    /// The editor's excerpt (empty: derived from the body).
    #[schema(example = "")]
    pub excerpt: String,
    /// The Markdown source (single revisions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Teheran (Kabar Harapan) – Harga kopi **naik**.")]
    pub body: Option<String>,
    pub status: ArticleStatus,
    #[schema(example = "2024-11-24T08:30:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(example = json!([2]))]
    pub category_ids: Vec<i64>,
    #[schema(example = json!([7]))]
    pub tag_ids: Vec<i64>,
    pub featured_image_url: Option<String>,
    pub featured_image_alt: Option<String>,
    /// The media the article led with.
    #[schema(example = 12)]
    pub featured_image_id: Option<i64>,
    #[schema(example = "Anadolu")]
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    #[schema(example = "id")]
    pub language: String,
    pub comment_status: CommentPolicy,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
}

impl RevisionResponse {
    fn of(meta: RevisionMeta, body: Option<String>) -> RevisionResponse {
        let author = Author {
            id: meta.author_id,
            display_name: meta.author_name.clone(),
            slug: meta.author_slug.clone(),
            bio: meta.author_bio.clone(),
        };
        RevisionResponse {
            id: meta.id,
            article_id: meta.article_id,
            created_at: meta.created_at.and_utc(),
            author: author.into(),
            category_ids: meta.category_ids(),
            tag_ids: meta.tag_ids(),
            slug: meta.slug,
            title: meta.title,
            excerpt: meta.excerpt,
            body,
            status: stored(&meta.status),
            published_at: meta.published_at.map(|t| t.and_utc()),
            featured_image_url: meta.featured_image_url,
            featured_image_alt: meta.featured_image_alt,
            featured_image_id: meta.featured_image_id,
            source_name: meta.source_name,
            source_url: meta.source_url,
            language: meta.language,
            comment_status: stored(&meta.comment_status),
            meta_title: meta.meta_title,
            meta_description: meta.meta_description,
        }
    }
}

/// One field's value before and after.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChange {
    /// The value in the older revision (`null` when there is none, or it was unset).
    #[schema(value_type = Value)]
    pub from: serde_json::Value,
    /// The value in the newer revision.
    #[schema(value_type = Value)]
    pub to: serde_json::Value,
}

/// A run of body lines that stayed, came or went.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodyRun {
    /// `equal`, `insert` or `delete`.
    #[schema(example = "insert")]
    pub op: String,
    /// The lines, each with its line ending.
    #[schema(example = "Harga kopi turun.\n")]
    pub text: String,
}

/// What changed from one revision to another.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDiff {
    /// The older revision (`null`: the diff of the first revision, against nothing).
    #[schema(example = 310)]
    pub from: Option<i64>,
    /// The newer revision.
    #[schema(example = 311)]
    pub to: i64,
    /// Each field that differs, by its name (`body` is in `body`).
    #[schema(example = json!({"title": {"from": "Harga Kopi Naik", "to": "Harga Kopi Turun"}}))]
    pub fields: BTreeMap<String, FieldChange>,
    /// The line diff of the body; read in order, the `equal` and `delete` runs give the older
    /// body and the `equal` and `insert` runs the newer one.
    pub body: Vec<BodyRun>,
}

/// The article `key` names, if `user` may see it and read its history: 404 when they may not
/// see it, 403 when they may see it but not edit it.
fn revisable(conn: &mut db::Conn, key: &IdOrSlug, user: &AuthUser) -> Result<ArticleView, AppError> {
    let current = find_for(conn, key, user)?;
    let own = current.meta.author_id == user.id;
    if !permissions::may_read_revisions(user.role, own, stored(&current.meta.status)) {
        return Err(AppError::Forbidden(format!("a {} may not read the history of this article", user.role)));
    }
    Ok(current)
}

fn article_key(segment: &str) -> Result<IdOrSlug, AppError> {
    IdOrSlug::parse(segment).ok_or_else(|| AppError::not_found("article"))
}

fn revision_of(conn: &mut db::Conn, article_id: i64, id: i64) -> Result<Revision, AppError> {
    db::revisions::find(conn, article_id, id).map_err(AppError::from).not_found_as("revision")
}

/// List an article's revisions
///
/// Newest first, without bodies. Whoever may edit the article may read its history.
#[utoipa::path(
    get, path = "/api/v1/articles/{id_or_slug}/revisions", tag = "revisions", operation_id = "list_revisions",
    params(
        ("id_or_slug" = String, Path, description = "The article's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200),
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of revisions, newest first", body = Paginated<RevisionResponse>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may see the article but not edit it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_revisions(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = article_key(&path)?;
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    q.finish()?;
    let (rows, total) = db::run(&state.pool, move |conn| {
        let article = revisable(conn, &key, &user)?;
        Ok::<_, AppError>(db::revisions::list(conn, article.meta.id, page.offset(), page.per_page)?)
    })
    .await?;
    let data = rows.into_iter().map(|meta| RevisionResponse::of(meta, None)).collect();
    pagination::respond(&req, &Paginated { data, meta: page.meta(total) }, Audience::Private)
}

/// Get a revision
///
/// With its body.
#[utoipa::path(
    get, path = "/api/v1/articles/{id_or_slug}/revisions/{revision_id}", tag = "revisions", operation_id = "get_revision",
    params(
        ("id_or_slug" = String, Path, description = "The article's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200),
        ("revision_id" = i64, Path, description = "The revision's id", minimum = 1),
    ),
    responses(
        (status = 200, description = "The revision", body = RevisionResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may see the article but not edit it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article, or no such revision of it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_revision(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (key, revision_id) = (article_key(&path.0)?, path_id(&path.1, "revision")?);
    QueryReader::new(&req).finish()?;
    let revision = db::run(&state.pool, move |conn| {
        let article = revisable(conn, &key, &user)?;
        revision_of(conn, article.meta.id, revision_id)
    })
    .await?;
    caching::json(&req, &RevisionResponse::of(revision.meta, Some(revision.body)), Audience::Private)
}

/// Parameters of a diff.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameter that `diff_revisions` parses by hand
pub struct DiffQuery {
    /// The revision to compare with (of the same article); by default the one before.
    #[param(minimum = 1)]
    against: Option<i64>,
}

/// Compare two revisions
///
/// Each field that differs, and a line diff of the body, from the older revision to the newer
/// (whichever order they are named in).
#[utoipa::path(
    get, path = "/api/v1/articles/{id_or_slug}/revisions/{revision_id}/diff", tag = "revisions", operation_id = "diff_revisions",
    params(
        ("id_or_slug" = String, Path, description = "The article's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200),
        ("revision_id" = i64, Path, description = "The revision's id", minimum = 1),
        DiffQuery,
    ),
    responses(
        (status = 200, description = "What changed", body = RevisionDiff),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may see the article but not edit it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article, or no such revision of it (either one)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn diff_revisions(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (key, revision_id) = (article_key(&path.0)?, path_id(&path.1, "revision")?);
    let mut q = QueryReader::new(&req);
    let against = q.parse("against", super::query::number_in(1, i64::MAX));
    q.finish()?;
    let (older, newer) = db::run(&state.pool, move |conn| {
        let article = revisable(conn, &key, &user)?;
        let this = revision_of(conn, article.meta.id, revision_id)?;
        let other = match against {
            Some(other) => Some(revision_of(conn, article.meta.id, other)?),
            None => db::revisions::before(conn, article.meta.id, this.meta.id)?,
        };
        Ok::<_, AppError>(match other {
            Some(other) if other.meta.id > this.meta.id => (Some(this), other),
            other => (other, this),
        })
    })
    .await?;
    // The diff is the slow part (two bodies of up to 1 MiB): off the request threads.
    let diff = web::block(move || diff_of(older, newer)).await.map_err(|e| AppError::Internal(e.into()))??;
    caching::json(&req, &diff, Audience::Private)
}

/// The diff from `older` (none: from nothing) to `newer`. The fields compared are those of a
/// revision's representation, so a field added to it is compared without a change here.
fn diff_of(older: Option<Revision>, newer: Revision) -> Result<RevisionDiff, AppError> {
    let fields_of = |meta: Option<&RevisionMeta>| -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
        let Some(meta) = meta else { return Ok(serde_json::Map::new()) };
        match serde_json::to_value(RevisionResponse::of(meta.clone(), None)) {
            Ok(serde_json::Value::Object(mut map)) => {
                for not_content in ["id", "article_id", "created_at", "author"] {
                    map.remove(not_content);
                }
                Ok(map)
            }
            Ok(_) => Err(AppError::Internal(anyhow::anyhow!("a revision is not a JSON object"))),
            Err(e) => Err(AppError::Internal(e.into())),
        }
    };
    let (before, after) = (fields_of(older.as_ref().map(|r| &r.meta))?, fields_of(Some(&newer.meta))?);
    let mut fields = BTreeMap::new();
    for (name, to) in after {
        let from = before.get(&name).cloned().unwrap_or(serde_json::Value::Null);
        if from != to {
            fields.insert(name, FieldChange { from, to });
        }
    }
    let old_body = older.as_ref().map_or("", |r| r.body.as_str());
    let body = diff::lines(old_body, &newer.body)
        .into_iter()
        .map(|run| BodyRun { op: run.op.as_str().to_owned(), text: run.text })
        .collect();
    Ok(RevisionDiff { from: older.map(|r| r.meta.id), to: newer.meta.id, fields, body })
}

/// Restore a revision
///
/// The article's content becomes the revision's: title, excerpt, body, categories and tags
/// (those deleted since are left out), lead image, source, language and SEO fields. Never its
/// status, publication time or slug: a restore neither publishes nor unpublishes, nor moves
/// the article. It is an edit like any other: it makes a new revision, honours `If-Match`
/// (412 when stale) and needs the right to edit the article.
#[utoipa::path(
    post, path = "/api/v1/articles/{id_or_slug}/revisions/{revision_id}/restore", tag = "revisions", operation_id = "restore_revision",
    params(
        ("id_or_slug" = String, Path, description = "The article's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200),
        ("revision_id" = i64, Path, description = "The revision's id", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version being replaced"),
    ),
    responses(
        (status = 200, description = "The article as restored", body = ArticleResponse,
            headers(("ETag" = String, description = "The new version's entity tag"))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not edit the article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article, or no such revision of it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The article's text kept changing meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match: the article changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn restore_revision(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (key, revision_id) = (article_key(&path.0)?, path_id(&path.1, "revision")?);
    QueryReader::new(&req).finish()?;
    let if_match = if_match_of(&req);
    let reviser = Reviser { user_id: user.id, keep: state.config.revisions_keep };
    let reader = user.clone();
    let (article_id, changes, note) = db::run(&state.pool, move |conn| {
        let article = revisable(conn, &key, &reader)?;
        let revision = revision_of(conn, article.meta.id, revision_id)?;
        let (category_ids, tag_ids) = db::revisions::links_still_there(conn, &revision.meta)?;
        let m = revision.meta;
        // An image deleted since is left out, like a category that is gone.
        let image = match m.featured_image_id {
            Some(id) if db::media::exists(conn, id)? => Some(id),
            _ => None,
        };
        let changes = ArticleChanges {
            title: Some(m.title),
            excerpt: Some(m.excerpt),
            body: Some(revision.body),
            category_ids: Some(category_ids),
            tag_ids: Some(tag_ids),
            featured_image_url: Some(m.featured_image_url),
            featured_image_alt: Some(m.featured_image_alt),
            featured_image_id: Some(image),
            source_name: Some(m.source_name),
            source_url: Some(m.source_url),
            language: Some(m.language),
            meta_title: Some(m.meta_title),
            meta_description: Some(m.meta_description),
            ..ArticleChanges::default()
        };
        Ok::<_, AppError>((article.meta.id, changes, format!(" (restored revision {})", m.id)))
    })
    .await?;
    let restore = Edit { changes, if_match, reviser, action: Action::ArticleRestore, note };
    let view = edit(&state, IdOrSlug::Id(article_id), user, restore).await?;
    caching::json(&req, &ArticleResponse::new(view, &state.media.urls), Audience::Private)
}
