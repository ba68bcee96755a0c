//! Cutting metadata out of an image without re-encoding it: EXIF (a phone photo's GPS position),
//! XMP, IPTC, comments, thumbnails and whatever follows the image's end. What a decoder needs
//! to show the pixels as they were meant (the colour profile, the Adobe colour transform of a CMYK
//! JPEG, PNG's gamma and chromaticities, an animation's loop count) stays.
//!
//! Each format is kept by an allow-list: a block this file does not know is dropped, so a
//! metadata block invented tomorrow is not published by default. Every walk moves forward
//! through its input and ends with it.

use bytes::Bytes;
use img_parts::ImageEXIF;

use super::formats::Format;
use super::MediaError;

/// `bytes` without its metadata, in the same format and with the same pixels.
pub fn strip(format: Format, bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    match format {
        Format::Jpeg => jpeg(bytes),
        Format::Png => png(bytes),
        Format::Webp => webp(bytes),
        Format::Gif => gif(bytes),
    }
}

fn truncated() -> MediaError {
    MediaError::Unreadable("the file ends before the image does".into())
}

/// Whether a JPEG marker segment is kept: everything but the APPn and COM segments, except the
/// JFIF header, the ICC profile and the Adobe segment (which says how to read CMYK/YCCK data).
fn jpeg_keeps(marker: u8, contents: &[u8]) -> bool {
    match marker {
        0xE0 => contents.starts_with(b"JFIF\0"),
        0xE2 => contents.starts_with(b"ICC_PROFILE\0"),
        0xEE => contents.starts_with(b"Adobe"),
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
        _ => true,
    }
}

/// A JPEG walked marker by marker up to its end (EOI); trailing data (a phone's second, preview
/// image with its own EXIF) is dropped with the metadata segments, including ones between scans.
fn jpeg(b: &[u8]) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    loop {
        if *b.get(i).ok_or_else(truncated)? != 0xFF {
            return Err(MediaError::Unreadable("a JPEG segment does not start with a marker".into()));
        }
        while b.get(i) == Some(&0xFF) {
            i += 1; // fill bytes
        }
        let marker = *b.get(i).ok_or_else(truncated)?;
        i += 1;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Ok(out);
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                continue;
            }
            _ => {}
        }
        let len =
            usize::from(u16::from_be_bytes([*b.get(i).ok_or_else(truncated)?, *b.get(i + 1).ok_or_else(truncated)?]));
        if len < 2 {
            return Err(MediaError::Unreadable("a JPEG segment has a bad length".into()));
        }
        let end = i + len;
        let contents = b.get(i + 2..end).ok_or_else(truncated)?;
        if jpeg_keeps(marker, contents) {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if marker == 0xDA {
            // Entropy-coded data: copied up to the next marker that is neither a stuffed zero
            // nor a restart marker.
            loop {
                let byte = *b.get(i).ok_or_else(truncated)?;
                if byte == 0xFF {
                    let next = *b.get(i + 1).ok_or_else(truncated)?;
                    if next == 0x00 || (0xD0..=0xD7).contains(&next) {
                        out.extend_from_slice(&[0xFF, next]);
                        i += 2;
                        continue;
                    }
                    break;
                }
                out.push(byte);
                i += 1;
            }
        }
    }
}

/// The PNG chunks that are kept: the image, its transparency, colour and physical size, and
/// APNG's animation chunks.
const PNG_KEEPS: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP", b"mDCV",
    b"cLLI", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

fn png(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let mut png = img_parts::png::Png::from_bytes(Bytes::copy_from_slice(bytes))
        .map_err(|e| MediaError::Unreadable(format!("PNG: {e}")))?;
    png.chunks_mut().retain(|c| PNG_KEEPS.contains(&&c.kind()));
    Ok(png.encoder().bytes().to_vec())
}

/// The WebP chunks that are kept: the image data, its alpha, animation and colour profile.
const WEBP_KEEPS: &[&[u8; 4]] = &[b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"];

fn webp(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let mut webp = img_parts::webp::WebP::from_bytes(Bytes::copy_from_slice(bytes))
        .map_err(|e| MediaError::Unreadable(format!("WebP: {e}")))?;
    webp.chunks_mut().retain(|c| WEBP_KEEPS.contains(&&c.id()));
    // Rewrites the VP8X flags to say what is left.
    webp.set_exif(None);
    Ok(webp.encoder().bytes().to_vec())
}

/// The GIF application extensions that are kept: the loop count and the colour profile.
const GIF_APPLICATIONS_KEPT: &[&[u8; 11]] = &[b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"];

/// A GIF walked block by block: comments and application extensions other than the loop count
/// and the colour profile (XMP lives in one) are dropped.
fn gif(b: &[u8]) -> Result<Vec<u8>, MediaError> {
    let header = b.get(..13).ok_or_else(truncated)?;
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(header);
    let mut i = 13;
    let color_table = |flags: u8| if flags & 0x80 != 0 { 3usize << ((flags & 0x07) + 1) } else { 0 };
    let global = color_table(header[10]);
    out.extend_from_slice(b.get(i..i + global).ok_or_else(truncated)?);
    i += global;
    // The end of the data sub-blocks starting at `from`, after their zero terminator.
    let sub_blocks_end = |mut at: usize| -> Result<usize, MediaError> {
        loop {
            let size = usize::from(*b.get(at).ok_or_else(truncated)?);
            at += 1 + size;
            if size == 0 {
                return Ok(at);
            }
        }
    };
    loop {
        match *b.get(i).ok_or_else(truncated)? {
            0x3B => {
                out.push(0x3B);
                return Ok(out);
            }
            0x21 => {
                let label = *b.get(i + 1).ok_or_else(truncated)?;
                let end = sub_blocks_end(i + 2)?;
                let block = b.get(i..end).ok_or_else(truncated)?;
                let keep = match label {
                    0xF9 | 0x01 => true,
                    0xFF => block.get(3..14).is_some_and(|id| GIF_APPLICATIONS_KEPT.iter().any(|k| k[..] == *id)),
                    _ => false,
                };
                if keep {
                    out.extend_from_slice(block);
                }
                i = end;
            }
            0x2C => {
                let descriptor = b.get(i..i + 10).ok_or_else(truncated)?;
                let local = color_table(descriptor[9]);
                // The descriptor, its colour table and the LZW code size, then the data.
                let data = i + 10 + local + 1;
                let end = sub_blocks_end(data)?;
                out.extend_from_slice(b.get(i..end).ok_or_else(truncated)?);
                i = end;
            }
            _ => return Err(MediaError::Unreadable("a GIF block has an unknown type".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn encoded(format: image::ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        let img = image::RgbImage::from_fn(16, 8, |x, _| image::Rgb([(x * 16) as u8, 0, 200]));
        image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn decodes_the_same(a: &[u8], b: &[u8]) {
        let a = image::load_from_memory(a).unwrap().to_rgb8();
        let b = image::load_from_memory(b).unwrap().to_rgb8();
        assert_eq!(a.dimensions(), b.dimensions());
        assert_eq!(a.as_raw(), b.as_raw());
    }

    #[test]
    fn a_jpeg_loses_exif_comments_and_what_follows_its_end_but_keeps_its_pixels_and_profile() {
        let plain = encoded(image::ImageFormat::Jpeg);
        let mut dirty = plain[..2].to_vec();
        let mut app1 = b"Exif\0\0GPS-SECRET-POSITION".to_vec();
        dirty.extend_from_slice(&[0xFF, 0xE1]);
        dirty.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        dirty.append(&mut app1);
        let icc = b"ICC_PROFILE\0\x01\x01fake-profile";
        dirty.extend_from_slice(&[0xFF, 0xE2]);
        dirty.extend_from_slice(&((icc.len() + 2) as u16).to_be_bytes());
        dirty.extend_from_slice(icc);
        dirty.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x08]);
        dirty.extend_from_slice(b"SECRET");
        dirty.extend_from_slice(&plain[2..]);
        dirty.extend_from_slice(b"\xFF\xD8\xFF\xE1TRAILING-SECRET-PREVIEW\xFF\xD9");

        let clean = strip(Format::Jpeg, &dirty).unwrap();
        assert!(!contains(&clean, b"SECRET"), "a secret survived");
        assert!(contains(&clean, b"fake-profile"), "the colour profile went");
        assert!(clean.ends_with(&[0xFF, 0xD9]));
        decodes_the_same(&plain, &clean);
    }

    #[test]
    fn a_png_loses_its_text_and_exif_chunks() {
        let plain = encoded(image::ImageFormat::Png);
        let mut png = img_parts::png::Png::from_bytes(Bytes::from(plain.clone())).unwrap();
        let at = png.chunks().len() - 1;
        png.chunks_mut().insert(at, img_parts::png::PngChunk::new(*b"tEXt", Bytes::from_static(b"GPS\0SECRET")));
        png.chunks_mut().insert(at, img_parts::png::PngChunk::new(*b"eXIf", Bytes::from_static(b"MM\0*SECRET")));
        let dirty = png.encoder().bytes().to_vec();
        assert!(contains(&dirty, b"SECRET"));

        let clean = strip(Format::Png, &dirty).unwrap();
        assert!(!contains(&clean, b"SECRET"));
        decodes_the_same(&plain, &clean);
    }

    #[test]
    fn a_gif_loses_comments_and_xmp_but_keeps_its_frames() {
        let plain = encoded(image::ImageFormat::Gif);
        let trailer = plain.len() - 1;
        let mut dirty = plain[..trailer].to_vec();
        dirty.extend_from_slice(&[0x21, 0xFE, 6]);
        dirty.extend_from_slice(b"SECRET");
        dirty.push(0);
        dirty.extend_from_slice(&[0x21, 0xFF, 11]);
        dirty.extend_from_slice(b"XMP DataXMP");
        dirty.extend_from_slice(&[6]);
        dirty.extend_from_slice(b"SECRET");
        dirty.extend_from_slice(&[0, 0x3B]);

        let clean = strip(Format::Gif, &dirty).unwrap();
        assert!(!contains(&clean, b"SECRET"));
        decodes_the_same(&plain, &clean);
    }

    #[test]
    fn a_truncated_file_is_refused_not_half_copied() {
        let plain = encoded(image::ImageFormat::Jpeg);
        assert!(matches!(strip(Format::Jpeg, &plain[..plain.len() / 2]), Err(MediaError::Unreadable(_))));
        let gif = encoded(image::ImageFormat::Gif);
        assert!(matches!(strip(Format::Gif, &gif[..gif.len() - 4]), Err(MediaError::Unreadable(_))));
    }
}
