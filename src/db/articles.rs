//! Articles: the public and staff queries, and the one write path that renders Markdown,
//! derives the excerpt and keeps slugs unique.

use super::Backend;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

use super::categories::CategoryRef;
use super::fts::{self, Conditions, SearchOrder, Value};
use super::redirects::{self, SlugOwner};
use super::revisions::Reviser;
use super::schema::{article_categories, article_tags, articles, categories, tags, users};
use super::tags::TagRef;
use super::users::Author;
use super::{Conn, DbError};
use crate::domain::content::{derive_excerpt, render_markdown};
use crate::domain::invalidation::Change;
use crate::domain::search::SearchQuery;
use crate::domain::{ArticleKind, ArticleStatus, CommentPolicy, IdOrSlug, Slug};

/// An article's row without its body: what lists show.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles, check_for_backend(diesel::sqlite::Sqlite))]
pub struct ArticleMeta {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub author_id: i64,
    pub featured_image_url: Option<String>,
    pub featured_image_alt: Option<String>,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub language: String,
    pub comment_status: String,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub comment_count: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub featured: bool,
    pub primary_category_id: Option<i64>,
    pub kind: String,
    pub featured_image_id: Option<i64>,
}

/// The body of an article, source and rendered.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles, check_for_backend(diesel::sqlite::Sqlite))]
pub struct ArticleText {
    pub body: String,
    pub body_html: String,
}

/// An article with what responses embed: its author, categories, tags and, when asked, its body.
#[derive(Debug, Clone)]
pub struct ArticleView {
    pub meta: ArticleMeta,
    pub text: Option<ArticleText>,
    pub author: Author,
    pub categories: Vec<CategoryRef>,
    pub tags: Vec<TagRef>,
    /// The lead image, when it is Warta media.
    pub featured_image: Option<super::media::Media>,
}

/// Who is reading, which decides what exists for them.
#[derive(Debug, Clone, Copy)]
pub enum Visibility {
    /// The public: published articles whose time has come.
    Public { now: NaiveDateTime },
    /// A staff member: with `sees_all` every article, else their own and the public ones;
    /// `status` narrows to one state (`None`: any state).
    Staff { now: NaiveDateTime, viewer: i64, sees_all: bool, status: Option<ArticleStatus> },
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleOrder {
    PublishedAt,
    UpdatedAt,
    Title,
    /// Best full-text match first (needs `search`).
    Relevance,
}

/// The sort key of the article a keyset page starts after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeekKey {
    /// `published_at` (none for drafts) or `updated_at`.
    Time(Option<NaiveDateTime>),
    /// `title`.
    Text(String),
}

/// Where a keyset page starts: just after the article with this sort key and id, in the
/// list's order. Finding it is an index seek, so a page costs the same however deep it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seek {
    pub key: SeekKey,
    pub id: i64,
}

/// A list request, already validated.
#[derive(Debug, Clone)]
pub struct ArticleFilter {
    pub visibility: Visibility,
    pub category: Option<IdOrSlug>,
    pub tag: Option<IdOrSlug>,
    pub author: Option<IdOrSlug>,
    pub after: Option<NaiveDateTime>,
    pub before: Option<NaiveDateTime>,
    /// Only featured articles (`true`) or only the others (`false`).
    pub featured: Option<bool>,
    /// Stories or pages: a list holds one kind.
    pub kind: ArticleKind,
    pub order_by: ArticleOrder,
    pub descending: bool,
    pub include_body: bool,
    /// A full-text search: only matching articles.
    pub search: Option<SearchQuery>,
    /// The number of matching articles when the caller knows it already (it is not counted again).
    pub known_total: Option<i64>,
    /// Keyset pagination: the page starts after this article (`offset` then only numbers the page).
    pub seek: Option<Seek>,
    pub offset: i64,
    pub limit: i64,
}

/// One page of articles and the number of all that match.
#[derive(Debug)]
pub struct ArticlePage {
    pub items: Vec<ArticleView>,
    pub total: i64,
    /// Whether `total` counts every match (a search counts up to its cap).
    pub total_exact: bool,
    /// Whether more articles follow this page.
    pub more: bool,
}

type BoxedArticles = articles::BoxedQuery<'static, Backend>;

/// Whether an article is public at `now`: published, and its time has come. The one
/// statement of that rule in Diesel's terms; lists, single reads, category counts and (through
/// [`Condition::Public`]) the full-text statements all take it from here.
#[diesel::dsl::auto_type]
pub(crate) fn is_public(now: NaiveDateTime) -> _ {
    let published: &'static str = ArticleStatus::Published.as_str();
    articles::status.eq(published).and(articles::published_at.le(now).assume_not_null())
}

/// Whether an article is a public story at `now`: what the counts of categories and tags and
/// the list of authors count (pages are left out of them as they are of every story list).
#[diesel::dsl::auto_type]
pub(crate) fn is_public_story(now: NaiveDateTime) -> _ {
    let story: &'static str = ArticleKind::Story.as_str();
    let public: is_public = is_public(now);
    public.and(articles::kind.eq(story))
}

/// One condition on an article that a reader's view or a list's filters impose. Which apply
/// to whom is decided once ([`conditions_of`]); each is then written for Diesel
/// ([`Condition::dsl`]: lists and single reads) or as SQL over the alias `a`
/// ([`Condition::sql`]: the full-text statements, whose SQL differs per backend). Both are
/// exhaustive matches, so a new condition cannot reach one path and miss the other.
#[derive(Debug, Clone)]
enum Condition {
    /// [`is_public`] at this time.
    Public(NaiveDateTime),
    Status(ArticleStatus),
    Author(i64),
    AuthorSlug(String),
    Category(i64),
    CategorySlug(String),
    Tag(i64),
    TagSlug(String),
    PublishedAfter(NaiveDateTime),
    PublishedBefore(NaiveDateTime),
    Featured(bool),
    Kind(ArticleKind),
    /// At least one of these groups holds (each group: all of its conditions).
    AnyOf(Vec<Vec<Condition>>),
}

type BoxedCondition = Box<dyn BoxableExpression<articles::table, Backend, SqlType = diesel::sql_types::Bool>>;

impl Condition {
    fn dsl(&self) -> BoxedCondition {
        match self {
            Condition::Public(now) => Box::new(is_public(*now)),
            Condition::Status(status) => Box::new(articles::status.eq(status.as_str())),
            Condition::Author(id) => Box::new(articles::author_id.eq(*id)),
            Condition::AuthorSlug(slug) => Box::new(
                articles::author_id.eq_any(users::table.filter(users::slug.eq(slug.clone())).select(users::id)),
            ),
            Condition::Category(id) => Box::new(
                articles::id.eq_any(
                    article_categories::table
                        .filter(article_categories::category_id.eq(*id))
                        .select(article_categories::article_id),
                ),
            ),
            Condition::CategorySlug(slug) => Box::new(
                articles::id.eq_any(
                    article_categories::table
                        .inner_join(categories::table)
                        .filter(categories::slug.eq(slug.clone()))
                        .select(article_categories::article_id),
                ),
            ),
            Condition::Tag(id) => Box::new(
                articles::id
                    .eq_any(article_tags::table.filter(article_tags::tag_id.eq(*id)).select(article_tags::article_id)),
            ),
            Condition::TagSlug(slug) => Box::new(
                articles::id.eq_any(
                    article_tags::table
                        .inner_join(tags::table)
                        .filter(tags::slug.eq(slug.clone()))
                        .select(article_tags::article_id),
                ),
            ),
            Condition::PublishedAfter(t) => Box::new(articles::published_at.gt(*t).assume_not_null()),
            Condition::PublishedBefore(t) => Box::new(articles::published_at.lt(*t).assume_not_null()),
            Condition::Featured(featured) => Box::new(articles::featured.eq(*featured)),
            Condition::Kind(kind) => Box::new(articles::kind.eq(kind.as_str())),
            Condition::AnyOf(groups) => {
                let all = |group: &Vec<Condition>| -> BoxedCondition {
                    group
                        .iter()
                        .map(Condition::dsl)
                        .reduce(|a, b| Box::new(a.and(b)))
                        .unwrap_or_else(|| Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("TRUE")))
                };
                groups
                    .iter()
                    .map(all)
                    .reduce(|a, b| Box::new(a.or(b)))
                    .unwrap_or_else(|| Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("FALSE")))
            }
        }
    }

    /// Appends this condition to `out` as SQL over the article `a`, with its values.
    fn sql(&self, text: &mut String, values: &mut Vec<Value>) {
        match self {
            Condition::Public(now) => {
                text.push_str("(a.status = ? AND a.published_at <= ?)");
                values.extend([Value::Text(ArticleStatus::Published.as_str().into()), Value::Time(*now)]);
            }
            Condition::Status(status) => {
                text.push_str("a.status = ?");
                values.push(Value::Text(status.as_str().into()));
            }
            Condition::Author(id) => {
                text.push_str("a.author_id = ?");
                values.push(Value::Int(*id));
            }
            Condition::AuthorSlug(slug) => {
                text.push_str("a.author_id = (SELECT id FROM users WHERE slug = ?)");
                values.push(Value::Text(slug.clone()));
            }
            Condition::Category(id) => {
                // A probe per match, not the category's whole membership.
                text.push_str(
                    "EXISTS (SELECT 1 FROM article_categories ac WHERE ac.article_id = a.id AND ac.category_id = ?)",
                );
                values.push(Value::Int(*id));
            }
            Condition::CategorySlug(slug) => {
                text.push_str(
                    "EXISTS (SELECT 1 FROM article_categories ac WHERE ac.article_id = a.id \
                     AND ac.category_id = (SELECT id FROM categories WHERE slug = ?))",
                );
                values.push(Value::Text(slug.clone()));
            }
            Condition::Tag(id) => {
                text.push_str("EXISTS (SELECT 1 FROM article_tags tg WHERE tg.article_id = a.id AND tg.tag_id = ?)");
                values.push(Value::Int(*id));
            }
            Condition::TagSlug(slug) => {
                text.push_str(
                    "EXISTS (SELECT 1 FROM article_tags tg WHERE tg.article_id = a.id \
                     AND tg.tag_id = (SELECT id FROM tags WHERE slug = ?))",
                );
                values.push(Value::Text(slug.clone()));
            }
            Condition::PublishedAfter(t) => {
                text.push_str("a.published_at > ?");
                values.push(Value::Time(*t));
            }
            Condition::PublishedBefore(t) => {
                text.push_str("a.published_at < ?");
                values.push(Value::Time(*t));
            }
            Condition::Featured(featured) => {
                text.push_str("a.featured = ?");
                values.push(Value::Bool(*featured));
            }
            Condition::Kind(kind) => {
                text.push_str("a.kind = ?");
                values.push(Value::Text(kind.as_str().into()));
            }
            Condition::AnyOf(groups) => {
                if groups.is_empty() {
                    text.push_str("FALSE");
                    return;
                }
                text.push('(');
                for (i, group) in groups.iter().enumerate() {
                    if i > 0 {
                        text.push_str(" OR ");
                    }
                    text.push('(');
                    if group.is_empty() {
                        text.push_str("TRUE");
                    }
                    for (j, condition) in group.iter().enumerate() {
                        if j > 0 {
                            text.push_str(" AND ");
                        }
                        condition.sql(text, values);
                    }
                    text.push(')');
                }
                text.push(')');
            }
        }
    }
}

/// What `visibility` lets a reader see.
fn visibility_conditions(visibility: Visibility) -> Vec<Condition> {
    match visibility {
        Visibility::Public { now } => vec![Condition::Public(now)],
        Visibility::Staff { now, viewer, sees_all, status } => {
            let mut conditions = Vec::new();
            if let Some(status) = status {
                conditions.push(Condition::Status(status));
            }
            if !sees_all {
                // Their own articles, and the public ones.
                conditions.push(Condition::AnyOf(vec![vec![Condition::Author(viewer)], vec![Condition::Public(now)]]));
            }
            conditions
        }
    }
}

/// What `filter` narrows to besides visibility and search. Every list holds one kind, so a
/// page never reaches a story list, whatever its other filters.
fn filter_conditions(filter: &ArticleFilter) -> Vec<Condition> {
    let mut conditions = vec![Condition::Kind(filter.kind)];
    match &filter.category {
        Some(IdOrSlug::Id(id)) => conditions.push(Condition::Category(*id)),
        Some(IdOrSlug::Slug(slug)) => conditions.push(Condition::CategorySlug(slug.clone())),
        None => {}
    }
    match &filter.tag {
        Some(IdOrSlug::Id(id)) => conditions.push(Condition::Tag(*id)),
        Some(IdOrSlug::Slug(slug)) => conditions.push(Condition::TagSlug(slug.clone())),
        None => {}
    }
    match &filter.author {
        Some(IdOrSlug::Id(id)) => conditions.push(Condition::Author(*id)),
        Some(IdOrSlug::Slug(slug)) => conditions.push(Condition::AuthorSlug(slug.clone())),
        None => {}
    }
    if let Some(after) = filter.after {
        conditions.push(Condition::PublishedAfter(after));
    }
    if let Some(before) = filter.before {
        conditions.push(Condition::PublishedBefore(before));
    }
    if let Some(featured) = filter.featured {
        conditions.push(Condition::Featured(featured));
    }
    conditions
}

impl ArticleFilter {
    /// What a list's total depends on besides visibility and search: the narrowing filters, in
    /// one key, so that a total kept for one filter is never served for another.
    pub fn narrowing_key(&self) -> String {
        format!("{:?}", (self.kind, &self.category, &self.tag, &self.author, self.after, self.before, self.featured))
    }
}

/// Every condition of a list of `filter` seen with `visibility`.
fn conditions_of(filter: &ArticleFilter, visibility: Visibility) -> Vec<Condition> {
    let mut conditions = visibility_conditions(visibility);
    conditions.extend(filter_conditions(filter));
    conditions
}

fn boxed(conditions: &[Condition]) -> BoxedArticles {
    conditions.iter().fold(articles::table.into_boxed(), |query, c| query.filter(c.dsl()))
}

fn visible(visibility: Visibility) -> BoxedArticles {
    boxed(&visibility_conditions(visibility))
}

fn filtered(filter: &ArticleFilter) -> BoxedArticles {
    filtered_as(filter, filter.visibility)
}

/// [`filtered`] with `visibility` in place of the filter's own.
fn filtered_as(filter: &ArticleFilter, visibility: Visibility) -> BoxedArticles {
    boxed(&conditions_of(filter, visibility))
}

/// What [`filtered`] selects, bar the search, as conditions for the full-text statements.
fn search_conditions(filter: &ArticleFilter) -> Conditions {
    let mut c = Conditions::default();
    for condition in conditions_of(filter, filter.visibility) {
        let (mut text, mut values) = (String::new(), Vec::new());
        condition.sql(&mut text, &mut values);
        c.and(text, values);
    }
    c
}

/// One page of the articles `filter` selects, with the total: a fixed number of statements
/// whatever the page size (count, page, authors, categories, and bodies when asked).
pub fn list(conn: &mut Conn, filter: &ArticleFilter) -> Result<ArticlePage, DbError> {
    if let Some(search) = &filter.search {
        if filter.seek.is_some() {
            // Search results are ranked in tiers, which a keyset cannot address.
            return Err(DbError::Invalid { field: "cursor", message: "search results are paged with `page`".into() });
        }
        return list_by_search(conn, filter, search);
    }
    let read = |conn: &mut Conn| -> Result<ArticlePage, DbError> {
        let total: i64 = match filter.known_total {
            Some(total) => total,
            None => filtered(filter).count().get_result(conn)?,
        };
        let mut query = filtered_as(filter, seek_bounded(filter));
        let drafts = matches!(filter.visibility, Visibility::Staff { .. });
        if drafts && matches!(filter.order_by, ArticleOrder::PublishedAt | ArticleOrder::Relevance) {
            // Drafts have no time and come last newest first, first oldest first: SQLite's
            // order of NULLs, which PostgreSQL reverses unless told.
            query = if filter.descending || filter.order_by == ArticleOrder::Relevance {
                query.order(articles::published_at.is_null().asc())
            } else {
                query.order(articles::published_at.is_null().desc())
            };
        }
        query = match (filter.order_by, filter.descending) {
            (ArticleOrder::PublishedAt, true) => {
                query.then_order_by((articles::published_at.desc(), articles::id.desc()))
            }
            (ArticleOrder::PublishedAt, false) => {
                query.then_order_by((articles::published_at.asc(), articles::id.asc()))
            }
            (ArticleOrder::UpdatedAt, true) => query.then_order_by((articles::updated_at.desc(), articles::id.desc())),
            (ArticleOrder::UpdatedAt, false) => query.then_order_by((articles::updated_at.asc(), articles::id.asc())),
            (ArticleOrder::Title, true) => query.then_order_by((articles::title.desc(), articles::id.desc())),
            (ArticleOrder::Title, false) => query.then_order_by((articles::title.asc(), articles::id.asc())),
            // Relevance with a search is list_by_relevance; without one there is nothing to rank.
            (ArticleOrder::Relevance, _) => query.then_order_by((articles::published_at.desc(), articles::id.desc())),
        };
        let (metas, more) = if let Some(seek) = &filter.seek {
            query = after(query, filter.order_by, filter.descending, seek, drafts)?;
            // One row more than the page says whether another page follows.
            let mut metas: Vec<ArticleMeta> =
                query.select(ArticleMeta::as_select()).limit(filter.limit + 1).load(conn)?;
            let more = metas.len() as i64 > filter.limit;
            metas.truncate(filter.limit as usize);
            (metas, more)
        } else if total > filter.offset {
            let metas: Vec<ArticleMeta> =
                query.select(ArticleMeta::as_select()).offset(filter.offset).limit(filter.limit).load(conn)?;
            let more = filter.offset + (metas.len() as i64) < total;
            (metas, more)
        } else {
            (Vec::new(), false)
        };
        let items = with_relations(conn, metas, filter.include_body)?;
        Ok(ArticlePage { items, total, total_exact: true, more })
    };
    // A total counted in this read must agree with its page: one snapshot. With the total known
    // (kept per content version) the page and its relations are read as they are, without the
    // two round trips of a transaction (most public list reads).
    match filter.known_total {
        Some(_) => read(conn),
        None => super::read_snapshot(conn, read),
    }
}

/// The visibility for the page query of `filter`. On a keyset page of public articles newest
/// first the public bound `published_at <= now` becomes `published_at <= key`, the same rows
/// (the key was public), so that the index range starts at the key. Left with two upper
/// bounds on the column, SQLite ranges on one of them only, and could walk down from `now`.
fn seek_bounded(filter: &ArticleFilter) -> Visibility {
    match (&filter.seek, filter.visibility, filter.order_by, filter.descending) {
        (
            Some(Seek { key: SeekKey::Time(Some(t)), .. }),
            Visibility::Public { now },
            ArticleOrder::PublishedAt,
            true,
        ) if *t < now => Visibility::Public { now: *t },
        _ => filter.visibility,
    }
}

/// Narrows `query` to the articles after `seek` in the order given. Each condition starts
/// with a plain bound on the sort column, which the index turns into a seek; the rest only
/// settles ties on the id.
///
/// `drafts`: whether the list may hold drafts (staff lists), which have no publication time
/// and come last when newest first; public lists never do, and keep the plain seek.
fn after(
    query: BoxedArticles,
    order: ArticleOrder,
    descending: bool,
    seek: &Seek,
    drafts: bool,
) -> Result<BoxedArticles, DbError> {
    let id = seek.id;
    let query = match (order, &seek.key, descending) {
        (ArticleOrder::PublishedAt, SeekKey::Time(Some(t)), true) if drafts => query.filter(
            articles::published_at
                .le(*t)
                .and(articles::published_at.lt(*t).or(articles::id.lt(id).nullable()))
                .or(articles::published_at.is_null().nullable()),
        ),
        (ArticleOrder::PublishedAt, SeekKey::Time(Some(t)), true) => query.filter(
            articles::published_at.le(*t).and(articles::published_at.lt(*t).or(articles::id.lt(id).nullable())),
        ),
        // Drafts (no publication time) come last, newest id first.
        (ArticleOrder::PublishedAt, SeekKey::Time(None), true) => {
            query.filter(articles::published_at.is_null().and(articles::id.lt(id)))
        }
        (ArticleOrder::PublishedAt, SeekKey::Time(Some(t)), false) => query.filter(
            articles::published_at.ge(*t).and(articles::published_at.gt(*t).or(articles::id.gt(id).nullable())),
        ),
        (ArticleOrder::PublishedAt, SeekKey::Time(None), false) => query
            .filter(articles::published_at.is_null().and(articles::id.gt(id)).or(articles::published_at.is_not_null())),
        (ArticleOrder::UpdatedAt, SeekKey::Time(Some(t)), true) => {
            query.filter(articles::updated_at.le(*t).and(articles::updated_at.lt(*t).or(articles::id.lt(id))))
        }
        (ArticleOrder::UpdatedAt, SeekKey::Time(Some(t)), false) => {
            query.filter(articles::updated_at.ge(*t).and(articles::updated_at.gt(*t).or(articles::id.gt(id))))
        }
        (ArticleOrder::Title, SeekKey::Text(t), true) => {
            query.filter(articles::title.le(t.clone()).and(articles::title.lt(t.clone()).or(articles::id.lt(id))))
        }
        (ArticleOrder::Title, SeekKey::Text(t), false) => {
            query.filter(articles::title.ge(t.clone()).and(articles::title.gt(t.clone()).or(articles::id.gt(id))))
        }
        _ => return Err(DbError::Invalid { field: "cursor", message: "does not fit this list's order".into() }),
    };
    Ok(query)
}

/// A page of search results: the full-text index picks the page's ids (see `fts::search`),
/// then the page's rows and their relations are loaded as for any list.
fn list_by_search(conn: &mut Conn, filter: &ArticleFilter, search: &SearchQuery) -> Result<ArticlePage, DbError> {
    let order = match (filter.order_by, filter.descending) {
        (ArticleOrder::Relevance, best_first) => SearchOrder::Relevance { best_first },
        // NULLS spelled out: SQLite's default, which PostgreSQL reverses.
        (ArticleOrder::PublishedAt, true) => SearchOrder::Column("a.published_at DESC NULLS LAST, a.id DESC"),
        (ArticleOrder::PublishedAt, false) => SearchOrder::Column("a.published_at ASC NULLS FIRST, a.id ASC"),
        (ArticleOrder::UpdatedAt, true) => SearchOrder::Column("a.updated_at DESC, a.id DESC"),
        (ArticleOrder::UpdatedAt, false) => SearchOrder::Column("a.updated_at ASC, a.id ASC"),
        (ArticleOrder::Title, true) => SearchOrder::Column("a.title DESC, a.id DESC"),
        (ArticleOrder::Title, false) => SearchOrder::Column("a.title ASC, a.id ASC"),
    };
    super::read_snapshot(conn, |conn| {
        let found = fts::search(conn, search, &search_conditions(filter), order, filter.offset, filter.limit)?;
        let mut metas: Vec<ArticleMeta> = if found.ids.is_empty() {
            Vec::new()
        } else {
            articles::table.filter(articles::id.eq_any(&found.ids)).select(ArticleMeta::as_select()).load(conn)?
        };
        metas.sort_by_key(|m| found.ids.iter().position(|id| *id == m.id));
        let items = with_relations(conn, metas, filter.include_body)?;
        let more = filter.offset + (items.len() as i64) < found.total;
        Ok(ArticlePage { items, total: found.total, total_exact: found.exact, more })
    })
}

/// The article `key` names, when `visibility` lets the reader see it.
pub fn find(conn: &mut Conn, key: &IdOrSlug, visibility: Visibility) -> Result<ArticleView, DbError> {
    let meta: ArticleMeta = by_key(key, visibility).select(ArticleMeta::as_select()).first(conn)?;
    let mut views = with_relations(conn, vec![meta], true)?;
    views.pop().ok_or(DbError::NotFound)
}

/// The row of the article `key` names without its body or relations, when `visibility` lets
/// the reader see it: what deciding whether they may change it needs.
pub fn find_meta(conn: &mut Conn, key: &IdOrSlug, visibility: Visibility) -> Result<ArticleMeta, DbError> {
    Ok(by_key(key, visibility).select(ArticleMeta::as_select()).first(conn)?)
}

/// The current slug of the article that once had the slug `old`, when `visibility` lets the
/// reader see it: where an old link leads.
pub fn renamed_to(conn: &mut Conn, old: &str, visibility: Visibility) -> Result<Option<String>, DbError> {
    let Some(id) = redirects::renamed(conn, SlugOwner::Article, old)? else {
        return Ok(None);
    };
    Ok(by_key(&IdOrSlug::Id(id), visibility).select(articles::slug).first(conn).optional()?)
}

/// The article `key` names among those `visibility` shows.
fn by_key(key: &IdOrSlug, visibility: Visibility) -> BoxedArticles {
    let query = visible(visibility);
    match key {
        IdOrSlug::Id(id) => query.filter(articles::id.eq(*id)),
        IdOrSlug::Slug(slug) => query.filter(articles::slug.eq(slug.clone())),
    }
}

/// The id and comment policy of the article `key` names, when visible: what nested
/// resources (its comments) need, without loading the article itself.
pub fn visible_ref(conn: &mut Conn, key: &IdOrSlug, visibility: Visibility) -> Result<(i64, CommentPolicy), DbError> {
    let (id, policy): (i64, String) =
        by_key(key, visibility).select((articles::id, articles::comment_status)).first(conn)?;
    Ok((id, policy.parse().unwrap_or(CommentPolicy::Closed)))
}

/// The id and comment policy of the article `key` names, when visible, and whether a comment
/// with `body` was posted to it since `since`: where a reader's comment goes and whether it
/// repeats one (a sign of a spam run), in one statement.
pub fn comment_target(
    conn: &mut Conn,
    key: &IdOrSlug,
    visibility: Visibility,
    body: &str,
    since: DateTime<Utc>,
) -> Result<(i64, CommentPolicy, bool), DbError> {
    use super::schema::comments;
    // By the `comments_repeats` index: the hash finds the candidates, the text decides.
    let repeated = diesel::dsl::exists(
        comments::table
            .filter(comments::article_id.eq(articles::id))
            .filter(comments::body_hash.eq(super::comments::body_hash(body)))
            .filter(comments::created_at.ge(since.naive_utc()))
            .filter(comments::body.eq(body.to_owned())),
    );
    let (id, policy, repeated): (i64, String, bool) =
        by_key(key, visibility).select((articles::id, articles::comment_status, repeated)).first(conn)?;
    Ok((id, policy.parse().unwrap_or(CommentPolicy::Closed), repeated))
}

/// Attaches authors, categories, tags and (when asked) bodies with one query each.
fn with_relations(conn: &mut Conn, metas: Vec<ArticleMeta>, include_body: bool) -> Result<Vec<ArticleView>, DbError> {
    if metas.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = metas.iter().map(|m| m.id).collect();
    let author_ids: Vec<i64> = metas.iter().map(|m| m.author_id).collect();

    let authors: HashMap<i64, Author> = super::users::authors(conn, &author_ids)?;

    let mut categories_of: HashMap<i64, Vec<CategoryRef>> = HashMap::new();
    let links: Vec<(i64, CategoryRef)> = article_categories::table
        .inner_join(categories::table)
        .filter(article_categories::article_id.eq_any(&ids))
        .order((categories::name.asc(), categories::id.asc()))
        .select((article_categories::article_id, CategoryRef::as_select()))
        .load(conn)?;
    for (article_id, category) in links {
        categories_of.entry(article_id).or_default().push(category);
    }
    let mut tags_of = super::tags::of_articles(conn, &ids)?;
    let image_ids: Vec<i64> = metas.iter().filter_map(|m| m.featured_image_id).collect();
    let images = super::media::of_ids(conn, &image_ids)?;

    let mut texts: HashMap<i64, ArticleText> = if include_body {
        articles::table
            .filter(articles::id.eq_any(&ids))
            .select((articles::id, ArticleText::as_select()))
            .load::<(i64, ArticleText)>(conn)?
            .into_iter()
            .collect()
    } else {
        HashMap::new()
    };

    metas
        .into_iter()
        .map(|meta| {
            let author = authors.get(&meta.author_id).cloned().ok_or(DbError::NotFound)?;
            Ok(ArticleView {
                text: texts.remove(&meta.id),
                categories: categories_of.remove(&meta.id).unwrap_or_default(),
                tags: tags_of.remove(&meta.id).unwrap_or_default(),
                featured_image: meta.featured_image_id.and_then(|i| images.get(&i).cloned()),
                author,
                meta,
            })
        })
        .collect()
}

/// What a new article is made of, as the writer gave it.
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub title: String,
    pub slug: Option<Slug>,
    pub excerpt: String,
    pub body: String,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub author_id: i64,
    pub category_ids: Vec<i64>,
    pub tag_ids: Vec<i64>,
    pub featured_image_url: Option<String>,
    pub featured_image_alt: Option<String>,
    /// Media to lead with (else a 422 on `featured_image_id`).
    pub featured_image_id: Option<i64>,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub language: String,
    pub comment_status: CommentPolicy,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub featured: bool,
    /// One of `category_ids` (else a 422 on `primary_category_id`).
    pub primary_category_id: Option<i64>,
    pub kind: ArticleKind,
}

/// What readers see of a body and excerpt, computed once per write: the sanitized HTML, and
/// the excerpt (the writer's, or derived from the first paragraph when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedText {
    pub excerpt: String,
    pub body_html: String,
}

/// Renders `body` and settles the excerpt. This is the slow part of a write (a 1 MiB body
/// takes a while), so callers do it before they take the write lock. A body that nests too
/// deeply to render in bounded time is a 422 on `body`.
pub fn rendered_text(custom_excerpt: &str, body: &str) -> Result<RenderedText, DbError> {
    let body_html = render_markdown(body).map_err(|e| DbError::Invalid { field: "body", message: e.to_string() })?;
    let excerpt =
        if custom_excerpt.trim().is_empty() { derive_excerpt(body) } else { custom_excerpt.trim().to_owned() };
    Ok(RenderedText { excerpt, body_html })
}

/// `text` with `srcset`, `sizes`, `width` and `height` on the body's images that are Warta
/// media, from their stored variants: one read, before the write lock, and none for a body
/// without such images.
pub fn with_responsive_images(conn: &mut Conn, mut text: RenderedText) -> Result<RenderedText, DbError> {
    let keys = crate::domain::responsive::media_keys(&text.body_html);
    if keys.is_empty() {
        return Ok(text);
    }
    let sizes = super::media::sizes_by_key(conn, &keys)?;
    if !sizes.is_empty() {
        text.body_html = crate::domain::responsive::add_srcsets(&text.body_html, |key| sizes.get(key).cloned());
    }
    Ok(text)
}

/// Renders again the bodies that show the media files of `file_key` (after their variants
/// changed), so that their `srcset` lists files that exist; returns how many changed. Rendering
/// happens before the write, and a body edited meanwhile is left to that edit's own rendering.
pub fn rerender_bodies_showing(conn: &mut Conn, file_key: &str) -> Result<usize, DbError> {
    // A content key is hex digits only: nothing in it is a LIKE wildcard.
    let shows = format!("%{file_key}%");
    let rows: Vec<(i64, String, String)> = articles::table
        .filter(articles::body_html.like(&shows))
        .select((articles::id, articles::custom_excerpt, articles::body))
        .load(conn)?;
    let mut rendered = Vec::with_capacity(rows.len());
    for (id, excerpt, body) in rows {
        let text = with_responsive_images(conn, rendered_text(&excerpt, &body)?)?;
        rendered.push((id, body, text.body_html));
    }
    super::write(conn, |conn| {
        let mut changed = 0;
        for (id, body, html) in &rendered {
            changed += diesel::update(articles::table.find(id).filter(articles::body.eq(body)))
                .set(articles::body_html.eq(html))
                .execute(conn)?;
        }
        super::changes::record(conn, Change::Media)?;
        Ok(changed)
    })
}

/// A slug no other article has or had (an old slug still leads to its story): `base`, else
/// `base-2`, `base-3`...
pub fn unique_slug(conn: &mut Conn, base: &Slug, except_id: Option<i64>) -> Result<Slug, DbError> {
    let (low, high) = base.family_range();
    let mut taken: Vec<String> = articles::table
        .filter(articles::slug.ge(&low).and(articles::slug.lt(&high)))
        .filter(articles::id.ne(except_id.unwrap_or(0)))
        .select(articles::slug)
        .load(conn)?;
    taken.extend(redirects::old_slugs_between(conn, SlugOwner::Article, &low, &high)?);
    Ok(base.first_free(&taken))
}

/// Creates an article with its categories, its rendered body and excerpt, and its full-text
/// entry (kept by triggers), all in one transaction. The body is rendered before the
/// transaction begins, so other writers never wait for a render. A published article
/// without `published_at` is published now.
pub fn create(conn: &mut Conn, new: NewArticle, by: Reviser, now: DateTime<Utc>) -> Result<i64, DbError> {
    let text = with_responsive_images(conn, rendered_text(&new.excerpt, &new.body)?)?;
    super::write(conn, |conn| {
        let slug = match &new.slug {
            Some(wanted) => {
                // An editor who sets an old slug explicitly takes it over.
                redirects::take_over(conn, SlugOwner::Article, wanted.as_str())?;
                available_slug(conn, wanted, None)?
            }
            None => unique_slug(conn, &Slug::from_title(&new.title, "article"), None)?,
        };
        check_categories(conn, &new.category_ids)?;
        super::tags::check_ids(conn, &new.tag_ids)?;
        check_featured_image(conn, new.featured_image_id)?;
        if let Some(primary) = new.primary_category_id {
            primary_among(primary, &new.category_ids)?;
        }
        let published_at = match (new.status, new.published_at) {
            (_, Some(at)) => Some(at.naive_utc()),
            (ArticleStatus::Published, None) => Some(now.naive_utc()),
            _ => None,
        };
        let id: i64 = diesel::insert_into(articles::table)
            .values((
                articles::slug.eq(slug.as_str()),
                articles::title.eq(&new.title),
                articles::custom_excerpt.eq(new.excerpt.trim()),
                articles::excerpt.eq(&text.excerpt),
                articles::body.eq(&new.body),
                articles::body_html.eq(&text.body_html),
                articles::status.eq(new.status.as_str()),
                articles::published_at.eq(published_at),
                articles::author_id.eq(new.author_id),
                articles::featured_image_url.eq(&new.featured_image_url),
                articles::featured_image_alt.eq(&new.featured_image_alt),
                articles::featured_image_id.eq(new.featured_image_id),
                articles::source_name.eq(&new.source_name),
                articles::source_url.eq(&new.source_url),
                articles::language.eq(&new.language),
                articles::comment_status.eq(new.comment_status.as_str()),
                articles::meta_title.eq(&new.meta_title),
                articles::meta_description.eq(&new.meta_description),
                articles::featured.eq(new.featured),
                articles::primary_category_id.eq(new.primary_category_id),
                articles::kind.eq(new.kind.as_str()),
                articles::created_at.eq(now.naive_utc()),
                articles::updated_at.eq(now.naive_utc()),
            ))
            .returning(articles::id)
            .get_result(conn)?;
        set_categories(conn, id, &new.category_ids)?;
        super::tags::set_for_article(conn, id, &new.tag_ids)?;
        // Against the clock, not the write's time: an import writes times of the past.
        let clock = crate::domain::now().naive_utc();
        let is_public = new.status.is_public_at(published_at, clock);
        if let Some(due) = scheduled_for(new.status, published_at, clock) {
            super::webhooks::schedule_publication(conn, id, Some(due))?;
        }
        let change = Change::Article { id, was_public: false, is_public, filing_changed: true };
        super::changes::record(conn, change)?;
        super::revisions::record(conn, id, by, now.naive_utc())?;
        Ok(id)
    })
}

/// When an article of `status` published for `at` becomes public, if that is still to come
/// after `now` (its publication is then announced when the time comes).
fn scheduled_for(status: ArticleStatus, at: Option<NaiveDateTime>, now: NaiveDateTime) -> Option<NaiveDateTime> {
    at.filter(|t| status == ArticleStatus::Published && *t > now)
}

/// `wanted` if no other article has it, else a 409.
fn available_slug(conn: &mut Conn, wanted: &Slug, except_id: Option<i64>) -> Result<Slug, DbError> {
    let taken: bool = diesel::select(diesel::dsl::exists(
        articles::table.filter(articles::slug.eq(wanted.as_str())).filter(articles::id.ne(except_id.unwrap_or(0))),
    ))
    .get_result(conn)?;
    if taken {
        return Err(DbError::Conflict(format!("another article has the slug {wanted}")));
    }
    Ok(wanted.clone())
}

/// A 422 on `primary_category_id` unless `primary` is one of `category_ids`.
fn primary_among(primary: i64, category_ids: &[i64]) -> Result<(), DbError> {
    if category_ids.contains(&primary) {
        return Ok(());
    }
    Err(not_among_categories(primary))
}

fn not_among_categories(primary: i64) -> DbError {
    DbError::Invalid { field: "primary_category_id", message: format!("{primary} is not one of the categories") }
}

/// What an update makes of the primary category (`None`: it stays): one the edit names must be
/// among the article's categories after the edit; one that the edit's categories leave out
/// stops being primary.
fn primary_after(
    conn: &mut Conn,
    id: i64,
    current: Option<i64>,
    changes: &ArticleChanges,
) -> Result<Option<Option<i64>>, DbError> {
    Ok(match (changes.primary_category_id, &changes.category_ids) {
        (Some(Some(primary)), Some(ids)) => {
            primary_among(primary, ids)?;
            Some(Some(primary))
        }
        (Some(Some(primary)), None) => {
            let filed: bool = diesel::select(diesel::dsl::exists(
                article_categories::table
                    .filter(article_categories::article_id.eq(id))
                    .filter(article_categories::category_id.eq(primary)),
            ))
            .get_result(conn)?;
            if !filed {
                return Err(not_among_categories(primary));
            }
            Some(Some(primary))
        }
        (Some(None), _) => Some(None),
        (None, Some(ids)) => current.filter(|p| !ids.contains(p)).map(|_| None),
        (None, None) => None,
    })
}

/// A 422 on `category_ids` unless every id names a category.
fn check_categories(conn: &mut Conn, ids: &[i64]) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<i64> = categories::table.filter(categories::id.eq_any(ids)).select(categories::id).load(conn)?;
    let missing: Vec<String> = ids.iter().filter(|id| !found.contains(id)).map(|id| id.to_string()).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DbError::Invalid { field: "category_ids", message: format!("no such category: {}", missing.join(", ")) })
    }
}

/// A 422 on `featured_image_id` unless it names media (or is `None`).
fn check_featured_image(conn: &mut Conn, id: Option<i64>) -> Result<(), DbError> {
    match id {
        Some(id) if !super::media::exists(conn, id)? => {
            Err(DbError::Invalid { field: "featured_image_id", message: format!("no media has the id {id}") })
        }
        _ => Ok(()),
    }
}

/// Replaces the categories of article `id`.
pub fn set_categories(conn: &mut Conn, id: i64, category_ids: &[i64]) -> Result<(), DbError> {
    diesel::delete(article_categories::table.filter(article_categories::article_id.eq(id))).execute(conn)?;
    let rows: Vec<_> = category_ids
        .iter()
        .map(|c| (article_categories::article_id.eq(id), article_categories::category_id.eq(*c)))
        .collect();
    if !rows.is_empty() {
        super::bulk::insert_rows!(conn, article_categories::table, &rows)?;
    }
    Ok(())
}

/// Changes to an article; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ArticleChanges {
    pub title: Option<String>,
    pub slug: Option<Slug>,
    pub excerpt: Option<String>,
    pub body: Option<String>,
    pub status: Option<ArticleStatus>,
    pub published_at: Option<Option<DateTime<Utc>>>,
    pub author_id: Option<i64>,
    pub category_ids: Option<Vec<i64>>,
    pub tag_ids: Option<Vec<i64>>,
    pub featured_image_url: Option<Option<String>>,
    pub featured_image_alt: Option<Option<String>>,
    pub featured_image_id: Option<Option<i64>>,
    pub source_name: Option<Option<String>>,
    pub source_url: Option<Option<String>>,
    pub language: Option<String>,
    pub comment_status: Option<CommentPolicy>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub featured: Option<bool>,
    pub primary_category_id: Option<Option<i64>>,
    pub kind: Option<ArticleKind>,
}

impl ArticleChanges {
    /// The names of the fields these changes set, as the API names them.
    pub fn named_fields(&self) -> String {
        crate::changed_fields!(self; title, slug, excerpt, body, status, published_at, author_id, category_ids,
            tag_ids, featured_image_url, featured_image_alt, featured_image_id, source_name, source_url, language, comment_status,
            meta_title, meta_description, featured, primary_category_id, kind)
    }
}

/// The writer-owned parts of an article that an update starts from.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles, check_for_backend(diesel::sqlite::Sqlite))]
struct Editable {
    slug: String,
    custom_excerpt: String,
    body: String,
    status: String,
    published_at: Option<NaiveDateTime>,
    primary_category_id: Option<i64>,
}

/// An edit's text, rendered ahead of its write transaction: [`prepare_update`] makes it,
/// [`update`] stores it if the text it was rendered from is still the stored one.
#[derive(Debug, Clone, Default)]
pub struct PreparedEdit {
    /// The article, and the stored excerpt and body the rendering used (`None`: the edit
    /// replaces that part), when the edit touches the text at all.
    basis: Option<(i64, Option<String>, Option<String>)>,
    text: Option<RenderedText>,
}

/// Whether [`update`] stored the edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum UpdateOutcome {
    Updated,
    /// The text changed since [`prepare_update`] rendered it; nothing was written. Prepare
    /// the edit again.
    Stale,
}

/// Renders the text that `changes` give article `id`, outside any transaction: a body or
/// excerpt that changes needs the body rendered and the excerpt derived again, from the
/// new parts and the stored ones. A body that nests too deeply is a 422 on `body`.
pub fn prepare_update(conn: &mut Conn, id: i64, changes: &ArticleChanges) -> Result<PreparedEdit, DbError> {
    if changes.excerpt.is_none() && changes.body.is_none() {
        return Ok(PreparedEdit::default());
    }
    let stored: Editable = articles::table.find(id).select(Editable::as_select()).first(conn)?;
    let excerpt = changes.excerpt.as_deref().unwrap_or(&stored.custom_excerpt);
    let body = changes.body.as_deref().unwrap_or(&stored.body);
    let text = with_responsive_images(conn, rendered_text(excerpt, body)?)?;
    let basis =
        (id, changes.excerpt.is_none().then_some(stored.custom_excerpt), changes.body.is_none().then_some(stored.body));
    Ok(PreparedEdit { basis: Some(basis), text: Some(text) })
}

/// Applies `changes` to article `id` in one transaction, with the text `prepared` rendered
/// for them (the full-text entry follows by triggers); a first publication without a time is
/// published now. Nothing is rendered here: when the edit touches the text and `prepared`
/// was not made for it from the text stored now, nothing is written and the answer is
/// [`UpdateOutcome::Stale`].
pub fn update(
    conn: &mut Conn,
    id: i64,
    changes: &ArticleChanges,
    prepared: &PreparedEdit,
    by: Reviser,
    now: DateTime<Utc>,
) -> Result<UpdateOutcome, DbError> {
    super::write(conn, |conn| {
        let current: Editable = articles::table.find(id).select(Editable::as_select()).first(conn)?;
        let touches_text = changes.excerpt.is_some() || changes.body.is_some();
        let rendered = match (&prepared.basis, &prepared.text) {
            (Some((for_id, excerpt, body)), Some(text))
                if *for_id == id
                    && excerpt.as_ref().is_none_or(|e| *e == current.custom_excerpt)
                    && body.as_ref().is_none_or(|b| *b == current.body) =>
            {
                Some(text)
            }
            _ if touches_text => return Ok(UpdateOutcome::Stale),
            _ => None,
        };
        if let Some(slug) = changes.slug.as_ref().filter(|s| s.as_str() != current.slug) {
            available_slug(conn, slug, Some(id))?;
            redirects::rename(conn, SlugOwner::Article, &current.slug, slug.as_str(), id, now.naive_utc())?;
        }
        if let Some(ids) = &changes.category_ids {
            check_categories(conn, ids)?;
        }
        if let Some(ids) = &changes.tag_ids {
            super::tags::check_ids(conn, ids)?;
        }
        if let Some(image) = changes.featured_image_id {
            check_featured_image(conn, image)?;
        }
        let primary = primary_after(conn, id, current.primary_category_id, changes)?;
        if let Some(author_id) = changes.author_id {
            let exists: bool = diesel::select(diesel::dsl::exists(users::table.find(author_id))).get_result(conn)?;
            if !exists {
                return Err(DbError::Invalid { field: "author_id", message: format!("no such user: {author_id}") });
            }
        }
        let published_at = match (&changes.published_at, changes.status) {
            (Some(given), _) => Some(given.map(|t| t.naive_utc())),
            (None, Some(ArticleStatus::Published)) if current.published_at.is_none() => Some(Some(now.naive_utc())),
            _ => None,
        };
        let published_at = match (published_at, changes.status.map_or(current.status.as_str(), |s| s.as_str())) {
            // A published article always has a time; clearing it publishes now.
            (Some(None), "published") => Some(Some(now.naive_utc())),
            (other, _) => other,
        };
        diesel::update(articles::table.find(id))
            .set((
                changes.title.as_ref().map(|v| articles::title.eq(v)),
                changes.slug.as_ref().map(|v| articles::slug.eq(v.as_str())),
                changes.excerpt.as_ref().map(|v| articles::custom_excerpt.eq(v.trim())),
                rendered.map(|text| articles::excerpt.eq(&text.excerpt)),
                changes.body.as_ref().map(|v| articles::body.eq(v)),
                rendered.map(|text| articles::body_html.eq(&text.body_html)),
                changes.status.map(|v| articles::status.eq(v.as_str())),
                published_at.map(|v| articles::published_at.eq(v)),
                changes.author_id.map(|v| articles::author_id.eq(v)),
                changes.featured_image_url.as_ref().map(|v| articles::featured_image_url.eq(v)),
                changes.featured_image_alt.as_ref().map(|v| articles::featured_image_alt.eq(v)),
                changes.featured_image_id.map(|v| articles::featured_image_id.eq(v)),
                changes.source_name.as_ref().map(|v| articles::source_name.eq(v)),
                changes.source_url.as_ref().map(|v| articles::source_url.eq(v)),
                changes.language.as_ref().map(|v| articles::language.eq(v)),
                changes.comment_status.map(|v| articles::comment_status.eq(v.as_str())),
                changes.meta_title.as_ref().map(|v| articles::meta_title.eq(v)),
                changes.meta_description.as_ref().map(|v| articles::meta_description.eq(v)),
                changes.featured.map(|v| articles::featured.eq(v)),
                primary.map(|v| articles::primary_category_id.eq(v)),
                changes.kind.map(|v| articles::kind.eq(v.as_str())),
                articles::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        if let Some(ids) = &changes.category_ids {
            set_categories(conn, id, ids)?;
        }
        if let Some(ids) = &changes.tag_ids {
            super::tags::set_for_article(conn, id, ids)?;
        }
        super::revisions::record(conn, id, by, now.naive_utc())?;
        // Against the clock, not the write's time: an import writes times of the past.
        let now = crate::domain::now().naive_utc();
        let status_now = |text: &str| text.parse::<ArticleStatus>().unwrap_or_default();
        let was_public = status_now(&current.status).is_public_at(current.published_at, now);
        let status = changes.status.unwrap_or_else(|| status_now(&current.status));
        let is_public = status.is_public_at(published_at.unwrap_or(current.published_at), now);
        if changes.status.is_some() || published_at.is_some() {
            let due = scheduled_for(status, published_at.unwrap_or(current.published_at), now);
            super::webhooks::schedule_publication(conn, id, due)?;
        }
        // A change of kind moves it between the story lists and the pages, and their counts.
        let filing_changed = changes.category_ids.is_some() || changes.tag_ids.is_some() || changes.kind.is_some();
        super::changes::record(conn, Change::Article { id, was_public, is_public, filing_changed })?;
        Ok(UpdateOutcome::Updated)
    })
}

/// Holds the row of the article `key` names until the write transaction it runs in ends, so
/// that what the write reads of it (the version an `If-Match` names, the text an edit was
/// rendered from) stays true until it commits. On PostgreSQL that is a row lock (other
/// writers of the article wait, readers do not, nor do the comments and category links
/// written meanwhile, which only check that it exists: `FOR NO KEY UPDATE`); on SQLite the
/// write transaction holds the whole database already.
pub fn lock_for_edit(conn: &mut Conn, key: &IdOrSlug) -> Result<(), DbError> {
    #[cfg(feature = "postgres")]
    if let Some(pg) = super::as_postgres(conn) {
        let _: Vec<i64> = match key {
            IdOrSlug::Id(id) => {
                articles::table.filter(articles::id.eq(*id)).select(articles::id).for_no_key_update().load(pg)?
            }
            IdOrSlug::Slug(slug) => {
                articles::table.filter(articles::slug.eq(slug)).select(articles::id).for_no_key_update().load(pg)?
            }
        };
    }
    #[cfg(not(feature = "postgres"))]
    let _ = (conn, key);
    Ok(())
}

/// The public articles (id, slug) that lead with media `media_id`, at most 100: what a change
/// of that image changes for readers.
pub fn leading_with(conn: &mut Conn, media_id: i64, now: NaiveDateTime) -> Result<Vec<(i64, String)>, DbError> {
    Ok(articles::table
        .filter(articles::featured_image_id.eq(media_id))
        .filter(is_public(now))
        .order(articles::id)
        .limit(100)
        .select((articles::id, articles::slug))
        .load(conn)?)
}

/// Deletes article `id`; its comments, category and tag links, old slugs and full-text entry go
/// with it.
pub fn delete(conn: &mut Conn, id: i64) -> Result<(), DbError> {
    super::write(conn, |conn| {
        let now = crate::domain::now();
        let (status, published_at): (String, Option<NaiveDateTime>) =
            articles::table.find(id).select((articles::status, articles::published_at)).first(conn)?;
        diesel::delete(articles::table.find(id)).execute(conn)?;
        redirects::forget(conn, SlugOwner::Article, id)?;
        let was_public =
            status.parse::<ArticleStatus>().unwrap_or_default().is_public_at(published_at, now.naive_utc());
        let change = Change::Article { id, was_public, is_public: false, filing_changed: true };
        super::changes::record(conn, change)
    })
}
