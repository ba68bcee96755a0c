//! The OpenAPI 3.1 document, generated from the handlers and their types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    articles, audit, auth, authors, categories, comments, events, media, previews, redirects, revisions, site, tags,
    tokens, users, webhooks,
};
use crate::domain::scopes;
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
        previews::create_preview,
        previews::revoke_previews,
        previews::get_preview,
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
        tokens::list_tokens,
        tokens::create_token,
        tokens::get_token,
        tokens::delete_token,
        users::list_users,
        users::create_user,
        users::get_user,
        users::update_user,
        users::delete_user,
        users::invite_user,
        webhooks::list_webhooks,
        webhooks::create_webhook,
        webhooks::get_webhook,
        webhooks::update_webhook,
        webhooks::delete_webhook,
        webhooks::rotate_webhook_secret,
        webhooks::ping_webhook,
        webhooks::list_webhook_deliveries,
        webhooks::redeliver_webhook,
        authors::list_authors,
        authors::get_author,
        site::get_site,
        site::health,
        site::ready,
        super::metrics_text,
    ),
    servers((url = "/", description = "This Warta server")),
    components(schemas(
        Problem,
        events::ArticleEvent,
        events::CategoryEvent,
        events::TagEvent,
        events::CommentEvent,
        events::MediaEvent,
        events::PingEvent,
    )),
    modifiers(&BearerScheme, &TokenScopes, &WebhookEvents, &ListItemsByReference),
    tags(
        (name = "auth", description = "Logging in, renewing and ending logins"),
        (name = "users", description = "Staff accounts (admins only)"),
        (name = "tokens", description = "API tokens: long-lived, scoped credentials for integrations"),
        (name = "articles", description = "News articles"),
        (name = "categories", description = "The category hierarchy"),
        (name = "revisions", description = "Every version of an article: history, diff and restore"),
        (name = "tags", description = "Flat labels of articles beside the categories"),
        (name = "media", description = "Uploaded images, their variants and files"),
        (name = "redirects", description = "Old addresses that keep working"),
        (name = "authors", description = "Public author pages"),
        (name = "comments", description = "Readers' comments"),
        (name = "webhooks", description = "Endpoints that hear of changes, signed as Standard Webhooks (admins only)"),
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

/// Declares the `api_token` scheme and writes every operation's security requirements from
/// the scope table (`domain::scopes::OPERATIONS`): the access token always, an API token with the
/// scope the operation needs (OpenAPI 3.1 lets a bearer requirement name it), and no
/// credential at all where the public may call it.
struct TokenScopes;

impl Modify for TokenScopes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use scopes::Need;
        use utoipa::openapi::security::SecurityRequirement;
        let names: Vec<&str> = crate::domain::Scope::ALL.iter().map(|s| s.as_str()).collect();
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("warta_")
                    .description(Some(format!(
                        "An API token from POST /api/v1/tokens (`warta_` + 46 characters). It acts as its user, \
                         limited to its scopes; the scope an operation needs is named in its requirement. \
                         Scopes: {}. A token never manages users or tokens.",
                        names.join(", ")
                    )))
                    .build(),
            ),
        );
        let person = || SecurityRequirement::new("bearer", Vec::<String>::new());
        let token = |scope: Option<crate::domain::Scope>| {
            SecurityRequirement::new("api_token", scope.map(|s| s.as_str().to_owned()))
        };
        for item in openapi.paths.paths.values_mut() {
            for operation in path_operations_mut(item) {
                let need = operation.operation_id.as_deref().and_then(scopes::need_of_operation);
                match need {
                    Some(Need::Staff(_)) => refusal_documented(
                        operation,
                        "An API token without the scope this operation needs (named in the answer)",
                    ),
                    Some(Need::Person) => {
                        refusal_documented(operation, "An API token: tokens never manage users, tokens or passwords")
                    }
                    _ => {}
                }
                operation.security = match need {
                    None | Some(Need::Open) => None,
                    Some(Need::Public(scope)) => {
                        Some(vec![SecurityRequirement::default(), person(), token(Some(scope))])
                    }
                    Some(Need::Staff(scope)) => Some(vec![person(), token(Some(scope))]),
                    Some(Need::Anyone) => Some(vec![person(), token(None)]),
                    Some(Need::Person) => Some(vec![person()]),
                };
            }
        }
    }
}

/// Adds the 403 an operation that takes no token, or only one with a scope, answers to a token
/// outside it, unless the operation documents a 403 of its own.
fn refusal_documented(operation: &mut utoipa::openapi::path::Operation, description: &str) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    operation.responses.responses.entry("403".into()).or_insert_with(|| {
        RefOr::T(ResponseBuilder::new().description(description).content(crate::error::PROBLEM_JSON, problem).build())
    });
}

/// The operations of a path item, with their HTTP methods (lower case).
fn path_operations(item: &utoipa::openapi::PathItem) -> Vec<(&'static str, &utoipa::openapi::path::Operation)> {
    let all = [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("options", &item.options),
        ("head", &item.head),
        ("patch", &item.patch),
        ("trace", &item.trace),
    ];
    all.into_iter().filter_map(|(method, op)| op.as_ref().map(|op| (method, op))).collect()
}

fn path_operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Every operation of the document: its path, method (lower case) and `operationId`.
pub fn operations() -> Vec<(String, String, String)> {
    let doc = ApiDoc::openapi();
    let mut found = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, operation) in path_operations(item) {
            let id = operation.operation_id.clone().unwrap_or_default();
            found.push((path.clone(), method.to_owned(), id));
        }
    }
    found
}

/// What a request to the route `pattern` (as actix matched it) with `method` needs, through
/// the OpenAPI document's paths: `None` for a route the document does not describe, which no
/// token may use. HEAD needs what GET needs.
pub fn need_of_route(method: &actix_web::http::Method, pattern: &str) -> Option<scopes::Need> {
    use actix_web::http::Method;
    use std::collections::HashMap;
    static ROUTES: std::sync::OnceLock<HashMap<String, HashMap<Method, scopes::Need>>> = std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let mut routes: HashMap<String, HashMap<Method, scopes::Need>> = HashMap::new();
        for (path, method, operation_id) in operations() {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes());
            if let (Ok(method), Some(need)) = (method, scopes::need_of_operation(&operation_id)) {
                routes.entry(path).or_default().insert(method, need);
            }
        }
        routes
    });
    let method = if method == Method::HEAD { &Method::GET } else { method };
    routes.get(pattern)?.get(method).copied()
}

/// Describes every event a webhook endpoint receives in the document's top-level `webhooks`:
/// a `POST` of its body schema, signed with the Standard Webhooks headers.
struct WebhookEvents;

impl Modify for WebhookEvents {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
        use utoipa::openapi::request_body::RequestBodyBuilder;
        use utoipa::openapi::{ContentBuilder, PathsBuilder, Ref, Required, ResponseBuilder};
        let header = |name: &str, what: &str| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(what))
                .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String)))
                .build()
        };
        let mut paths = PathsBuilder::new();
        for kind in events::EventType::ALL {
            let body = ContentBuilder::new().schema(Some(Ref::from_schema_name(events::body_schema(*kind)))).build();
            let operation = OperationBuilder::new()
                .operation_id(Some(format!("webhook_{}", kind.as_str().replace('.', "_"))))
                .tag("webhooks")
                .summary(Some(kind.as_str()))
                .description(Some(kind.description()))
                .parameters(Some([
                    header("webhook-id", "The event's id, the same at every attempt: receivers drop repeats by it"),
                    header("webhook-timestamp", "Unix seconds when this attempt was sent"),
                    header(
                        "webhook-signature",
                        "`v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with the secret's \
                         decoded bytes; two, space-separated, for 24 hours after a rotation",
                    ),
                ]))
                .request_body(Some(
                    RequestBodyBuilder::new().content("application/json", body).required(Some(Required::True)).build(),
                ))
                .response("2XX", ResponseBuilder::new().description("Received; any other answer is retried"))
                .response("410", ResponseBuilder::new().description("Gone: the endpoint is switched off at once"))
                .build();
            paths = paths.path(kind.as_str(), PathItem::new(HttpMethod::Post, operation));
        }
        openapi.webhooks = Some(paths.build());
    }
}

/// Makes the items of every paginated list (`Paginated_X`) a reference to the one schema `X`:
/// utoipa inlines a generic's argument, which gave a generated client two types for one
/// article. An item schema no operation names on its own is moved to the components first.
struct ListItemsByReference;

impl Modify for ListItemsByReference {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ArrayItems, Schema};
        use utoipa::openapi::{Ref, RefOr};
        let Some(components) = openapi.components.as_mut() else { return };
        let lists: Vec<String> = components.schemas.keys().filter(|k| k.starts_with("Paginated_")).cloned().collect();
        for list in lists {
            let item = list.trim_start_matches("Paginated_").to_owned();
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&list) else { continue };
            let Some(RefOr::T(Schema::Array(data))) = object.properties.get_mut("data") else { continue };
            let ArrayItems::RefOrSchema(items) = &mut data.items else { continue };
            let inlined = std::mem::replace(items.as_mut(), RefOr::Ref(Ref::from_schema_name(item.clone())));
            if let RefOr::T(schema) = inlined {
                components.schemas.entry(item).or_insert(RefOr::T(schema));
            }
        }
    }
}

/// The document as committed in `openapi/openapi.json` and served at `/openapi.json`.
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_table_names_every_operation_of_the_document_and_nothing_else() {
        let documented: Vec<String> = operations().into_iter().map(|(_, _, id)| id).collect();
        for id in &documented {
            assert!(scopes::need_of_operation(id).is_some(), "{id} has no line in scopes::OPERATIONS");
        }
        for (id, _) in scopes::OPERATIONS {
            assert!(documented.iter().any(|d| d == id), "scopes::OPERATIONS names {id}, which the document has not");
            assert_eq!(scopes::OPERATIONS.iter().filter(|(other, _)| other == id).count(), 1, "{id} is listed twice");
        }
    }

    #[test]
    fn every_operation_declares_what_its_scope_table_line_says() {
        use scopes::Need;
        let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
        for (path, method, id) in operations() {
            let security = &doc["paths"][&path][&method]["security"];
            let token: Option<Vec<String>> = security.as_array().and_then(|alternatives| {
                alternatives
                    .iter()
                    .find_map(|a| a.get("api_token"))
                    .map(|scopes| scopes.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect())
            });
            let anonymous = security.as_array().is_some_and(|a| a.iter().any(|r| r.as_object().unwrap().is_empty()));
            let need = scopes::need_of_operation(&id).unwrap();
            match need {
                Need::Open => assert!(security.is_null(), "{id}: {security}"),
                Need::Public(scope) => {
                    assert!(anonymous, "{id}");
                    assert_eq!(token, Some(vec![scope.as_str().to_owned()]), "{id}");
                }
                Need::Staff(scope) => {
                    assert!(!anonymous, "{id}");
                    assert_eq!(token, Some(vec![scope.as_str().to_owned()]), "{id}");
                }
                Need::Anyone => assert_eq!(token, Some(vec![]), "{id}"),
                Need::Person => {
                    assert_eq!(token, None, "{id}: a token is never declared");
                    assert!(!anonymous, "{id}");
                }
            }
            if need != Need::Open {
                assert!(security.to_string().contains("\"bearer\""), "{id}: the access token works");
            }
        }
    }

    #[test]
    fn every_route_of_the_document_finds_its_need() {
        use actix_web::http::Method;
        for (path, method, id) in operations() {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            assert_eq!(need_of_route(&method, &path), scopes::need_of_operation(&id), "{method} {path}");
        }
        assert_eq!(need_of_route(&Method::HEAD, "/api/v1/media"), scopes::need_of_operation("list_media"));
        assert_eq!(need_of_route(&Method::GET, "/docs/{_:.*}"), None, "an undocumented route takes no token");
    }
}
