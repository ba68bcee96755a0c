//! Which scope an API token needs for each operation (by its OpenAPI `operationId`): the one
//! table that every request made with a token is checked against (`auth`, through
//! [`token_access`]), and that the OpenAPI document's security requirements are written from
//! (`api::openapi`). An operation missing from it takes no token.
//!
//! A token acts as its user, so the user's role still decides what is allowed; the scope only
//! narrows it.

use super::Scope;

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

/// What a token with `scopes` gets from an operation that needs `need` (`None`: one the table
/// does not know).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAccess {
    /// It acts as its user.
    Granted,
    /// It is answered as the public is.
    AsThePublic,
    /// A 403: the token lacks this scope.
    LacksScope(Scope),
    /// A 403: tokens never do this.
    Never,
}

/// The rule of every request made with an API token.
pub fn token_access(need: Option<Need>, scopes: &[Scope]) -> TokenAccess {
    match need {
        Some(Open | Anyone) => TokenAccess::Granted,
        Some(Public(scope)) if scopes.contains(&scope) => TokenAccess::Granted,
        Some(Public(_)) => TokenAccess::AsThePublic,
        Some(Staff(scope)) if scopes.contains(&scope) => TokenAccess::Granted,
        Some(Staff(scope)) => TokenAccess::LacksScope(scope),
        Some(Person) | None => TokenAccess::Never,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cell of operations x scopes, for a token holding that one scope, and for one
    /// holding every scope but it.
    #[test]
    fn every_operation_with_every_scope() {
        for (operation, need) in OPERATIONS {
            for scope in Scope::ALL {
                let others: Vec<Scope> = Scope::ALL.iter().copied().filter(|s| s != scope).collect();
                let (only, without) = (token_access(Some(*need), &[*scope]), token_access(Some(*need), &others));
                let cell = format!("{operation} with {scope}");
                match need {
                    Open | Anyone => {
                        assert_eq!((only, without), (TokenAccess::Granted, TokenAccess::Granted), "{cell}")
                    }
                    Person => assert_eq!((only, without), (TokenAccess::Never, TokenAccess::Never), "{cell}"),
                    Public(needed) if needed == scope => {
                        assert_eq!((only, without), (TokenAccess::Granted, TokenAccess::AsThePublic), "{cell}")
                    }
                    Public(_) => {
                        assert_eq!((only, without), (TokenAccess::AsThePublic, TokenAccess::Granted), "{cell}")
                    }
                    Staff(needed) if needed == scope => {
                        assert_eq!((only, without), (TokenAccess::Granted, TokenAccess::LacksScope(*scope)), "{cell}")
                    }
                    Staff(needed) => {
                        assert_eq!((only, without), (TokenAccess::LacksScope(*needed), TokenAccess::Granted), "{cell}")
                    }
                }
            }
            let with_every_scope = if *need == Person { TokenAccess::Never } else { TokenAccess::Granted };
            assert_eq!(token_access(Some(*need), Scope::ALL), with_every_scope, "{operation} with every scope");
        }
        assert_eq!(token_access(None, Scope::ALL), TokenAccess::Never, "an operation the table does not know");
    }

    /// The lines of the table that API.md spells out.
    #[test]
    fn the_contracts_scopes() {
        let need = |op| need_of_operation(op).unwrap();
        for op in
            ["list_users", "create_user", "update_user", "delete_user", "invite_user", "list_tokens", "create_token"]
        {
            assert_eq!(need(op), Person, "{op}");
        }
        for op in ["create_category", "update_tag", "delete_tag"] {
            assert_eq!(need(op), Staff(Scope::TaxonomyWrite), "{op}");
        }
        for op in ["list_media", "list_revisions", "create_preview", "list_comments"] {
            assert_eq!(need(op), Staff(Scope::ContentRead), "{op}");
        }
        for op in ["restore_revision", "create_redirect_rule", "delete_redirect_rule", "update_article"] {
            assert_eq!(need(op), Staff(Scope::ArticlesWrite), "{op}");
        }
        assert_eq!(need("upload_media"), Staff(Scope::MediaWrite));
        assert_eq!(need("update_comment"), Staff(Scope::CommentsModerate));
        assert_eq!(need("ping_webhook"), Staff(Scope::WebhooksManage));
        assert_eq!(need("list_audit"), Staff(Scope::AuditRead));
        assert_eq!(need("list_articles"), Public(Scope::ContentRead));
    }
}
