//! The media library: an upload's way from bytes to stored files and a row, the removal of files
//! no row names any more, and the public addresses of files.

use std::sync::Arc;

use super::formats::{self, Format, Probe};
use super::process::{self, Processed, VARIANT_WIDTHS};
use super::store::{self, Store};
use super::{ImageWorkers, MediaError};
use crate::config::MediaSettings;
use crate::db::media::{Media, VariantSize};
use crate::db::{self, DbError, DbPool};

/// The most pixels an upload may have (50 megapixels).
pub const MAX_PIXELS: u64 = 50_000_000;

/// Where the public fetches files: `{base}/{name}`.
#[derive(Debug, Clone)]
pub struct MediaUrls {
    base: String,
}

impl MediaUrls {
    /// Files at `media_base_url` when a CDN serves them, else at `{public_url}/media`.
    pub fn new(media_base_url: Option<&str>, public_url: &str) -> MediaUrls {
        let base = match media_base_url {
            Some(cdn) => cdn.trim_end_matches('/').to_owned(),
            None => format!("{}/media", public_url.trim_end_matches('/')),
        };
        MediaUrls { base }
    }

    /// The address of the stored file `name`.
    pub fn file(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }

    /// The address of a media row's original.
    pub fn original(&self, media: &Media) -> String {
        let format = formats_of(media);
        self.file(&store::original_name(&media.file_key, format))
    }

    /// The address of a media row's variant `width` pixels wide.
    pub fn variant(&self, media: &Media, width: u32) -> String {
        self.file(&store::variant_name(&media.file_key, width))
    }
}

/// The format of a row's original, from its media type (the table's CHECK allows only the four;
/// JPEG stands for anything else).
pub fn formats_of(media: &Media) -> Format {
    Format::from_mime_type(&media.mime_type).unwrap_or(Format::Jpeg)
}

/// The stored files of an upload, as its row describes them.
#[derive(Debug, Clone)]
pub struct StoredFiles {
    pub key: String,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub variants: Vec<VariantSize>,
}

/// Bytes of files kept in memory for serving: a front page's photos and their variants many
/// times over.
const FILE_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// The largest file kept in memory; larger ones (big originals) are read from the store in
/// parts of [`SERVED_PART`] bytes each time.
pub const MAX_CACHED_FILE: u64 = 4 * 1024 * 1024;
/// The part of a large file read at once while serving it.
pub const SERVED_PART: u64 = 1024 * 1024;

/// A file to serve.
pub enum Served {
    /// Small enough to hold: the whole file.
    Whole(bytes::Bytes),
    /// Too large to hold: its size, for [`Library::served_parts`].
    Large(u64),
}

/// Files, workers and addresses of the media library.
pub struct Library {
    /// Files recently served, by name: they never change, so a copy is never stale (a deleted
    /// file's entry goes with it).
    pub files_served: moka::sync::Cache<String, bytes::Bytes>,
    pub store: Arc<dyn Store>,
    pub workers: ImageWorkers,
    pub urls: MediaUrls,
    pub max_bytes: u64,
}

impl Library {
    /// The library of `settings`, in its directory or bucket.
    pub fn open(settings: &MediaSettings, public_url: &str) -> std::io::Result<Library> {
        Ok(Library {
            store: store::open(&settings.store)?,
            workers: ImageWorkers::for_this_machine(),
            urls: MediaUrls::new(settings.base_url.as_deref(), public_url),
            max_bytes: u64::from(settings.max_bytes),
            files_served: moka::sync::Cache::builder()
                .max_capacity(FILE_CACHE_BYTES)
                .weigher(|name: &String, bytes: &bytes::Bytes| {
                    u32::try_from(name.len() + bytes.len()).unwrap_or(u32::MAX)
                })
                // Another instance sharing the directory may delete a file; its copy here goes soon.
                .time_to_live(std::time::Duration::from_secs(600))
                .build(),
        })
    }

    /// The stored file `name` for serving: in memory when it is small (and kept there for the
    /// next reader), else its size, for reading in parts; `None` when there is no such file.
    pub async fn served_file(&self, name: &str) -> Result<Option<Served>, MediaError> {
        if let Some(hit) = self.files_served.get(name) {
            return Ok(Some(Served::Whole(hit)));
        }
        let store = self.store.clone();
        let owned = name.to_owned();
        let read = actix_web::web::block(move || -> std::io::Result<Option<Served>> {
            match store.size(&owned)? {
                None => Ok(None),
                Some(size) if size > MAX_CACHED_FILE => Ok(Some(Served::Large(size))),
                Some(_) => Ok(store.get(&owned)?.map(|b| Served::Whole(b.into()))),
            }
        })
        .await
        .map_err(|e| MediaError::Failed(e.to_string()))?
        .map_err(|e| MediaError::Failed(format!("cannot read the media store: {e}")))?;
        if let Some(Served::Whole(bytes)) = &read {
            self.files_served.insert(name.to_owned(), bytes.clone());
        }
        Ok(read)
    }

    /// The bytes `from..=to` of the large file `name`, as a stream of parts of at most
    /// [`SERVED_PART`] bytes, each read when the previous one has been sent: a reader of a
    /// 20 MiB original holds one part in memory, not the file.
    pub fn served_parts(
        &self,
        name: &str,
        from: u64,
        to: u64,
    ) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + 'static {
        let (store, name) = (self.store.clone(), name.to_owned());
        futures_util::stream::try_unfold(from, move |at| {
            let (store, name) = (store.clone(), name.clone());
            async move {
                if at > to {
                    return Ok(None);
                }
                let end = (at + SERVED_PART).min(to + 1);
                let part = actix_web::web::block(move || store.get_range(&name, at..end))
                    .await
                    .map_err(std::io::Error::other)??;
                if part.is_empty() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file is shorter than it was",
                    ));
                }
                let next = at + part.len() as u64;
                Ok(Some((bytes::Bytes::from(part), next)))
            }
        })
    }

    /// Checks, processes and stores the files of an upload, then runs `insert` to write its row;
    /// returns what `insert` returned. Nothing is decoded before the header has been checked;
    /// identical bytes reuse the files already stored.
    pub async fn add<T: Send + 'static>(
        self: &Arc<Self>,
        pool: &DbPool,
        bytes: Vec<u8>,
        insert: impl FnOnce(&mut db::Conn, &StoredFiles) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, AddError> {
        let probe = formats::probe(&bytes, MAX_PIXELS)?;
        let bytes = Arc::new(bytes);
        let hashed = bytes.clone();
        let key = actix_web::web::block(move || store::key_of(&hashed))
            .await
            .map_err(|e| MediaError::Failed(format!("hashing failed: {e}")))?;
        let lookup = key.clone();
        let existing = db::run(pool, move |conn| db::media::with_file(conn, &lookup)).await?;
        let files = match existing {
            Some(row) => stored_files_of(&row),
            None => self.process_and_store(bytes.clone(), probe, key.clone()).await?,
        };
        let row_files = files.clone();
        let inserted = db::run(pool, move |conn| insert(conn, &row_files)).await?;
        // The files may be going with the last row that named them, deleted between the lookup
        // and the insert (here or on another instance): once that removal has ended, whatever it
        // took is stored again, so the new row never points at nothing (see db::media). The
        // row is committed: this runs to its end even when the client goes away meanwhile.
        let (library, pool) = (self.clone(), pool.clone());
        actix_web::rt::spawn(async move { library.keep_files(&pool, files, bytes, probe).await })
            .await
            .map_err(|e| MediaError::Failed(format!("checking the stored files failed: {e}")))??;
        Ok(inserted)
    }

    /// Makes sure every file of `files` is stored once no removal of them is under way,
    /// storing again from `bytes` what went.
    async fn keep_files(
        &self,
        pool: &DbPool,
        files: StoredFiles,
        bytes: Arc<Vec<u8>>,
        probe: Probe,
    ) -> Result<(), AddError> {
        self.wait_for_removal(pool, &files.key).await?;
        let names = file_names_of(&files);
        let store = self.store.clone();
        let all_there = actix_web::web::block(move || {
            names.iter().try_fold(true, |all, name| Ok::<_, std::io::Error>(all && store.exists(name)?))
        })
        .await
        .map_err(|e| MediaError::Failed(e.to_string()))?
        .map_err(|e| MediaError::Failed(format!("cannot read the media store: {e}")))?;
        if !all_there {
            self.process_and_store(bytes, probe, files.key).await?;
        }
        Ok(())
    }

    /// Waits (a while at most) until no removal of the files of `key` is under way.
    async fn wait_for_removal(&self, pool: &DbPool, key: &str) -> Result<(), AddError> {
        // A removal deletes a handful of files, on a bucket with a few retries each; one that
        // takes longer than this stopped midway (its process died), and storing the files again
        // is then as right as waiting. (Removals left behind are forgotten by the sweep.)
        const PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);
        let started = std::time::Instant::now();
        loop {
            let owned = key.to_owned();
            if !db::run(pool, move |conn| db::media::removal_under_way(conn, &owned)).await? {
                return Ok(());
            }
            if started.elapsed() >= PATIENCE {
                tracing::warn!(key, "a removal of media files did not end; storing them again");
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Runs the image work on the image threads and writes the files.
    async fn process_and_store(
        &self,
        bytes: Arc<Vec<u8>>,
        probe: Probe,
        key: String,
    ) -> Result<StoredFiles, MediaError> {
        let store = self.store.clone();
        self.workers
            .run(process::memory_needed(&probe), move || {
                let done = process::process(&bytes, probe, VARIANT_WIDTHS)?;
                write_files(store.as_ref(), &key, &done)
            })
            .await?
    }

    /// Deletes the row `id` through `delete` (which returns the row and the token of the removal
    /// it began when no other row names its files), then those files, then ends the removal.
    pub async fn remove<T: Send + 'static>(
        self: &Arc<Self>,
        pool: &DbPool,
        delete: impl FnOnce(&mut db::Conn) -> Result<(T, Option<(Media, String)>), DbError> + Send + 'static,
    ) -> Result<T, AddError> {
        let (answer, unused) = db::run(pool, delete).await?;
        if let Some((row, removal)) = unused {
            // The row is gone: the removal runs to its end even when the client goes away.
            let (library, pool) = (self.clone(), pool.clone());
            actix_web::rt::spawn(async move { library.remove_files(&pool, row, removal).await })
                .await
                .map_err(|e| MediaError::Failed(format!("removing the files failed: {e}")))?;
        }
        Ok(answer)
    }

    /// Removes the files of `row`, forgetting any copy served from memory, and ends `removal`.
    async fn remove_files(&self, pool: &DbPool, row: Media, removal: String) {
        let names = file_names(&row);
        for name in &names {
            self.files_served.invalidate(name);
        }
        let (store, gone) = (self.store.clone(), names.clone());
        let removed = actix_web::web::block(move || gone.iter().try_for_each(|name| store.delete(name)))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
        // Again after the removal: a read that began before it may have put a copy back.
        for name in &names {
            self.files_served.invalidate(name);
        }
        if let Err(e) = removed {
            // The row is gone; the sweep removes what is left of its files.
            tracing::warn!(error = %e, "cannot remove the files of deleted media");
        }
        if let Err(e) = db::run(pool, move |conn| db::media::end_removal(conn, &removal)).await {
            // Uploads of the same bytes wait for it a while; the sweep forgets it later.
            tracing::warn!(error = %e, "cannot end the removal of media files");
        }
    }
}

/// Processes and stores `bytes` on the calling thread (the demo's seed, before the server runs).
pub fn store_now(store: &dyn Store, bytes: &[u8]) -> Result<StoredFiles, MediaError> {
    let probe = formats::probe(bytes, MAX_PIXELS)?;
    let done = process::process(bytes, probe, VARIANT_WIDTHS)?;
    write_files(store, &store::key_of(bytes), &done)
}

/// Writes the original and the variants of `done` under `key`.
fn write_files(store: &dyn Store, key: &str, done: &Processed) -> Result<StoredFiles, MediaError> {
    let failed = |e: std::io::Error| MediaError::Failed(format!("cannot write to the media store: {e}"));
    for variant in &done.variants {
        store.put(&store::variant_name(key, variant.width), &variant.bytes).map_err(failed)?;
    }
    // The original last: a file that readers can find means its variants are there too.
    store.put(&store::original_name(key, done.format), &done.original).map_err(failed)?;
    Ok(StoredFiles {
        key: key.to_owned(),
        format: done.format,
        width: done.width,
        height: done.height,
        bytes: done.original.len() as u64,
        variants: done.variants.iter().map(|v| VariantSize { width: v.width, height: v.height }).collect(),
    })
}

fn stored_files_of(row: &Media) -> StoredFiles {
    StoredFiles {
        key: row.file_key.clone(),
        format: formats_of(row),
        width: row.width as u32,
        height: row.height as u32,
        bytes: row.bytes as u64,
        variants: row.variant_sizes(),
    }
}

/// The names of the files of `row`: its variants, then its original.
fn file_names(row: &Media) -> Vec<String> {
    file_names_of(&stored_files_of(row))
}

/// The names of `files`: the variants, then the original.
fn file_names_of(files: &StoredFiles) -> Vec<String> {
    let mut names: Vec<String> = files.variants.iter().map(|v| store::variant_name(&files.key, v.width)).collect();
    names.push(store::original_name(&files.key, files.format));
    names
}

/// Files listed per step of the sweep.
const SWEEP_PAGE: usize = 1_000;

/// Removes the files whose content key no media row names and that were written before
/// `written_before` (younger ones may belong to an upload whose row is being written). Returns
/// how many went. The store is walked a page at a time, each page checked with one query.
pub fn sweep(store: &dyn Store, conn: &mut db::Conn, written_before: std::time::SystemTime) -> Result<usize, AddError> {
    let failed = |e: std::io::Error| MediaError::Failed(format!("cannot list the media store: {e}"));
    // Removals that began before the files counted as old and never ended: their process
    // stopped midway, and what they left is an orphan like any other.
    db::media::prune_removals(conn, chrono::DateTime::<chrono::Utc>::from(written_before))?;
    let mut after = String::new();
    let mut removed = 0;
    loop {
        let page = store.list_after(&after, SWEEP_PAGE).map_err(failed)?;
        let Some(last) = page.last() else { break };
        after = last.name.clone();
        let mut by_key: std::collections::BTreeMap<&str, Vec<&store::StoredFile>> = Default::default();
        for file in &page {
            if let Some(key) = store::key_of_name(&file.name) {
                by_key.entry(key).or_default().push(file);
            }
        }
        let keys: Vec<String> = by_key.keys().map(|k| (*k).to_owned()).collect();
        let named = db::media::keys_in_use(conn, &keys)?;
        for (key, files) in by_key {
            // A key with a young file may be an upload writing its files before its row.
            if named.contains(key) || files.iter().any(|f| f.modified >= written_before) {
                continue;
            }
            // Checked again under the key's lock, with the removal marked begun: an upload of
            // the same bytes that commits its row meanwhile stores the files again afterwards.
            let Some(removal) = db::media::begin_orphan_removal(conn, key, crate::domain::now())? else {
                continue;
            };
            let deleted = files.iter().try_for_each(|f| store.delete(&f.name));
            db::media::end_removal(conn, &removal)?;
            deleted.map_err(failed)?;
            removed += files.len();
        }
        if page.len() < SWEEP_PAGE {
            break;
        }
    }
    Ok(removed)
}

/// Why adding or removing media failed: the image, or the database.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Db(#[from] DbError),
}
