//! Where media files live, behind one small interface: a directory on this machine by default.
//! Files are named by the content they come from and never change once written, so a CDN or a
//! browser may keep them forever.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::formats::Format;
use crate::config::StoreSettings;

/// How long a file may be kept by anyone (a browser, a CDN): forever, since it never changes.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The store `settings` names: a directory (created when missing) or a bucket (which must
/// answer).
pub fn open(settings: &StoreSettings) -> io::Result<Arc<dyn Store>> {
    Ok(match settings {
        StoreSettings::Directory(dir) => Arc::new(DirectoryStore::open(dir)?),
        StoreSettings::Bucket(bucket) => Arc::new(super::bucket::BucketStore::open(bucket)?),
    })
}

/// A store of immutable, content-named files.
pub trait Store: Send + Sync {
    /// Writes `bytes` as `name`, whole or not at all: a reader never sees half a file.
    fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()>;
    /// The file `name`, if it is there.
    fn get(&self, name: &str) -> io::Result<Option<Vec<u8>>>;
    /// Removes `name`; a file already gone is no error.
    fn delete(&self, name: &str) -> io::Result<()>;
    /// Whether `name` is there.
    fn exists(&self, name: &str) -> io::Result<bool>;
    /// The size of `name` in bytes, if it is there.
    fn size(&self, name: &str) -> io::Result<Option<u64>>;
    /// The bytes `range` of `name` (cut at its end): a part of a file too large to read whole.
    fn get_range(&self, name: &str, range: std::ops::Range<u64>) -> io::Result<Vec<u8>>;
    /// Up to `limit` stored files after the name `after`, in name order, with when each was
    /// written: the walk of the sweep of orphaned files.
    fn list_after(&self, after: &str, limit: usize) -> io::Result<Vec<StoredFile>>;
}

/// A file as a store lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub name: String,
    pub modified: std::time::SystemTime,
}

/// The name of an upload's stored original: the first 128 bits of its SHA-256, in hex.
pub fn original_name(key: &str, format: Format) -> String {
    format!("{key}.{}", format.extension())
}

/// The name of an upload's variant `width` pixels wide.
pub fn variant_name(key: &str, width: u32) -> String {
    format!("{key}-{width}.webp")
}

/// The content key of an upload.
pub fn key_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Length of a content key in hex digits.
const KEY_CHARS: usize = 32;

/// The content key a stored file's name starts with, if `name` is one Warta could have written
/// (which is all `/media/{name}` serves: nothing else of the directory is reachable).
pub fn key_of_name(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    Format::from_extension(ext)?;
    let key = stem.get(..KEY_CHARS)?;
    if !key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    match &stem[KEY_CHARS..] {
        "" => Some(key),
        rest => {
            let width = rest.strip_prefix('-')?;
            let valid =
                ext == "webp" && !width.is_empty() && width.len() <= 5 && width.bytes().all(|b| b.is_ascii_digit());
            valid.then_some(key)
        }
    }
}

/// Files in a directory, spread over subdirectories by the first two digits of their key.
pub struct DirectoryStore {
    root: PathBuf,
}

impl DirectoryStore {
    /// The store in `root`, created when missing.
    pub fn open(root: &Path) -> io::Result<DirectoryStore> {
        std::fs::create_dir_all(root)?;
        Ok(DirectoryStore { root: root.to_path_buf() })
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        let key = key_of_name(name)?;
        Some(self.root.join(&key[..2]).join(name))
    }
}

/// The error of a name Warta never writes.
pub(super) fn not_a_name(name: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("`{name}` is not a media file name"))
}

impl Store for DirectoryStore {
    fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(name).ok_or_else(|| not_a_name(name))?;
        let dir = path.parent().ok_or_else(|| not_a_name(name))?;
        std::fs::create_dir_all(dir)?;
        // Written beside its final place, synced, then renamed over it: all or nothing.
        let temporary = dir.join(format!(".{name}.{}.part", rand::random::<u64>()));
        let written = (|| {
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    fn get(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let path = self.path(name).ok_or_else(|| not_a_name(name))?;
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn delete(&self, name: &str) -> io::Result<()> {
        let path = self.path(name).ok_or_else(|| not_a_name(name))?;
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn exists(&self, name: &str) -> io::Result<bool> {
        let path = self.path(name).ok_or_else(|| not_a_name(name))?;
        path.try_exists()
    }

    fn size(&self, name: &str) -> io::Result<Option<u64>> {
        let path = self.path(name).ok_or_else(|| not_a_name(name))?;
        match std::fs::metadata(path) {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn get_range(&self, name: &str, range: std::ops::Range<u64>) -> io::Result<Vec<u8>> {
        use std::io::{Read, Seek};
        let path = self.path(name).ok_or_else(|| not_a_name(name))?;
        let mut file = std::fs::File::open(path)?;
        file.seek(io::SeekFrom::Start(range.start))?;
        let mut bytes = Vec::with_capacity(range.end.saturating_sub(range.start).min(16 << 20) as usize);
        file.take(range.end.saturating_sub(range.start)).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    fn list_after(&self, after: &str, limit: usize) -> io::Result<Vec<StoredFile>> {
        let mut shards: Vec<String> = std::fs::read_dir(&self.root)?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|s| s.len() == 2 && s.as_str() >= after.get(..2).unwrap_or(""))
            .collect();
        shards.sort();
        let mut files = Vec::new();
        for shard in shards {
            let mut in_shard: Vec<StoredFile> = std::fs::read_dir(self.root.join(&shard))?
                .filter_map(|entry| {
                    let entry = entry.ok()?;
                    let name = entry.file_name().into_string().ok()?;
                    let wanted = key_of_name(&name).is_some() && name.as_str() > after;
                    let modified = entry.metadata().ok()?.modified().ok()?;
                    wanted.then_some(StoredFile { name, modified })
                })
                .collect();
            in_shard.sort_by(|a, b| a.name.cmp(&b.name));
            files.extend(in_shard);
            if files.len() >= limit {
                files.truncate(limit);
                break;
            }
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_warta_writes_are_names() {
        let key = key_of(b"photo");
        assert_eq!(key.len(), KEY_CHARS);
        assert_eq!(key_of_name(&original_name(&key, Format::Jpeg)), Some(key.as_str()));
        assert_eq!(key_of_name(&variant_name(&key, 640)), Some(key.as_str()));
        for bad in [
            "../etc/passwd".to_owned(),
            format!("{key}.exe"),
            format!("{key}-640.jpg"),
            format!("{key}-.webp"),
            format!("{}.jpg", key.to_uppercase()),
            format!("{key}/../x.jpg"),
            "a.jpg".to_owned(),
        ] {
            assert_eq!(key_of_name(&bad), None, "{bad}");
        }
    }

    #[test]
    fn a_directory_store_writes_whole_files_and_lists_them_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirectoryStore::open(dir.path()).unwrap();
        let a = original_name(&key_of(b"a"), Format::Png);
        let b = variant_name(&key_of(b"b"), 320);
        store.put(&a, b"one").unwrap();
        store.put(&b, b"two").unwrap();
        assert_eq!(store.get(&a).unwrap().as_deref(), Some(&b"one"[..]));
        assert!(store.exists(&a).unwrap());
        assert_eq!(store.size(&a).unwrap(), Some(3));
        assert_eq!(store.get_range(&a, 1..3).unwrap(), b"ne");
        assert_eq!(store.get_range(&a, 2..10).unwrap(), b"e", "cut at the end");
        let mut all = vec![a.clone(), b.clone()];
        all.sort();
        let names =
            |after: &str| -> Vec<String> { store.list_after(after, 10).unwrap().into_iter().map(|f| f.name).collect() };
        assert_eq!(names(""), all);
        assert_eq!(names(&all[0]), vec![all[1].clone()]);
        store.delete(&a).unwrap();
        store.delete(&a).unwrap();
        assert_eq!(store.get(&a).unwrap(), None);
        assert!(!store.exists(&a).unwrap());
        assert_eq!(store.size(&a).unwrap(), None);
        assert!(store.put("../x.png", b"no").is_err());
    }
}
