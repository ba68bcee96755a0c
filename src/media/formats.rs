//! The image formats Warta accepts, recognised by their bytes alone, and what their headers say
//! before anything is decoded.

use std::io::Cursor;

use super::MediaError;

/// An accepted format of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    /// The format the first bytes announce (the file name and the declared type are never asked).
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else {
            None
        }
    }

    /// Its media type.
    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
        }
    }

    /// The extension of its stored files.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
        }
    }

    /// The format a stored file's extension names.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext {
            "jpg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            "gif" => Some(Format::Gif),
            _ => None,
        }
    }

    /// The format whose media type is `mime` (what a media row stores).
    pub fn from_mime_type(mime: &str) -> Option<Format> {
        [Format::Jpeg, Format::Png, Format::Webp, Format::Gif].into_iter().find(|f| f.mime_type() == mime)
    }

    pub(super) fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Webp => image::ImageFormat::WebP,
            Format::Gif => image::ImageFormat::Gif,
        }
    }
}

/// What an upload's header says: its format and its size in pixels as stored (before any
/// EXIF turn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

impl Probe {
    /// Pixels of the image.
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// Recognises `bytes` and reads its dimensions from the header, decoding no pixel: a small file
/// that claims a huge image is refused here, before its pixels could take the memory.
pub fn probe(bytes: &[u8], max_pixels: u64) -> Result<Probe, MediaError> {
    let format = Format::sniff(bytes).ok_or(MediaError::UnsupportedType)?;
    let reader = image::ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let (width, height) = reader.into_dimensions().map_err(|e| MediaError::Unreadable(e.to_string()))?;
    if width == 0 || height == 0 {
        return Err(MediaError::Unreadable("the image has no pixels".into()));
    }
    let probe = Probe { format, width, height };
    if probe.pixels() > max_pixels {
        return Err(MediaError::TooManyPixels { width, height, max_pixels });
    }
    Ok(probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::new(width, height).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn formats_are_known_by_their_bytes_not_their_names() {
        assert_eq!(Format::sniff(&png(2, 2)), Some(Format::Png));
        assert_eq!(Format::sniff(b"GIF89a\x01\x00"), Some(Format::Gif));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(Format::sniff(b"%PDF-1.7"), None);
    }

    #[test]
    fn the_header_gives_the_size_without_decoding() {
        let p = probe(&png(30, 20), 1_000).unwrap();
        assert_eq!((p.format, p.width, p.height), (Format::Png, 30, 20));
    }

    #[test]
    fn a_header_claiming_too_many_pixels_is_refused_before_decoding() {
        // A real 1x1 GIF whose screen descriptor claims 65,535 x 65,535 (4.3 gigapixels).
        let mut bomb = Vec::new();
        image::RgbaImage::new(1, 1).write_to(&mut Cursor::new(&mut bomb), image::ImageFormat::Gif).unwrap();
        bomb[6..10].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(matches!(probe(&bomb, 50_000_000), Err(MediaError::TooManyPixels { width: 65_535, .. })));
    }

    #[test]
    fn a_truncated_header_is_unreadable() {
        let whole = png(4, 4);
        assert!(matches!(probe(&whole[..12], 1_000), Err(MediaError::Unreadable(_))));
    }
}
