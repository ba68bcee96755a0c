//! From an upload to the files Warta stores: the original turned upright by its EXIF orientation
//! and stripped of its metadata, and the narrower WebP variants the frontend picks from with
//! `srcset`.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder};

use super::formats::{Format, Probe};
use super::{strip, MediaError};

/// The widths of the variants, narrowest first; those not narrower than the original are left out.
pub const VARIANT_WIDTHS: &[u32] = &[320, 640, 1024, 1600, 2048];

/// The longest side a WebP image may have.
const MAX_WEBP_SIDE: u64 = 16_383;

/// Quality of the lossy WebP variants: the usual choice of image CDNs for photographs.
const VARIANT_QUALITY: f32 = 80.0;
/// Quality of an original that had to be re-encoded because it was turned.
const REENCODE_QUALITY: u8 = 92;

/// The largest colour profile carried into re-encoded images and variants; a larger one (some
/// cameras embed profiles of a megabyte) would outweigh a small variant, which then shows as sRGB.
const MAX_CARRIED_PROFILE: usize = 64 * 1024;

/// `profile` when it can describe the 8-bit RGB pixels Warta writes: an ICC profile of the RGB
/// colour space (a CMYK or grey one describes other pixels than the converted ones) that is not
/// larger than [`MAX_CARRIED_PROFILE`].
fn rgb_profile(profile: Option<Vec<u8>>) -> Option<Vec<u8>> {
    // ICC header: the data colour space at bytes 16..20, the signature `acsp` at 36..40.
    profile
        .filter(|p| p.len() >= 128 && p.len() <= MAX_CARRIED_PROFILE && &p[16..20] == b"RGB " && &p[36..40] == b"acsp")
}

/// One resized copy.
#[derive(Debug, Clone)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// What an upload becomes.
#[derive(Debug, Clone)]
pub struct Processed {
    pub format: Format,
    /// Size of the upright image.
    pub width: u32,
    pub height: u32,
    /// The original to store: metadata cut out, or re-encoded when it had to be turned.
    pub original: Vec<u8>,
    pub variants: Vec<Variant>,
}

/// The most memory processing an image of `probe`'s size may take: the decoded pixels (at most
/// 8 bytes each: 16-bit RGBA), a turned copy of them, and the widest variant.
pub fn memory_needed(probe: &Probe) -> u64 {
    let widest = u64::from(*VARIANT_WIDTHS.last().unwrap_or(&0));
    let variant = widest * widest * u64::from(probe.height) / u64::from(probe.width.max(1)) * 4;
    probe.pixels() * 8 * 2 + variant
}

/// Decodes the upload, turns it upright, strips it and makes its variants at `widths`.
pub fn process(bytes: &[u8], probe: Probe, widths: &[u32]) -> Result<Processed, MediaError> {
    let unreadable = |e: image::ImageError| MediaError::Unreadable(e.to_string());
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), probe.format.image_format());
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(probe.width);
    limits.max_image_height = Some(probe.height);
    limits.max_alloc = Some(memory_needed(&probe));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // A broken EXIF block is no reason to refuse a photo: it is shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc = rgb_profile(decoder.icc_profile().ok().flatten());
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let image = eight_bit(image);

    let original = if orientation == Orientation::NoTransforms {
        strip::strip(probe.format, bytes)?
    } else {
        reencode(&image, probe.format, icc.as_deref())?
    };
    let variants = variants(&image, widths, icc.as_deref())?;
    Ok(Processed { format: probe.format, width: image.width(), height: image.height(), original, variants })
}

/// Remakes the variants of a stored original (already upright and stripped).
pub fn variants_of(bytes: &[u8], probe: Probe, widths: &[u32]) -> Result<Vec<Variant>, MediaError> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), probe.format.image_format());
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(memory_needed(&probe));
    reader.limits(limits);
    let unreadable = |e: image::ImageError| MediaError::Unreadable(e.to_string());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let icc = rgb_profile(decoder.icc_profile().ok().flatten());
    let image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    variants(&eight_bit(image), widths, icc.as_deref())
}

/// The image as 8-bit RGB, or RGBA when it has transparency: what resizing and WebP take.
fn eight_bit(image: DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image,
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    }
}

/// The upright image in its own format, at high quality, with its colour profile.
fn reencode(image: &DynamicImage, format: Format, icc: Option<&[u8]>) -> Result<Vec<u8>, MediaError> {
    let failed = |e: image::ImageError| MediaError::Unreadable(format!("cannot re-encode the turned image: {e}"));
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            let rgb = image.to_rgb8();
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, REENCODE_QUALITY);
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc.to_vec());
            }
            encoder
                .write_image(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
                .map_err(failed)?;
        }
        Format::Png => {
            let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc.to_vec());
            }
            encoder
                .write_image(image.as_bytes(), image.width(), image.height(), image.color().into())
                .map_err(failed)?;
        }
        Format::Webp => out = webp(image, REENCODE_QUALITY.into(), icc)?,
        Format::Gif => image.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Gif).map_err(failed)?,
    }
    Ok(out)
}

/// Lossy WebP of an 8-bit RGB(A) image, with the colour profile `icc` when there is one.
fn webp(image: &DynamicImage, quality: f32, icc: Option<&[u8]>) -> Result<Vec<u8>, MediaError> {
    let (w, h) = (image.width(), image.height());
    let encoder = match image {
        DynamicImage::ImageRgba8(rgba) => webp::Encoder::from_rgba(rgba.as_raw(), w, h),
        other => webp::Encoder::from_rgb(other.as_bytes(), w, h),
    };
    let memory = encoder
        .encode_simple(false, quality)
        .map_err(|e| MediaError::Unreadable(format!("cannot encode WebP: {e:?}")))?;
    let Some(icc) = icc else { return Ok(memory.to_vec()) };
    // libwebp's simple encoder writes no profile; it goes in its own chunk of the container.
    use img_parts::ImageICC;
    let mut container = img_parts::webp::WebP::from_bytes(bytes::Bytes::copy_from_slice(&memory))
        .map_err(|e| MediaError::Failed(format!("cannot read the WebP just encoded: {e}")))?;
    container.set_icc_profile(Some(bytes::Bytes::copy_from_slice(icc)));
    Ok(container.encoder().bytes().to_vec())
}

/// The variants narrower than the image, each resized from the next wider one (Lanczos), which
/// costs a fraction of resizing every one from the full image and looks the same.
fn variants(image: &DynamicImage, widths: &[u32], icc: Option<&[u8]>) -> Result<Vec<Variant>, MediaError> {
    // WebP holds at most 16,383 pixels a side: a very tall image (a long screenshot) gets only the
    // variants that fit.
    let height_at = |w: u32| u64::from(image.height()) * u64::from(w) / u64::from(image.width().max(1));
    let mut widths: Vec<u32> =
        widths.iter().copied().filter(|w| *w < image.width() && height_at(*w) <= MAX_WEBP_SIDE).collect();
    widths.sort_unstable();
    widths.dedup();
    let mut resizer = Resizer::new();
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let pixel_type = if image.color().has_alpha() { PixelType::U8x4 } else { PixelType::U8x3 };
    // The next wider variant, once there is one (the image itself is never copied).
    let mut wider: Option<DynamicImage> = None;
    let mut made = Vec::with_capacity(widths.len());
    for &width in widths.iter().rev() {
        let height = ((u64::from(image.height()) * u64::from(width) + u64::from(image.width()) / 2)
            / u64::from(image.width()))
        .max(1) as u32;
        let mut target = Image::new(width, height, pixel_type);
        resizer
            .resize(wider.as_ref().unwrap_or(image), &mut target, &options)
            .map_err(|e| MediaError::Unreadable(format!("cannot resize: {e}")))?;
        let buffer = target.into_vec();
        let resized = if pixel_type == PixelType::U8x4 {
            image::RgbaImage::from_raw(width, height, buffer).map(DynamicImage::ImageRgba8)
        } else {
            image::RgbImage::from_raw(width, height, buffer).map(DynamicImage::ImageRgb8)
        }
        .ok_or_else(|| MediaError::Unreadable("a resized buffer has the wrong size".into()))?;
        made.push(Variant { width, height, bytes: webp(&resized, VARIANT_QUALITY, icc)? });
        wider = Some(resized);
    }
    made.reverse();
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
        out
    }

    fn probe_of(bytes: &[u8]) -> Probe {
        super::super::formats::probe(bytes, 50_000_000).unwrap()
    }

    #[test]
    fn variants_are_webp_at_the_narrower_widths_only_keeping_the_aspect() {
        let bytes = jpeg(1200, 800);
        let done = process(&bytes, probe_of(&bytes), VARIANT_WIDTHS).unwrap();
        let sizes: Vec<(u32, u32)> = done.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(sizes, vec![(320, 213), (640, 427), (1024, 683)]);
        for v in &done.variants {
            assert_eq!(super::super::formats::Format::sniff(&v.bytes), Some(Format::Webp));
            let decoded = image::load_from_memory(&v.bytes).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (v.width, v.height));
        }
        assert_eq!((done.width, done.height), (1200, 800));
    }

    #[test]
    fn a_very_tall_image_gets_only_the_variants_webp_can_hold() {
        let img = image::RgbImage::from_pixel(700, 20_000, image::Rgb([10, 20, 30]));
        let mut bytes = Vec::new();
        DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
        let done = process(&bytes, probe_of(&bytes), VARIANT_WIDTHS).unwrap();
        let widths: Vec<u32> = done.variants.iter().map(|v| v.width).collect();
        assert_eq!(widths, vec![320], "640 wide would be 18,286 high, over WebP's 16,383");
    }

    /// A minimal ICC profile header of the colour space `space`.
    fn profile(space: &[u8; 4]) -> Vec<u8> {
        let mut p = vec![0u8; 132];
        p[..4].copy_from_slice(&132u32.to_be_bytes());
        p[16..20].copy_from_slice(space);
        p[36..40].copy_from_slice(b"acsp");
        p
    }

    fn webp_profile(bytes: &[u8]) -> Option<Vec<u8>> {
        use img_parts::ImageICC;
        img_parts::webp::WebP::from_bytes(bytes::Bytes::copy_from_slice(bytes))
            .unwrap()
            .icc_profile()
            .map(|p| p.to_vec())
    }

    #[test]
    fn an_rgb_colour_profile_goes_into_every_variant_and_others_do_not() {
        let img = image::RgbImage::from_fn(700, 300, |x, _| image::Rgb([(x % 256) as u8, 40, 200]));
        for (icc, carried) in [(profile(b"RGB "), true), (profile(b"CMYK"), false), (profile(b"GRAY"), false)] {
            let mut bytes = Vec::new();
            let mut encoder = image::codecs::png::PngEncoder::new(&mut bytes);
            encoder.set_icc_profile(icc.clone()).unwrap();
            encoder.write_image(img.as_raw(), 700, 300, image::ExtendedColorType::Rgb8).unwrap();
            let done = process(&bytes, probe_of(&bytes), VARIANT_WIDTHS).unwrap();
            assert_eq!(done.variants.len(), 2);
            for v in &done.variants {
                assert_eq!(webp_profile(&v.bytes), carried.then(|| icc.clone()));
                let decoded = image::load_from_memory(&v.bytes).unwrap();
                assert_eq!(
                    (decoded.width(), decoded.height()),
                    (v.width, v.height),
                    "still a WebP every decoder reads"
                );
            }
            let remade = variants_of(&done.original, probe_of(&done.original), &[320]).unwrap();
            assert_eq!(webp_profile(&remade[0].bytes), carried.then(|| icc.clone()), "regenerated the same way");
        }
        assert_eq!(rgb_profile(Some(vec![0; 100])), None, "too short to be a profile");
        let mut huge = profile(b"RGB ");
        huge.resize(MAX_CARRIED_PROFILE + 1, 0);
        assert_eq!(rgb_profile(Some(huge)), None);
    }

    #[test]
    fn an_image_narrower_than_every_width_has_no_variant() {
        let bytes = jpeg(300, 200);
        assert!(process(&bytes, probe_of(&bytes), VARIANT_WIDTHS).unwrap().variants.is_empty());
    }

    #[test]
    fn a_sixteen_bit_png_with_alpha_is_processed() {
        let img = image::ImageBuffer::<image::Rgba<u16>, _>::from_fn(700, 10, |x, _| {
            image::Rgba([x as u16 * 90, 0, 0, 40_000])
        });
        let mut bytes = Vec::new();
        DynamicImage::ImageRgba16(img).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
        let done = process(&bytes, probe_of(&bytes), VARIANT_WIDTHS).unwrap();
        assert_eq!(done.variants.len(), 2);
        assert_eq!(image::load_from_memory(&done.original).unwrap().width(), 700);
    }
}
