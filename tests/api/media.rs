//! Media through HTTP: uploads from phones, the library, the files, and articles that lead
//! with an image.

use std::io::Cursor;

use image::{DynamicImage, GenericImageView, Rgb, RgbImage};
use reqwest::multipart::{Form, Part};
use reqwest::Response;
use serde_json::{json, Value};
use warta::domain::Role;

use crate::helpers::{invalid_fields_of, media_vars, problem, spawn_app, spawn_app_with, TestApp};
use warta::startup::StartOptions;

/// A JPEG `width` x `height`, red on its left half and blue on its right.
fn two_tone_jpeg(width: u32, height: u32) -> Vec<u8> {
    let img =
        RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb([220, 20, 20]) } else { Rgb([20, 20, 220]) });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
    out
}

/// What a phone writes: an EXIF block saying "turn 90 degrees clockwise to show", with a GPS
/// block naming where the photo was taken.
const GPS_SECRET: &[u8] = b"SECRET-HOUSE-OF-SOURCE";

fn exif_block() -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0: the orientation and the pointer to the GPS IFD.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&6u16.to_le_bytes());
    tiff.extend_from_slice(&0u16.to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&38u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // The GPS IFD: an area name, out of line at 56.
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x001Cu16.to_le_bytes());
    tiff.extend_from_slice(&7u16.to_le_bytes());
    tiff.extend_from_slice(&(GPS_SECRET.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&56u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 56);
    tiff.extend_from_slice(GPS_SECRET);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&app1);
    segment
}

/// `jpeg` with the phone's EXIF block right after its start.
fn phone_photo(jpeg: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&exif_block());
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn upload(app: &TestApp, token: &str, form: Form) -> Response {
    app.client.post(app.url("/api/v1/media")).bearer_auth(token).multipart(form).send().await.expect("sent")
}

fn file_form(bytes: Vec<u8>, file_name: &str, declared: &str) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(file_name.to_owned()).mime_str(declared).unwrap())
}

/// Uploads `bytes` and returns the media object.
async fn uploaded(app: &TestApp, token: &str, bytes: Vec<u8>, alt: &str) -> Value {
    let response = upload(app, token, file_form(bytes, "foto.jpg", "image/jpeg").text("alt", alt.to_owned())).await;
    assert_eq!(response.status().as_u16(), 201, "upload");
    response.json().await.unwrap()
}

async fn fetch(app: &TestApp, url: &str) -> Response {
    app.client.get(url).send().await.expect("sent")
}

#[tokio::test]
async fn a_phone_photo_is_stored_upright_without_its_gps_position() {
    let app = spawn_app().await;
    let reporter = app.staff("Rina Kontributor", Role::Contributor).await;
    let photo = phone_photo(&two_tone_jpeg(1000, 700));
    assert!(contains(&photo, GPS_SECRET));

    let response = upload(
        &app,
        &reporter.token,
        file_form(photo, "IMG_2041.JPG", "image/jpeg")
            .text("alt", "Banjir di Kampung Melayu")
            .text("credit", "Foto: Rina"),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let media: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/media/{}", media["id"]));
    // Turned a quarter clockwise: the landscape shot is a portrait.
    assert_eq!((media["width"].as_u64(), media["height"].as_u64()), (Some(700), Some(1000)));
    assert_eq!(media["mime_type"], "image/jpeg");
    assert_eq!(media["alt"], "Banjir di Kampung Melayu");
    assert_eq!(media["credit"], "Foto: Rina");
    assert_eq!(media["focal_point"], json!({"x": 0.5, "y": 0.5}));
    assert_eq!(media["uploaded_by"]["display_name"], "Rina Kontributor");
    assert!(media["uploaded_by"].get("email").is_none());
    let widths: Vec<u64> = media["variants"].as_array().unwrap().iter().map(|v| v["width"].as_u64().unwrap()).collect();
    assert_eq!(widths, vec![320, 640], "only the widths narrower than 700");

    let url = media["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/media/", app.address)), "absolute: {url}");
    let file = fetch(&app, url).await;
    assert_eq!(file.status().as_u16(), 200);
    assert_eq!(file.headers()["content-type"], "image/jpeg");
    assert_eq!(file.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(file.headers().contains_key("etag"));
    let stored = file.bytes().await.unwrap();
    assert!(!contains(&stored, GPS_SECRET), "the GPS position is published");
    assert!(!contains(&stored, b"Exif\0\0"), "an EXIF block is left");
    assert_eq!(stored.len() as u64, media["bytes"].as_u64().unwrap());
    let pixels = image::load_from_memory(&stored).unwrap();
    assert_eq!(pixels.dimensions(), (700, 1000));
    // The red left half of the sensor's picture is the top once turned clockwise.
    let top = pixels.get_pixel(350, 100);
    let bottom = pixels.get_pixel(350, 900);
    assert!(top[0] > 150 && top[2] < 100, "top is {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom is {bottom:?}");

    for variant in media["variants"].as_array().unwrap() {
        let file = fetch(&app, variant["url"].as_str().unwrap()).await;
        assert_eq!(file.headers()["content-type"], "image/webp");
        assert_eq!(variant["mime_type"], "image/webp");
        let bytes = file.bytes().await.unwrap();
        assert!(!contains(&bytes, GPS_SECRET));
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!(decoded.width() as u64, variant["width"].as_u64().unwrap());
        assert_eq!(decoded.height() as u64, variant["height"].as_u64().unwrap());
        assert_eq!(variant["height"].as_u64().unwrap(), (variant["width"].as_u64().unwrap() * 1000 + 350) / 700);
    }
}

#[tokio::test]
async fn a_photo_that_needs_no_turn_keeps_its_encoded_bytes_but_not_its_metadata() {
    let app = spawn_app().await;
    let editor = app.staff("Eko Editor", Role::Editor).await;
    let plain = two_tone_jpeg(400, 300);
    // The same photo with a comment segment holding a secret: cut out, nothing re-encoded.
    let mut commented = plain[..2].to_vec();
    commented.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x10]);
    commented.extend_from_slice(b"SECRET-NOTE-\0\0");
    commented.extend_from_slice(&plain[2..]);
    let media = uploaded(&app, &editor.token, commented, "").await;
    let stored = fetch(&app, media["url"].as_str().unwrap()).await.bytes().await.unwrap();
    assert_eq!(&stored[..], &plain[..], "the stored original is the upload minus its comment");
}

#[tokio::test]
async fn files_are_known_by_their_bytes_and_broken_ones_are_refused_clearly() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;

    let pretending =
        upload(&app, &author.token, file_form(b"<svg onload=alert(1)>".to_vec(), "foto.jpg", "image/jpeg")).await;
    problem(pretending, 415).await;

    let jpeg = two_tone_jpeg(300, 200);
    let truncated =
        upload(&app, &author.token, file_form(jpeg[..jpeg.len() / 3].to_vec(), "foto.jpg", "image/jpeg")).await;
    assert_eq!(truncated.status().as_u16(), 422);
    assert_eq!(invalid_fields_of(truncated).await, vec!["file"]);

    let no_file = upload(&app, &author.token, Form::new().text("alt", "tanpa berkas")).await;
    assert_eq!(invalid_fields_of(no_file).await, vec!["file"]);

    let stray =
        upload(&app, &author.token, file_form(jpeg.clone(), "a.jpg", "image/jpeg").text("gps", "-6.2,106.8")).await;
    assert_eq!(invalid_fields_of(stray).await, vec!["gps"]);

    let long_alt =
        upload(&app, &author.token, file_form(jpeg.clone(), "a.jpg", "image/jpeg").text("alt", "a".repeat(1001))).await;
    assert_eq!(invalid_fields_of(long_alt).await, vec!["alt"]);

    let nul = upload(&app, &author.token, file_form(jpeg.clone(), "a.jpg", "image/jpeg").text("caption", "a\0b")).await;
    assert_eq!(invalid_fields_of(nul).await, vec!["caption"]);

    let json_body = app.post("/api/v1/media", Some(&author.token), &json!({"url": "https://example.com/a.jpg"})).await;
    problem(json_body, 415).await;

    let anonymous = app
        .client
        .post(app.url("/api/v1/media"))
        .multipart(file_form(jpeg, "a.jpg", "image/jpeg"))
        .send()
        .await
        .unwrap();
    problem(anonymous, 401).await;

    let listed = app.get_json_as("/api/v1/media", &author.token).await;
    assert_eq!(listed["meta"]["total"], 0, "nothing refused was stored");
}

#[tokio::test]
async fn a_small_file_claiming_a_huge_image_is_refused_without_decoding_it() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let mut bomb = Vec::new();
    image::RgbaImage::new(1, 1).write_to(&mut Cursor::new(&mut bomb), image::ImageFormat::Gif).unwrap();
    bomb[6..10].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let response = upload(&app, &author.token, file_form(bomb, "kecil.gif", "image/gif")).await;
    assert_eq!(response.status().as_u16(), 422);
    let body = problem(response, 422).await;
    assert!(body["errors"]["file"][0].as_str().unwrap().contains("pixels"), "{body}");
}

#[tokio::test]
async fn an_upload_past_the_size_limit_is_a_413() {
    let app = spawn_app_with(&[("WARTA_MEDIA_MAX_BYTES", "4096")], StartOptions::default()).await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let big = two_tone_jpeg(1200, 900);
    assert!(big.len() > 4096);
    problem(upload(&app, &author.token, file_form(big, "besar.jpg", "image/jpeg")).await, 413).await;
    let small = two_tone_jpeg(20, 20);
    assert_eq!(upload(&app, &author.token, file_form(small, "kecil.jpg", "image/jpeg")).await.status().as_u16(), 201);
}

#[tokio::test]
async fn gifs_and_sixteen_bit_pngs_are_accepted_and_processed() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;

    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        encoder.set_repeat(image::codecs::gif::Repeat::Infinite).unwrap();
        let frames = [Rgb([255, 0, 0]), Rgb([0, 0, 255])].map(|c| {
            let rgba = DynamicImage::ImageRgb8(RgbImage::from_pixel(400, 100, c)).to_rgba8();
            image::Frame::new(rgba)
        });
        encoder.encode_frames(frames).unwrap();
    }
    let media = uploaded(&app, &author.token, gif, "animasi").await;
    assert_eq!(media["mime_type"], "image/gif");
    assert_eq!(media["variants"].as_array().unwrap().len(), 1, "320 only");
    let stored = fetch(&app, media["url"].as_str().unwrap()).await.bytes().await.unwrap();
    let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(stored.to_vec())).unwrap();
    use image::AnimationDecoder;
    assert_eq!(decoder.into_frames().count(), 2, "the animation is kept");

    let png16 =
        image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(800, 60, |x, _| image::Rgb([x as u16 * 80, 1000, 60000]));
    let mut png = Vec::new();
    DynamicImage::ImageRgb16(png16).write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let media = uploaded(&app, &author.token, png, "grafik").await;
    assert_eq!(media["mime_type"], "image/png");
    let widths: Vec<u64> = media["variants"].as_array().unwrap().iter().map(|v| v["width"].as_u64().unwrap()).collect();
    assert_eq!(widths, vec![320, 640]);
}

#[tokio::test]
async fn files_are_served_in_ranges_and_unknown_names_are_404s() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let media = uploaded(&app, &author.token, two_tone_jpeg(64, 64), "").await;
    let url = media["url"].as_str().unwrap();
    let whole = fetch(&app, url).await.bytes().await.unwrap();
    let n = whole.len();
    for (range, expected) in [
        ("bytes=0-9", 0..10),
        ("bytes=10-", 10..n),
        ("bytes=-5", n - 5..n),
        (&format!("bytes=5-{}", n + 100)[..], 5..n),
    ] {
        let part = app.client.get(url).header("range", range).send().await.unwrap();
        assert_eq!(part.status().as_u16(), 206, "{range}");
        let content_range = format!("bytes {}-{}/{n}", expected.start, expected.end - 1);
        assert_eq!(part.headers()["content-range"], content_range.as_str());
        assert_eq!(&part.bytes().await.unwrap()[..], &whole[expected], "{range}");
    }
    let beyond = app.client.get(url).header("range", format!("bytes={}-", n + 1)).send().await.unwrap();
    assert_eq!(beyond.status().as_u16(), 416);
    let several = app.client.get(url).header("range", "bytes=0-1,4-5").send().await.unwrap();
    assert_eq!(several.status().as_u16(), 200, "several ranges get the whole file");
    let etag = several.headers()["etag"].to_str().unwrap().to_owned();
    let again = app.client.get(url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 304);

    for name in ["../warta.db", "00000000000000000000000000000000.jpg", "x.jpg", "%2e%2e%2fwarta.db"] {
        let response = app.get(&format!("/media/{name}")).await;
        assert_eq!(response.status().as_u16(), 404, "{name}");
    }
}

#[tokio::test]
async fn authors_and_contributors_change_only_their_own_uploads() {
    let app = spawn_app().await;
    let owner = app.staff("Rina Kontributor", Role::Contributor).await;
    let other = app.staff("Ani Penulis", Role::Author).await;
    let editor = app.staff("Eko Editor", Role::Editor).await;
    let media = uploaded(&app, &owner.token, two_tone_jpeg(50, 50), "awal").await;
    let path = format!("/api/v1/media/{}", media["id"]);

    problem(app.patch(&path, Some(&other.token), &json!({"alt": "bukan milikku"})).await, 403).await;
    problem(app.delete(&path, Some(&other.token)).await, 403).await;
    let changed = app
        .patch(&path, Some(&editor.token), &json!({"caption": "Disunting", "focal_point": {"x": 0.2, "y": 0.8}}))
        .await;
    assert_eq!(changed.status().as_u16(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["caption"], "Disunting");
    assert_eq!(changed["alt"], "awal");
    assert_eq!(changed["focal_point"], json!({"x": 0.2, "y": 0.8}));
    let bad = app.patch(&path, Some(&owner.token), &json!({"focal_point": {"x": 1.5, "y": -1}})).await;
    let fields = invalid_fields_of(bad).await;
    assert!(fields.iter().all(|f| f.starts_with("focal_point")) && !fields.is_empty(), "{fields:?}");

    assert_eq!(
        app.get_json_as(&path, &other.token).await["caption"],
        "Disunting",
        "everyone on staff sees the library"
    );
    problem(app.get(&path).await, 401).await;
    problem(app.get("/api/v1/media").await, 401).await;

    assert_eq!(app.delete(&path, Some(&owner.token)).await.status().as_u16(), 204);
    problem(app.get_as(&path, &owner.token).await, 404).await;
    assert_eq!(fetch(&app, media["url"].as_str().unwrap()).await.status().as_u16(), 404, "its file went with it");
}

#[tokio::test]
async fn identical_uploads_share_their_files_until_the_last_goes() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let bytes = two_tone_jpeg(500, 300);
    let first = uploaded(&app, &author.token, bytes.clone(), "satu").await;
    let second = uploaded(&app, &author.token, bytes, "dua").await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["url"], second["url"]);
    assert_eq!(first["variants"], second["variants"]);

    app.delete(&format!("/api/v1/media/{}", first["id"]), Some(&author.token)).await;
    let url = second["url"].as_str().unwrap();
    assert_eq!(fetch(&app, url).await.status().as_u16(), 200, "the other upload still uses it");
    app.delete(&format!("/api/v1/media/{}", second["id"]), Some(&author.token)).await;
    assert_eq!(fetch(&app, url).await.status().as_u16(), 404);
    let variant = second["variants"][0]["url"].as_str().unwrap();
    assert_eq!(fetch(&app, variant).await.status().as_u16(), 404);
}

#[tokio::test]
async fn the_library_is_searched_by_alt_caption_and_file_name_newest_first() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    uploaded(&app, &author.token, two_tone_jpeg(30, 30), "Pasar cabai rawit").await;
    uploaded(&app, &author.token, two_tone_jpeg(31, 30), "Sungai meluap").await;
    let form = file_form(two_tone_jpeg(32, 30), "Banjir_Jakarta.jpg", "image/jpeg");
    assert_eq!(upload(&app, &author.token, form).await.status().as_u16(), 201);

    let all = app.get_json_as("/api/v1/media", &author.token).await;
    let alts: Vec<&str> = all["data"].as_array().unwrap().iter().map(|m| m["alt"].as_str().unwrap()).collect();
    assert_eq!(alts, vec!["", "Sungai meluap", "Pasar cabai rawit"]);
    let found = app.get_json_as("/api/v1/media?search=CABAI", &author.token).await;
    assert_eq!(found["meta"]["total"], 1);
    let found = app.get_json_as("/api/v1/media?search=banjir_", &author.token).await;
    assert_eq!(found["meta"]["total"], 1, "by file name, `_` taken literally");
    let nul = app.get_as("/api/v1/media?search=a%00b", &author.token).await;
    assert_eq!(invalid_fields_of(nul).await, vec!["search"]);
    let found = app.get_json_as("/api/v1/media?search=%25", &author.token).await;
    assert_eq!(found["meta"]["total"], 0, "`%` is no wildcard");
    let bad = app.get_as(&format!("/api/v1/media?search={}&colour=red", "a".repeat(201)), &author.token).await;
    let mut fields = invalid_fields_of(bad).await;
    fields.sort();
    assert_eq!(fields, vec!["colour", "search"]);
}

#[tokio::test]
async fn articles_lead_with_media_in_lists_and_alone_and_follow_its_changes() {
    let app = spawn_app().await;
    let editor = app.staff("Eko Editor", Role::Editor).await;
    let media = uploaded(&app, &editor.token, two_tone_jpeg(1100, 600), "Warga mengungsi").await;
    let media_id = media["id"].as_i64().unwrap();

    let missing = app
        .post(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({"title": "Banjir", "body": "Air naik.", "featured_image_id": 99999}),
        )
        .await;
    assert_eq!(invalid_fields_of(missing).await, vec!["featured_image_id"]);

    let created = app
        .post(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({"title": "Banjir Jakarta", "body": "Air naik.", "status": "published", "featured_image_id": media_id}),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let article: Value = created.json().await.unwrap();
    let path = format!("/api/v1/articles/{}", article["id"]);
    assert_eq!(article["featured_image"]["id"], media_id);
    assert_eq!(article["featured_image_url"], media["url"]);
    assert_eq!(article["featured_image_alt"], "Warga mengungsi");
    assert_eq!(article["featured_image"]["variants"], media["variants"]);

    // Read twice, so that the public answers come from the response cache.
    for _ in 0..2 {
        let one = app.get_json(&path, 200).await;
        assert_eq!(one["featured_image"]["alt"], "Warga mengungsi");
        let list = app.get_json("/api/v1/articles", 200).await;
        assert_eq!(list["data"][0]["featured_image"]["width"], 1100);
    }
    let patched = app
        .patch(&format!("/api/v1/media/{media_id}"), Some(&editor.token), &json!({"alt": "Warga mengungsi ke masjid"}))
        .await;
    assert_eq!(patched.status().as_u16(), 200);
    assert_eq!(app.get_json(&path, 200).await["featured_image"]["alt"], "Warga mengungsi ke masjid");
    assert_eq!(
        app.get_json("/api/v1/articles", 200).await["data"][0]["featured_image_alt"],
        "Warga mengungsi ke masjid"
    );

    problem(app.delete(&format!("/api/v1/media/{media_id}"), Some(&editor.token)).await, 409).await;

    let cleared = app.patch(&path, Some(&editor.token), &json!({"featured_image_id": null})).await;
    assert_eq!(cleared.status().as_u16(), 200);
    let cleared: Value = cleared.json().await.unwrap();
    assert!(cleared["featured_image"].is_null());
    assert!(cleared["featured_image_url"].is_null());
    assert_eq!(app.delete(&format!("/api/v1/media/{media_id}"), Some(&editor.token)).await.status().as_u16(), 204);
}

#[tokio::test]
async fn the_sweep_removes_old_files_no_upload_names_and_keeps_the_rest() {
    use warta::media::store;
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let kept = uploaded(&app, &author.token, two_tone_jpeg(400, 300), "dipakai").await;
    let files = app.media_store();
    // An upload whose row was never written: its files, and later one written just now.
    let lost = store::key_of(b"an upload that crashed before its row");
    let young = store::key_of(b"an upload being written now");
    files.put(&store::original_name(&lost, warta::media::Format::Jpeg), b"lost").unwrap();
    files.put(&store::variant_name(&lost, 320), b"lost variant").unwrap();
    // Buckets keep times to the second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let young_name = store::original_name(&young, warta::media::Format::Png);
    files.put(&young_name, b"young").unwrap();
    let listed = files.list_after("", 100).unwrap();
    let cutoff = listed.iter().find(|f| f.name == young_name).expect("the young file is listed").modified;

    let removed = warta::media::library::sweep(files.as_ref(), &mut app.conn(), cutoff).unwrap();
    assert_eq!(removed, 2);
    let left: Vec<String> = files.list_after("", 100).unwrap().into_iter().map(|f| f.name).collect();
    assert!(left.iter().all(|n| !n.starts_with(&lost)), "{left:?}");
    assert!(left.contains(&young_name), "a young file stays");
    assert_eq!(fetch(&app, kept["url"].as_str().unwrap()).await.status().as_u16(), 200);
    assert_eq!(fetch(&app, kept["variants"][0]["url"].as_str().unwrap()).await.status().as_u16(), 200);
}

/// Runs `warta media regenerate` (with `args`) on the database and media directory of `app`.
fn regenerate(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_warta"))
        .args(["media", "regenerate"])
        .args(args)
        .env("DATABASE_URL", &app.db_path)
        .envs(media_vars(&app.db_path, &app._db._dir.path().join("media")))
        .output()
        .expect("warta runs")
}

#[tokio::test]
async fn regenerate_remakes_missing_variants_and_skips_current_ones() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let media = uploaded(&app, &author.token, two_tone_jpeg(700, 400), "").await;
    let variant = media["variants"][1]["url"].as_str().unwrap().to_owned();
    let name = variant.rsplit('/').next().unwrap();
    let files = app.media_store();
    let before = files.get(name).unwrap().expect("the variant is stored");
    files.delete(name).unwrap();

    let run = regenerate(&app, &[]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), "remade the variants of 1 image(s); 0 were current");
    let remade = files.get(name).unwrap().expect("the variant is back");
    assert_eq!(remade.len(), before.len(), "the same variant again");
    assert_eq!(fetch(&app, &variant).await.status().as_u16(), 200);

    let again = regenerate(&app, &[]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), "remade the variants of 0 image(s); 1 were current");
    let forced = regenerate(&app, &["--force"]);
    assert_eq!(String::from_utf8_lossy(&forced.stdout).trim(), "remade the variants of 1 image(s); 0 were current");

    // An original that is gone is reported, and the run fails.
    files.delete(media["url"].as_str().unwrap().rsplit('/').next().unwrap()).unwrap();
    let broken = regenerate(&app, &["--force"]);
    assert!(!broken.status.success());
    assert!(String::from_utf8_lossy(&broken.stderr).contains("the original file is missing"));
}

#[tokio::test]
async fn a_restore_puts_back_the_photo_a_revision_led_with_unless_it_is_gone() {
    let app = spawn_app().await;
    let editor = app.staff("Eko Editor", Role::Editor).await;
    let first = uploaded(&app, &editor.token, two_tone_jpeg(300, 200), "pertama").await;
    let second = uploaded(&app, &editor.token, two_tone_jpeg(301, 200), "kedua").await;
    let created = app
        .post(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({"title": "Foto", "body": "Isi.", "featured_image_id": first["id"]}),
        )
        .await;
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}");
    app.patch(&path, Some(&editor.token), &json!({"featured_image_id": second["id"]})).await;
    let revisions = app.get_json_as(&format!("{path}/revisions"), &editor.token).await;
    let oldest = revisions["data"].as_array().unwrap().last().unwrap()["id"].as_i64().unwrap();
    let newest = revisions["data"][0]["id"].as_i64().unwrap();
    assert_eq!(revisions["data"][0]["featured_image_id"], second["id"]);

    let diff = app.get_json_as(&format!("{path}/revisions/{newest}/diff"), &editor.token).await;
    assert_eq!(diff["fields"]["featured_image_id"], json!({"from": first["id"], "to": second["id"]}), "{diff}");

    let restored = app.post(&format!("{path}/revisions/{oldest}/restore"), Some(&editor.token), &json!({})).await;
    assert_eq!(restored.status().as_u16(), 200);
    assert_eq!(restored.json::<Value>().await.unwrap()["featured_image"]["id"], first["id"]);

    // The second photo goes; restoring the revision that led with it leads with none.
    app.patch(&path, Some(&editor.token), &json!({"featured_image_id": null})).await;
    assert_eq!(
        app.delete(&format!("/api/v1/media/{}", second["id"]), Some(&editor.token)).await.status().as_u16(),
        204
    );
    let restored = app.post(&format!("{path}/revisions/{newest}/restore"), Some(&editor.token), &json!({})).await;
    assert_eq!(restored.status().as_u16(), 200);
    assert!(restored.json::<Value>().await.unwrap()["featured_image"].is_null());
}

#[tokio::test]
async fn once_an_article_leads_with_an_image_only_editors_change_its_texts() {
    let app = spawn_app().await;
    let contributor = app.staff("Rina Kontributor", Role::Contributor).await;
    let editor = app.staff("Eko Editor", Role::Editor).await;
    let media = uploaded(&app, &contributor.token, two_tone_jpeg(200, 100), "asli").await;
    let path = format!("/api/v1/media/{}", media["id"]);
    let own = app.patch(&path, Some(&contributor.token), &json!({"caption": "sebelum dipakai"})).await;
    assert_eq!(own.status().as_u16(), 200, "their own unused upload");

    let story = json!({"title": "Terbit", "body": "Isi.", "status": "published", "featured_image_id": media["id"]});
    assert_eq!(app.post("/api/v1/articles", Some(&editor.token), &story).await.status().as_u16(), 201);
    problem(app.patch(&path, Some(&contributor.token), &json!({"caption": "diubah diam-diam"})).await, 403).await;
    let by_editor = app.patch(&path, Some(&editor.token), &json!({"caption": "disunting redaksi"})).await;
    assert_eq!(by_editor.status().as_u16(), 200);
    assert_eq!(
        app.get_json("/api/v1/articles", 200).await["data"][0]["featured_image"]["caption"],
        "disunting redaksi"
    );
}

#[tokio::test]
async fn body_images_of_the_library_get_srcset_sizes_and_dimensions_from_their_variants() {
    let app = spawn_app().await;
    let editor = app.staff("Eko Editor", Role::Editor).await;
    let media = uploaded(&app, &editor.token, two_tone_jpeg(1100, 600), "Tanggul jebol").await;
    let variant = media["variants"][1]["url"].as_str().unwrap().to_owned();
    let (base, _) = variant.rsplit_once('/').unwrap();
    let body = format!(
        "Air naik.\n\n![Tanggul jebol]({variant})\n\n![Dari kantor berita](https://elsewhere.test/foto.jpg)\n\n\
         <img src=\"{}\" width=\"300\" srcset=\"javascript:alert(1) 1w\">",
        media["url"].as_str().unwrap()
    );
    let created = app
        .post(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({"title": "Tanggul", "body": body, "status": "published"}),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let article: Value = created.json().await.unwrap();
    let html = app.get_json(&format!("/api/v1/articles/{}", article["id"]), 200).await["body_html"]
        .as_str()
        .unwrap()
        .to_owned();

    // Every variant, narrowest first, then the original at its own width; all of them served.
    let mut candidates: Vec<String> = media["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{} {}w", v["url"].as_str().unwrap(), v["width"]))
        .collect();
    candidates.push(format!("{} 1100w", media["url"].as_str().unwrap()));
    let srcset = format!(r#"srcset="{}""#, candidates.join(", "));
    assert!(
        html.contains(&format!(
            r#"<img src="{variant}" alt="Tanggul jebol" {srcset} sizes="(max-width: 800px) 100vw, 800px" width="1100" height="600">"#
        )),
        "{html}"
    );
    for candidate in &candidates {
        let url = candidate.split(' ').next().unwrap();
        assert!(url.starts_with(base), "{url}");
        assert_eq!(fetch(&app, url).await.status().as_u16(), 200, "{url}");
    }
    // An image from elsewhere is left as written; a writer's own srcset never survives, and a
    // width the writer gave is kept.
    assert!(html.contains(r#"<img src="https://elsewhere.test/foto.jpg" alt="Dari kantor berita">"#), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert_eq!(html.matches("srcset=").count(), 2, "{html}");
    assert!(html.contains(r#"width="300""#) && html.matches("width=").count() == 2, "{html}");

    // An edit of the body renders it again with the sizes.
    let path = format!("/api/v1/articles/{}", article["id"]);
    let edited = app.patch(&path, Some(&editor.token), &json!({"body": format!("![Lagi]({variant})")})).await;
    assert_eq!(edited.status().as_u16(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert!(edited["body_html"].as_str().unwrap().contains(&srcset), "{}", edited["body_html"]);
}

/// A print shop's JPEG: CMYK (as Photoshop writes it, with Adobe's marker), cyan ink on its left
/// half and black ink on its right, with a CMYK colour profile.
fn cmyk_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 4) as usize);
    for _ in 0..height {
        for x in 0..width {
            pixels.extend_from_slice(if x < width / 2 { &[255, 0, 0, 0] } else { &[0, 0, 0, 255] });
        }
    }
    let mut profile = vec![0u8; 132];
    profile[16..20].copy_from_slice(b"CMYK");
    profile[36..40].copy_from_slice(b"acsp");
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.add_icc_profile(&profile).unwrap();
    encoder.encode(&pixels, width as u16, height as u16, jpeg_encoder::ColorType::Cmyk).unwrap();
    out
}

fn is_cyan(p: image::Rgba<u8>) -> bool {
    p[0] < 80 && p[1] > 150 && p[2] > 150
}

fn is_black(p: image::Rgba<u8>) -> bool {
    p[0] < 70 && p[1] < 70 && p[2] < 70
}

#[tokio::test]
async fn a_cmyk_jpeg_gets_rgb_variants_in_its_colours_and_turned_loses_its_cmyk_profile() {
    use img_parts::ImageICC;
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;

    // As it came: the original keeps its CMYK pixels and profile; the variants are RGB.
    let flat = uploaded(&app, &author.token, cmyk_jpeg(800, 400), "Cetak").await;
    assert_eq!(
        (flat["width"].as_u64(), flat["height"].as_u64(), flat["mime_type"].as_str()),
        (Some(800), Some(400), Some("image/jpeg"))
    );
    let original = fetch(&app, flat["url"].as_str().unwrap()).await.bytes().await.unwrap();
    let kept = img_parts::jpeg::Jpeg::from_bytes(original.clone()).unwrap().icc_profile().expect("the profile stays");
    assert_eq!(&kept[16..20], b"CMYK");
    let variant = fetch(&app, flat["variants"][1]["url"].as_str().unwrap()).await.bytes().await.unwrap();
    let variant = image::load_from_memory(&variant).unwrap();
    assert_eq!(variant.width(), 640);
    assert!(is_cyan(variant.get_pixel(40, 100)), "{:?}", variant.get_pixel(40, 100));
    assert!(is_black(variant.get_pixel(600, 100)), "{:?}", variant.get_pixel(600, 100));
    assert!(img_parts::webp::WebP::from_bytes(variant_bytes(&app, &flat, 1).await).unwrap().icc_profile().is_none());

    // Turned by its EXIF block: re-encoded as RGB, where a CMYK profile would be a lie.
    let turned = uploaded(&app, &author.token, phone_photo(&cmyk_jpeg(800, 400)), "Cetak, tegak").await;
    assert_eq!((turned["width"].as_u64(), turned["height"].as_u64()), (Some(400), Some(800)));
    let original = fetch(&app, turned["url"].as_str().unwrap()).await.bytes().await.unwrap();
    assert!(!contains(&original, GPS_SECRET));
    assert!(img_parts::jpeg::Jpeg::from_bytes(original.clone()).unwrap().icc_profile().is_none());
    let upright = image::load_from_memory(&original).unwrap();
    // A quarter turn clockwise: the left half (cyan) is now the top.
    assert!(is_cyan(upright.get_pixel(200, 100)), "{:?}", upright.get_pixel(200, 100));
    assert!(is_black(upright.get_pixel(200, 700)), "{:?}", upright.get_pixel(200, 700));
    let variant = image::load_from_memory(&variant_bytes(&app, &turned, 0).await).unwrap();
    assert_eq!((variant.width(), variant.height()), (320, 640));
    assert!(is_cyan(variant.get_pixel(160, 80)) && is_black(variant.get_pixel(160, 560)));
}

async fn variant_bytes(app: &TestApp, media: &Value, index: usize) -> bytes::Bytes {
    let response = fetch(app, media["variants"][index]["url"].as_str().unwrap()).await;
    assert_eq!(response.status().as_u16(), 200);
    response.bytes().await.unwrap()
}

#[tokio::test]
async fn an_animated_webp_keeps_its_frames_and_its_variants_show_the_first() {
    let (w, h) = (700u32, 300u32);
    let red: Vec<u8> = [200u8, 30, 30].repeat((w * h) as usize);
    let blue: Vec<u8> = [30u8, 30, 200].repeat((w * h) as usize);
    let config = webp::WebPConfig::new().unwrap();
    let mut encoder = webp::AnimEncoder::new(w, h, &config);
    encoder.add_frame(webp::AnimFrame::from_rgb(&red, w, h, 0));
    encoder.add_frame(webp::AnimFrame::from_rgb(&blue, w, h, 500));
    let animated = encoder.try_encode().unwrap().to_vec();
    assert!(contains(&animated, b"ANMF"));

    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let response = upload(&app, &author.token, file_form(animated, "kedip.webp", "image/webp")).await;
    assert_eq!(response.status().as_u16(), 201);
    let media: Value = response.json().await.unwrap();
    assert_eq!(
        (media["width"].as_u64(), media["height"].as_u64(), media["mime_type"].as_str()),
        (Some(700), Some(300), Some("image/webp"))
    );
    let original = fetch(&app, media["url"].as_str().unwrap()).await.bytes().await.unwrap();
    assert_eq!(original.windows(4).filter(|c| *c == b"ANMF").count(), 2, "both frames are kept");
    let variant = image::load_from_memory(&variant_bytes(&app, &media, 0).await).unwrap();
    assert_eq!(variant.width(), 320);
    let first = variant.get_pixel(100, 50);
    assert!(first[0] > 150 && first[2] < 80, "the first frame: {first:?}");
}

#[tokio::test]
async fn an_upload_that_meets_a_removal_of_its_files_stores_them_again_once_it_ends() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let photo = two_tone_jpeg(700, 400);
    let first = uploaded(&app, &author.token, photo.clone(), "pertama").await;
    let names: Vec<String> = std::iter::once(&first["url"])
        .chain(first["variants"].as_array().unwrap().iter().map(|v| &v["url"]))
        .map(|u| u.as_str().unwrap().rsplit('/').next().unwrap().to_owned())
        .collect();
    let key = names[0].split('.').next().unwrap().to_owned();

    // A removal of these files has begun elsewhere (another instance deleting the last row that
    // named them, say) and takes its time; the upload of the same bytes commits meanwhile.
    let token = {
        let mut conn = app.conn();
        warta::db::write(&mut conn, |c| warta::db::media::mark_removal(c, &key, chrono::Utc::now())).unwrap()
    };
    let (store, pool, removal_key, removed_names) = (app.media_store(), app.pool.clone(), token, names.clone());
    let removal = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        for name in &removed_names {
            store.delete(name).unwrap();
        }
        let mut conn = pool.get().unwrap();
        warta::db::media::end_removal(&mut conn, &removal_key).unwrap();
    });
    let second = uploaded(&app, &author.token, photo, "kedua").await;
    removal.join().unwrap();

    assert_eq!(second["url"], first["url"], "the same bytes, the same files");
    assert!(!warta::db::media::removal_under_way(&mut app.conn(), &key).unwrap());
    for name in &names {
        let url = format!("{}/media/{name}", app.address);
        assert_eq!(fetch(&app, &url).await.status().as_u16(), 200, "{name} is stored again");
    }
}

/// A PNG of noise, which does not compress: `width` x `height` x 3 bytes and a little more.
fn noise_png(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let img = RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

#[tokio::test]
async fn an_original_too_large_to_hold_is_served_in_parts_whole_and_in_ranges() {
    let app = spawn_app().await;
    let author = app.staff("Ani Penulis", Role::Author).await;
    let png = noise_png(1600, 1500);
    assert!(png.len() as u64 > warta::media::library::MAX_CACHED_FILE + 2 * warta::media::library::SERVED_PART);
    let response = upload(&app, &author.token, file_form(png.clone(), "derau.png", "image/png")).await;
    assert_eq!(response.status().as_u16(), 201);
    let media: Value = response.json().await.unwrap();
    let url = media["url"].as_str().unwrap();
    let size = media["bytes"].as_u64().unwrap();

    for _ in 0..2 {
        let whole = fetch(&app, url).await;
        assert_eq!(whole.status().as_u16(), 200);
        assert_eq!(whole.headers()["content-length"].to_str().unwrap(), size.to_string());
        assert_eq!(whole.headers()["content-type"], "image/png");
        let whole = whole.bytes().await.unwrap();
        assert_eq!(whole.len() as u64, size);
        assert!(image::load_from_memory(&whole).unwrap().to_rgb8() == image::load_from_memory(&png).unwrap().to_rgb8());
    }
    let stored = fetch(&app, url).await.bytes().await.unwrap();

    // A range across the boundary of two parts, a suffix, and one past the end.
    let part = warta::media::library::SERVED_PART;
    let (from, to) = (part - 10, part + 9);
    let ranged = app.client.get(url).header("Range", format!("bytes={from}-{to}")).send().await.unwrap();
    assert_eq!(ranged.status().as_u16(), 206);
    assert_eq!(ranged.headers()["content-range"].to_str().unwrap(), format!("bytes {from}-{to}/{size}"));
    assert_eq!(&ranged.bytes().await.unwrap()[..], &stored[from as usize..=to as usize]);
    let suffix = app.client.get(url).header("Range", "bytes=-5").send().await.unwrap();
    assert_eq!(suffix.status().as_u16(), 206);
    assert_eq!(&suffix.bytes().await.unwrap()[..], &stored[stored.len() - 5..]);
    let past = app.client.get(url).header("Range", format!("bytes={size}-")).send().await.unwrap();
    assert_eq!(past.status().as_u16(), 416);
    assert_eq!(past.headers()["content-range"].to_str().unwrap(), format!("bytes */{size}"));
}

#[tokio::test]
async fn two_removals_of_the_same_files_each_end_their_own() {
    use warta::db::media::{end_removal, mark_removal, removal_under_way};
    let app = spawn_app().await;
    let mut conn = app.conn();
    let key = warta::media::store::key_of(b"shared");
    // A deletion and the sweep both removing the files of one key.
    let deletion = warta::db::write(&mut conn, |c| mark_removal(c, &key, chrono::Utc::now())).unwrap();
    let sweep = warta::db::write(&mut conn, |c| mark_removal(c, &key, chrono::Utc::now())).unwrap();
    assert_ne!(deletion, sweep);
    end_removal(&mut conn, &sweep).unwrap();
    assert!(removal_under_way(&mut conn, &key).unwrap(), "the deletion is still removing them");
    end_removal(&mut conn, &deletion).unwrap();
    assert!(!removal_under_way(&mut conn, &key).unwrap());
}

#[tokio::test]
async fn regenerating_with_other_widths_renders_the_bodies_showing_the_image_again() {
    let app = spawn_app().await;
    let editor = app.staff("Eko Editor", Role::Editor).await;
    let media = uploaded(&app, &editor.token, two_tone_jpeg(700, 400), "Tanggul").await;
    let original = media["url"].as_str().unwrap();
    let body = format!("Air naik.\n\n![Tanggul]({original})");
    let created = app
        .post(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({"title": "Tanggul", "body": body, "status": "published"}),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let path = format!("/api/v1/articles/{}", created.json::<Value>().await.unwrap()["id"]);
    let html = app.get_json(&path, 200).await["body_html"].as_str().unwrap().to_owned();
    assert!(html.contains("-640.webp 640w"), "{html}");

    // The 640-pixel variant is no longer made: it goes from the store and from the srcset.
    let done = warta::media::regenerate::regenerate(
        app.media_store().as_ref(),
        &mut app.conn(),
        &[320],
        true,
        &mut |_, _| {},
        &|_, _| Ok(()),
    )
    .unwrap();
    assert_eq!(done.remade, 1);
    let html = app.get_json(&path, 200).await["body_html"].as_str().unwrap().to_owned();
    assert!(!html.contains("-640.webp"), "{html}");
    assert!(html.contains("-320.webp 320w, ") && html.contains(&format!("{original} 700w")), "{html}");
}

#[tokio::test]
async fn uploads_changes_and_deletions_are_webhook_events_naming_the_articles_that_lead_with_them() {
    let app = spawn_app_with(&[("WARTA_WEBHOOK_ALLOW_PRIVATE", "true")], StartOptions::default()).await;
    let admin = app.staff("Admin Media", Role::Admin).await;
    let receiver = crate::receiver::Receiver::start().await;
    let hook = json!({"url": receiver.url, "events": ["media.created", "media.updated", "media.deleted"]});
    assert_eq!(app.post("/api/v1/webhooks", Some(&admin.token), &hook).await.status().as_u16(), 201);
    let lead = uploaded(&app, &admin.token, two_tone_jpeg(700, 400), "Pasar pagi").await;
    let spare = uploaded(&app, &admin.token, two_tone_jpeg(500, 300), "Cadangan").await;
    let article = json!({"title": "Pasar Ramai", "status": "published", "featured_image_id": lead["id"]});
    let article: Value = app.post("/api/v1/articles", Some(&admin.token), &article).await.json().await.unwrap();
    let changed =
        app.patch(&format!("/api/v1/media/{}", lead["id"]), Some(&admin.token), &json!({"alt": "Pasar subuh"})).await;
    assert_eq!(changed.status().as_u16(), 200);
    assert_eq!(app.delete(&format!("/api/v1/media/{}", spare["id"]), Some(&admin.token)).await.status().as_u16(), 204);
    let got = receiver.wait_for(4, std::time::Duration::from_secs(20)).await;
    let kinds: Vec<&str> = got.iter().map(|r| r.kind()).collect();
    assert_eq!(kinds, vec!["media.created", "media.created", "media.updated", "media.deleted"]);
    let updated = &got[2].body;
    assert_eq!(updated["data"]["alt"], "Pasar subuh");
    assert_eq!(updated["data"]["variants"].as_array().unwrap().len(), lead["variants"].as_array().unwrap().len());
    let tags = updated["cache_tags"].to_string();
    assert!(tags.contains(&format!("article:{}", article["id"])) && tags.contains("article:pasar-ramai"), "{tags}");
    assert_eq!(got[3].body["data"]["id"], spare["id"]);
}
