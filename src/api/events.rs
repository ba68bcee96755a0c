//! Webhook events: which event a change emits, what it carries and which `cache_tags` it names.
//! Each write path calls the function for its resource here, in the transaction of the change,
//! with the resource as it was and as it is; the event goes to the outbox (`db::webhooks`) only
//! when an active endpoint takes its type, and its body is built only then.

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serialize;
use utoipa::ToSchema;

use super::articles::{staff_sees_all, ArticleResponse};
use super::categories::CategoryResponse;
use super::comments::PublicCommentResponse;
use super::media::MediaResponse;
use super::tags::TagResponse;
use crate::db::articles::ArticleView;
use crate::db::comments::Comment;
use crate::db::webhooks::NewEvent;
use crate::db::{self, Conn, DbError};
use crate::domain::{self, ArticleStatus, CommentStatus, IdOrSlug};
use crate::media::MediaUrls;

macro_rules! event_types {
    ($($variant:ident => $name:literal, $what:literal;)*) => {
        /// The type of a webhook event.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
        pub enum EventType {
            $(#[doc = $what] #[serde(rename = $name)] $variant,)*
        }

        impl EventType {
            /// Every type, `ping` last.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)*
                }
            }

            /// What the event tells, in words.
            pub fn description(self) -> &'static str {
                match self {
                    $(EventType::$variant => $what,)*
                }
            }

            pub fn parse(text: &str) -> Option<EventType> {
                match text {
                    $($name => Some(EventType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

event_types! {
    ArticlePublished => "article.published", "An article became public: published now, or a scheduled article's time came.";
    ArticleUpdated => "article.updated", "A public article changed.";
    ArticleUnpublished => "article.unpublished", "A public article stopped being public: back to draft, archived, or its publication moved into the future.";
    ArticleDeleted => "article.deleted", "A public article was deleted.";
    CategoryCreated => "category.created", "A category was created.";
    CategoryUpdated => "category.updated", "A category changed.";
    CategoryDeleted => "category.deleted", "A category was deleted.";
    TagCreated => "tag.created", "A tag was created.";
    TagUpdated => "tag.updated", "A tag changed.";
    TagDeleted => "tag.deleted", "A tag was deleted.";
    CommentCreated => "comment.created", "A reader's comment came in, whatever its moderation state (for moderation tools).";
    CommentApproved => "comment.approved", "A comment was approved.";
    CommentRemoved => "comment.removed", "An approved comment was hidden or deleted.";
    MediaCreated => "media.created", "An image was uploaded.";
    MediaUpdated => "media.updated", "An image's text, focal point or variants changed.";
    MediaDeleted => "media.deleted", "An image was deleted.";
    Ping => "ping", "A test event, sent by `POST /api/v1/webhooks/{id}/ping` whatever the endpoint subscribes to.";
}

/// An article event's `data`: the public article summary, and its old slug when it changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleEventData {
    #[serde(flatten)]
    pub article: ArticleResponse,
    /// The slug before this change, when the change gave it a new one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "harga-kopi-naik")]
    pub previous_slug: Option<String>,
}

/// A ping's `data`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PingData {
    /// The endpoint pinged.
    #[schema(example = 3)]
    pub webhook_id: i64,
}

macro_rules! event_bodies {
    ($($name:ident($data:ty): $doc:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name<'a> {
            /// The event's type.
            #[serde(rename = "type")]
            pub kind: EventType,
            /// When the change happened (RFC 3339, UTC): receivers order events by it.
            #[schema(value_type = String, example = "2024-11-24T08:30:00.123Z")]
            pub timestamp: String,
            pub data: &'a $data,
            /// What a frontend must refresh: `articles`, `article:{id}`, `article:{slug}`,
            /// `category:{slug}`, `tag:{slug}`, `author:{slug}`, `comments:{article id}`.
            #[schema(example = json!(["articles", "article:42", "article:harga-kopi-naik", "category:ekonomi"]))]
            pub cache_tags: Vec<String>,
        }
    )*};
}

event_bodies! {
    ArticleEvent(ArticleEventData): "A delivery of an `article.*` event.";
    CategoryEvent(CategoryResponse): "A delivery of a `category.*` event.";
    TagEvent(TagResponse): "A delivery of a `tag.*` event.";
    CommentEvent(PublicCommentResponse): "A delivery of a `comment.*` event: the public comment, never an email, address or user agent.";
    MediaEvent(MediaResponse): "A delivery of a `media.*` event.";
    PingEvent(PingData): "A delivery of a `ping`.";
}

/// The schema of the body each event type delivers.
pub fn body_schema(kind: EventType) -> &'static str {
    use EventType::*;
    match kind {
        ArticlePublished | ArticleUpdated | ArticleUnpublished | ArticleDeleted => "ArticleEvent",
        CategoryCreated | CategoryUpdated | CategoryDeleted => "CategoryEvent",
        TagCreated | TagUpdated | TagDeleted => "TagEvent",
        CommentCreated | CommentApproved | CommentRemoved => "CommentEvent",
        MediaCreated | MediaUpdated | MediaDeleted => "MediaEvent",
        Ping => "PingEvent",
    }
}

/// Writes an event of `kind` to the outbox for its subscribers (or for `only`), its body made
/// by `body` from the connection and the event's timestamp only if anyone takes it: one look
/// at the endpoints per event.
fn emit(
    conn: &mut Conn,
    kind: EventType,
    only: Option<i64>,
    body: impl FnOnce(&mut Conn, String) -> Result<String, DbError>,
) -> Result<usize, DbError> {
    let targets = match only {
        Some(id) => vec![id],
        None => db::webhooks::subscribers(conn, kind.as_str())?,
    };
    if targets.is_empty() {
        return Ok(0);
    }
    let now = domain::now();
    let body = body(conn, now.to_rfc3339_opts(SecondsFormat::Millis, true))?;
    let message_id = format!("msg_{}", crate::auth::random_token(18));
    let event = NewEvent { message_id: &message_id, kind: kind.as_str(), body: &body };
    db::webhooks::enqueue(conn, &event, &targets, now.naive_utc())
}

/// An event's body as JSON.
fn json(body: &impl Serialize) -> Result<String, DbError> {
    serde_json::to_string(body).map_err(|e| DbError::Invalid { field: "event", message: e.to_string() })
}

/// Whether any endpoint takes article events: an edit then keeps the article as it was.
pub fn articles_wanted(conn: &mut Conn) -> Result<bool, DbError> {
    db::webhooks::wanted(conn, "article.")
}

fn is_public(view: &ArticleView, now: NaiveDateTime) -> bool {
    super::stored::<ArticleStatus>(&view.meta.status).is_public_at(view.meta.published_at, now)
}

/// Tags in order, each once.
fn push_tag(tags: &mut Vec<String>, tag: String) {
    if !tags.contains(&tag) {
        tags.push(tag);
    }
}

/// The event of an article's change from `before` to `after` (`None`: it did not exist), as the
/// public saw it: published, updated, unpublished, deleted, or nothing when it was never public.
pub fn article(
    conn: &mut Conn,
    urls: &MediaUrls,
    before: Option<&ArticleView>,
    after: Option<&ArticleView>,
) -> Result<(), DbError> {
    let now = domain::now().naive_utc();
    let was = before.filter(|v| is_public(v, now));
    let is = after.filter(|v| is_public(v, now));
    let kind = match (was, is, after) {
        (None, Some(_), _) => EventType::ArticlePublished,
        (Some(_), Some(_), _) => EventType::ArticleUpdated,
        (Some(_), None, Some(_)) => EventType::ArticleUnpublished,
        (Some(_), None, None) => EventType::ArticleDeleted,
        (None, None, _) => return Ok(()),
    };
    let Some(shown) = after.or(before) else { return Ok(()) };
    emit(conn, kind, None, |_, timestamp| {
        let mut cache_tags = vec!["articles".to_owned(), format!("article:{}", shown.meta.id)];
        let previous_slug = before.map(|b| b.meta.slug.clone()).filter(|old| *old != shown.meta.slug);
        for view in [after, before].into_iter().flatten() {
            push_tag(&mut cache_tags, format!("article:{}", view.meta.slug));
        }
        for view in [after, before].into_iter().flatten() {
            for category in &view.categories {
                push_tag(&mut cache_tags, format!("category:{}", category.slug));
            }
            for tag in &view.tags {
                push_tag(&mut cache_tags, format!("tag:{}", tag.slug));
            }
            push_tag(&mut cache_tags, format!("author:{}", view.author.slug));
        }
        let mut summary = shown.clone();
        summary.text = None;
        let data = ArticleEventData { article: ArticleResponse::new(summary, urls), previous_slug };
        json(&ArticleEvent { kind, timestamp, data: &data, cache_tags })
    })?;
    Ok(())
}

/// Announces the scheduled publications whose time came by `now` (`article.published`), each
/// once however many instances share the database: the claim and the event are one
/// transaction (the caller's).
pub fn announce_due(conn: &mut Conn, urls: &MediaUrls, now: NaiveDateTime) -> Result<usize, DbError> {
    const AT_ONCE: i64 = 100;
    let due = db::webhooks::take_due_publications(conn, now, AT_ONCE)?;
    let mut announced = 0;
    for id in due {
        let view = match db::articles::find(conn, &IdOrSlug::Id(id), staff_sees_all()) {
            Ok(view) => view,
            Err(DbError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        // Moved again meanwhile: whatever write moved it announced it, or scheduled it anew.
        if !is_public(&view, now) {
            continue;
        }
        article(conn, urls, None, Some(&view))?;
        announced += 1;
    }
    Ok(announced)
}

/// The event of a category's change (`before`/`after` `None`: created/deleted).
pub fn category(
    conn: &mut Conn,
    before: Option<&CategoryResponse>,
    after: Option<&CategoryResponse>,
) -> Result<(), DbError> {
    let (kind, shown) = match (before, after) {
        (None, Some(after)) => (EventType::CategoryCreated, after),
        (Some(_), Some(after)) => (EventType::CategoryUpdated, after),
        (Some(before), None) => (EventType::CategoryDeleted, before),
        (None, None) => return Ok(()),
    };
    emit(conn, kind, None, |_, timestamp| {
        let mut cache_tags = vec!["articles".to_owned()];
        for view in [after, before].into_iter().flatten() {
            push_tag(&mut cache_tags, format!("category:{}", view.slug));
        }
        json(&CategoryEvent { kind, timestamp, data: shown, cache_tags })
    })?;
    Ok(())
}

/// The event of a tag's change (`before`/`after` `None`: created/deleted).
pub fn tag(conn: &mut Conn, before: Option<&TagResponse>, after: Option<&TagResponse>) -> Result<(), DbError> {
    let (kind, shown) = match (before, after) {
        (None, Some(after)) => (EventType::TagCreated, after),
        (Some(_), Some(after)) => (EventType::TagUpdated, after),
        (Some(before), None) => (EventType::TagDeleted, before),
        (None, None) => return Ok(()),
    };
    emit(conn, kind, None, |_, timestamp| {
        let mut cache_tags = vec!["articles".to_owned()];
        for view in [after, before].into_iter().flatten() {
            push_tag(&mut cache_tags, format!("tag:{}", view.slug));
        }
        json(&TagEvent { kind, timestamp, data: shown, cache_tags })
    })?;
    Ok(())
}

/// The events of a comment's change (`before` `None`: it came in; `after` `None`: deleted):
/// `comment.created` for every new one, `comment.approved` when it became approved,
/// `comment.removed` when an approved one stopped being so or went.
pub fn comment(conn: &mut Conn, before: Option<&Comment>, after: Option<&Comment>) -> Result<(), DbError> {
    let approved = |c: Option<&Comment>| c.is_some_and(|c| c.status == CommentStatus::Approved.as_str());
    let mut kinds = Vec::new();
    if before.is_none() {
        kinds.push(EventType::CommentCreated);
    }
    match (approved(before), approved(after)) {
        (false, true) => kinds.push(EventType::CommentApproved),
        (true, false) => kinds.push(EventType::CommentRemoved),
        _ => {}
    }
    let Some(shown) = after.or(before) else { return Ok(()) };
    for kind in kinds {
        emit(conn, kind, None, |_, timestamp| {
            let data = PublicCommentResponse::as_told(shown.clone());
            let article = shown.article_id;
            let mut cache_tags = vec![format!("comments:{article}")];
            if kind != EventType::CommentCreated || approved(after) {
                cache_tags.extend([format!("article:{article}"), "articles".to_owned()]);
            }
            json(&CommentEvent { kind, timestamp, data: &data, cache_tags })
        })?;
    }
    Ok(())
}

/// The event of a media change (`before`/`after` `None`: uploaded/deleted). Its cache tags name
/// the articles that lead with it.
pub fn media(conn: &mut Conn, before: Option<&MediaResponse>, after: Option<&MediaResponse>) -> Result<(), DbError> {
    let (kind, shown) = match (before, after) {
        (None, Some(after)) => (EventType::MediaCreated, after),
        (Some(_), Some(after)) => (EventType::MediaUpdated, after),
        (Some(before), None) => (EventType::MediaDeleted, before),
        (None, None) => return Ok(()),
    };
    emit(conn, kind, None, |conn, timestamp| {
        let leading = db::articles::leading_with(conn, shown.id, domain::now().naive_utc())?;
        let mut cache_tags = Vec::new();
        if !leading.is_empty() {
            cache_tags.push("articles".to_owned());
        }
        for (id, slug) in &leading {
            cache_tags.extend([format!("article:{id}"), format!("article:{slug}")]);
        }
        json(&MediaEvent { kind, timestamp, data: shown, cache_tags })
    })?;
    Ok(())
}

/// `media.updated` for every image stored as the files of `file_key`, whose variants were
/// just made again.
pub fn media_files_changed(conn: &mut Conn, urls: &MediaUrls, file_key: &str) -> Result<(), DbError> {
    if !db::webhooks::wanted(conn, EventType::MediaUpdated.as_str())? {
        return Ok(());
    }
    for row in db::media::with_files(conn, file_key)? {
        let view = db::media::find(conn, row)?;
        let shown = MediaResponse::new(view, urls);
        media(conn, Some(&shown), Some(&shown))?;
    }
    Ok(())
}

/// A `ping` to endpoint `webhook_id`.
pub fn ping(conn: &mut Conn, webhook_id: i64) -> Result<(), DbError> {
    emit(conn, EventType::Ping, Some(webhook_id), |_, timestamp| {
        let data = PingData { webhook_id };
        json(&PingEvent { kind: EventType::Ping, timestamp, data: &data, cache_tags: vec![] })
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_reads_back_from_its_name() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(*kind));
            assert!(!body_schema(*kind).is_empty());
        }
        assert_eq!(EventType::parse("article.*"), None);
    }
}
