//! The OpenAPI 3.1 document, generated from the handlers and their types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{articles, audit, auth, authors, categories, comments, media, redirects, revisions, site, tags, users};
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
        articles::create_article,
        articles::get_article,
        articles::update_article,
        articles::delete_article,
        revisions::list_revisions,
        revisions::get_revision,
        revisions::diff_revisions,
        revisions::restore_revision,
        audit::list_audit,
        comments::list_article_comments,
        comments::create_comment,
        comments::list_comments,
        comments::update_comment,
        comments::delete_comment,
        categories::list_categories,
        categories::create_category,
        categories::get_category,
        categories::update_category,
        categories::delete_category,
        tags::list_tags,
        tags::create_tag,
        tags::get_tag,
        tags::update_tag,
        tags::delete_tag,
        media::upload_media,
        media::list_media,
        media::get_media,
        media::update_media,
        media::delete_media,
        media::get_media_file,
        redirects::get_redirect,
        redirects::list_redirect_rules,
        redirects::create_redirect_rule,
        redirects::delete_redirect_rule,
        auth::login,
        auth::refresh,
        auth::logout,
        auth::change_password,
        auth::accept_invite,
        auth::me,
        users::list_users,
        users::create_user,
        users::get_user,
        users::update_user,
        users::delete_user,
        users::invite_user,
        authors::list_authors,
        authors::get_author,
        site::get_site,
        site::health,
        site::ready,
        super::metrics_text,
    ),
    servers((url = "/", description = "This Warta server")),
    components(schemas(Problem)),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Logging in, renewing and ending logins"),
        (name = "users", description = "Staff accounts (admins only)"),
        (name = "articles", description = "News articles"),
        (name = "categories", description = "The category hierarchy"),
        (name = "revisions", description = "Every version of an article: history, diff and restore"),
        (name = "tags", description = "Flat labels of articles beside the categories"),
        (name = "media", description = "Uploaded images, their variants and files"),
        (name = "redirects", description = "Old addresses that keep working"),
        (name = "authors", description = "Public author pages"),
        (name = "comments", description = "Readers' comments"),
        (name = "audit", description = "Who did what, when and from where (admins only)"),
        (name = "site", description = "Site settings"),
        (name = "operations", description = "Probes for load balancers and orchestrators"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme: an HS256 JWT from `/api/v1/auth/login`.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from POST /api/v1/auth/login, renewed with POST /api/v1/auth/refresh",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as committed in `openapi/openapi.json` and served at `/openapi.json`.
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
