//! Pagination: `page`/`per_page` parameters, the `{data, meta}` envelope, and the
//! `X-Total-Count` and RFC 8288 `Link` headers.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::query::{number_in, QueryReader};

/// The largest page a client may ask for.
pub const MAX_PER_PAGE: i64 = 100;
/// The highest page number accepted: far past any archive, and safe from overflow.
pub const MAX_PAGE: i64 = 1_000_000_000;
/// The page size when none is asked for.
pub const DEFAULT_PER_PAGE: i64 = 10;

/// The parameters of a list that takes a page and nothing else, for its documentation (what
/// [`PageRequest::read`] parses).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents; the values are read by `PageRequest::read`
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    /// Reads `page` (from 1) and `per_page` (1..=100); bad values are recorded, never clamped.
    pub fn read(query: &mut QueryReader) -> PageRequest {
        PageRequest {
            page: query.parse("page", number_in(1, MAX_PAGE)).unwrap_or(1),
            per_page: query.parse("per_page", number_in(1, MAX_PER_PAGE)).unwrap_or(DEFAULT_PER_PAGE),
        }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// The meta block for a list of `total` items, counted exactly.
    pub fn meta(&self, total: i64) -> PageMeta {
        self.meta_counted(total, true)
    }

    /// The meta block for a list of `total` items; `exact` false when the count stopped at a
    /// cap (a search) and there are more.
    pub fn meta_counted(&self, total: i64, exact: bool) -> PageMeta {
        PageMeta {
            page: self.page,
            per_page: self.per_page,
            total,
            total_pages: (total + self.per_page - 1) / self.per_page,
            total_exact: exact,
            next_cursor: None,
        }
    }
}

/// Where a page stands in the whole list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageMeta {
    /// This page's number, from 1.
    #[schema(minimum = 1, example = 1)]
    pub page: i64,
    /// Items per page.
    #[schema(minimum = 1, maximum = 100, example = 10)]
    pub per_page: i64,
    /// Items in the whole list.
    #[schema(minimum = 0, example = 123)]
    pub total: i64,
    /// Pages in the whole list (0 for an empty list).
    #[schema(minimum = 0, example = 13)]
    pub total_pages: i64,
    /// Whether `total` counts the whole list. A search lists the 1,000 best matches at most: when
    /// there are more, `total` is 1,000, this is false, and pages past them are empty. Every
    /// other list counts exactly.
    #[schema(example = true)]
    pub total_exact: bool,
    /// Article lists not ordered by relevance: pass it as `cursor` to get the next page by
    /// keyset (as fast deep in the archive as on page 1, and stable while articles are added).
    /// Absent on the last page and in other lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "eyJvIjoicHVibGlzaGVkX2F0IiwiZCI6dHJ1ZSwibiI6MTAsImsiOiIyMDI0LTExLTI0VDA4OjMwOjAwIiwiaSI6NDJ9")]
    pub next_cursor: Option<String>,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T: ToSchema> {
    /// The items of this page; empty past the last page.
    pub data: Vec<T>,
    /// Where this page stands.
    pub meta: PageMeta,
}

/// A page as a cached JSON response with its pagination headers.
pub fn respond<T: ToSchema + Serialize>(
    req: &HttpRequest,
    page: &Paginated<T>,
    audience: super::caching::Audience,
) -> Result<HttpResponse, crate::error::AppError> {
    let mut response = super::caching::json(req, page, audience)?;
    add_headers(req, &mut response, &page.meta);
    Ok(response)
}

/// Adds `X-Total-Count` and a `Link` header with `first`, `prev`, `next` and `last`
/// relative to the request's own path and parameters. A request that came with a `cursor`
/// gets its `next` link as a cursor too (and no `prev`: keyset pages go forward).
pub fn add_headers(req: &HttpRequest, response: &mut HttpResponse, meta: &PageMeta) {
    let headers = response.headers_mut();
    headers.insert(HeaderName::from_static("x-total-count"), HeaderValue::from(meta.total));
    let last = meta.total_pages.max(1);
    let params: Vec<(String, String)> = actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let by_cursor = params.iter().any(|(k, _)| k == "cursor");
    let others: Vec<(String, String)> = params.into_iter().filter(|(k, _)| k != "page" && k != "cursor").collect();
    let mut links = vec![(("page", 1.to_string()), "first")];
    if by_cursor {
        if let Some(cursor) = &meta.next_cursor {
            links.push((("cursor", cursor.clone()), "next"));
        }
    } else {
        if meta.page > 1 {
            links.push((("page", (meta.page - 1).min(last).to_string()), "prev"));
        }
        if meta.page < last {
            links.push((("page", (meta.page + 1).to_string()), "next"));
        }
    }
    links.push((("page", last.to_string()), "last"));
    let value = links
        .into_iter()
        .map(|((name, value), rel)| {
            let mut pairs = vec![(name.to_owned(), value)];
            pairs.extend(others.iter().cloned());
            let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            format!("<{}?{}>; rel=\"{rel}\"", req.path(), query)
        })
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(actix_web::http::header::LINK, value);
    }
}
