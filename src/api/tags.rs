//! Tags over HTTP: the public list (with the autocomplete search), the single tag, and the
//! editors' writes.

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
use super::query::QueryReader;
use super::validation::{not_blank, slug_format};
use super::AppState;
use crate::auth::AuthUser;
use crate::auth::MaybeAuthUser;
use crate::db;
use crate::db::audit::Action;
use crate::db::redirects::Lookup;
use crate::db::tags::{NewTag, TagChanges, TagFilter, TagRef, TagView};
use crate::domain::{self, invalidation, permissions, slug, IdOrSlug, Slug};
use crate::error::{AppError, NotFoundAs, Problem};

/// A tag as articles embed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRefResponse {
    /// The tag's id.
    #[schema(example = 7)]
    pub id: i64,
    /// URL-safe name.
    #[schema(example = "pemilu-2024")]
    pub slug: String,
    /// Display name.
    #[schema(example = "Pemilu 2024")]
    pub name: String,
}

impl From<TagRef> for TagRefResponse {
    fn from(t: TagRef) -> Self {
        TagRefResponse { id: t.id, slug: t.slug, name: t.name }
    }
}

/// A tag: a flat label of articles ("Iran", "Pemilu 2024") beside the category hierarchy.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagResponse {
    /// The tag's id.
    #[schema(example = 7)]
    pub id: i64,
    /// URL-safe name, unique among tags.
    #[schema(example = "pemilu-2024", pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$")]
    pub slug: String,
    /// Display name.
    #[schema(example = "Pemilu 2024", min_length = 1, max_length = 100)]
    pub name: String,
    /// What the tag gathers; may be empty.
    #[schema(example = "Liputan pemilihan umum 2024.")]
    pub description: String,
    /// Articles with this tag that the public can see.
    #[schema(example = 12, minimum = 0)]
    pub article_count: i64,
    /// When the tag was created.
    #[schema(example = "2024-01-05T09:00:00Z")]
    pub created_at: DateTime<Utc>,
    /// When the tag last changed.
    #[schema(example = "2024-03-01T10:15:00Z")]
    pub updated_at: DateTime<Utc>,
}

impl From<TagView> for TagResponse {
    fn from(v: TagView) -> Self {
        let t = v.tag;
        TagResponse {
            id: t.id,
            slug: t.slug,
            name: t.name,
            description: t.description,
            article_count: v.article_count,
            created_at: t.created_at.and_utc(),
            updated_at: t.updated_at.and_utc(),
        }
    }
}

/// Parameters of the tag list. Unknown parameters are a 422.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters that `list_tags` parses by hand
pub struct ListTagsQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
    /// Only tags whose name, or a word in it, starts with this text, accents and case ignored
    /// ("pemi", "Pémilu 20" and "2024" all find "Pemilu 2024"): an editor's autocomplete. It
    /// needs a letter or digit; empty means every tag.
    #[param(example = "pemi", max_length = 100)]
    search: Option<String>,
}

/// The longest autocomplete text: a tag's name is at most 100 characters.
const MAX_SEARCH_CHARS: usize = 100;

/// List tags
///
/// All tags ordered by name, with the number of public articles under each; `search` narrows
/// to names starting with what an editor types.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "tags",
    operation_id = "list_tags",
    params(ListTagsQuery),
    responses(
        (status = 200, description = "A page of tags", body = Paginated<TagResponse>,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("X-Total-Count" = i64, description = "Number of matching tags"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_tags(
    req: HttpRequest,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    let name_prefix = q
        .parse("search", |s| {
            if s.chars().count() > MAX_SEARCH_CHARS {
                return Err(format!("must be at most {MAX_SEARCH_CHARS} characters"));
            }
            if s.trim().is_empty() {
                return Ok(None);
            }
            let folded = slug::fold(s);
            if folded.is_empty() {
                return Err("must hold a letter or digit".to_owned());
            }
            Ok(Some(folded))
        })
        .flatten();
    q.finish()?;
    let filter = TagFilter { name_prefix };
    let now = domain::now().naive_utc();
    let (views, total) =
        db::run(&state.pool, move |conn| db::tags::list(conn, &filter, page.offset(), page.per_page, now)).await?;
    let body = Paginated { data: views.into_iter().map(TagResponse::from).collect(), meta: page.meta(total) };
    Ok(cache::shows(pagination::respond(&req, &body, state.audience(&user))?, invalidation::tag_reads()))
}

/// Get a tag
#[utoipa::path(
    get,
    path = "/api/v1/tags/{id_or_slug}",
    tag = "tags",
    operation_id = "get_tag",
    params(("id_or_slug" = String, Path, description = "The tag's id or slug", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200, example = "pemilu-2024")),
    responses(
        (status = 200, description = "The tag", body = TagResponse,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 301, description = "An old slug of the tag: `Location` names its current one",
            headers(("Location" = String, description = "The tag at its current slug"))),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_tag(
    req: HttpRequest,
    path: web::Path<String>,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("tag"))?;
    QueryReader::new(&req).finish()?;
    let now = domain::now().naive_utc();
    let found = db::run(&state.pool, move |conn| {
        db::redirects::find_or_follow(conn, &key, |conn, key| db::tags::find(conn, key, now), db::tags::renamed_to)
    })
    .await
    .not_found_as("tag")?;
    let view = match found {
        Lookup::Found(view) => view,
        Lookup::Renamed(slug) => return Ok(caching::moved(&format!("/api/v1/tags/{slug}"), state.audience(&user))),
    };
    let response = caching::json(&req, &TagResponse::from(view), state.audience(&user))?;
    Ok(cache::shows(response, invalidation::tag_reads()))
}

/// A new tag.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTagRequest {
    /// Display name.
    #[validate(
        required(message = "is required"),
        custom(function = "not_blank"),
        length(min = 1, max = 100, message = "must be 1 to 100 characters")
    )]
    #[schema(value_type = String, required = true, example = "Pemilu 2024", min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// URL-safe name; made from the name when absent (a clash gets `-2`, `-3`...). A given
    /// slug that another tag has is a 409.
    #[validate(custom(function = "slug_format"))]
    #[schema(
        example = "pemilu-2024",
        pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$",
        max_length = 200
    )]
    pub slug: Option<String>,
    /// What the tag gathers.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "Liputan pemilihan umum 2024.", max_length = 1000)]
    pub description: Option<String>,
}

/// Changes to a tag; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTagRequest {
    /// Display name.
    #[validate(custom(function = "not_blank"), length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[schema(example = "Pemilu 2029", min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// A new slug.
    #[validate(custom(function = "slug_format"))]
    #[schema(
        example = "pemilu-2029",
        pattern = "^([a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*|[a-z0-9]+(-[a-z0-9]+)+)$",
        max_length = 200
    )]
    pub slug: Option<String>,
    /// What the tag gathers.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "Liputan pemilihan umum 2029.", max_length = 1000)]
    pub description: Option<String>,
}

// A name, slug and 1,000-character description, however escaped.
impl JsonBody for CreateTagRequest {
    const MAX_BYTES: usize = 32 * 1024;
}

impl JsonBody for UpdateTagRequest {
    const MAX_BYTES: usize = 32 * 1024;
}

/// Create a tag
///
/// Authors, editors and admins create tags as they file stories.
#[utoipa::path(
    post, path = "/api/v1/tags", tag = "tags", operation_id = "create_tag",
    request_body = CreateTagRequest,
    responses(
        (status = 201, description = "The tag", body = TagResponse,
            headers(("Location" = String, description = "The new tag's URL"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A contributor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The given slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_tag(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<CreateTagRequest>,
) -> Result<HttpResponse, AppError> {
    AppError::forbidden_unless(permissions::may_create_tags(user.role), "contributors use the tags that exist")?;
    QueryReader::new(&req).finish()?;
    let body = body.0;
    let new = NewTag {
        name: body.name.unwrap_or_default().trim().to_owned(),
        slug: body.slug.and_then(|s| Slug::parse(&s).ok()),
        description: body.description.unwrap_or_default(),
    };
    let who = user.who();
    let view = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let now = domain::now();
            let id = db::tags::create(conn, &new, now)?;
            db::audit::record(conn, &who, Action::TagCreate, Some(id), &format!("\"{}\"", new.name))?;
            let created = TagResponse::from(db::tags::find(conn, &IdOrSlug::Id(id), now.naive_utc())?);
            events::tag(conn, None, Some(&created))?;
            Ok::<_, db::DbError>(created)
        })
    })
    .await?;
    let location = format!("/api/v1/tags/{}", view.id);
    caching::created(&req, &view, Some(location))
}

fn require_editor(user: &AuthUser) -> Result<(), AppError> {
    AppError::forbidden_unless(permissions::may_manage_tags(user.role), "only editors and admins change tags")
}

/// The id of the tag `path` names.
async fn tag_id(state: &AppState, path: &str) -> Result<i64, AppError> {
    let key = IdOrSlug::parse(path).ok_or_else(|| AppError::not_found("tag"))?;
    let now = domain::now().naive_utc();
    let view = db::run(&state.pool, move |conn| db::tags::find(conn, &key, now)).await.not_found_as("tag")?;
    Ok(view.tag.id)
}

/// Update a tag
#[utoipa::path(
    patch, path = "/api/v1/tags/{id_or_slug}", tag = "tags", operation_id = "update_tag",
    params(("id_or_slug" = String, Path, description = "The tag's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)),
    request_body = UpdateTagRequest,
    responses(
        (status = 200, description = "The changed tag", body = TagResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_tag(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<UpdateTagRequest>,
) -> Result<HttpResponse, AppError> {
    require_editor(&user)?;
    QueryReader::new(&req).finish()?;
    let id = tag_id(&state, &path).await?;
    let body = body.0;
    let changes = TagChanges {
        name: body.name.map(|n| n.trim().to_owned()),
        slug: body.slug.and_then(|s| Slug::parse(&s).ok()),
        description: body.description,
    };
    let who = user.who();
    let view = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let now = domain::now();
            let before = TagResponse::from(db::tags::find(conn, &IdOrSlug::Id(id), now.naive_utc())?);
            db::tags::update(conn, id, &changes, now)?;
            let view = db::tags::find(conn, &IdOrSlug::Id(id), now.naive_utc())?;
            let summary =
                format!("\"{}\": {}", view.tag.name, crate::changed_fields!(changes; name, slug, description));
            db::audit::record(conn, &who, Action::TagUpdate, Some(id), &summary)?;
            let after = TagResponse::from(view);
            events::tag(conn, Some(&before), Some(&after))?;
            Ok::<_, db::DbError>(after)
        })
    })
    .await
    .not_found_as("tag")?;
    caching::json(&req, &view, Audience::Private)
}

/// Delete a tag
///
/// Its articles simply lose it.
#[utoipa::path(
    delete, path = "/api/v1/tags/{id_or_slug}", tag = "tags", operation_id = "delete_tag",
    params(("id_or_slug" = String, Path, description = "The tag's id (or slug)", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_tag(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_editor(&user)?;
    QueryReader::new(&req).finish()?;
    let id = tag_id(&state, &path).await?;
    let who = user.who();
    db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let before = TagResponse::from(db::tags::find(conn, &IdOrSlug::Id(id), domain::now().naive_utc())?);
            let name = db::tags::delete(conn, id)?;
            db::audit::record(conn, &who, Action::TagDelete, Some(id), &format!("\"{name}\""))?;
            events::tag(conn, Some(&before), None)
        })
    })
    .await
    .not_found_as("tag")?;
    Ok(HttpResponse::NoContent().finish())
}
