//! Comments over HTTP: an article's public thread, submissions from readers, and moderation.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::articles::visibility_for;
use super::cache;
use super::caching::{self, Audience};
use super::client::{client_ip, network_of};
use super::events;
use super::json::{JsonBody, ValidJson};
use super::pagination::{self, PageParams, PageRequest, Paginated};
use super::query::{id_or_slug, path_id, QueryReader};
use super::throttle::refusal;
use super::validation::{http_url, not_blank};
use super::{stored, AppState};
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::db::audit::Action;
use crate::db::comments::{Comment, CommentChanges, CommentFilter, NewComment, PublicComment};
use crate::db::{self, DbError};
use crate::domain::spam::{self, SpamSignal};
use crate::domain::{self, invalidation, permissions, CommentPolicy, CommentStatus, IdOrSlug};
use crate::error::{AppError, NotFoundAs, Problem};

/// A comment as the public sees it: the commenter's email, address and user agent are
/// never part of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCommentResponse {
    /// The comment's id.
    #[schema(example = 7)]
    pub id: i64,
    /// The article it belongs to.
    #[schema(example = 42)]
    pub article_id: i64,
    /// The comment it answers, for threads.
    #[schema(example = json!(null))]
    pub parent_id: Option<i64>,
    /// The name the commenter gave.
    #[schema(example = "Siti Rahma", min_length = 1, max_length = 100)]
    pub author_name: String,
    /// The commenter's website, if given.
    #[schema(example = "https://siti.example.com")]
    pub author_url: Option<String>,
    /// Plain text, exactly as written: display it as text, never as HTML.
    #[schema(example = "Terima kasih atas beritanya.", min_length = 1, max_length = 5000)]
    pub body: String,
    /// `approved` in public lists; a submitter is told `pending` while the comment awaits moderation.
    pub status: CommentStatus,
    /// When the comment was submitted.
    #[schema(example = "2024-11-24T09:12:00Z")]
    pub created_at: DateTime<Utc>,
}

impl PublicCommentResponse {
    /// The comment as anyone outside moderation is told of it: its submitter, a webhook. A
    /// comment held as spam reads as pending (spammers learn nothing).
    pub fn as_told(comment: Comment) -> PublicCommentResponse {
        let mut shown = PublicCommentResponse::from(PublicComment::from(comment));
        if shown.status == CommentStatus::Spam {
            shown.status = CommentStatus::Pending;
        }
        shown
    }
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

/// List an article's comments
///
/// Approved comments of a visible article, oldest first; `parent_id` links replies.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id_or_slug}/comments",
    tag = "comments",
    operation_id = "list_article_comments",
    params(
        ("id_or_slug" = String, Path, description = "The article's id or slug", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200),
        PageParams,
    ),
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
    let (article_id, rows, total) = db::run(&state.pool, move |conn| {
        let (article_id, _) = db::articles::visible_ref(conn, &key, visibility)?;
        let (rows, total) = db::comments::list_public(conn, article_id, page.offset(), page.per_page)?;
        Ok::<_, DbError>((article_id, rows, total))
    })
    .await
    .not_found_as("article")?;
    let body = Paginated { data: rows.into_iter().map(PublicCommentResponse::from).collect(), meta: page.meta(total) };
    let response = pagination::respond(&req, &body, state.audience(&user))?;
    Ok(cache::shows(response, invalidation::comment_reads(article_id)))
}

/// A reader's comment. Name, email and body are required; the email is never published.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCommentRequest {
    /// The name shown with the comment.
    #[validate(
        required(message = "is required"),
        custom(function = "not_blank"),
        length(min = 1, max = 100, message = "must be 1 to 100 characters")
    )]
    #[schema(value_type = String, required = true, example = "Siti Rahma", min_length = 1, max_length = 100)]
    pub author_name: Option<String>,
    /// The commenter's email: required, and never published.
    #[validate(
        required(message = "is required"),
        email(message = "must be a valid email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    #[schema(value_type = String, required = true, example = "siti@example.com", format = "email", max_length = 254)]
    pub author_email: Option<String>,
    /// The commenter's website (http or https).
    #[validate(custom(function = "http_url"))]
    #[schema(example = "https://siti.example.com", format = "uri", max_length = 2048)]
    pub author_url: Option<String>,
    /// Plain text, kept exactly as written and never turned into HTML.
    #[validate(
        required(message = "is required"),
        custom(function = "not_blank"),
        length(min = 1, max = 5000, message = "must be 1 to 5000 characters")
    )]
    #[schema(value_type = String, required = true, example = "Terima kasih atas beritanya.", min_length = 1, max_length = 5000)]
    pub body: Option<String>,
    /// The approved comment of the same article that this one answers.
    #[schema(example = 7, minimum = 1)]
    pub parent_id: Option<i64>,
    /// Leave empty: a field hidden from people in the comment form. Filled in, it marks the
    /// comment as spam.
    #[validate(length(max = 2048, message = "must be at most 2048 characters"))]
    #[schema(example = "", max_length = 2048)]
    pub website: Option<String>,
}

// Every valid comment fits, even with each of its 5,000 characters an emoji escaped as a
// `\uXXXX\uXXXX` pair (12 bytes), with the longest name, email, website and honeypot
// beside it: about 100 KB. A body a hundred times that is refused before it is read.
impl JsonBody for CreateCommentRequest {
    const MAX_BYTES: usize = 128 * 1024;
}

/// A comment with everything moderators need: email, address and user agent included.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModerationCommentResponse {
    /// The comment's id.
    #[schema(example = 7)]
    pub id: i64,
    /// The article it belongs to.
    #[schema(example = 42)]
    pub article_id: i64,
    /// The comment it answers.
    #[schema(example = json!(null))]
    pub parent_id: Option<i64>,
    /// The staff member who wrote it, if one did.
    #[schema(example = json!(null))]
    pub user_id: Option<i64>,
    /// The name the commenter gave.
    #[schema(example = "Siti Rahma")]
    pub author_name: String,
    /// The commenter's email (staff eyes only).
    #[schema(example = "siti@example.com")]
    pub author_email: String,
    /// The commenter's website.
    #[schema(example = "https://siti.example.com")]
    pub author_url: Option<String>,
    /// Plain text, exactly as written.
    #[schema(example = "Terima kasih atas beritanya.")]
    pub body: String,
    /// Moderation state.
    pub status: CommentStatus,
    /// Whether the public sees it: approved, and every comment above it in the thread too.
    #[schema(example = true)]
    pub visible: bool,
    /// The client address it came from.
    #[schema(example = "203.0.113.7")]
    pub ip: Option<String>,
    /// The browser it came from.
    #[schema(example = "Mozilla/5.0")]
    pub user_agent: Option<String>,
    /// When it was submitted.
    #[schema(example = "2024-11-24T09:12:00Z")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[schema(example = "2024-11-24T10:00:00Z")]
    pub updated_at: DateTime<Utc>,
}

impl From<Comment> for ModerationCommentResponse {
    fn from(c: Comment) -> Self {
        ModerationCommentResponse {
            id: c.id,
            article_id: c.article_id,
            parent_id: c.parent_id,
            user_id: c.user_id,
            author_name: c.author_name,
            author_email: c.author_email,
            author_url: c.author_url,
            body: c.body,
            status: stored(&c.status),
            visible: c.visible,
            ip: c.ip,
            user_agent: c.user_agent,
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}

/// The longest user agent kept for moderators.
const MAX_USER_AGENT: usize = 512;

/// Submit a comment
///
/// Open to the public, no token needed. Anonymous comments start `pending` and wait for a
/// moderator; a staff member's comment is `approved` at once and linked to their account.
/// A submission that looks like spam (a filled `website` field, many links, the same text
/// again) is kept as `spam` for moderators, and its submitter is told `pending` like anyone.
/// Submissions are rate-limited per client address.
#[utoipa::path(
    post, path = "/api/v1/articles/{id_or_slug}/comments", tag = "comments", operation_id = "create_comment",
    params(("id_or_slug" = String, Path, description = "The article's id or slug", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)),
    request_body = CreateCommentRequest,
    responses(
        (status = 201, description = "Stored; `status` says whether it awaits moderation", body = PublicCommentResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Comments on this article are closed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many submissions from this address", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn create_comment(
    req: HttpRequest,
    path: web::Path<String>,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
    body: ValidJson<CreateCommentRequest>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("article"))?;
    QueryReader::new(&req).finish()?;
    let ip = client_ip(&req, &state.config.trusted_proxies);
    if user.0.is_none() {
        let network = ip.map_or_else(|| "unknown".to_owned(), network_of);
        state
            .comment_limit
            .hit(&network)
            .await
            .map_err(|refused| refusal(refused, "too many comments from this address; try again later"))?;
    }
    let body = body.0;
    let text = body.body.unwrap_or_default();
    let signal = spam::signal(&text, body.website.as_deref());
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(MAX_USER_AGENT).collect::<String>());
    let visibility = visibility_for(user.0.as_ref(), Some(None));
    let staff = user.0.clone();
    let mut new = NewComment {
        article_id: 0,
        parent_id: body.parent_id,
        user_id: staff.as_ref().map(|u| u.id),
        author_name: body.author_name.unwrap_or_default().trim().to_owned(),
        author_email: body.author_email.unwrap_or_default().trim().to_owned(),
        author_url: body.author_url,
        body: text,
        status: CommentStatus::Pending,
        ip: ip.map(|ip| ip.to_string()),
        user_agent,
    };
    // Checked and stored in one transaction shared with the comments arriving together.
    let stored_comment = state
        .group_commit
        .write(move |conn| {
            let now = domain::now();
            let since = now - db::comments::duplicate_window();
            let (article_id, policy, repeated) = db::articles::comment_target(conn, &key, visibility, &new.body, since)
                .map_err(AppError::from)
                .not_found_as("article")?;
            if policy == CommentPolicy::Closed {
                return Err(AppError::Forbidden("comments on this article are closed".into()));
            }
            new.article_id = article_id;
            let signal = signal.or(repeated.then_some(SpamSignal::Duplicate));
            new.status = match (&staff, signal) {
                (Some(_), _) => CommentStatus::Approved,
                (None, Some(_)) => CommentStatus::Spam,
                (None, None) => CommentStatus::Pending,
            };
            if let Some(signal) = signal {
                tracing::info!(article = new.article_id, ?signal, "comment held as spam");
            }
            let created = db::comments::create(conn, &new, now)?;
            events::comment(conn, None, Some(&created))?;
            Ok(created)
        })
        .await?;
    caching::created(&req, &PublicCommentResponse::as_told(stored_comment), None)
}

fn require_moderator(user: &AuthUser) -> Result<(), AppError> {
    AppError::forbidden_unless(
        permissions::may_moderate_comments(user.role),
        "only editors and admins moderate comments",
    )
}

/// Parameters of the moderation queue.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters that `list_comments` parses by hand
pub struct ModerationQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
    /// Only comments in this state.
    status: Option<CommentStatus>,
    /// Only comments of this article (id or slug).
    #[param(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    article: Option<String>,
}

/// The moderation queue
///
/// Every comment, newest first, with the commenter's email, address and user agent.
#[utoipa::path(
    get, path = "/api/v1/comments", tag = "comments", operation_id = "list_comments",
    params(ModerationQuery),
    responses(
        (status = 200, description = "A page of comments", body = Paginated<ModerationCommentResponse>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_comments(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_moderator(&user)?;
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    let filter = CommentFilter {
        status: q.parse("status", |s| s.parse::<CommentStatus>()),
        article: q.parse("article", id_or_slug),
    };
    q.finish()?;
    let (rows, total) =
        db::run(&state.pool, move |conn| db::comments::list(conn, &filter, page.offset(), page.per_page)).await?;
    let body =
        Paginated { data: rows.into_iter().map(ModerationCommentResponse::from).collect(), meta: page.meta(total) };
    pagination::respond(&req, &body, Audience::Private)
}

/// A moderator's change to a comment.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCommentRequest {
    /// The new moderation state; every change is reversible.
    pub status: Option<CommentStatus>,
    /// The corrected text (plain text).
    #[validate(custom(function = "not_blank"), length(min = 1, max = 5000, message = "must be 1 to 5000 characters"))]
    #[schema(example = "Terima kasih atas beritanya (disunting).", min_length = 1, max_length = 5000)]
    pub body: Option<String>,
}

impl JsonBody for UpdateCommentRequest {
    const MAX_BYTES: usize = 128 * 1024;
}

/// Moderate a comment
///
/// Approve, hold, mark as spam or trash a comment, or correct its text. Replies below a
/// comment that stops being public stop being public with it, and come back with it.
#[utoipa::path(
    patch, path = "/api/v1/comments/{id}", tag = "comments", operation_id = "update_comment",
    params(("id" = i64, Path, description = "The comment's id", minimum = 1)),
    request_body = UpdateCommentRequest,
    responses(
        (status = 200, description = "The comment", body = ModerationCommentResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_comment(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<UpdateCommentRequest>,
) -> Result<HttpResponse, AppError> {
    require_moderator(&user)?;
    let id = path_id(&path, "comment")?;
    QueryReader::new(&req).finish()?;
    let changes = CommentChanges { status: body.0.status, body: body.0.body };
    let who = user.who();
    let updated = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let before = db::comments::find(conn, id)?;
            let updated = db::comments::update(conn, id, &changes, domain::now())?;
            events::comment(conn, Some(&before), Some(&updated))?;
            // A change of status is moderation; an edit of the text alone is an update.
            let (action, summary) = match changes.status {
                Some(status) => {
                    (Action::CommentModerate, format!("{status}: {}", crate::changed_fields!(changes; status, body)))
                }
                None => (Action::CommentUpdate, crate::changed_fields!(changes; status, body)),
            };
            db::audit::record(conn, &who, action, Some(id), &summary)?;
            Ok::<_, db::DbError>(updated)
        })
    })
    .await
    .not_found_as("comment")?;
    caching::json(&req, &ModerationCommentResponse::from(updated), Audience::Private)
}

/// Delete a comment
///
/// The replies below it go with it.
#[utoipa::path(
    delete, path = "/api/v1/comments/{id}", tag = "comments", operation_id = "delete_comment",
    params(("id" = i64, Path, description = "The comment's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted, with its replies"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_comment(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_moderator(&user)?;
    let id = path_id(&path, "comment")?;
    QueryReader::new(&req).finish()?;
    let who = user.who();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let before = db::comments::find(conn, id)?;
            db::comments::delete(conn, id)?;
            events::comment(conn, Some(&before), None)?;
            db::audit::record(conn, &who, Action::CommentDelete, Some(id), "with its replies")
        })
    })
    .await
    .not_found_as("comment")?;
    Ok(HttpResponse::NoContent().finish())
}
