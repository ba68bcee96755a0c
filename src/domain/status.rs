//! The closed vocabularies of the content model: article and comment states, roles.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// Declares a string-backed enum with its wire names, `as_str`, `FromStr` and `Display`.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident (default $default:ident) { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "must be one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Where an article is in its life: only `published` articles whose `published_at`
    /// has come are visible to the public.
    ArticleStatus (default Draft) {
        /// Work in progress, visible to staff only.
        Draft = "draft",
        /// Public once `published_at` has come.
        Published = "published",
        /// Withdrawn from the public site, kept for the record.
        Archived = "archived",
    }
}

vocabulary! {
    /// What an article is: news, or a page of the site that no story list shows.
    ArticleKind (default Story) {
        /// A news story: in the lists, feeds, searches and counts.
        Story = "story",
        /// An about page, the masthead, the code of conduct: read by its slug, listed only with
        /// `kind=page`.
        Page = "page",
    }
}

vocabulary! {
    /// Moderation state of a comment: only `approved` comments are public.
    CommentStatus (default Pending) {
        /// Waiting for a moderator.
        Pending = "pending",
        /// Shown to the public.
        Approved = "approved",
        /// Held as spam; a moderator can still rescue it.
        Spam = "spam",
        /// Thrown away by a moderator; restorable until deleted.
        Trash = "trash",
    }
}

vocabulary! {
    /// Whether readers may comment on an article.
    CommentPolicy (default Open) {
        /// Readers may comment.
        Open = "open",
        /// No new comments.
        Closed = "closed",
    }
}

vocabulary! {
    /// What a staff member may do; see the permission rules.
    Role (default Contributor) {
        /// Everything, including users and settings.
        Admin = "admin",
        /// All articles, categories and comment moderation.
        Editor = "editor",
        /// Own articles, including publishing them.
        Author = "author",
        /// Own drafts only.
        Contributor = "contributor",
    }
}

vocabulary! {
    /// What an API token may be used for, beyond which it is refused: each operation's security
    /// requirement names the scope it needs, and the token's user must still be allowed by their role.
    Scope (default ContentRead) {
        /// What staff may read: drafts, the moderation queue, media, revisions, previews.
        #[serde(rename = "content:read")]
        ContentRead = "content:read",
        /// Articles, their revisions and redirect rules.
        #[serde(rename = "articles:write")]
        ArticlesWrite = "articles:write",
        /// Categories and tags.
        #[serde(rename = "taxonomy:write")]
        TaxonomyWrite = "taxonomy:write",
        /// Uploading, editing and deleting media.
        #[serde(rename = "media:write")]
        MediaWrite = "media:write",
        /// Approving, editing and removing comments.
        #[serde(rename = "comments:moderate")]
        CommentsModerate = "comments:moderate",
        /// Webhook endpoints and their deliveries.
        #[serde(rename = "webhooks:manage")]
        WebhooksManage = "webhooks:manage",
        /// The audit log.
        #[serde(rename = "audit:read")]
        AuditRead = "audit:read",
    }
}

impl ArticleStatus {
    /// Whether an article in this state, published at `published_at`, is public at `now`: the
    /// rule the public queries state in SQL, for writes that must know what readers saw.
    pub fn is_public_at(self, published_at: Option<chrono::NaiveDateTime>, now: chrono::NaiveDateTime) -> bool {
        self == ArticleStatus::Published && published_at.is_some_and(|at| at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_wire_name() {
        for status in ArticleStatus::ALL {
            assert_eq!(status.as_str().parse::<ArticleStatus>(), Ok(*status));
        }
        for status in CommentStatus::ALL {
            assert_eq!(status.as_str().parse::<CommentStatus>(), Ok(*status));
        }
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(*scope));
            assert_eq!(serde_json::to_value(scope).unwrap(), scope.as_str(), "serde agrees with as_str");
        }
        for role in Role::ALL {
            assert_eq!(role.to_string().parse::<Role>(), Ok(*role));
        }
    }

    #[test]
    fn an_unknown_name_is_rejected_with_the_allowed_values() {
        let err = "Published".parse::<ArticleStatus>().unwrap_err();
        assert_eq!(err, "must be one of: draft, published, archived");
        assert!("root".parse::<Role>().is_err());
    }
}
