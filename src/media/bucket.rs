//! Media files in an S3-compatible bucket, which several instances of one site share.
//!
//! `object_store` speaks S3 (signing, retries, listing); it is asynchronous, and the media
//! store is called from image workers, the sweep and the command line as well as from requests,
//! so the bucket's calls run on a small runtime of their own and each caller waits for its
//! answer. Objects sit at the bucket's root under their own names, so a CDN in front of the
//! bucket serves exactly the addresses `WARTA_MEDIA_BASE_URL` gives them.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions, PutPayload, RetryConfig,
};

use super::formats::Format;
use super::store::{self, Store, StoredFile};
use crate::config::BucketSettings;

/// A bucket and the runtime its requests run on.
pub struct BucketStore {
    bucket: Arc<AmazonS3>,
    /// `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
    name: String,
}

/// How long one request to the bucket may take before it is given up (and retried).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl BucketStore {
    /// The bucket of `settings`, once it has answered a listing: a bucket that does not exist or
    /// refuses the credentials stops start-up instead of the first upload.
    pub fn open(settings: &BucketSettings) -> io::Result<BucketStore> {
        // reqwest is built without a TLS provider of its own; ring is the one (already the
        // signing provider of object_store here, and no C toolchain beyond `cc`). Installing
        // twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // Explicit keys alone, or else the machine's own credentials (AWS_* variables, an
        // instance role): mixing the two would sign with a session token of other keys.
        let base = if settings.credentials.is_some() { AmazonS3Builder::new() } else { AmazonS3Builder::from_env() };
        let mut builder = base
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(REQUEST_TIMEOUT)
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_allow_http(settings.endpoint.as_deref().is_some_and(|e| e.starts_with("http://"))),
            )
            .with_retry(RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(60), ..Default::default() });
        if let Some(endpoint) = &settings.endpoint {
            // Path-style addresses (`{endpoint}/{bucket}/{name}`), as MinIO, Ceph and moto expect.
            builder = builder.with_endpoint(endpoint).with_virtual_hosted_style_request(false);
        }
        if let Some((id, secret)) = &settings.credentials {
            builder = builder.with_access_key_id(id).with_secret_access_key(secret);
        }
        let bucket = builder.build().map_err(io::Error::other)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("warta-bucket")
            .enable_all()
            .build()?;
        let store = BucketStore { bucket: Arc::new(bucket), runtime: Some(runtime), name: settings.bucket.clone() };
        store.list_after("", 1)?;
        Ok(store)
    }

    /// Runs `work` on the bucket's runtime and waits for it; callable from any thread that is not
    /// itself driving a runtime (request handlers call the store through `web::block`).
    fn wait<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = object_store::Result<T>> + Send + 'static,
    ) -> io::Result<T> {
        let (sender, answer) = std::sync::mpsc::sync_channel(1);
        let runtime = self.runtime.as_ref().expect("the runtime lives as long as the store");
        runtime.spawn(async move {
            let _ = sender.send(work.await);
        });
        match answer.recv() {
            Ok(result) => result.map_err(|e| self.failed(e)),
            Err(_) => Err(io::Error::other("the media bucket's runtime stopped")),
        }
    }

    fn failed(&self, error: object_store::Error) -> io::Error {
        let kind = match error {
            object_store::Error::NotFound { .. } => io::ErrorKind::NotFound,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, format!("bucket {}: {error}", self.name))
    }
}

impl Drop for BucketStore {
    fn drop(&mut self) {
        // Dropping a runtime blocks until its tasks end, which panics inside another runtime;
        // nothing of ours is pending once the store goes, so it is let go in the background.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn location(name: &str) -> io::Result<Path> {
    store::key_of_name(name).map(|_| Path::from(name)).ok_or_else(|| store::not_a_name(name))
}

impl Store for BucketStore {
    fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = location(name)?;
        let format = name.rsplit_once('.').and_then(|(_, ext)| Format::from_extension(ext));
        // The headers the bucket answers with when a CDN serves it directly, as `/media/` does.
        let mut attributes = Attributes::new();
        if let Some(format) = format {
            attributes.insert(Attribute::ContentType, format.mime_type().into());
        }
        attributes.insert(Attribute::CacheControl, store::IMMUTABLE.into());
        let options = PutOptions { attributes, ..Default::default() };
        let payload = PutPayload::from(bytes.to_vec());
        let bucket = self.bucket.clone();
        // One PUT: S3 shows an object whole once it is written, never a part of it.
        self.wait(async move { bucket.put_opts(&path, payload, options).await }).map(|_| ())
    }

    fn get(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let path = location(name)?;
        let bucket = self.bucket.clone();
        match self.wait(async move { bucket.get(&path).await?.bytes().await }) {
            Ok(bytes) => Ok(Some(bytes.to_vec())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn exists(&self, name: &str) -> io::Result<bool> {
        Ok(self.size(name)?.is_some())
    }

    fn size(&self, name: &str) -> io::Result<Option<u64>> {
        let path = location(name)?;
        let bucket = self.bucket.clone();
        match self.wait(async move { bucket.head(&path).await }) {
            Ok(meta) => Ok(Some(meta.size)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn get_range(&self, name: &str, range: std::ops::Range<u64>) -> io::Result<Vec<u8>> {
        let path = location(name)?;
        let bucket = self.bucket.clone();
        // A ranged GET; S3 cuts a range that runs past the end.
        self.wait(async move { bucket.get_range(&path, range).await }).map(|b| b.to_vec())
    }

    fn delete(&self, name: &str) -> io::Result<()> {
        let path = location(name)?;
        let bucket = self.bucket.clone();
        match self.wait(async move { bucket.delete(&path).await }) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn list_after(&self, after: &str, limit: usize) -> io::Result<Vec<StoredFile>> {
        let bucket = self.bucket.clone();
        let offset = Path::from(after);
        // The bucket lists in name order after `offset` (ListObjectsV2's start-after); objects
        // that are not Warta's files (a bucket may hold other things) are passed over.
        self.wait(async move {
            let mut listing = bucket.list_with_offset(None, &offset);
            let mut files = Vec::new();
            while files.len() < limit {
                let Some(object) = listing.next().await else { break };
                let object = object?;
                let name = object.location.to_string();
                if store::key_of_name(&name).is_some() {
                    files.push(StoredFile { name, modified: object.last_modified.into() });
                }
            }
            Ok(files)
        })
    }
}
