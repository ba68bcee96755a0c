//! The OpenAPI 3.1 document, generated from the handlers and their types.

use utoipa::OpenApi;

use super::{articles, categories, comments, site};
use crate::error::Problem;

/// Warta's API description; `openapi/openapi.json` is this, pretty-printed.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Warta",
        description = "A headless CMS for news publishers: published articles, categories and \
                       approved comments for frontends; a JWT-protected write API for editors.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        articles::list_articles,
        articles::get_article,
        comments::list_article_comments,
        categories::list_categories,
        categories::get_category,
        site::get_site,
        site::health,
        site::ready,
    ),
    components(schemas(Problem)),
    tags(
        (name = "articles", description = "News articles"),
        (name = "categories", description = "The category hierarchy"),
        (name = "comments", description = "Readers' comments"),
        (name = "site", description = "Site settings"),
        (name = "operations", description = "Probes for load balancers and orchestrators"),
    )
)]
pub struct ApiDoc;

/// The document as committed in `openapi/openapi.json` and served at `/openapi.json`.
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
