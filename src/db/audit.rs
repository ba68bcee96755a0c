//! The audit log: who did what to which resource, when and from where. An entry is written by
//! the transaction of the change it records, so a change that rolls back leaves none. Every
//! action, with the entity it concerns, is named once, in [`actions!`].

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_log;
use super::{Conn, DbError};

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A staff member signed in with a JWT.
    User,
    /// An API token.
    Token,
    /// Warta itself: a scheduled job, pruning.
    System,
    /// Someone not signed in (a failed login).
    Anonymous,
}

impl ActorKind {
    pub const ALL: [ActorKind; 4] = [ActorKind::User, ActorKind::Token, ActorKind::System, ActorKind::Anonymous];

    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Token => "token",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }

    pub fn parse(text: &str) -> Option<ActorKind> {
        ActorKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// The actor of an entry, named as it was when it acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<i64>,
    pub display_name: Option<String>,
}

impl Actor {
    pub fn user(id: i64, display_name: &str) -> Actor {
        Actor { kind: ActorKind::User, id: Some(id), display_name: Some(display_name.to_owned()) }
    }

    /// An API token, by its id and name: what acted, whoever its user is.
    pub fn token(id: i64, name: &str) -> Actor {
        Actor { kind: ActorKind::Token, id: Some(id), display_name: Some(name.to_owned()) }
    }

    pub fn system() -> Actor {
        Actor { kind: ActorKind::System, id: None, display_name: None }
    }

    pub fn anonymous() -> Actor {
        Actor { kind: ActorKind::Anonymous, id: None, display_name: None }
    }
}

/// Where the request that acted came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

/// An actor and the request it acted through: what every entry is signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub actor: Actor,
    pub origin: Origin,
}

impl Who {
    /// Warta itself, outside any request.
    pub fn system() -> Who {
        Who { actor: Actor::system(), origin: Origin::default() }
    }
}

/// Declares [`Entity`] and [`Action`]: every action, its name, and the entity it concerns.
macro_rules! actions {
    (entities { $($entity:ident = $entity_name:literal,)* }
     actions { $($action:ident = $name:literal on $on:ident,)* }) => {
        /// The kind of resource an entry concerns.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Entity { $($entity,)* }

        impl Entity {
            pub const ALL: &'static [Entity] = &[$(Entity::$entity,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Entity::$entity => $entity_name,)* }
            }
        }

        /// What was done.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Action { $($action,)* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$action,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Action::$action => $name,)* }
            }

            /// The kind of resource this action concerns.
            pub fn entity(self) -> Entity {
                match self { $(Action::$action => Entity::$on,)* }
            }
        }
    };
}

actions! {
    entities {
        Article = "article",
        Category = "category",
        Tag = "tag",
        Comment = "comment",
        Media = "media",
        User = "user",
        Webhook = "webhook",
        Token = "token",
        Redirect = "redirect",
        Import = "import",
        Session = "session",
        Audit = "audit",
    }
    actions {
        Login = "auth.login" on Session,
        LoginFailed = "auth.login_failed" on User,
        RefreshReused = "auth.refresh_reused" on User,
        Logout = "auth.logout" on Session,
        PasswordChange = "auth.password_change" on User,
        InviteAccept = "auth.invite_accept" on User,
        UserCreate = "user.create" on User,
        UserUpdate = "user.update" on User,
        UserDelete = "user.delete" on User,
        UserInvite = "user.invite" on User,
        ArticleCreate = "article.create" on Article,
        ArticleUpdate = "article.update" on Article,
        ArticlePublish = "article.publish" on Article,
        ArticleUnpublish = "article.unpublish" on Article,
        ArticleDelete = "article.delete" on Article,
        ArticleRestore = "article.restore" on Article,
        PreviewCreate = "preview.create" on Article,
        PreviewRevoke = "preview.revoke" on Article,
        CategoryCreate = "category.create" on Category,
        CategoryUpdate = "category.update" on Category,
        CategoryDelete = "category.delete" on Category,
        TagCreate = "tag.create" on Tag,
        TagUpdate = "tag.update" on Tag,
        TagDelete = "tag.delete" on Tag,
        CommentModerate = "comment.moderate" on Comment,
        CommentUpdate = "comment.update" on Comment,
        CommentDelete = "comment.delete" on Comment,
        MediaCreate = "media.create" on Media,
        MediaUpdate = "media.update" on Media,
        MediaDelete = "media.delete" on Media,
        WebhookCreate = "webhook.create" on Webhook,
        WebhookUpdate = "webhook.update" on Webhook,
        WebhookDelete = "webhook.delete" on Webhook,
        WebhookRotateSecret = "webhook.rotate_secret" on Webhook,
        TokenCreate = "token.create" on Token,
        TokenDelete = "token.delete" on Token,
        RedirectCreate = "redirect.create" on Redirect,
        RedirectDelete = "redirect.delete" on Redirect,
        AuditPrune = "audit.prune" on Audit,
    }
}

impl Entity {
    pub fn parse(text: &str) -> Option<Entity> {
        Entity::ALL.iter().copied().find(|e| e.as_str() == text)
    }
}

impl Action {
    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == text)
    }
}

/// The names of the fields of a changes struct that are set (`Some`), joined for a summary:
/// `changed_fields!(changes; name, slug)` gives `"name, slug"` when both are set.
#[macro_export]
macro_rules! changed_fields {
    ($changes:expr; $($field:ident),* $(,)?) => {{
        let changes = &$changes;
        let mut names: Vec<&'static str> = Vec::new();
        $(if changes.$field.is_some() {
            names.push(stringify!($field));
        })*
        names.join(", ")
    }};
}

/// The longest summary kept, in characters: a line for people, not a copy of the resource.
const SUMMARY_CHARS: usize = 500;

/// Writes an entry for `action` on the entity `entity_id`, signed by `who`, in the open write
/// transaction (or one of its own). `summary` says what changed in words for people; it
/// never holds a password, a token or a secret (callers name such fields, never their values).
pub fn record(
    conn: &mut Conn,
    who: &Who,
    action: Action,
    entity_id: Option<i64>,
    summary: &str,
) -> Result<(), DbError> {
    let summary: String = summary.chars().take(SUMMARY_CHARS).collect();
    super::write_within(conn, |conn| {
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::at.eq(crate::domain::now().naive_utc()),
                audit_log::actor_type.eq(who.actor.kind.as_str()),
                audit_log::actor_id.eq(who.actor.id),
                audit_log::actor_name.eq(&who.actor.display_name),
                audit_log::action.eq(action.as_str()),
                audit_log::entity.eq(action.entity().as_str()),
                audit_log::entity_id.eq(entity_id),
                audit_log::request_id.eq(&who.origin.request_id),
                audit_log::ip.eq(&who.origin.ip),
                audit_log::summary.eq(summary),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// An entry as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::sqlite::Sqlite))]
pub struct AuditEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub summary: String,
}

/// What a read of the log narrows to; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_type: Option<ActorKind>,
    pub actor_id: Option<i64>,
    pub action: Option<Action>,
    pub entity: Option<Entity>,
    pub entity_id: Option<i64>,
    /// Entries at or after this time.
    pub after: Option<NaiveDateTime>,
    /// Entries before this time.
    pub before: Option<NaiveDateTime>,
}

/// The most entries a filter counts and pages through: older ones are reached by narrowing
/// the filter (`before`), so that no read scans the whole log.
pub const REACH: i64 = 10_000;

type BoxedEntries<'a> = audit_log::BoxedQuery<'a, super::Backend>;

fn filtered(filter: &AuditFilter) -> BoxedEntries<'static> {
    let mut query = audit_log::table.into_boxed();
    if let Some(kind) = filter.actor_type {
        query = query.filter(audit_log::actor_type.eq(kind.as_str()));
    }
    if let Some(id) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(id));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::action.eq(action.as_str()));
    }
    if let Some(entity) = filter.entity {
        query = query.filter(audit_log::entity.eq(entity.as_str()));
    }
    if let Some(id) = filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(id));
    }
    if let Some(after) = filter.after {
        query = query.filter(audit_log::at.ge(after));
    }
    if let Some(before) = filter.before {
        query = query.filter(audit_log::at.lt(before));
    }
    query
}

/// One page of the entries `filter` selects, newest first, and how many there are up to
/// [`REACH`] (with whether that count is exact). Pages past [`REACH`] are empty.
pub fn list(
    conn: &mut Conn,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AuditEntry>, i64, bool), DbError> {
    super::read_snapshot(conn, |conn| {
        let reached: Vec<i64> =
            filtered(filter).select(audit_log::id).order(audit_log::id.desc()).limit(REACH + 1).load(conn)?;
        let exact = reached.len() as i64 <= REACH;
        let total = (reached.len() as i64).min(REACH);
        let ids = &reached[offset.min(total) as usize..offset.saturating_add(limit).min(total) as usize];
        if ids.is_empty() {
            return Ok((Vec::new(), total, exact));
        }
        let rows = audit_log::table
            .filter(audit_log::id.eq_any(ids))
            .order(audit_log::id.desc())
            .select(AuditEntry::as_select())
            .load(conn)?;
        Ok((rows, total, exact))
    })
}

/// Most entries one prune statement deletes, so that no write transaction runs long.
const PRUNE_BATCH: i64 = 5_000;
/// Most batches one run deletes; a larger backlog waits for the next run.
const PRUNE_BATCHES: usize = 20;
/// How often the log is pruned (by one instance of however many).
const PRUNE_EVERY: chrono::Duration = chrono::Duration::hours(1);

/// Deletes the entries older than `kept` when this instance is the one whose turn it is
/// (once an hour, see `db::jobs`), in batches of their own transactions, and records how
/// many went as an entry of the system's.
pub fn prune_when_due(conn: &mut Conn, now: NaiveDateTime, kept: chrono::Duration) -> Result<usize, DbError> {
    if !super::write(conn, |conn| super::jobs::claim(conn, "prune-audit-log", PRUNE_EVERY, now))? {
        return Ok(0);
    }
    let before = now - kept;
    let mut deleted = 0;
    for _ in 0..PRUNE_BATCHES {
        let batch = prune_batch(conn, before)?;
        deleted += batch;
        if (batch as i64) < PRUNE_BATCH {
            break;
        }
    }
    if deleted > 0 {
        let summary = format!("entries older than {} days: {deleted}", kept.num_days());
        record(conn, &Who::system(), Action::AuditPrune, None, &summary)?;
    }
    Ok(deleted)
}

/// Deletes up to [`PRUNE_BATCH`] entries older than `before`, oldest first; how many it deleted.
fn prune_batch(conn: &mut Conn, before: NaiveDateTime) -> Result<usize, DbError> {
    super::write(conn, |conn| {
        let ids: Vec<i64> = audit_log::table
            .filter(audit_log::at.lt(before))
            .order(audit_log::at.asc())
            .select(audit_log::id)
            .limit(PRUNE_BATCH)
            .load(conn)?;
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(diesel::delete(audit_log::table.filter(audit_log::id.eq_any(&ids))).execute(conn)?)
    })
}
