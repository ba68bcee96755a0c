//! Comments over HTTP: an article's public thread.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::articles::visibility_for;
use super::caching;
use super::pagination::{self, PageRequest, Paginated};
use super::query::QueryReader;
use super::{stored, AppState};
use crate::auth::MaybeAuthUser;
use crate::db;
use crate::db::comments::PublicComment;
use crate::domain::{CommentStatus, IdOrSlug};
use crate::error::{AppError, NotFoundAs, Problem};

/// A comment as the public sees it: the commenter's email, address and user agent are
/// never part of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCommentResponse {
    /// The comment's id.
    #[schema(example = 7)]
    pub id: i64,
    /// The article it belongs to.
    pub article_id: i64,
    /// The comment it answers, for threads.
    pub parent_id: Option<i64>,
    /// The name the commenter gave.
    #[schema(example = "Siti Rahma", min_length = 1, max_length = 100)]
    pub author_name: String,
    /// The commenter's website, if given.
    pub author_url: Option<String>,
    /// Plain text, exactly as written: display it as text, never as HTML.
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
    /// Always `approved` in public lists.
    pub status: CommentStatus,
    /// When the comment was submitted.
    pub created_at: DateTime<Utc>,
}

impl From<PublicComment> for PublicCommentResponse {
    fn from(c: PublicComment) -> Self {
        PublicCommentResponse {
            id: c.id,
            article_id: c.article_id,
            parent_id: c.parent_id,
            author_name: c.author_name,
            author_url: c.author_url,
            body: c.body,
            status: stored(&c.status),
            created_at: c.created_at.and_utc(),
        }
    }
}

/// Parameters of a comment list. Unknown parameters are a 422.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters that `list_article_comments` parses by hand
pub struct ListCommentsQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
}

/// List an article's comments
///
/// Approved comments of a visible article, oldest first; `parent_id` links replies.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id_or_slug}/comments",
    tag = "comments",
    operation_id = "list_article_comments",
    params(
        ("id_or_slug" = String, Path, description = "The article's id or slug"),
        ListCommentsQuery,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of approved comments", body = Paginated<PublicCommentResponse>,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("X-Total-Count" = i64, description = "Number of approved comments"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_article_comments(
    req: HttpRequest,
    path: web::Path<String>,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("article"))?;
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    q.finish()?;
    let visibility = visibility_for(user.0.as_ref(), Some(None));
    let (rows, total) = db::run(&state.pool, move |conn| {
        let article_id = db::articles::visible_id(conn, &key, visibility)?;
        db::comments::list_approved(conn, article_id, page.offset(), page.per_page)
    })
    .await
    .not_found_as("article")?;
    let body = Paginated { data: rows.into_iter().map(PublicCommentResponse::from).collect(), meta: page.meta(total) };
    let mut response = caching::json(&req, &body, state.audience(&user))?;
    pagination::add_headers(&req, &mut response, &body.meta);
    Ok(response)
}
