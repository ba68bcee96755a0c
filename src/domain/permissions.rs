//! Who may do what: the role table of the API contract as pure functions.
//!
//! | role        | may |
//! |-------------|-----|
//! | admin       | everything, including users and settings |
//! | editor      | all articles, categories and comment moderation |
//! | author      | create, edit, publish and delete own articles; read own drafts |
//! | contributor | create and edit own drafts; cannot publish, cannot touch others' work |

use super::{ArticleStatus, Role};

/// Whether `role` sees every article whatever its state or author.
pub fn sees_all_articles(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor)
}

/// Whether `role` may create an article in state `status`.
pub fn may_create_article(role: Role, status: ArticleStatus) -> bool {
    match role {
        Role::Admin | Role::Editor | Role::Author => true,
        Role::Contributor => status == ArticleStatus::Draft,
    }
}

/// Whether `role` may change an article (own or not) that is currently in `current`.
pub fn may_edit_article(role: Role, own: bool, current: ArticleStatus) -> bool {
    match role {
        Role::Admin | Role::Editor => true,
        Role::Author => own,
        Role::Contributor => own && current == ArticleStatus::Draft,
    }
}

/// Whether `role` may read the revisions of an article (own or not) that is in `current`:
/// whoever may edit it, since a revision is what restoring would write.
pub fn may_read_revisions(role: Role, own: bool, current: ArticleStatus) -> bool {
    may_edit_article(role, own, current)
}

/// Whether `role` may read the audit log.
pub fn may_read_audit(role: Role) -> bool {
    role == Role::Admin
}

/// Whether `role` may move an article into `status` (publishing, archiving, unpublishing).
pub fn may_set_status(role: Role, own: bool, status: ArticleStatus) -> bool {
    // The same rule as editing an article that is in `status` already.
    may_edit_article(role, own, status)
}

/// Whether `role` may delete an article.
pub fn may_delete_article(role: Role, own: bool) -> bool {
    match role {
        Role::Admin | Role::Editor => true,
        Role::Author => own,
        Role::Contributor => false,
    }
}

/// Whether `role` may name another user as an article's author.
pub fn may_assign_author(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor)
}

/// Whether `role` may pin articles to the front page (or unpin them): an editorial decision.
pub fn may_feature_articles(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor)
}

/// Whether `role` may make pages of the site (kind `page`: the masthead, the code of conduct), or
/// turn a page into a story: the site's structure, as in WordPress, where authors write posts only.
pub fn may_manage_pages(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor)
}

/// Whether `role` may create, change and delete categories.
pub fn may_manage_categories(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor)
}

/// Whether `role` may create tags (as they file their own stories).
pub fn may_create_tags(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor | Role::Author)
}

/// Whether `role` may rename, describe and delete tags, which every article shares.
pub fn may_manage_tags(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor)
}

/// Whether `role` may make and remove redirect rules.
pub fn may_manage_redirects(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor)
}

/// Whether `role` may moderate comments (the queue, status changes, edits, deletion).
pub fn may_moderate_comments(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor)
}

/// Whether `role` may upload images and browse the media library: every staff member, since
/// contributors' drafts need photos too.
pub fn may_upload_media(_role: Role) -> bool {
    true
}

/// Whether `role` may change or delete an upload (`own`: their own): editors and admins any,
/// authors and contributors only theirs.
pub fn may_change_media(role: Role, own: bool) -> bool {
    match role {
        Role::Admin | Role::Editor => true,
        Role::Author | Role::Contributor => own,
    }
}

/// Whether `role` may manage webhook endpoints (they receive every change, and their URLs
/// reach other systems).
pub fn may_manage_webhooks(role: Role) -> bool {
    role == Role::Admin
}

/// Whether `role` may see and delete everyone's API tokens (every staff member manages their
/// own).
pub fn may_manage_all_tokens(role: Role) -> bool {
    role == Role::Admin
}

/// Whether `role` may manage users and settings.
pub fn may_manage_users(role: Role) -> bool {
    role == Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleStatus::{Archived, Draft, Published};
    use Role::{Admin, Author, Contributor, Editor};

    const ROLES: [Role; 4] = [Admin, Editor, Author, Contributor];

    /// Runs `rule` for every role and compares with the expected row (admin, editor, author, contributor).
    fn row(rule: impl Fn(Role) -> bool, expected: [bool; 4], what: &str) {
        for (role, want) in ROLES.iter().zip(expected) {
            assert_eq!(rule(*role), want, "{what} for {role}");
        }
    }

    #[test]
    fn seeing_every_article() {
        row(sees_all_articles, [true, true, false, false], "sees all");
    }

    #[test]
    fn creating_articles() {
        row(|r| may_create_article(r, Draft), [true, true, true, true], "create draft");
        row(|r| may_create_article(r, Published), [true, true, true, false], "create published");
        row(|r| may_create_article(r, Archived), [true, true, true, false], "create archived");
    }

    #[test]
    fn editing_articles() {
        row(|r| may_edit_article(r, true, Draft), [true, true, true, true], "edit own draft");
        row(|r| may_edit_article(r, true, Published), [true, true, true, false], "edit own published");
        row(|r| may_edit_article(r, true, Archived), [true, true, true, false], "edit own archived");
        row(|r| may_edit_article(r, false, Draft), [true, true, false, false], "edit others' draft");
        row(|r| may_edit_article(r, false, Published), [true, true, false, false], "edit others' published");
    }

    #[test]
    fn reading_revisions() {
        row(|r| may_read_revisions(r, true, Draft), [true, true, true, true], "own draft's revisions");
        row(|r| may_read_revisions(r, true, Published), [true, true, true, false], "own published revisions");
        row(|r| may_read_revisions(r, false, Draft), [true, true, false, false], "others' revisions");
    }

    #[test]
    fn changing_status() {
        row(|r| may_set_status(r, true, Draft), [true, true, true, true], "own to draft");
        row(|r| may_set_status(r, true, Published), [true, true, true, false], "publish own");
        row(|r| may_set_status(r, true, Archived), [true, true, true, false], "archive own");
        row(|r| may_set_status(r, false, Published), [true, true, false, false], "publish others'");
        row(|r| may_set_status(r, false, Draft), [true, true, false, false], "unpublish others'");
    }

    #[test]
    fn deleting_articles() {
        row(|r| may_delete_article(r, true), [true, true, true, false], "delete own");
        row(|r| may_delete_article(r, false), [true, true, false, false], "delete others'");
    }

    #[test]
    fn media() {
        row(may_upload_media, [true, true, true, true], "upload");
        row(|r| may_change_media(r, true), [true, true, true, true], "change own upload");
        row(|r| may_change_media(r, false), [true, true, false, false], "change others' upload");
    }

    #[test]
    fn everything_else() {
        row(may_assign_author, [true, true, false, false], "assign author");
        row(may_feature_articles, [true, true, false, false], "feature");
        row(may_manage_pages, [true, true, false, false], "pages");
        row(may_manage_categories, [true, true, false, false], "categories");
        row(may_create_tags, [true, true, true, false], "create tags");
        row(may_manage_tags, [true, true, false, false], "change tags");
        row(may_manage_redirects, [true, true, false, false], "redirect rules");
        row(may_moderate_comments, [true, true, false, false], "moderation");
        row(may_manage_users, [true, false, false, false], "users");
        row(may_read_audit, [true, false, false, false], "audit log");
    }
}
