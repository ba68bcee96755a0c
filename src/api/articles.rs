//! Articles over HTTP: the public list and the single article.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::cache;
use super::caching::{self, Audience};
use super::categories::CategoryRefResponse;
use super::cursor;
use super::events;
use super::json::{JsonBody, ValidJson, MAX_BODY_BYTES};
use super::media::FeaturedImageResponse;
use super::pagination::{self, PageRequest, Paginated};
use super::query::{id_or_slug, QueryReader};
use super::tags::TagRefResponse;
use super::validation::{article_body, double_option, http_url, language_tag, not_blank, positive_ids, slug_format};
use super::{stored, AppState};
use std::sync::Arc;

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::db::articles::{
    ArticleChanges, ArticleFilter, ArticleMeta, ArticleOrder, ArticleView, NewArticle, PreparedEdit, UpdateOutcome,
    Visibility,
};
use crate::db::audit::Action;
use crate::db::redirects::Lookup;
use crate::db::revisions::Reviser;
use crate::db::users::Author;
use crate::db::{self, DbError};
use crate::domain::{self, invalidation, permissions, ArticleKind, ArticleStatus, CommentPolicy, IdOrSlug, Slug};
use crate::error::{AppError, FieldErrors, NotFoundAs, Problem};
use crate::media::MediaUrls;

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
    #[schema(example = "Wartawan ekonomi dan internasional.")]
    pub bio: String,
}

impl From<Author> for AuthorResponse {
    fn from(a: Author) -> Self {
        AuthorResponse { id: a.id, display_name: a.display_name, slug: a.slug, bio: a.bio }
    }
}

/// A news article. Lists leave out `body` and `body_html` unless asked with `include=body`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleResponse {
    /// The article's id.
    #[schema(example = 42)]
    pub id: i64,
    /// URL-safe name, unique among articles.
    #[schema(
        example = "perusahaan-ekspor-kopi-kini-ramai",
        pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$"
    )]
    pub slug: String,
    /// The headline.
    #[schema(example = "Perusahaan Ekspor Kopi Kini Ramai", min_length = 1, max_length = 300)]
    pub title: String,
    /// A short summary: the editor's, or the first paragraph of the body.
    #[schema(example = "Teheran (Kabar Harapan) – Harga kopi naik.", max_length = 1000)]
    pub excerpt: String,
    /// Markdown source of the body (single articles, or lists with `include=body`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Teheran (Kabar Harapan) – Harga kopi **naik**.\n\nSumber: Anadolu")]
    pub body: Option<String>,
    /// The body rendered to sanitized HTML, safe to insert into a page. Images of the media
    /// library carry `srcset` (their WebP variants and the original), `sizes`, `width` and
    /// `height`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "<p>Teheran (Kabar Harapan) – Harga kopi <strong>naik</strong>.</p>\n<p>Sumber: Anadolu</p>")]
    pub body_html: Option<String>,
    /// Where the article is in its life.
    pub status: ArticleStatus,
    /// When the article is (or was, or will be) public.
    #[schema(example = "2024-11-24T08:30:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    /// Who wrote it.
    pub author: AuthorResponse,
    /// The categories it is filed under, by name.
    #[schema(example = json!([{"id": 2, "slug": "luar-negeri", "name": "Luar Negeri"}]))]
    pub categories: Vec<CategoryRefResponse>,
    /// The one of `categories` that the frontend shows and puts in the URL, if chosen.
    #[schema(example = json!({"id": 2, "slug": "luar-negeri", "name": "Luar Negeri"}))]
    pub primary_category: Option<CategoryRefResponse>,
    /// Its tags, by name.
    #[schema(example = json!([{"id": 7, "slug": "iran", "name": "Iran"}]))]
    pub tags: Vec<TagRefResponse>,
    /// An http(s) URL of the lead image: the original of `featured_image` when there is one.
    #[schema(example = "https://images.example.com/kopi.jpg")]
    pub featured_image_url: Option<String>,
    /// Alternative text of the lead image: that of `featured_image` when there is one.
    #[schema(example = "Petani memetik kopi di lereng gunung")]
    pub featured_image_alt: Option<String>,
    /// The lead image when it is Warta media, with its variants for `srcset`.
    pub featured_image: Option<FeaturedImageResponse>,
    /// Name of the original source, e.g. "Anadolu".
    #[schema(example = "Anadolu")]
    pub source_name: Option<String>,
    /// Link to the original source.
    #[schema(example = "https://example.com/anadolu/kopi")]
    pub source_url: Option<String>,
    /// BCP 47 language tag of the text.
    #[schema(example = "id")]
    pub language: String,
    /// Whether readers may comment.
    pub comment_status: CommentPolicy,
    /// Title for search engines, when different from `title`.
    #[schema(example = "Harga Kopi Naik")]
    pub meta_title: Option<String>,
    /// Description for search engines.
    #[schema(example = "Harga kopi naik di pasar dunia.")]
    pub meta_description: Option<String>,
    /// Pinned to the top of the front page (WordPress's "sticky"); `featured=true` lists them.
    #[schema(example = false)]
    pub featured: bool,
    /// A `story` (the news), or a `page` of the site (the masthead, the code of conduct) that no
    /// story list shows.
    pub kind: ArticleKind,
    /// Number of approved comments.
    #[schema(example = 3, minimum = 0)]
    pub comment_count: i64,
    /// When the article was created.
    #[schema(example = "2024-11-24T07:55:00Z")]
    pub created_at: DateTime<Utc>,
    /// When the article last changed.
    #[schema(example = "2024-11-24T08:30:00Z")]
    pub updated_at: DateTime<Utc>,
}

impl ArticleResponse {
    /// The response for `view`, with media addresses from `urls`.
    pub fn new(view: ArticleView, urls: &MediaUrls) -> Self {
        let m = view.meta;
        let featured_image = view.featured_image.map(|image| FeaturedImageResponse::new(image, urls));
        let (featured_image_url, featured_image_alt) = match &featured_image {
            Some(image) => (Some(image.url.clone()), Some(image.alt.clone()).filter(|a| !a.is_empty())),
            None => (m.featured_image_url, m.featured_image_alt),
        };
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
            primary_category: m
                .primary_category_id
                .and_then(|p| view.categories.iter().find(|c| c.id == p).cloned())
                .map(Into::into),
            categories: view.categories.into_iter().map(Into::into).collect(),
            tags: view.tags.into_iter().map(Into::into).collect(),
            featured_image_url,
            featured_image_alt,
            featured_image,
            source_name: m.source_name,
            source_url: m.source_url,
            language: m.language,
            comment_status: stored(&m.comment_status),
            meta_title: m.meta_title,
            meta_description: m.meta_description,
            featured: m.featured,
            kind: stored(&m.kind),
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
    /// Best match first; the default with `search` (without one: newest first).
    Relevance,
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
    #[param(example = "luar-negeri", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    category: Option<String>,
    /// Only articles with this tag (id or slug).
    #[param(example = "pemilu-2024", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    tag: Option<String>,
    /// Only articles by this author (id or slug).
    #[param(example = "dewi-anggraini", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    author: Option<String>,
    /// Only articles published after this time (RFC 3339).
    after: Option<DateTime<Utc>>,
    /// Only articles published before this time (RFC 3339).
    before: Option<DateTime<Utc>>,
    /// `true`: only the stories pinned to the front page; `false`: only the others.
    featured: Option<bool>,
    /// `story` by default; `page` lists the site's pages (the masthead, the code of conduct),
    /// which no other list shows.
    #[param(inline)]
    kind: Option<ArticleKind>,
    /// Full-text search over title, excerpt and body, accent- and case-insensitive; the last
    /// word matches as a prefix. Results are ranked by relevance (title matches first).
    #[param(max_length = 200, example = "harga kopi")]
    search: Option<String>,
    /// Keyset pagination instead of `page`: the `meta.next_cursor` of the previous page. Each
    /// page costs the same however deep in the archive, and articles published meanwhile do
    /// not shift the pages. Not with `search` (search results are paged with `page`); keep
    /// the first page's order.
    #[param(
        max_length = 4096,
        example = "eyJvIjoicHVibGlzaGVkX2F0IiwiZCI6dHJ1ZSwibiI6MTAsImsiOiIyMDI0LTExLTI0VDA4OjMwOjAwIiwiaSI6NDJ9"
    )]
    cursor: Option<String>,
    /// Sort key: `published_at` by default, `relevance` by default with `search`.
    #[param(inline)]
    order_by: Option<ArticleOrderBy>,
    /// Sort direction; `desc` by default, `asc` by default for `title`.
    #[param(inline)]
    order: Option<SortOrder>,
    /// `body` adds `body` and `body_html` to every item.
    #[param(inline)]
    include: Option<ArticleInclude>,
    /// Staff only (with a token): articles in this state, or `any`, as far as the caller's role
    /// lets them see (authors and contributors: their own, plus what is public).
    #[param(inline)]
    status: Option<StatusFilter>,
}

/// The `status` filter of staff lists.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    Draft,
    Published,
    Archived,
    Any,
}

/// Who reads: the public, or a staff member as far as their role reaches.
pub fn visibility_for(user: Option<&AuthUser>, status: Option<Option<ArticleStatus>>) -> Visibility {
    let now = domain::now().naive_utc();
    match (user, status) {
        (Some(user), Some(status)) => {
            Visibility::Staff { now, viewer: user.id, sees_all: permissions::sees_all_articles(user.role), status }
        }
        _ => Visibility::Public { now },
    }
}

pub(super) fn timestamp(s: &str) -> Result<NaiveDateTime, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .map_err(|_| "must be an RFC 3339 time such as 2024-11-24T08:30:00Z".to_owned())
}

fn one_of<T: Copy>(choices: &'static [(&'static str, T)]) -> impl Fn(&str) -> Result<T, String> {
    move |s| {
        choices.iter().find(|(name, _)| *name == s).map(|(_, v)| *v).ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!("must be one of: {}", names.join(", "))
        })
    }
}

fn read_list_query(req: &HttpRequest, user: Option<&AuthUser>) -> Result<(ArticleFilter, PageRequest), AppError> {
    let mut q = QueryReader::new(req);
    let status = q.parse("status", |s| match s {
        "any" => Ok(None),
        _ => s.parse::<ArticleStatus>().map(Some).map_err(|e| format!("{e}, any")),
    });
    if status.is_some() && user.is_none() {
        return Err(AppError::Unauthorized(
            "the status filter needs an access token: the public sees published articles only".into(),
        ));
    }
    let visibility = visibility_for(user, status);
    let paged_by_number = q.has("page");
    let page = PageRequest::read(&mut q);
    let category = q.parse("category", id_or_slug);
    let tag = q.parse("tag", id_or_slug);
    let author = q.parse("author", id_or_slug);
    let after = q.parse("after", timestamp);
    let before = q.parse("before", timestamp);
    let featured = q.parse("featured", one_of(&[("true", true), ("false", false)]));
    let kind = q.parse("kind", |s| s.parse::<ArticleKind>()).unwrap_or_default();
    // An empty search box means no search, as a form submits it.
    let search = q
        .parse(
            "search",
            |s| if s.trim().is_empty() { Ok(None) } else { domain::search::SearchQuery::parse(s).map(Some) },
        )
        .flatten();
    let order_by = q
        .parse(
            "order_by",
            one_of(&[
                ("published_at", ArticleOrder::PublishedAt),
                ("updated_at", ArticleOrder::UpdatedAt),
                ("title", ArticleOrder::Title),
                ("relevance", ArticleOrder::Relevance),
            ]),
        )
        .unwrap_or(if search.is_some() { ArticleOrder::Relevance } else { ArticleOrder::PublishedAt });
    // Without a search every article is equally relevant: newest first, as by default.
    let order_by =
        if order_by == ArticleOrder::Relevance && search.is_none() { ArticleOrder::PublishedAt } else { order_by };
    let descending =
        q.parse("order", one_of(&[("asc", false), ("desc", true)])).unwrap_or(order_by != ArticleOrder::Title);
    let include_body = q.parse("include", one_of(&[("body", true)])).unwrap_or(false);
    if q.has("cursor") && paged_by_number {
        q.error("cursor", "cannot be combined with `page`");
    }
    if q.has("cursor") && search.is_some() {
        q.error("cursor", "search results are paged with `page`");
    }
    let cursor = q.parse("cursor", |s| cursor::decode(s, order_by, descending));
    q.finish()?;
    let mut page = page;
    if let Some(cursor) = &cursor {
        // The page the cursor's position falls on: meta and Link stay meaningful.
        page.page = (cursor.offset / page.per_page + 1).min(pagination::MAX_PAGE);
    }
    let filter = ArticleFilter {
        visibility,
        category,
        tag,
        author,
        after,
        before,
        featured,
        kind,
        order_by,
        descending,
        include_body,
        search,
        known_total: None,
        offset: cursor.as_ref().map_or(page.offset(), |c| c.offset),
        seek: cursor.map(|c| c.seek),
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
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_articles(
    req: HttpRequest,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (mut filter, page) = read_list_query(&req, user.0.as_ref())?;
    // Counting a big archive is the costly part of a list: the public total of a filter is
    // kept per content version (it changes only with a write or a due publication).
    // A search is counted by the full-text index every time (its cost follows the matches).
    let count_key = (matches!(filter.visibility, Visibility::Public { .. }) && filter.search.is_none())
        .then(|| filter.narrowing_key());
    let tick = state.cache.tick();
    if let Some(key) = &count_key {
        filter.known_total = state.counts.get(key, &state.cache);
    }
    let (order_by, descending, next) = (filter.order_by, filter.descending, filter.offset + filter.limit);
    let keyset = filter.search.is_none();
    let found = db::run(&state.pool, move |conn| db::articles::list(conn, &filter)).await?;
    if let Some(key) = count_key {
        state.counts.put(key, tick, found.total);
    }
    let mut meta = page.meta_counted(found.total, found.total_exact);
    if keyset && found.more {
        meta.next_cursor = found.items.last().and_then(|last| cursor::encode(order_by, descending, next, &last.meta));
    }
    let body =
        Paginated { data: found.items.into_iter().map(|v| ArticleResponse::new(v, &state.media.urls)).collect(), meta };
    Ok(cache::shows(pagination::respond(&req, &body, state.audience(&user))?, invalidation::list_reads()))
}

/// Get an article
///
/// The full article by id or slug; a 404 for what the caller may not see (drafts, scheduled).
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id_or_slug}",
    tag = "articles",
    operation_id = "get_article",
    params(("id_or_slug" = String, Path, description = "The article's id or slug", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200, example = "perusahaan-ekspor-kopi-kini-ramai")),
    responses(
        (status = 200, description = "The article", body = ArticleResponse,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 301, description = "An old slug of the article: `Location` names its current one",
            headers(("Location" = String, description = "The article at its current slug"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_article(
    req: HttpRequest,
    path: web::Path<String>,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("article"))?;
    QueryReader::new(&req).finish()?;
    let visibility = visibility_for(user.0.as_ref(), Some(None));
    let found = db::run(&state.pool, move |conn| {
        db::redirects::find_or_follow(
            conn,
            &key,
            |conn, key| db::articles::find(conn, key, visibility),
            |conn, old| db::articles::renamed_to(conn, old, visibility),
        )
    })
    .await
    .not_found_as("article")?;
    let view = match found {
        Lookup::Found(view) => view,
        Lookup::Renamed(slug) => return Ok(caching::moved(&format!("/api/v1/articles/{slug}"), state.audience(&user))),
    };
    let reads = invalidation::article_reads(view.meta.id);
    Ok(cache::shows(caching::json(&req, &ArticleResponse::new(view, &state.media.urls), state.audience(&user))?, reads))
}

/// A new article. Only `title` is required; it starts as a draft.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticleRequest {
    /// The headline.
    #[validate(
        required(message = "is required"),
        custom(function = "not_blank"),
        length(min = 1, max = 300, message = "must be 1 to 300 characters")
    )]
    #[schema(value_type = String, required = true, example = "Perusahaan Ekspor Kopi Kini Ramai", min_length = 1, max_length = 300)]
    pub title: Option<String>,
    /// URL-safe name; made from the title by transliteration when absent (a clash gets `-2`, `-3`...).
    /// A given slug that another article has is a 409.
    #[validate(custom(function = "slug_format"))]
    #[schema(
        example = "perusahaan-ekspor-kopi-kini-ramai",
        pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$",
        max_length = 200
    )]
    pub slug: Option<String>,
    /// A short summary; derived from the body's first paragraph when empty.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "Harga kopi naik di pasar dunia.", max_length = 1000)]
    pub excerpt: Option<String>,
    /// Markdown source, at most 1 MiB, nesting at most 32 levels deep (quotes, lists, emphasis
    /// or links inside each other).
    #[validate(custom(function = "article_body"))]
    #[schema(example = "Teheran (Kabar Harapan) – ...\n\nSumber: Anadolu")]
    pub body: Option<String>,
    /// `draft` by default; contributors may only create drafts.
    pub status: Option<ArticleStatus>,
    /// Publication time; a future time schedules the article. Set to now on first publication when absent.
    #[schema(example = "2024-11-24T08:30:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    /// The author, when not the caller (editors and admins only).
    #[schema(example = 3, minimum = 1)]
    pub author_id: Option<i64>,
    /// Categories to file the article under.
    #[validate(length(max = 20, message = "must have at most 20 categories"), custom(function = "positive_ids"))]
    #[schema(example = json!([2, 5]), max_items = 20)]
    pub category_ids: Option<Vec<i64>>,
    /// Tags to label the article with.
    #[validate(length(max = 50, message = "must have at most 50 tags"), custom(function = "positive_ids"))]
    #[schema(example = json!([7, 9]), max_items = 50)]
    pub tag_ids: Option<Vec<i64>>,
    /// An http(s) URL of the lead image.
    #[validate(custom(function = "http_url"))]
    #[schema(example = "https://images.example.com/kopi.jpg", format = "uri", max_length = 2048)]
    pub featured_image_url: Option<String>,
    /// Alternative text of the lead image.
    #[validate(length(max = 300, message = "must be at most 300 characters"))]
    #[schema(example = "Petani memetik kopi", max_length = 300)]
    pub featured_image_alt: Option<String>,
    /// Warta media to lead with: the article then embeds `featured_image`, and
    /// `featured_image_url`/`featured_image_alt` follow it.
    #[validate(range(min = 1, message = "must be a media id"))]
    #[schema(example = 12, minimum = 1)]
    pub featured_image_id: Option<i64>,
    /// Name of the original source, e.g. "Anadolu".
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(example = "Anadolu", max_length = 200)]
    pub source_name: Option<String>,
    /// An http(s) link to the original source.
    #[validate(custom(function = "http_url"))]
    #[schema(example = "https://example.com/anadolu/kopi", format = "uri", max_length = 2048)]
    pub source_url: Option<String>,
    /// BCP 47 language tag; the site's language when absent.
    #[validate(custom(function = "language_tag"))]
    #[schema(example = "id", max_length = 35, pattern = "^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]
    pub language: Option<String>,
    /// `open` by default.
    pub comment_status: Option<CommentPolicy>,
    /// Title for search engines.
    #[validate(length(max = 300, message = "must be at most 300 characters"))]
    #[schema(example = "Harga Kopi Naik", max_length = 300)]
    pub meta_title: Option<String>,
    /// Description for search engines.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "Harga kopi naik di pasar dunia.", max_length = 1000)]
    pub meta_description: Option<String>,
    /// Pin it to the top of the front page (editors and admins); `false` by default.
    #[schema(example = false)]
    pub featured: Option<bool>,
    /// `story` by default; a `page` (editors and admins) is read by its slug and left out of
    /// every story list.
    pub kind: Option<ArticleKind>,
    /// One of `category_ids`: the category the frontend shows and puts in the URL.
    #[validate(range(min = 1, message = "must be a category id, a whole number from 1"))]
    #[schema(example = 2, minimum = 1)]
    pub primary_category_id: Option<i64>,
}

/// Changes to an article; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticleRequest {
    /// The headline.
    #[validate(custom(function = "not_blank"), length(min = 1, max = 300, message = "must be 1 to 300 characters"))]
    #[schema(example = "Harga Kopi Naik Lagi", min_length = 1, max_length = 300)]
    pub title: Option<String>,
    /// A new slug (it is not changed when only the title changes, so links keep working).
    #[validate(custom(function = "slug_format"))]
    #[schema(
        example = "harga-kopi-naik",
        pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$",
        max_length = 200
    )]
    pub slug: Option<String>,
    /// A short summary; empty to derive it from the body again.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "", max_length = 1000)]
    pub excerpt: Option<String>,
    /// Markdown source, at most 1 MiB, nesting at most 32 levels deep (quotes, lists, emphasis
    /// or links inside each other).
    #[validate(custom(function = "article_body"))]
    #[schema(example = "Teheran (Kabar Harapan) – Harga kopi naik lagi.")]
    pub body: Option<String>,
    /// Move the article through its workflow (publishing needs author rights or more).
    pub status: Option<ArticleStatus>,
    /// Publication time; a future time schedules the article.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(example = "2024-11-25T06:00:00Z", value_type = Option<DateTime<Utc>>)]
    pub published_at: Option<Option<DateTime<Utc>>>,
    /// Hand the article to another user (editors and admins only).
    #[schema(example = 3, minimum = 1)]
    pub author_id: Option<i64>,
    /// Replaces the article's categories.
    #[validate(length(max = 20, message = "must have at most 20 categories"), custom(function = "positive_ids"))]
    #[schema(example = json!([2]), max_items = 20)]
    pub category_ids: Option<Vec<i64>>,
    /// Replaces the article's tags.
    #[validate(length(max = 50, message = "must have at most 50 tags"), custom(function = "positive_ids"))]
    #[schema(example = json!([7]), max_items = 50)]
    pub tag_ids: Option<Vec<i64>>,
    /// An http(s) URL of the lead image.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "http_url"))]
    #[schema(example = "https://images.example.com/kopi.jpg", value_type = Option<String>, format = "uri", max_length = 2048)]
    pub featured_image_url: Option<Option<String>>,
    /// Alternative text of the lead image.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(max = 300, message = "must be at most 300 characters"))]
    #[schema(example = "Petani memetik kopi", value_type = Option<String>, max_length = 300)]
    pub featured_image_alt: Option<Option<String>>,
    /// Warta media to lead with; `null` leads with none (or with `featured_image_url`).
    #[serde(default, deserialize_with = "double_option")]
    #[validate(range(min = 1, message = "must be a media id"))]
    #[schema(example = 12, value_type = Option<i64>, minimum = 1)]
    pub featured_image_id: Option<Option<i64>>,
    /// Name of the original source.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(example = "Reuters", value_type = Option<String>, max_length = 200)]
    pub source_name: Option<Option<String>>,
    /// An http(s) link to the original source.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "http_url"))]
    #[schema(example = "https://example.com/reuters/kopi", value_type = Option<String>, format = "uri", max_length = 2048)]
    pub source_url: Option<Option<String>>,
    /// BCP 47 language tag.
    #[validate(custom(function = "language_tag"))]
    #[schema(example = "id", max_length = 35, pattern = "^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]
    pub language: Option<String>,
    /// Whether readers may comment.
    pub comment_status: Option<CommentPolicy>,
    /// Title for search engines.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(max = 300, message = "must be at most 300 characters"))]
    #[schema(example = "Harga Kopi Naik", value_type = Option<String>, max_length = 300)]
    pub meta_title: Option<Option<String>>,
    /// Description for search engines.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "Harga kopi naik di pasar dunia.", value_type = Option<String>, max_length = 1000)]
    pub meta_description: Option<Option<String>>,
    /// Pin it to the top of the front page, or unpin it (editors and admins).
    #[schema(example = true)]
    pub featured: Option<bool>,
    /// Make a story a page or a page a story (editors and admins).
    pub kind: Option<ArticleKind>,
    /// One of the article's categories (after this edit); `null` chooses none. Categories that
    /// leave out the primary one end its being primary.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(range(min = 1, message = "must be a category id, a whole number from 1"))]
    #[schema(example = 2, value_type = Option<i64>, minimum = 1)]
    pub primary_category_id: Option<Option<i64>>,
}

// A 1 MiB body fits twice over, so that a body escaped by its client (every quote, newline
// or non-ASCII character written out as `\"`, `\n` or `\uXXXX`) fits with everything else.
impl JsonBody for CreateArticleRequest {
    const MAX_BYTES: usize = MAX_BODY_BYTES;
}

impl JsonBody for UpdateArticleRequest {
    const MAX_BYTES: usize = MAX_BODY_BYTES;
}

fn dedup(ids: Vec<i64>) -> Vec<i64> {
    let mut seen = Vec::with_capacity(ids.len());
    for id in ids {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    seen
}

fn to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(0)
}

impl UpdateArticleRequest {
    fn into_changes(self) -> ArticleChanges {
        ArticleChanges {
            title: self.title.map(|t| t.trim().to_owned()),
            slug: self.slug.and_then(|s| Slug::parse(&s).ok()),
            excerpt: self.excerpt,
            body: self.body,
            status: self.status,
            published_at: self.published_at.map(|t| t.map(to_second)),
            author_id: self.author_id,
            category_ids: self.category_ids.map(dedup),
            tag_ids: self.tag_ids.map(dedup),
            featured_image_url: self.featured_image_url,
            featured_image_alt: self.featured_image_alt,
            featured_image_id: self.featured_image_id,
            source_name: self.source_name,
            source_url: self.source_url,
            language: self.language,
            comment_status: self.comment_status,
            meta_title: self.meta_title,
            meta_description: self.meta_description,
            featured: self.featured,
            primary_category_id: self.primary_category_id,
            kind: self.kind,
        }
    }
}

/// Staff's view of every article, to decide what the caller may see and do with it.
pub(super) fn staff_sees_all() -> Visibility {
    Visibility::Staff { now: domain::now().naive_utc(), viewer: 0, sees_all: true, status: None }
}

/// The article `key` names, if `user` may see it at all (else a 404, never a 403): the same
/// rule as their lists, applied by the query.
pub(super) fn find_for(conn: &mut db::Conn, key: &IdOrSlug, user: &AuthUser) -> Result<ArticleView, AppError> {
    db::articles::find(conn, key, visibility_for(Some(user), Some(None)))
        .map_err(AppError::from)
        .not_found_as("article")
}

/// [`find_for`] without the body and relations: what the edit rules look at.
fn find_meta_for(conn: &mut db::Conn, key: &IdOrSlug, user: &AuthUser) -> Result<ArticleMeta, AppError> {
    db::articles::find_meta(conn, key, visibility_for(Some(user), Some(None)))
        .map_err(AppError::from)
        .not_found_as("article")
}

/// The strong ETag of an article's representation (what GET returns).
fn article_etag(view: &ArticleView, urls: &MediaUrls) -> Result<String, AppError> {
    let bytes =
        serde_json::to_vec(&ArticleResponse::new(view.clone(), urls)).map_err(|e| AppError::Internal(e.into()))?;
    Ok(caching::etag_of(&bytes))
}

/// Whether an `If-Match` value matches `etag`, by strong comparison.
fn if_match_holds(if_match: &str, etag: &str) -> bool {
    if_match.split(',').map(str::trim).any(|tag| tag == "*" || tag == etag)
}

/// How often an edit is rendered again when other edits keep changing the text under it.
const RENDER_ATTEMPTS: usize = 3;

/// A 403 unless `user` may pin stories to the front page or unpin them.
fn may_feature(user: &AuthUser) -> Result<(), AppError> {
    AppError::forbidden_unless(
        permissions::may_feature_articles(user.role),
        "only editors and admins pin stories to the front page",
    )
}

/// A 403 unless `user` may make pages of the site, or stories of them.
fn may_manage_pages(user: &AuthUser) -> Result<(), AppError> {
    AppError::forbidden_unless(
        permissions::may_manage_pages(user.role),
        "only editors and admins make the site's pages (kind `page`)",
    )
}

/// Whether `user` may make `changes` to the article `current`.
fn authorize_edit(user: &AuthUser, current: &ArticleMeta, changes: &ArticleChanges) -> Result<(), AppError> {
    let own = current.author_id == user.id;
    let status: ArticleStatus = stored(&current.status);
    if !permissions::may_edit_article(user.role, own, status) {
        return Err(AppError::Forbidden(format!("a {} may not change this article", user.role)));
    }
    if let Some(new_status) = changes.status {
        if new_status != status && !permissions::may_set_status(user.role, own, new_status) {
            return Err(AppError::Forbidden(format!("a {} may not make this article {new_status}", user.role)));
        }
    }
    if changes.featured.is_some_and(|f| f != current.featured) {
        may_feature(user)?;
    }
    if changes.kind.is_some_and(|k| k.as_str() != current.kind) {
        may_manage_pages(user)?;
    }
    if changes.author_id.is_some_and(|a| a != current.author_id) && !permissions::may_assign_author(user.role) {
        return Err(AppError::Forbidden("only editors and admins hand articles to another user".into()));
    }
    Ok(())
}

/// Create an article
///
/// Contributors may only create drafts; publishing (status `published`, possibly scheduled
/// with a future `published_at`) needs author rights or more.
#[utoipa::path(
    post, path = "/api/v1/articles", tag = "articles", operation_id = "create_article",
    request_body = CreateArticleRequest,
    responses(
        (status = 201, description = "The article", body = ArticleResponse,
            headers(
                ("Location" = String, description = "The new article's URL"),
                ("ETag" = String, description = "Send as If-Match when changing it"),
            )),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role does not allow this (e.g. a contributor publishing)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The given slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_article(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<CreateArticleRequest>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let body = body.0;
    let status = body.status.unwrap_or(ArticleStatus::Draft);
    if !permissions::may_create_article(user.role, status) {
        return Err(AppError::Forbidden(format!("a {} may only create drafts", user.role)));
    }
    let author_id = body.author_id.unwrap_or(user.id);
    if author_id != user.id && !permissions::may_assign_author(user.role) {
        return Err(AppError::Forbidden("only editors and admins write in another user's name".into()));
    }
    if body.featured == Some(true) {
        may_feature(&user)?;
    }
    let kind = body.kind.unwrap_or_default();
    if kind != ArticleKind::Story {
        may_manage_pages(&user)?;
    }
    let new = NewArticle {
        title: body.title.unwrap_or_default().trim().to_owned(),
        slug: body.slug.and_then(|s| Slug::parse(&s).ok()),
        excerpt: body.excerpt.unwrap_or_default(),
        body: body.body.unwrap_or_default(),
        status,
        published_at: body.published_at.map(to_second),
        author_id,
        category_ids: dedup(body.category_ids.unwrap_or_default()),
        tag_ids: dedup(body.tag_ids.unwrap_or_default()),
        featured_image_url: body.featured_image_url,
        featured_image_alt: body.featured_image_alt,
        featured_image_id: body.featured_image_id,
        source_name: body.source_name,
        source_url: body.source_url,
        language: body.language.unwrap_or_else(|| state.config.site.language.clone()),
        comment_status: body.comment_status.unwrap_or_default(),
        meta_title: body.meta_title,
        meta_description: body.meta_description,
        featured: body.featured.unwrap_or(false),
        primary_category_id: body.primary_category_id,
        kind,
    };
    let (reviser, who) = (Reviser { user_id: user.id, keep: state.config.revisions_keep }, user.who());
    let urls = state.media.urls.clone();
    let view = db::run(&state.pool, move |conn| {
        if author_id != user.id {
            db::users::find(conn, author_id).map_err(|e| match e {
                DbError::NotFound => FieldErrors::single("author_id", format!("no such user: {author_id}")),
                other => other.into(),
            })?;
        }
        db::write(conn, |conn| {
            let summary = format!("\"{}\" ({})", new.title, new.status);
            let id = db::articles::create(conn, new, reviser, domain::now())?;
            db::audit::record(conn, &who, Action::ArticleCreate, Some(id), &summary)?;
            let created = db::articles::find(conn, &IdOrSlug::Id(id), staff_sees_all())?;
            events::article(conn, &urls, None, Some(&created))?;
            Ok::<_, AppError>(created)
        })
    })
    .await?;
    let location = format!("/api/v1/articles/{}", view.meta.id);
    caching::created(&req, &ArticleResponse::new(view, &state.media.urls), Some(location))
}

/// Update an article
///
/// A partial update. Send the `ETag` of the version you edited as `If-Match`: if someone
/// changed the article since, the answer is 412 and nothing is overwritten.
#[utoipa::path(
    patch, path = "/api/v1/articles/{id_or_slug}", tag = "articles", operation_id = "update_article",
    params(
        ("id_or_slug" = String, Path, description = "The article's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version being edited"),
    ),
    request_body = UpdateArticleRequest,
    responses(
        (status = 200, description = "The changed article", body = ArticleResponse,
            headers(("ETag" = String, description = "The new version's entity tag"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role does not allow this change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match: the article changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_article(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<UpdateArticleRequest>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("article"))?;
    QueryReader::new(&req).finish()?;
    let if_match = if_match_of(&req);
    let changes = body.0.into_changes();
    let reviser = Reviser { user_id: user.id, keep: state.config.revisions_keep };
    let update = Edit { changes, if_match, reviser, action: Action::ArticleUpdate, note: String::new() };
    let view = edit(&state, key, user, update).await?;
    caching::json(&req, &ArticleResponse::new(view, &state.media.urls), Audience::Private)
}

/// The `If-Match` of `req`: `None` when absent or empty (an empty one states no precondition).
pub(super) fn if_match_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or("\u{0}").trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// An edit of an article: its changes, the version it was made to (`If-Match`), who makes it
/// and how it is recorded (`action`, with `note` after the changed fields in the summary).
pub(super) struct Edit {
    pub changes: ArticleChanges,
    pub if_match: Option<String>,
    pub reviser: Reviser,
    pub action: Action,
    pub note: String,
}

/// Makes `edit.changes` to the article `key` names as `user`, the one way an article is edited
/// (a PATCH, a restore): the edit rules, `If-Match`, the text rendered outside the write lock,
/// a revision and an audit entry (`action`, or its publication or unpublication) in the same
/// transaction. Answers the article as it is after the edit.
///
/// The write goes through group commit: edits that arrive together share one transaction and
/// one flush to disk, each in its own savepoint (a refused edit is undone alone), and each is
/// answered once that transaction is on disk.
pub(super) async fn edit(state: &AppState, key: IdOrSlug, user: AuthUser, edit: Edit) -> Result<ArticleView, AppError> {
    let (key, user, edit) = (Arc::new(key), Arc::new(user), Arc::new(edit));
    let touches_text = edit.changes.excerpt.is_some() || edit.changes.body.is_some();
    // Rendering is the slow part of an edit, so it happens before the write lock, from
    // the text stored now; should another edit change that text before the lock is
    // ours, the edit is rendered again.
    for _ in 0..RENDER_ATTEMPTS {
        let prepared = if touches_text {
            let (key, user, edit) = (key.clone(), user.clone(), edit.clone());
            db::run(&state.pool, move |conn| {
                let current = find_meta_for(conn, &key, &user)?;
                authorize_edit(&user, &current, &edit.changes)?;
                Ok::<_, AppError>(db::articles::prepare_update(conn, current.id, &edit.changes)?)
            })
            .await?
        } else {
            PreparedEdit::default()
        };
        let (key, user, edit, urls) = (key.clone(), user.clone(), edit.clone(), state.media.urls.clone());
        let stored =
            state.group_commit.write(move |conn| store_edit(conn, &key, &user, &edit, &prepared, &urls)).await?;
        if let Some(view) = stored {
            return Ok(view);
        }
    }
    Err(AppError::Conflict("the article's text kept changing while this edit was saved; try again".into()))
}

/// The write of [`edit`], in its transaction: the edit rules and `If-Match` against the article
/// as it is now, the update with its revision, and the audit entry. `None` when the text changed
/// since `prepared` was rendered (nothing is written).
fn store_edit(
    conn: &mut db::Conn,
    key: &IdOrSlug,
    user: &AuthUser,
    edit: &Edit,
    prepared: &PreparedEdit,
    urls: &MediaUrls,
) -> Result<Option<ArticleView>, AppError> {
    let Edit { changes, if_match, reviser, action, note } = edit;
    db::write(conn, |conn| {
        db::articles::lock_for_edit(conn, key)?;
        // The whole representation is read, serialized and hashed only when a client asked to
        // compare; the edit rules need the row alone.
        let current = match if_match {
            Some(tag) => {
                let view = find_for(conn, key, user)?;
                authorize_edit(user, &view.meta, changes)?;
                if !if_match_holds(tag, &article_etag(&view, urls)?) {
                    return Err(AppError::PreconditionFailed(
                        "the article changed since the version in If-Match; fetch it again and reapply your change"
                            .into(),
                    ));
                }
                view.meta
            }
            None => {
                let meta = find_meta_for(conn, key, user)?;
                authorize_edit(user, &meta, changes)?;
                meta
            }
        };
        let id = current.id;
        // What the public saw, for the webhook event (read only when an endpoint takes one).
        let before = match events::articles_wanted(conn)? {
            true => Some(db::articles::find(conn, &IdOrSlug::Id(id), staff_sees_all())?),
            false => None,
        };
        match db::articles::update(conn, id, changes, prepared, *reviser, domain::now())? {
            UpdateOutcome::Updated => {
                let after = db::articles::find(conn, &IdOrSlug::Id(id), staff_sees_all())?;
                if before.is_some() {
                    events::article(conn, urls, before.as_ref(), Some(&after))?;
                }
                let was_published = current.status == ArticleStatus::Published.as_str();
                let is_published = after.meta.status == ArticleStatus::Published.as_str();
                let action = match (was_published, is_published) {
                    (false, true) => Action::ArticlePublish,
                    (true, false) => Action::ArticleUnpublish,
                    _ => *action,
                };
                let summary = format!("\"{}\": {}{note}", after.meta.title, changes.named_fields());
                db::audit::record(conn, &user.who(), action, Some(id), &summary)?;
                Ok(Some(after))
            }
            UpdateOutcome::Stale => Ok(None),
        }
    })
}

/// Delete an article
///
/// Its comments are deleted with it.
#[utoipa::path(
    delete, path = "/api/v1/articles/{id_or_slug}", tag = "articles", operation_id = "delete_article",
    params(("id_or_slug" = String, Path, description = "The article's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)),
    responses(
        (status = 204, description = "Deleted, with its comments"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role does not allow this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_article(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("article"))?;
    QueryReader::new(&req).finish()?;
    let urls = state.media.urls.clone();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let current = find_meta_for(conn, &key, &user)?;
            if !permissions::may_delete_article(user.role, current.author_id == user.id) {
                return Err(AppError::Forbidden(format!("a {} may not delete this article", user.role)));
            }
            if events::articles_wanted(conn)? {
                let before = db::articles::find(conn, &IdOrSlug::Id(current.id), staff_sees_all())?;
                events::article(conn, &urls, Some(&before), None)?;
            }
            db::articles::delete(conn, current.id)?;
            let summary = format!("\"{}\" ({})", current.title, current.status);
            Ok::<_, AppError>(db::audit::record(conn, &user.who(), Action::ArticleDelete, Some(current.id), &summary)?)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
