//! Which scope an API token needs for each operation: the one table that every request made
//! with a token is checked against (in `auth`), and that the OpenAPI document's security
//! requirements are written from (in `openapi`). An operation missing from it takes no token.
//!
//! A token acts as its user, so the user's role still decides what is allowed; the scope only
//! narrows it.

use actix_web::http::Method;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::domain::Scope;

/// What an operation asks of the credential a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// No credential: the operation does not look at one (logins, the preview by its token,
    /// health checks).
    Open,
    /// Anyone; staff see more (drafts, the moderation queue). A token sees that staff view
    /// with the scope, and what the public sees without it.
    Public(Scope),
    /// Staff only; a token needs the scope.
    Staff(Scope),
    /// Any signed-in caller, a token with any scopes among them (who am I).
    Anyone,
    /// Staff, in person: never a token (users, tokens, one's password).
    Person,
}

use Need::{Anyone, Open, Person, Public, Staff};
use Scope::{ArticlesWrite, AuditRead, CommentsModerate, ContentRead, MediaWrite, TaxonomyWrite, WebhooksManage};

/// Every operation of the API by its `operationId`, and what it needs.
pub const OPERATIONS: &[(&str, Need)] = &[
    // Articles and what hangs off them.
    ("list_articles", Public(ContentRead)),
    ("get_article", Public(ContentRead)),
    ("create_article", Staff(ArticlesWrite)),
    ("update_article", Staff(ArticlesWrite)),
    ("delete_article", Staff(ArticlesWrite)),
    ("list_revisions", Staff(ContentRead)),
    ("get_revision", Staff(ContentRead)),
    ("diff_revisions", Staff(ContentRead)),
    ("restore_revision", Staff(ArticlesWrite)),
    ("create_preview", Staff(ContentRead)),
    ("revoke_previews", Staff(ContentRead)),
    ("get_preview", Open),
    // Comments: a token that moderates comments as staff (approved at once).
    ("list_article_comments", Public(CommentsModerate)),
    ("create_comment", Public(CommentsModerate)),
    ("list_comments", Staff(ContentRead)),
    ("update_comment", Staff(CommentsModerate)),
    ("delete_comment", Staff(CommentsModerate)),
    // Taxonomy and people the public knows.
    ("list_categories", Public(ContentRead)),
    ("get_category", Public(ContentRead)),
    ("create_category", Staff(TaxonomyWrite)),
    ("update_category", Staff(TaxonomyWrite)),
    ("delete_category", Staff(TaxonomyWrite)),
    ("list_tags", Public(ContentRead)),
    ("get_tag", Public(ContentRead)),
    ("create_tag", Staff(TaxonomyWrite)),
    ("update_tag", Staff(TaxonomyWrite)),
    ("delete_tag", Staff(TaxonomyWrite)),
    ("list_authors", Public(ContentRead)),
    ("get_author", Public(ContentRead)),
    ("get_site", Public(ContentRead)),
    // Media.
    ("list_media", Staff(ContentRead)),
    ("get_media", Staff(ContentRead)),
    ("upload_media", Staff(MediaWrite)),
    ("update_media", Staff(MediaWrite)),
    ("delete_media", Staff(MediaWrite)),
    ("get_media_file", Open),
    // Redirects.
    ("get_redirect", Public(ContentRead)),
    ("list_redirect_rules", Staff(ArticlesWrite)),
    ("create_redirect_rule", Staff(ArticlesWrite)),
    ("delete_redirect_rule", Staff(ArticlesWrite)),
    // Webhooks.
    ("list_webhooks", Staff(WebhooksManage)),
    ("create_webhook", Staff(WebhooksManage)),
    ("get_webhook", Staff(WebhooksManage)),
    ("update_webhook", Staff(WebhooksManage)),
    ("delete_webhook", Staff(WebhooksManage)),
    ("rotate_webhook_secret", Staff(WebhooksManage)),
    ("ping_webhook", Staff(WebhooksManage)),
    ("list_webhook_deliveries", Staff(WebhooksManage)),
    ("redeliver_webhook", Staff(WebhooksManage)),
    // The audit log.
    ("list_audit", Staff(AuditRead)),
    // Accounts: people only.
    ("login", Open),
    ("refresh", Open),
    ("logout", Open),
    ("accept_invite", Open),
    ("get_me", Anyone),
    ("change_password", Person),
    ("list_users", Person),
    ("create_user", Person),
    ("get_user", Person),
    ("update_user", Person),
    ("delete_user", Person),
    ("invite_user", Person),
    ("list_tokens", Person),
    ("create_token", Person),
    ("get_token", Person),
    ("delete_token", Person),
    // Operations.
    ("health", Open),
    ("ready", Open),
    ("metrics", Open),
];

/// What operation `operation_id` needs; `None` for one the table does not know.
pub fn need_of_operation(operation_id: &str) -> Option<Need> {
    OPERATIONS.iter().find(|(id, _)| *id == operation_id).map(|(_, need)| *need)
}

/// What a request to the route `pattern` (as actix matched it) with `method` needs, through
/// the OpenAPI document's paths: `None` for a route the document does not describe, which no
/// token may use. HEAD needs what GET needs.
pub fn need_of_route(method: &Method, pattern: &str) -> Option<Need> {
    static ROUTES: OnceLock<HashMap<(String, String), Need>> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let mut routes = HashMap::new();
        for (path, method, operation_id) in super::openapi::operations() {
            if let Some(need) = need_of_operation(&operation_id) {
                routes.insert((method, path), need);
            }
        }
        routes
    });
    let method = if method == Method::HEAD { "get".to_owned() } else { method.as_str().to_ascii_lowercase() };
    routes.get(&(method, pattern.to_owned())).copied()
}
