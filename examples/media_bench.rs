//! Benchmark of the media pipeline (not a test): how long a 12-megapixel phone photo takes to
//! become its stored original and variants, and how much memory eight 50-megapixel uploads take
//! when they queue for the image threads at once.
//!
//!     cargo run --release --example media_bench
//!     cargo run --release --example media_bench -- photos DIR N   # N distinct 12 MP JPEGs for bench/uploads.sh
//!
//! The photos are synthetic but photo-like for the encoders: smooth gradients with grain, so
//! that JPEG and WebP do real work (a flat image would compress to nothing).

use std::io::Cursor;
use std::sync::Arc;
use std::time::Instant;

use image::{DynamicImage, Rgb, RgbImage};
use warta::media::{formats, process, ImageWorkers, VARIANT_WIDTHS};

fn photo(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let img = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 24) as i32 - 12;
        let base = |v: u32, span: u32| ((v * 200 / span.max(1)) as i32 + 30 + grain).clamp(0, 255) as u8;
        Rgb([base(x, width), base(y, height), base((x + y) / 2, (width + height) / 2)])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg).expect("encode");
    out
}

/// The process's peak resident memory so far, in MiB (Linux).
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("photos") {
        let dir = std::path::Path::new(args.get(2).expect("photos DIR N"));
        let count: u32 = args.get(3).and_then(|n| n.parse().ok()).expect("photos DIR N");
        std::fs::create_dir_all(dir).expect("the photo directory");
        for seed in 0..count {
            std::fs::write(dir.join(format!("photo-{seed}.jpg")), photo(4000, 3000, seed + 10)).expect("a photo");
        }
        return;
    }
    let twelve = photo(4000, 3000, 1);
    println!("12 MP JPEG: {} bytes", twelve.len());
    let probe = formats::probe(&twelve, 50_000_000).expect("probe");
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let done = process::process(&twelve, probe, VARIANT_WIDTHS).expect("process");
        times.push(started.elapsed());
        assert_eq!(done.variants.len(), VARIANT_WIDTHS.len());
    }
    times.sort();
    println!(
        "12 MP into all variants: median {:?}, best {:?}, worst {:?} (5 runs, one thread)",
        times[2], times[0], times[4]
    );

    let before = peak_rss_mib();
    let fifty: Arc<Vec<u8>> = Arc::new(photo(8660, 5770, 2));
    let probe = formats::probe(&fifty, 50_000_000).expect("probe 50 MP");
    println!("50 MP JPEG: {} bytes; peak RSS before the queue: {before} MiB", fifty.len());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let started = Instant::now();
    runtime.block_on(async {
        let workers = Arc::new(ImageWorkers::for_this_machine());
        let jobs: Vec<_> = (0..8)
            .map(|_| {
                let (workers, bytes) = (workers.clone(), fifty.clone());
                tokio::spawn(async move {
                    workers
                        .run(process::memory_needed(&probe), move || {
                            process::process(&bytes, probe, VARIANT_WIDTHS).map(|d| d.variants.len())
                        })
                        .await
                })
            })
            .collect();
        for job in jobs {
            let made = job.await.expect("join").expect("a turn").expect("processed");
            assert_eq!(made, VARIANT_WIDTHS.len());
        }
    });
    println!("eight 50 MP uploads queued at once: done in {:.1?}; peak RSS {} MiB", started.elapsed(), peak_rss_mib());
}
