//! The demo newsroom's photos, drawn at seed time (a sky, a sun, hills in the article's own
//! colours), so that the example frontend shows real images and the media pipeline runs on
//! the very first start: nothing is downloaded and no binary file lives in the repository.

use std::io::Cursor;

use image::{DynamicImage, Rgb, RgbImage};

/// Width and height of a demo photo: wide enough for three variants.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;

/// Colours of a landscape: sky top, horizon, sun, and three hills from far to near.
const PALETTES: [[[u8; 3]; 6]; 4] = [
    [[250, 170, 90], [255, 226, 170], [255, 250, 230], [200, 60, 40], [160, 30, 30], [110, 20, 20]],
    [[40, 70, 150], [150, 190, 230], [255, 240, 200], [70, 120, 90], [40, 90, 60], [20, 60, 40]],
    [[90, 120, 160], [200, 210, 220], [240, 240, 240], [110, 110, 130], [70, 90, 120], [40, 60, 90]],
    [[30, 110, 190], [170, 220, 250], [255, 255, 220], [60, 140, 170], [30, 100, 140], [10, 70, 110]],
];

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let c = |i: usize| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t).round() as u8;
    Rgb([c(0), c(1), c(2)])
}

/// Photo number `n` as a JPEG.
pub fn draw(n: usize) -> Vec<u8> {
    let p = PALETTES[n % PALETTES.len()];
    let phase = n as f32 * 1.7;
    let sun = ((0.25 + 0.15 * n as f32) % 0.8 * WIDTH as f32, HEIGHT as f32 * 0.3);
    // The hills' ridge lines, one height per column and layer, far to near.
    let ridges: Vec<[f32; 3]> = (0..WIDTH)
        .map(|x| {
            let fx = x as f32 / WIDTH as f32;
            [0.0f32, 1.0, 2.0].map(|l| {
                0.55 + 0.1 * l + 0.06 * (fx * (5.0 + 2.0 * l) + phase + l).sin() + 0.03 * (fx * 17.0 + l).sin()
            })
        })
        .collect();
    let img = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let fy = y as f32 / HEIGHT as f32;
        let ridge = &ridges[x as usize];
        for layer in (0..3).rev() {
            if fy > ridge[layer] {
                return mix(p[3 + layer], [0, 0, 0], (fy - ridge[layer]) * 0.6);
            }
        }
        let (dx, dy) = (x as f32 - sun.0, y as f32 - sun.1);
        if dx * dx + dy * dy < 3600.0 {
            return Rgb(p[2]);
        }
        mix(p[0], p[1], fy / 0.7)
    });
    let mut out = Vec::new();
    // Writing a JPEG to memory cannot fail but for a bug; an empty photo then shows it.
    let _ = DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn photos_differ_and_decode() {
        let (a, b) = (super::draw(0), super::draw(1));
        assert_ne!(a, b);
        let decoded = image::load_from_memory(&a).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (super::WIDTH, super::HEIGHT));
    }
}
