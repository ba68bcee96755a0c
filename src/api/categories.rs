//! Categories over HTTP: the public list and the single category.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::cache;
use super::caching::{self, Audience};
use super::events;
use super::json::{JsonBody, ValidJson};
use super::pagination::{self, PageRequest, Paginated};
use super::query::{id_or_slug, QueryReader};
use super::validation::{double_option, not_blank, slug_format};
use super::AppState;
use crate::auth::AuthUser;
use crate::auth::MaybeAuthUser;
use crate::db;
use crate::db::audit::Action;
use crate::db::categories::{CategoryChanges, CategoryRef, CategoryView, NewCategory, ParentFilter};
use crate::db::redirects::Lookup;
use crate::domain::{self, invalidation, permissions, IdOrSlug, Slug};
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
        CategoryRefResponse { id: c.id, slug: c.slug, name: c.name }
    }
}

/// A category of articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryResponse {
    /// The category's id.
    #[schema(example = 2)]
    pub id: i64,
    /// URL-safe name, unique among categories.
    #[schema(example = "luar-negeri", pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$")]
    pub slug: String,
    /// Display name.
    #[schema(example = "Luar Negeri", min_length = 1, max_length = 100)]
    pub name: String,
    /// What the category holds; may be empty.
    #[schema(example = "Peristiwa penting dari berbagai negara.")]
    pub description: String,
    /// The parent category, for hierarchies; `null` at the top.
    #[schema(example = 1)]
    pub parent_id: Option<i64>,
    /// Articles in this category that the public can see.
    #[schema(example = 12, minimum = 0)]
    pub article_count: i64,
    /// When the category was created.
    #[schema(example = "2024-01-05T09:00:00Z")]
    pub created_at: DateTime<Utc>,
    /// When the category last changed.
    #[schema(example = "2024-03-01T10:15:00Z")]
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
    #[param(example = "luar-negeri", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
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
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_categories(
    req: HttpRequest,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    let parent = q
        .parse("parent", |s| match s {
            "none" => Ok(ParentFilter::Root),
            _ => id_or_slug(s).map(ParentFilter::Of),
        })
        .unwrap_or(ParentFilter::Any);
    q.finish()?;
    let now = domain::now().naive_utc();
    let (views, total) =
        db::run(&state.pool, move |conn| db::categories::list(conn, &parent, page.offset(), page.per_page, now))
            .await?;
    let body = Paginated { data: views.into_iter().map(CategoryResponse::from).collect(), meta: page.meta(total) };
    Ok(cache::shows(pagination::respond(&req, &body, state.audience(&user))?, invalidation::category_reads()))
}

/// Get a category
#[utoipa::path(
    get,
    path = "/api/v1/categories/{id_or_slug}",
    tag = "categories",
    operation_id = "get_category",
    params(("id_or_slug" = String, Path, description = "The category's id or slug", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200, example = "luar-negeri")),
    responses(
        (status = 200, description = "The category", body = CategoryResponse,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 301, description = "An old slug of the category: `Location` names its current one",
            headers(("Location" = String, description = "The category at its current slug"))),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_category(
    req: HttpRequest,
    path: web::Path<String>,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("category"))?;
    QueryReader::new(&req).finish()?;
    let now = domain::now().naive_utc();
    let found = db::run(&state.pool, move |conn| {
        db::redirects::find_or_follow(
            conn,
            &key,
            |conn, key| db::categories::find(conn, key, now),
            db::categories::renamed_to,
        )
    })
    .await
    .not_found_as("category")?;
    let view = match found {
        Lookup::Found(view) => view,
        Lookup::Renamed(slug) => {
            return Ok(caching::moved(&format!("/api/v1/categories/{slug}"), state.audience(&user)))
        }
    };
    let response = caching::json(&req, &CategoryResponse::from(view), state.audience(&user))?;
    Ok(cache::shows(response, invalidation::category_reads()))
}

/// A new category.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategoryRequest {
    /// Display name.
    #[validate(
        required(message = "is required"),
        custom(function = "not_blank"),
        length(min = 1, max = 100, message = "must be 1 to 100 characters")
    )]
    #[schema(value_type = String, required = true, example = "Luar Negeri", min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// URL-safe name; made from the name when absent (a clash gets `-2`, `-3`...). A given
    /// slug that another category has is a 409.
    #[validate(custom(function = "slug_format"))]
    #[schema(
        example = "luar-negeri",
        pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$",
        max_length = 200
    )]
    pub slug: Option<String>,
    /// What the category holds.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "Peristiwa penting dari berbagai negara.", max_length = 1000)]
    pub description: Option<String>,
    /// The parent category.
    #[schema(example = 1, minimum = 1)]
    pub parent_id: Option<i64>,
}

/// Changes to a category; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategoryRequest {
    /// Display name.
    #[validate(custom(function = "not_blank"), length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[schema(example = "Asia", min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// A new slug.
    #[validate(custom(function = "slug_format"))]
    #[schema(
        example = "asia",
        pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$",
        max_length = 200
    )]
    pub slug: Option<String>,
    /// What the category holds.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "Kabar dari kawasan Asia.", max_length = 1000)]
    pub description: Option<String>,
    /// The new parent; `null` moves the category to the top. A cycle is a 422.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(example = 2, value_type = Option<i64>, minimum = 1)]
    pub parent_id: Option<Option<i64>>,
}

// A name, slug and 1,000-character description, however escaped.
impl JsonBody for CreateCategoryRequest {
    const MAX_BYTES: usize = 32 * 1024;
}

impl JsonBody for UpdateCategoryRequest {
    const MAX_BYTES: usize = 32 * 1024;
}

fn require_editor(user: &AuthUser) -> Result<(), AppError> {
    AppError::forbidden_unless(
        permissions::may_manage_categories(user.role),
        "only editors and admins manage categories",
    )
}

/// Create a category
#[utoipa::path(
    post, path = "/api/v1/categories", tag = "categories", operation_id = "create_category",
    request_body = CreateCategoryRequest,
    responses(
        (status = 201, description = "The category", body = CategoryResponse,
            headers(("Location" = String, description = "The new category's URL"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The given slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad (also an unknown parent); every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_category(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<CreateCategoryRequest>,
) -> Result<HttpResponse, AppError> {
    require_editor(&user)?;
    QueryReader::new(&req).finish()?;
    let body = body.0;
    let new = NewCategory {
        name: body.name.unwrap_or_default().trim().to_owned(),
        slug: body.slug.and_then(|s| Slug::parse(&s).ok()),
        description: body.description.unwrap_or_default(),
        parent_id: body.parent_id,
    };
    let who = user.who();
    let view = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let now = domain::now();
            let id = db::categories::create(conn, &new, now)?;
            db::audit::record(conn, &who, Action::CategoryCreate, Some(id), &format!("\"{}\"", new.name))?;
            let created = CategoryResponse::from(db::categories::find(conn, &IdOrSlug::Id(id), now.naive_utc())?);
            events::category(conn, None, Some(&created))?;
            Ok::<_, db::DbError>(created)
        })
    })
    .await?;
    let location = format!("/api/v1/categories/{}", view.id);
    caching::created(&req, &view, Some(location))
}

/// The id of the category `path` names.
async fn category_id(state: &AppState, path: &str) -> Result<i64, AppError> {
    let key = IdOrSlug::parse(path).ok_or_else(|| AppError::not_found("category"))?;
    let now = domain::now().naive_utc();
    let view =
        db::run(&state.pool, move |conn| db::categories::find(conn, &key, now)).await.not_found_as("category")?;
    Ok(view.category.id)
}

/// Update a category
#[utoipa::path(
    patch, path = "/api/v1/categories/{id_or_slug}", tag = "categories", operation_id = "update_category",
    params(("id_or_slug" = String, Path, description = "The category's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)),
    request_body = UpdateCategoryRequest,
    responses(
        (status = 200, description = "The changed category", body = CategoryResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad (also a parent that would make a cycle)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_category(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<UpdateCategoryRequest>,
) -> Result<HttpResponse, AppError> {
    require_editor(&user)?;
    QueryReader::new(&req).finish()?;
    let id = category_id(&state, &path).await?;
    let body = body.0;
    let changes = CategoryChanges {
        name: body.name.map(|n| n.trim().to_owned()),
        slug: body.slug.and_then(|s| Slug::parse(&s).ok()),
        description: body.description,
        parent_id: body.parent_id,
    };
    let who = user.who();
    let view = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let now = domain::now();
            let before = CategoryResponse::from(db::categories::find(conn, &IdOrSlug::Id(id), now.naive_utc())?);
            db::categories::update(conn, id, &changes, now)?;
            let view = db::categories::find(conn, &IdOrSlug::Id(id), now.naive_utc())?;
            let summary = format!(
                "\"{}\": {}",
                view.category.name,
                crate::changed_fields!(changes; name, slug, description, parent_id)
            );
            db::audit::record(conn, &who, Action::CategoryUpdate, Some(id), &summary)?;
            let after = CategoryResponse::from(view);
            events::category(conn, Some(&before), Some(&after))?;
            Ok::<_, db::DbError>(after)
        })
    })
    .await
    .not_found_as("category")?;
    caching::json(&req, &view, Audience::Private)
}

/// Delete a category
///
/// A category with child categories cannot be deleted (409); its articles simply lose it.
#[utoipa::path(
    delete, path = "/api/v1/categories/{id_or_slug}", tag = "categories", operation_id = "delete_category",
    params(("id_or_slug" = String, Path, description = "The category's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The category has child categories", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_category(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_editor(&user)?;
    QueryReader::new(&req).finish()?;
    let id = category_id(&state, &path).await?;
    let who = user.who();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let before =
                CategoryResponse::from(db::categories::find(conn, &IdOrSlug::Id(id), domain::now().naive_utc())?);
            let name = db::categories::delete(conn, id)?;
            db::audit::record(conn, &who, Action::CategoryDelete, Some(id), &format!("\"{name}\""))?;
            events::category(conn, Some(&before), None)
        })
    })
    .await
    .not_found_as("category")?;
    Ok(HttpResponse::NoContent().finish())
}
