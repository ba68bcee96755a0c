//! Articles over HTTP: the public list and the single article.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::caching;
use super::categories::CategoryRefResponse;
use super::pagination::{self, PageRequest, Paginated};
use super::query::QueryReader;
use super::{stored, AppState};
use crate::db;
use crate::db::articles::{ArticleFilter, ArticleOrder, ArticleView, Visibility};
use crate::db::users::Author;
use crate::domain::{self, ArticleStatus, CommentPolicy, IdOrSlug};
use crate::error::{AppError, NotFoundAs, Problem};

/// The public profile of a writer: never the email.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorResponse {
    /// The user's id.
    #[schema(example = 3)]
    pub id: i64,
    /// Name shown in bylines.
    #[schema(example = "Dewi Anggraini")]
    pub display_name: String,
    /// URL-safe name, usable as `author` filter.
    #[schema(example = "dewi-anggraini")]
    pub slug: String,
    /// A short biography; may be empty.
    pub bio: String,
}

impl From<Author> for AuthorResponse {
    fn from(a: Author) -> Self {
        AuthorResponse {
            id: a.id,
            display_name: a.display_name,
            slug: a.slug,
            bio: a.bio,
        }
    }
}

/// A news article. Lists leave out `body` and `body_html` unless asked with `include=body`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleResponse {
    /// The article's id.
    #[schema(example = 42)]
    pub id: i64,
    /// URL-safe name, unique among articles.
    #[schema(example = "perusahaan-ekspor-kopi-kini-ramai", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: String,
    /// The headline.
    #[schema(example = "Perusahaan Ekspor Kopi Kini Ramai", min_length = 1, max_length = 300)]
    pub title: String,
    /// A short summary: the editor's, or the first paragraph of the body.
    #[schema(max_length = 1000)]
    pub excerpt: String,
    /// Markdown source of the body (single articles, or lists with `include=body`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body rendered to sanitized HTML, safe to insert into a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// Where the article is in its life.
    pub status: ArticleStatus,
    /// When the article is (or was, or will be) public.
    pub published_at: Option<DateTime<Utc>>,
    /// Who wrote it.
    pub author: AuthorResponse,
    /// The categories it is filed under, by name.
    pub categories: Vec<CategoryRefResponse>,
    /// An http(s) URL of the lead image.
    pub featured_image_url: Option<String>,
    /// Alternative text of the lead image.
    pub featured_image_alt: Option<String>,
    /// Name of the original source, e.g. "Anadolu".
    pub source_name: Option<String>,
    /// Link to the original source.
    pub source_url: Option<String>,
    /// BCP 47 language tag of the text.
    #[schema(example = "id")]
    pub language: String,
    /// Whether readers may comment.
    pub comment_status: CommentPolicy,
    /// Title for search engines, when different from `title`.
    pub meta_title: Option<String>,
    /// Description for search engines.
    pub meta_description: Option<String>,
    /// Number of approved comments.
    #[schema(minimum = 0)]
    pub comment_count: i64,
    /// When the article was created.
    pub created_at: DateTime<Utc>,
    /// When the article last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ArticleView> for ArticleResponse {
    fn from(view: ArticleView) -> Self {
        let m = view.meta;
        let (body, body_html) = match view.text {
            Some(t) => (Some(t.body), Some(t.body_html)),
            None => (None, None),
        };
        ArticleResponse {
            id: m.id,
            slug: m.slug,
            title: m.title,
            excerpt: m.excerpt,
            body,
            body_html,
            status: stored(&m.status),
            published_at: m.published_at.map(|t| t.and_utc()),
            author: view.author.into(),
            categories: view.categories.into_iter().map(Into::into).collect(),
            featured_image_url: m.featured_image_url,
            featured_image_alt: m.featured_image_alt,
            source_name: m.source_name,
            source_url: m.source_url,
            language: m.language,
            comment_status: stored(&m.comment_status),
            meta_title: m.meta_title,
            meta_description: m.meta_description,
            comment_count: m.comment_count,
            created_at: m.created_at.and_utc(),
            updated_at: m.updated_at.and_utc(),
        }
    }
}

/// Sort keys of the article list.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleOrderBy {
    PublishedAt,
    UpdatedAt,
    Title,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// Parts to add to list items.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleInclude {
    /// `body` and `body_html`.
    Body,
}

/// Parameters of the article list. Unknown parameters are a 422.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters that `read_list_query` parses by hand
pub struct ListArticlesQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
    /// Only articles in this category (id or slug).
    #[param(example = "luar-negeri")]
    category: Option<String>,
    /// Only articles by this author (id or slug).
    #[param(example = "dewi-anggraini")]
    author: Option<String>,
    /// Only articles published after this time (RFC 3339).
    after: Option<DateTime<Utc>>,
    /// Only articles published before this time (RFC 3339).
    before: Option<DateTime<Utc>>,
    /// Sort key.
    #[param(inline)]
    order_by: Option<ArticleOrderBy>,
    /// Sort direction; `desc` by default, `asc` by default for `title`.
    #[param(inline)]
    order: Option<SortOrder>,
    /// `body` adds `body` and `body_html` to every item.
    #[param(inline)]
    include: Option<ArticleInclude>,
}

fn id_or_slug(s: &str) -> Result<IdOrSlug, String> {
    IdOrSlug::parse(s).ok_or_else(|| "must be an id (a positive whole number) or a slug".to_owned())
}

fn timestamp(s: &str) -> Result<NaiveDateTime, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .map_err(|_| "must be an RFC 3339 time such as 2024-11-24T08:30:00Z".to_owned())
}

fn one_of<T: Copy>(choices: &'static [(&'static str, T)]) -> impl Fn(&str) -> Result<T, String> {
    move |s| {
        choices
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
                format!("must be one of: {}", names.join(", "))
            })
    }
}

fn read_list_query(req: &HttpRequest, visibility: Visibility) -> Result<(ArticleFilter, PageRequest), AppError> {
    let mut q = QueryReader::new(req);
    let page = PageRequest::read(&mut q);
    let category = q.parse("category", id_or_slug);
    let author = q.parse("author", id_or_slug);
    let after = q.parse("after", timestamp);
    let before = q.parse("before", timestamp);
    let order_by = q
        .parse(
            "order_by",
            one_of(&[
                ("published_at", ArticleOrder::PublishedAt),
                ("updated_at", ArticleOrder::UpdatedAt),
                ("title", ArticleOrder::Title),
            ]),
        )
        .unwrap_or(ArticleOrder::PublishedAt);
    let descending = q
        .parse("order", one_of(&[("asc", false), ("desc", true)]))
        .unwrap_or(order_by != ArticleOrder::Title);
    let include_body = q.parse("include", one_of(&[("body", true)])).unwrap_or(false);
    q.finish()?;
    let filter = ArticleFilter {
        visibility,
        category,
        author,
        after,
        before,
        order_by,
        descending,
        include_body,
        offset: page.offset(),
        limit: page.per_page,
    };
    Ok((filter, page))
}

/// List published articles
///
/// Published articles whose time has come, newest first, as summaries unless `include=body`.
#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "articles",
    operation_id = "list_articles",
    params(ListArticlesQuery),
    responses(
        (status = 200, description = "A page of articles", body = Paginated<ArticleResponse>,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("X-Total-Count" = i64, description = "Number of matching articles"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_articles(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let visibility = Visibility::Public {
        now: domain::now().naive_utc(),
    };
    let (filter, page) = read_list_query(&req, visibility)?;
    let found = db::run(&state.pool, move |conn| db::articles::list(conn, &filter)).await?;
    let meta = page.meta(found.total);
    let body = Paginated {
        data: found.items.into_iter().map(ArticleResponse::from).collect(),
        meta,
    };
    let mut response = caching::json(&req, &body, state.public_audience())?;
    pagination::add_headers(&req, &mut response, &body.meta);
    Ok(response)
}

/// Get an article
///
/// The full article by id or slug; a 404 for what the caller may not see (drafts, scheduled).
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id_or_slug}",
    tag = "articles",
    operation_id = "get_article",
    params(("id_or_slug" = String, Path, description = "The article's id or slug", example = "perusahaan-ekspor-kopi-kini-ramai")),
    responses(
        (status = 200, description = "The article", body = ArticleResponse,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_article(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("article"))?;
    QueryReader::new(&req).finish()?;
    let visibility = Visibility::Public {
        now: domain::now().naive_utc(),
    };
    let view = db::run(&state.pool, move |conn| db::articles::find(conn, &key, visibility))
        .await
        .not_found_as("article")?;
    caching::json(&req, &ArticleResponse::from(view), state.public_audience())
}
