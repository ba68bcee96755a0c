//! Categories over HTTP: the public list and the single category.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::caching;
use super::pagination::{self, PageRequest, Paginated};
use super::query::QueryReader;
use super::AppState;
use crate::db;
use crate::db::categories::{CategoryRef, CategoryView, ParentFilter};
use crate::domain::{self, IdOrSlug};
use crate::error::{AppError, NotFoundAs, Problem};

/// A category as articles embed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryRefResponse {
    /// The category's id.
    #[schema(example = 2)]
    pub id: i64,
    /// URL-safe name.
    #[schema(example = "luar-negeri")]
    pub slug: String,
    /// Display name.
    #[schema(example = "Luar Negeri")]
    pub name: String,
}

impl From<CategoryRef> for CategoryRefResponse {
    fn from(c: CategoryRef) -> Self {
        CategoryRefResponse {
            id: c.id,
            slug: c.slug,
            name: c.name,
        }
    }
}

/// A category of articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryResponse {
    /// The category's id.
    #[schema(example = 2)]
    pub id: i64,
    /// URL-safe name, unique among categories.
    #[schema(example = "luar-negeri", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: String,
    /// Display name.
    #[schema(example = "Luar Negeri", min_length = 1, max_length = 100)]
    pub name: String,
    /// What the category holds; may be empty.
    pub description: String,
    /// The parent category, for hierarchies; `null` at the top.
    pub parent_id: Option<i64>,
    /// Articles in this category that the public can see.
    #[schema(minimum = 0)]
    pub article_count: i64,
    /// When the category was created.
    pub created_at: DateTime<Utc>,
    /// When the category last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<CategoryView> for CategoryResponse {
    fn from(v: CategoryView) -> Self {
        let c = v.category;
        CategoryResponse {
            id: c.id,
            slug: c.slug,
            name: c.name,
            description: c.description,
            parent_id: c.parent_id,
            article_count: v.article_count,
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}

/// Parameters of the category list. Unknown parameters are a 422.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters that `list_categories` parses by hand
pub struct ListCategoriesQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
    /// Only children of this category (id or slug); `none` for top-level categories.
    #[param(example = "luar-negeri")]
    parent: Option<String>,
}

/// List categories
///
/// All categories ordered by name, with the number of public articles in each.
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "categories",
    operation_id = "list_categories",
    params(ListCategoriesQuery),
    responses(
        (status = 200, description = "A page of categories", body = Paginated<CategoryResponse>,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("X-Total-Count" = i64, description = "Number of matching categories"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_categories(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    let parent = q
        .parse("parent", |s| match s {
            "none" => Ok(ParentFilter::Root),
            _ => IdOrSlug::parse(s)
                .map(ParentFilter::Of)
                .ok_or_else(|| "must be an id, a slug, or `none`".to_owned()),
        })
        .unwrap_or(ParentFilter::Any);
    q.finish()?;
    let now = domain::now().naive_utc();
    let (views, total) = db::run(&state.pool, move |conn| {
        db::categories::list(conn, &parent, page.offset(), page.per_page, now)
    })
    .await?;
    let body = Paginated {
        data: views.into_iter().map(CategoryResponse::from).collect(),
        meta: page.meta(total),
    };
    let mut response = caching::json(&req, &body, state.public_audience())?;
    pagination::add_headers(&req, &mut response, &body.meta);
    Ok(response)
}

/// Get a category
#[utoipa::path(
    get,
    path = "/api/v1/categories/{id_or_slug}",
    tag = "categories",
    operation_id = "get_category",
    params(("id_or_slug" = String, Path, description = "The category's id or slug", example = "luar-negeri")),
    responses(
        (status = 200, description = "The category", body = CategoryResponse,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_category(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("category"))?;
    QueryReader::new(&req).finish()?;
    let now = domain::now().naive_utc();
    let view = db::run(&state.pool, move |conn| db::categories::find(conn, &key, now))
        .await
        .not_found_as("category")?;
    caching::json(&req, &CategoryResponse::from(view), state.public_audience())
}
