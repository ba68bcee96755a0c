//! Media: uploads recognised by their bytes, checked before they are decoded, turned upright,
//! stripped of their metadata and resized into WebP variants off the HTTP workers, then kept in
//! a store of immutable, content-named files.

pub mod bucket;
pub mod formats;
pub mod library;
pub mod process;
pub mod regenerate;
pub mod store;
pub mod strip;
pub mod workers;

pub use formats::{Format, Probe};
pub use library::{Library, MediaUrls};
pub use process::{Processed, Variant, VARIANT_WIDTHS};
pub use store::{DirectoryStore, Store};
pub use workers::ImageWorkers;

/// Why an upload cannot be stored.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Not JPEG, PNG, WebP or GIF by its bytes.
    #[error("the file is not a JPEG, PNG, WebP or GIF image")]
    UnsupportedType,
    /// More pixels than allowed, whatever the file's size.
    #[error("the image is {width} x {height} pixels; at most {max_pixels} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, max_pixels: u64 },
    /// A broken, truncated or undecodable image.
    #[error("the image cannot be read: {0}")]
    Unreadable(String),
    /// Too much image work queued.
    #[error("too many images are being processed; try again shortly")]
    Busy,
    /// Something on our side (a thread, the store).
    #[error("{0}")]
    Failed(String),
}
