//! Public author pages: the people with at least one public article, as the public author
//! object that articles embed (never an email).

use actix_web::{web, HttpRequest, HttpResponse};

use super::articles::AuthorResponse;
use super::cache;
use super::caching;
use super::pagination::{self, PageParams, PageRequest, Paginated};
use super::query::QueryReader;
use super::AppState;
use crate::auth::MaybeAuthUser;
use crate::db;
use crate::domain::{self, invalidation, IdOrSlug};
use crate::error::{AppError, NotFoundAs, Problem};

/// List authors
///
/// The people with at least one public article, by name. Their stories are the article
/// list's `author` filter.
#[utoipa::path(
    get, path = "/api/v1/authors", tag = "authors", operation_id = "list_authors",
    params(PageParams),
    responses(
        (status = 200, description = "A page of authors, by name", body = Paginated<AuthorResponse>,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("X-Total-Count" = i64, description = "Number of authors"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_authors(
    req: HttpRequest,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    q.finish()?;
    let now = domain::now().naive_utc();
    let (rows, total) =
        db::run(&state.pool, move |conn| db::users::list_authors(conn, now, page.offset(), page.per_page)).await?;
    let body = Paginated { data: rows.into_iter().map(AuthorResponse::from).collect(), meta: page.meta(total) };
    Ok(cache::shows(pagination::respond(&req, &body, state.audience(&user))?, invalidation::author_reads()))
}

/// Get an author
///
/// By id or slug; someone without a public article is not found.
#[utoipa::path(
    get, path = "/api/v1/authors/{id_or_slug}", tag = "authors", operation_id = "get_author",
    params(("id_or_slug" = String, Path, description = "The author's id or slug", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200, example = "dewi-anggraini")),
    responses(
        (status = 200, description = "The author", body = AuthorResponse,
            headers(
                ("ETag" = String, description = "Strong entity tag of this representation"),
                ("Cache-Control" = String, description = "How long caches may keep it"),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such author with a public article", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_author(
    req: HttpRequest,
    path: web::Path<String>,
    user: MaybeAuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path).ok_or_else(|| AppError::not_found("author"))?;
    QueryReader::new(&req).finish()?;
    let now = domain::now().naive_utc();
    let author =
        db::run(&state.pool, move |conn| db::users::find_author(conn, &key, now)).await.not_found_as("author")?;
    let response = caching::json(&req, &AuthorResponse::from(author), state.audience(&user))?;
    Ok(cache::shows(response, invalidation::author_reads()))
}
