//! Media rows: uploaded images, their variants and the articles that lead with them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{articles, media, media_removals};
use super::users::Author;
use super::{Backend, Conn, DbError};
use crate::domain::invalidation::Change;
use crate::domain::responsive::ImageSizes;

/// A stored variant's size; its file's name follows from the media's key and the width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSize {
    pub width: u32,
    pub height: u32,
}

/// A media row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Media {
    pub id: i64,
    pub file_key: String,
    pub file_name: String,
    pub mime_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub variants: String,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Media {
    /// The variants, narrowest first (a row whose JSON cannot be read has none: the original
    /// still serves).
    pub fn variant_sizes(&self) -> Vec<VariantSize> {
        serde_json::from_str(&self.variants).unwrap_or_default()
    }
}

/// A media row with its uploader's public profile (`None` once that account is deleted).
#[derive(Debug, Clone)]
pub struct MediaView {
    pub media: Media,
    pub uploader: Option<Author>,
}

/// What a new upload is, once its files are stored.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub file_key: String,
    pub file_name: String,
    pub mime_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub variants: Vec<VariantSize>,
    pub uploaded_by: i64,
}

/// Changes to an upload's texts and focal point; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct MediaChanges {
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal_point: Option<(f64, f64)>,
}

/// What the library is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    /// Text found in the alt text, caption or file name, case ignored.
    pub search: Option<String>,
}

fn variants_json(sizes: &[VariantSize]) -> String {
    serde_json::to_string(sizes).unwrap_or_else(|_| "[]".into())
}

/// Stores the row of an upload whose files are already in the store; returns its id.
pub fn create(conn: &mut Conn, new: &NewMedia, now: DateTime<Utc>) -> Result<i64, DbError> {
    lock_files(conn, &new.file_key)?;
    let now = now.naive_utc();
    let id = diesel::insert_into(media::table)
        .values((
            media::file_key.eq(&new.file_key),
            media::file_name.eq(&new.file_name),
            media::mime_type.eq(&new.mime_type),
            media::width.eq(i64::from(new.width)),
            media::height.eq(i64::from(new.height)),
            media::bytes.eq(new.bytes as i64),
            media::alt.eq(&new.alt),
            media::caption.eq(&new.caption),
            media::credit.eq(&new.credit),
            media::variants.eq(variants_json(&new.variants)),
            media::uploaded_by.eq(new.uploaded_by),
            media::created_at.eq(now),
            media::updated_at.eq(now),
        ))
        .returning(media::id)
        .get_result(conn)?;
    Ok(id)
}

/// A row that already holds the files of `file_key`: an upload of the same bytes reuses them.
pub fn with_file(conn: &mut Conn, file_key: &str) -> Result<Option<Media>, DbError> {
    Ok(media::table.filter(media::file_key.eq(file_key)).select(Media::as_select()).first(conn).optional()?)
}

/// The media `id` with its uploader.
pub fn find(conn: &mut Conn, id: i64) -> Result<MediaView, DbError> {
    let row: Media = media::table.find(id).select(Media::as_select()).first(conn)?;
    let mut views = with_uploaders(conn, vec![row])?;
    views.pop().ok_or(DbError::NotFound)
}

/// One page of the library, newest first, and the number of all that match.
pub fn list(conn: &mut Conn, filter: &MediaFilter, offset: i64, limit: i64) -> Result<(Vec<MediaView>, i64), DbError> {
    super::read_snapshot(conn, |conn| {
        let filtered = || {
            let query = media::table.into_boxed::<Backend>();
            match &filter.search {
                Some(text) => {
                    let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
                    query.filter(
                        lower(media::alt)
                            .like(pattern.clone())
                            .escape('\\')
                            .or(lower(media::caption).like(pattern.clone()).escape('\\'))
                            .or(lower(media::file_name).like(pattern).escape('\\')),
                    )
                }
                None => query,
            }
        };
        let total: i64 = filtered().count().get_result(conn)?;
        let rows: Vec<Media> = filtered()
            .order((media::created_at.desc(), media::id.desc()))
            .offset(offset)
            .limit(limit)
            .select(Media::as_select())
            .load(conn)?;
        Ok((with_uploaders(conn, rows)?, total))
    })
}

diesel::define_sql_function! {
    /// Lower-cases text (ASCII on SQLite, which is what an editor's search of file names needs).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `text` with LIKE's wildcards escaped by `\`.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn with_uploaders(conn: &mut Conn, rows: Vec<Media>) -> Result<Vec<MediaView>, DbError> {
    let ids: Vec<i64> = rows.iter().filter_map(|m| m.uploaded_by).collect();
    let authors = super::users::authors(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|media| MediaView { uploader: media.uploaded_by.and_then(|u| authors.get(&u).cloned()), media })
        .collect())
}

/// The media rows `ids`, in one query: what articles embed as their featured image.
pub fn of_ids(conn: &mut Conn, ids: &[i64]) -> Result<HashMap<i64, Media>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Media> = media::table.filter(media::id.eq_any(ids)).select(Media::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|m| (m.id, m)).collect())
}

/// Whether an article leads with the media `id`.
pub fn in_use(conn: &mut Conn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(articles::table.filter(articles::featured_image_id.eq(id))))
        .get_result(conn)?)
}

/// Applies `changes`; articles that lead with the image show the new texts.
pub fn update(conn: &mut Conn, id: i64, changes: &MediaChanges, now: DateTime<Utc>) -> Result<(), DbError> {
    super::write(conn, |conn| {
        let updated = diesel::update(media::table.find(id))
            .set((
                changes.alt.as_ref().map(|v| media::alt.eq(v)),
                changes.caption.as_ref().map(|v| media::caption.eq(v)),
                changes.credit.as_ref().map(|v| media::credit.eq(v)),
                changes.focal_point.map(|(x, _)| media::focal_x.eq(x)),
                changes.focal_point.map(|(_, y)| media::focal_y.eq(y)),
                media::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        if updated == 0 {
            return Err(DbError::NotFound);
        }
        // Recorded whether an article leads with it or not: an article that takes it meanwhile, in
        // a transaction that cannot see this one, must not keep the old text in a cache.
        super::changes::record(conn, Change::Media)
    })
}

/// What a deletion leaves behind.
#[derive(Debug, Clone)]
pub struct Deleted {
    pub media: Media,
    /// When no other row names the same files: the removal of them that has begun (see
    /// [`mark_removal`]), which the caller ends once they are gone.
    pub removal: Option<String>,
}

/// Deletes the media `id` (in the caller's write transaction); a 409 while an article leads
/// with it. When no other row names its files, their removal is marked as begun (see
/// [`mark_removal`]): the caller removes them after the commit, then calls [`end_removal`].
pub fn delete(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<Deleted, DbError> {
    let row: Media = media::table.find(id).select(Media::as_select()).first(conn)?;
    if in_use(conn, id)? {
        return Err(DbError::Conflict("an article leads with this image; choose another featured image first".into()));
    }
    lock_files(conn, &row.file_key)?;
    // Another deletion of the same row may have won meanwhile: this one then found nothing.
    if diesel::delete(media::table.find(id)).execute(conn)? == 0 {
        return Err(DbError::NotFound);
    }
    let others: i64 = media::table.filter(media::file_key.eq(&row.file_key)).count().get_result(conn)?;
    let removal = if others == 0 { Some(mark_removal(conn, &row.file_key, now)?) } else { None };
    Ok(Deleted { media: row, removal })
}

// The files of a content key are shared by every row with that key and may be removed only
// when none is left. A transaction that adds a row for a key ([`create`]) or finds a key
// unused ([`delete`], [`begin_orphan_removal`]) first takes the key's lock, so the two are
// ordered; finding it unused, it writes a `media_removals` row in the same transaction. An
// upload that committed its row while that row exists waits for it to go, then stores any
// file the removal took (media::library). So no row ever names files that are gone for good,
// across instances sharing a bucket as within one.

/// Orders the transactions that start or stop naming the files of `file_key`: on PostgreSQL
/// the key's advisory lock, held to the transaction's end; SQLite's writers are one at a time
/// already.
fn lock_files(conn: &mut Conn, file_key: &str) -> Result<(), DbError> {
    match conn {
        #[cfg(feature = "postgres")]
        Conn::Postgres(c) => {
            use diesel::sql_types::BigInt;
            // The first 64 bits of the key (a hash already); two keys sharing a lock only wait.
            let digits = file_key.get(..16).unwrap_or(file_key);
            let lock = u64::from_str_radix(digits, 16).unwrap_or(0) as i64;
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)").bind::<BigInt, _>(lock).execute(c)?;
        }
        Conn::Sqlite(_) => {
            let _ = file_key;
        }
    }
    Ok(())
}

/// Records that a removal of the files of `file_key` has begun (in a transaction holding its
/// lock); returns the removal's token, for [`end_removal`].
pub fn mark_removal(conn: &mut Conn, file_key: &str, now: DateTime<Utc>) -> Result<String, DbError> {
    let token: String = (0..16).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
    diesel::insert_into(media_removals::table)
        .values((
            media_removals::token.eq(&token),
            media_removals::file_key.eq(file_key),
            media_removals::started_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Whether a removal of the files of `file_key` has begun and not ended.
pub fn removal_under_way(conn: &mut Conn, file_key: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(media_removals::table.filter(media_removals::file_key.eq(file_key))))
        .get_result(conn)?)
}

/// Ends the removal `token` (whether or not every file went: the sweep removes what is left).
/// Another removal of the same files goes on until it ends in turn.
pub fn end_removal(conn: &mut Conn, token: &str) -> Result<(), DbError> {
    super::write(conn, |conn| {
        diesel::delete(media_removals::table.find(token)).execute(conn)?;
        Ok(())
    })
}

/// For the sweep: when no row names `file_key`, marks a removal of its files as begun and
/// returns its token; the caller removes them, then calls [`end_removal`].
pub fn begin_orphan_removal(conn: &mut Conn, file_key: &str, now: DateTime<Utc>) -> Result<Option<String>, DbError> {
    super::write(conn, |conn| {
        lock_files(conn, file_key)?;
        let named = diesel::select(diesel::dsl::exists(media::table.filter(media::file_key.eq(file_key))))
            .get_result::<bool>(conn)?;
        if named {
            return Ok(None);
        }
        mark_removal(conn, file_key, now).map(Some)
    })
}

/// Forgets removals begun before `before` that never ended (their process stopped midway).
pub fn prune_removals(conn: &mut Conn, before: DateTime<Utc>) -> Result<usize, DbError> {
    super::write(conn, |conn| {
        Ok(diesel::delete(media_removals::table.filter(media_removals::started_at.lt(before.naive_utc())))
            .execute(conn)?)
    })
}

/// Replaces the variants of every row with the files of `file_key` (after a regeneration).
pub fn set_variants(conn: &mut Conn, file_key: &str, sizes: &[VariantSize]) -> Result<(), DbError> {
    super::write(conn, |conn| {
        diesel::update(media::table.filter(media::file_key.eq(file_key)))
            .set(media::variants.eq(variants_json(sizes)))
            .execute(conn)?;
        super::changes::record(conn, Change::Media)
    })
}

/// The ids of the rows stored as the files of `file_key` (at most 1,000: uploads of the same
/// bytes).
pub fn with_files(conn: &mut Conn, file_key: &str) -> Result<Vec<i64>, DbError> {
    Ok(media::table.filter(media::file_key.eq(file_key)).order(media::id).limit(1000).select(media::id).load(conn)?)
}

/// Up to `limit` rows with ids above `after`, in id order: a walk over the library.
pub fn page_after(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<Media>, DbError> {
    Ok(media::table
        .filter(media::id.gt(after))
        .order(media::id.asc())
        .limit(limit)
        .select(Media::as_select())
        .load(conn)?)
}

/// Which of `keys` some row still names.
pub fn keys_in_use(conn: &mut Conn, keys: &[String]) -> Result<std::collections::HashSet<String>, DbError> {
    if keys.is_empty() {
        return Ok(Default::default());
    }
    let found: Vec<String> =
        media::table.filter(media::file_key.eq_any(keys)).select(media::file_key).distinct().load(conn)?;
    Ok(found.into_iter().collect())
}

/// The sizes of the stored images with these content keys, by key: what a body's `<img>` tags
/// of them need for their `srcset` (one query, whatever the number of images).
pub fn sizes_by_key(conn: &mut Conn, keys: &[String]) -> Result<HashMap<String, ImageSizes>, DbError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Media> = media::table.filter(media::file_key.eq_any(keys)).select(Media::as_select()).load(conn)?;
    // Rows sharing a key share their files: any one of them says what is stored.
    Ok(rows
        .into_iter()
        .map(|row| {
            let format = crate::media::library::formats_of(&row);
            let sizes = ImageSizes {
                width: u32::try_from(row.width).unwrap_or(0),
                height: u32::try_from(row.height).unwrap_or(0),
                original: crate::media::store::original_name(&row.file_key, format),
                variants: row
                    .variant_sizes()
                    .iter()
                    .map(|v| (crate::media::store::variant_name(&row.file_key, v.width), v.width))
                    .collect(),
            };
            (row.file_key, sizes)
        })
        .collect())
}

/// Whether the media `id` exists (an article's `featured_image_id` must name one).
pub fn exists(conn: &mut Conn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(media::table.find(id))).get_result(conn)?)
}

/// How many distinct stored images (content keys) the library has.
pub fn distinct_files(conn: &mut Conn) -> Result<i64, DbError> {
    use diesel::dsl::count;
    Ok(media::table.select(count(media::file_key).aggregate_distinct()).first(conn)?)
}
