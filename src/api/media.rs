//! Media over HTTP: uploads (multipart), the library, and the files themselves at `/media/{name}`.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::articles::AuthorResponse;
use super::caching::{self, Audience};
use super::events;
use super::json::{JsonBody, ValidJson};
use super::pagination::{self, PageRequest, Paginated};
use super::query::{path_id, QueryReader};
use super::AppState;
use crate::auth::AuthUser;
use crate::db::audit::Action;
use crate::db::media::{Media, MediaChanges, MediaFilter, MediaView, NewMedia};
use crate::db::{self, DbError};
use crate::domain::{self, permissions};
use crate::error::{AppError, FieldErrors, NotFoundAs, Problem};
use crate::media::library::{AddError, Served, StoredFiles};
use crate::media::{MediaError, MediaUrls};

/// Where in an image the subject is, as fractions of its width and height from the top left:
/// what a frontend keeps in view when it crops.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FocalPoint {
    /// From the left edge (0) to the right (1).
    #[validate(range(min = 0.0, max = 1.0, message = "must be from 0 to 1"))]
    #[schema(example = 0.5, minimum = 0, maximum = 1)]
    pub x: f64,
    /// From the top edge (0) to the bottom (1).
    #[validate(range(min = 0.0, max = 1.0, message = "must be from 0 to 1"))]
    #[schema(example = 0.35, minimum = 0, maximum = 1)]
    pub y: f64,
}

/// A resized copy of an image.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariantResponse {
    /// Width in pixels.
    #[schema(example = 640)]
    pub width: u32,
    /// Height in pixels.
    #[schema(example = 427)]
    pub height: u32,
    /// Absolute URL of the file.
    #[schema(example = "https://api.kabarharapan.id/media/3f8a0c1d2e4b5a6978877665544332211-640.webp")]
    pub url: String,
    /// Always `image/webp`.
    #[schema(example = "image/webp")]
    pub mime_type: String,
}

fn variants(urls: &MediaUrls, media: &Media) -> Vec<VariantResponse> {
    media
        .variant_sizes()
        .into_iter()
        .map(|v| VariantResponse {
            width: v.width,
            height: v.height,
            url: urls.variant(media, v.width),
            mime_type: "image/webp".into(),
        })
        .collect()
}

/// An uploaded image.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaResponse {
    /// The media's id.
    #[schema(example = 12)]
    pub id: i64,
    /// Absolute URL of the original (upright, metadata removed).
    #[schema(example = "https://api.kabarharapan.id/media/3f8a0c1d2e4b5a6978877665544332211.jpg")]
    pub url: String,
    /// Type of the original.
    #[schema(example = "image/jpeg")]
    pub mime_type: String,
    /// Width of the original in pixels, upright.
    #[schema(example = 4032)]
    pub width: u32,
    /// Height of the original in pixels, upright.
    #[schema(example = 3024)]
    pub height: u32,
    /// Size of the stored original in bytes.
    #[schema(example = 2_480_113)]
    pub bytes: u64,
    /// Alternative text for readers who cannot see the image.
    #[schema(example = "Petani memetik kopi di lereng gunung", max_length = 1000)]
    pub alt: String,
    /// Caption shown under the image.
    #[schema(example = "Panen kopi di Gayo, Aceh.", max_length = 2000)]
    pub caption: String,
    /// Who took it, or whose it is.
    #[schema(example = "Foto: Dewi Anggraini", max_length = 200)]
    pub credit: String,
    /// Where the subject is.
    pub focal_point: FocalPoint,
    /// Resized WebP copies, narrowest first; none wider than the original.
    pub variants: Vec<VariantResponse>,
    /// Who uploaded it (`null` once that account is deleted).
    pub uploaded_by: Option<AuthorResponse>,
    /// When it was uploaded.
    #[schema(example = "2024-11-24T07:55:00Z")]
    pub created_at: DateTime<Utc>,
    /// When its texts last changed.
    #[schema(example = "2024-11-24T08:30:00Z")]
    pub updated_at: DateTime<Utc>,
}

impl MediaResponse {
    pub fn new(view: MediaView, urls: &MediaUrls) -> MediaResponse {
        let m = view.media;
        MediaResponse {
            id: m.id,
            url: urls.original(&m),
            variants: variants(urls, &m),
            width: m.width as u32,
            height: m.height as u32,
            bytes: m.bytes as u64,
            focal_point: FocalPoint { x: m.focal_x, y: m.focal_y },
            uploaded_by: view.uploader.map(Into::into),
            created_at: m.created_at.and_utc(),
            updated_at: m.updated_at.and_utc(),
            mime_type: m.mime_type,
            alt: m.alt,
            caption: m.caption,
            credit: m.credit,
        }
    }
}

/// The lead image as articles embed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeaturedImageResponse {
    /// The media's id.
    #[schema(example = 12)]
    pub id: i64,
    /// Absolute URL of the original.
    #[schema(example = "https://api.kabarharapan.id/media/3f8a0c1d2e4b5a6978877665544332211.jpg")]
    pub url: String,
    /// Alternative text.
    #[schema(example = "Petani memetik kopi di lereng gunung")]
    pub alt: String,
    /// Caption.
    #[schema(example = "Panen kopi di Gayo, Aceh.")]
    pub caption: String,
    /// Credit.
    #[schema(example = "Foto: Dewi Anggraini")]
    pub credit: String,
    /// Width of the original in pixels.
    #[schema(example = 4032)]
    pub width: u32,
    /// Height of the original in pixels.
    #[schema(example = 3024)]
    pub height: u32,
    /// Where the subject is.
    pub focal_point: FocalPoint,
    /// Resized WebP copies for `srcset`, narrowest first.
    pub variants: Vec<VariantResponse>,
}

impl FeaturedImageResponse {
    pub fn new(m: Media, urls: &MediaUrls) -> FeaturedImageResponse {
        FeaturedImageResponse {
            id: m.id,
            url: urls.original(&m),
            variants: variants(urls, &m),
            width: m.width as u32,
            height: m.height as u32,
            focal_point: FocalPoint { x: m.focal_x, y: m.focal_y },
            alt: m.alt,
            caption: m.caption,
            credit: m.credit,
        }
    }
}

/// Longest texts of an upload, in characters.
const MAX_ALT: usize = 1000;
const MAX_CAPTION: usize = 2000;
const MAX_CREDIT: usize = 200;
const MAX_FILE_NAME: usize = 255;

/// What a multipart upload carried.
#[derive(Default)]
struct Upload {
    file: Option<Vec<u8>>,
    file_name: String,
    alt: String,
    caption: String,
    credit: String,
}

/// Reads the parts of an upload, each within its limit: the file up to `max_bytes` (a 413
/// past it, without reading the rest), the texts up to their lengths.
async fn read_upload(mut parts: Multipart, max_bytes: u64) -> Result<Upload, AppError> {
    let malformed = |e: actix_multipart::MultipartError| {
        AppError::BadRequest(format!("the body is not valid multipart/form-data: {e}"))
    };
    let mut upload = Upload::default();
    let mut errors = FieldErrors::new();
    let mut parts_seen = 0;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(malformed)?;
        parts_seen += 1;
        if parts_seen > 16 {
            return Err(AppError::BadRequest("an upload has at most four parts: file, alt, caption, credit".into()));
        }
        let name = part.name().unwrap_or_default().to_owned();
        let limit = match name.as_str() {
            "file" => max_bytes,
            "alt" => (MAX_ALT * 4) as u64,
            "caption" => (MAX_CAPTION * 4) as u64,
            "credit" => (MAX_CREDIT * 4) as u64,
            other => {
                errors.add(
                    if other.is_empty() { "part" } else { other },
                    "is not a part of an upload (file, alt, caption, credit)",
                );
                // Its bytes are drained, counted against the largest part's limit.
                max_bytes
            }
        };
        if name == "file" {
            if upload.file.is_some() {
                errors.add("file", "must be sent once");
            }
            let given = part.content_disposition().and_then(|d| d.get_filename()).unwrap_or_default();
            upload.file_name = given.chars().filter(|c| !c.is_control()).take(MAX_FILE_NAME).collect();
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(malformed)?;
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(match name.as_str() {
                    "file" => AppError::PayloadTooLarge(format!("the file is larger than {max_bytes} bytes")),
                    _ => FieldErrors::single(name.clone(), "is too long"),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = |field: &'static str, max: usize, errors: &mut FieldErrors| match String::from_utf8(bytes.clone()) {
            Ok(t) if t.contains('\0') => {
                errors.add(field, "must not contain NUL characters");
                String::new()
            }
            Ok(t) if t.chars().count() <= max => t.trim().to_owned(),
            Ok(_) => {
                errors.add(field, format!("must be at most {max} characters"));
                String::new()
            }
            Err(_) => {
                errors.add(field, "must be UTF-8 text");
                String::new()
            }
        };
        match name.as_str() {
            "file" => upload.file = Some(bytes),
            "alt" => upload.alt = text("alt", MAX_ALT, &mut errors),
            "caption" => upload.caption = text("caption", MAX_CAPTION, &mut errors),
            "credit" => upload.credit = text("credit", MAX_CREDIT, &mut errors),
            _ => {}
        }
    }
    if upload.file.as_ref().is_none_or(|f| f.is_empty()) && !errors.contains("file") {
        errors.add("file", "is required: the image, as a part named `file`");
    }
    errors.finish(upload)
}

impl From<MediaError> for AppError {
    fn from(e: MediaError) -> AppError {
        match e {
            MediaError::UnsupportedType => AppError::UnsupportedMediaType(e.to_string()),
            MediaError::TooManyPixels { .. } | MediaError::Unreadable(_) => FieldErrors::single("file", e.to_string()),
            MediaError::Busy => AppError::Overloaded { detail: e.to_string(), retry_after_secs: 5 },
            MediaError::Failed(why) => AppError::Internal(anyhow::anyhow!(why)),
        }
    }
}

impl From<AddError> for AppError {
    fn from(e: AddError) -> AppError {
        match e {
            AddError::Media(e) => e.into(),
            AddError::Db(e) => e.into(),
        }
    }
}

/// The multipart body of an upload (documentation only: the handler streams the parts). A part
/// of another name is a 422 naming it.
#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadMediaForm {
    /// The image: JPEG, PNG, WebP or GIF (recognised by its bytes), at most
    /// `WARTA_MEDIA_MAX_BYTES` (20 MiB by default) and 50 megapixels.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Alternative text.
    #[schema(max_length = 1000)]
    alt: Option<String>,
    /// Caption.
    #[schema(max_length = 2000)]
    caption: Option<String>,
    /// Credit.
    #[schema(max_length = 200)]
    credit: Option<String>,
}

/// Upload an image
///
/// The image is turned upright by its EXIF orientation, loses its metadata (EXIF with any GPS
/// position, XMP, IPTC, comments) and gets WebP variants 320, 640, 1024, 1600 and 2048 px wide
/// (those narrower than it). Every staff member may upload.
#[utoipa::path(
    post, path = "/api/v1/media", tag = "media", operation_id = "upload_media",
    request_body(content = UploadMediaForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored image", body = MediaResponse,
            headers(("Location" = String, description = "The new media's URL"))),
        (status = 400, description = "The body is not valid multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than `WARTA_MEDIA_MAX_BYTES`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data, or the file is not a JPEG, PNG, WebP or GIF", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A part is bad: the file is broken or has more than 50 megapixels, a text is too long", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many images are being processed; `Retry-After` says when to try again", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_media(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    AppError::forbidden_unless(permissions::may_upload_media(user.role), "you may not upload media")?;
    QueryReader::new(&req).finish()?;
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(AppError::UnsupportedMediaType("an upload is multipart/form-data with a part named `file`".into()));
    }
    let upload = read_upload(Multipart::new(req.headers(), payload), state.media.max_bytes).await?;
    let Upload { file, file_name, alt, caption, credit } = upload;
    let (who, urls) = (user.who(), state.media.urls.clone());
    let uploader = user.id;
    let view = state
        .media
        .add(&state.pool, file.unwrap_or_default(), move |conn, files: &StoredFiles| {
            let new = NewMedia {
                file_key: files.key.clone(),
                file_name,
                mime_type: files.format.mime_type().to_owned(),
                width: files.width,
                height: files.height,
                bytes: files.bytes,
                alt,
                caption,
                credit,
                variants: files.variants.clone(),
                uploaded_by: uploader,
            };
            db::write(conn, |conn| {
                let id = db::media::create(conn, &new, domain::now())?;
                db::audit::record(conn, &who, Action::MediaCreate, Some(id), &format!("\"{}\"", new.file_name))?;
                let created = MediaResponse::new(db::media::find(conn, id)?, &urls);
                events::media(conn, None, Some(&created))?;
                Ok::<_, DbError>(created)
            })
        })
        .await?;
    let location = format!("/api/v1/media/{}", view.id);
    caching::created(&req, &view, Some(location))
}

/// Parameters of the media library. Unknown parameters are a 422.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters that `list_media` parses by hand
pub struct ListMediaQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 10)]
    per_page: Option<i64>,
    /// Only images whose alt text, caption or file name holds this text (case ignored).
    #[param(example = "kopi", max_length = 200)]
    search: Option<String>,
}

/// List media
///
/// The library, newest first.
#[utoipa::path(
    get, path = "/api/v1/media", tag = "media", operation_id = "list_media",
    params(ListMediaQuery),
    responses(
        (status = 200, description = "A page of media", body = Paginated<MediaResponse>,
            headers(
                ("X-Total-Count" = i64, description = "Number of matching media"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
            )),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is bad or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_media(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    AppError::forbidden_unless(permissions::may_upload_media(user.role), "you may not browse media")?;
    let mut q = QueryReader::new(&req);
    let page = PageRequest::read(&mut q);
    let search = q
        .parse("search", |s| {
            if s.chars().count() > 200 {
                return Err("must be at most 200 characters".to_owned());
            }
            if s.contains('\0') {
                return Err("must not contain NUL characters".to_owned());
            }
            Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty()))
        })
        .flatten();
    q.finish()?;
    let filter = MediaFilter { search };
    let (views, total) =
        db::run(&state.pool, move |conn| db::media::list(conn, &filter, page.offset(), page.per_page)).await?;
    let body = Paginated {
        data: views.into_iter().map(|v| MediaResponse::new(v, &state.media.urls)).collect(),
        meta: page.meta(total),
    };
    pagination::respond(&req, &body, Audience::Private)
}

/// Get media
#[utoipa::path(
    get, path = "/api/v1/media/{id}", tag = "media", operation_id = "get_media",
    params(("id" = i64, Path, description = "The media's id", minimum = 1)),
    responses(
        (status = 200, description = "The media", body = MediaResponse),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such media", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_media(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    AppError::forbidden_unless(permissions::may_upload_media(user.role), "you may not browse media")?;
    let id = path_id(&path, "media")?;
    QueryReader::new(&req).finish()?;
    let view = db::run(&state.pool, move |conn| db::media::find(conn, id)).await.not_found_as("media")?;
    caching::json(&req, &MediaResponse::new(view, &state.media.urls), Audience::Private)
}

/// Changes to an image's texts and focal point; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMediaRequest {
    /// Alternative text.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(example = "Petani memetik kopi", max_length = 1000)]
    pub alt: Option<String>,
    /// Caption.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(example = "Panen kopi di Gayo.", max_length = 2000)]
    pub caption: Option<String>,
    /// Credit.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(example = "Foto: Dewi Anggraini", max_length = 200)]
    pub credit: Option<String>,
    /// Where the subject is.
    #[validate(nested)]
    pub focal_point: Option<FocalPoint>,
}

impl JsonBody for UpdateMediaRequest {
    const MAX_BYTES: usize = 64 * 1024;
}

/// The media `path` names, if the caller may change it.
async fn changeable(state: &AppState, path: &str, user: &AuthUser) -> Result<MediaView, AppError> {
    let id = path_id(path, "media")?;
    let view = db::run(&state.pool, move |conn| db::media::find(conn, id)).await.not_found_as("media")?;
    let own = view.media.uploaded_by == Some(user.id);
    AppError::forbidden_unless(
        permissions::may_change_media(user.role, own),
        "authors and contributors change only their own uploads",
    )?;
    Ok(view)
}

/// Update media
#[utoipa::path(
    patch, path = "/api/v1/media/{id}", tag = "media", operation_id = "update_media",
    params(("id" = i64, Path, description = "The media's id", minimum = 1)),
    request_body = UpdateMediaRequest,
    responses(
        (status = 200, description = "The changed media", body = MediaResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another's upload, for an author or contributor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such media", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is bad; every bad field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_media(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
    body: ValidJson<UpdateMediaRequest>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let id = changeable(&state, &path, &user).await?.media.id;
    // What an article shows is the editors' once it leads with the image: an uploader who may not
    // edit that article must not change its caption through the image.
    if !permissions::may_change_media(user.role, false)
        && db::run(&state.pool, move |conn| db::media::in_use(conn, id)).await?
    {
        return Err(AppError::Forbidden("an article leads with this image; editors change it now".into()));
    }
    let body = body.0;
    let changes = MediaChanges {
        alt: body.alt.map(|t| t.trim().to_owned()),
        caption: body.caption.map(|t| t.trim().to_owned()),
        credit: body.credit.map(|t| t.trim().to_owned()),
        focal_point: body.focal_point.map(|p| (p.x, p.y)),
    };
    let who = user.who();
    let urls = state.media.urls.clone();
    let view = db::run(&state.pool, move |conn| {
        db::write(conn, |conn| {
            let before = MediaResponse::new(db::media::find(conn, id)?, &urls);
            db::media::update(conn, id, &changes, domain::now())?;
            let summary = crate::changed_fields!(changes; alt, caption, credit, focal_point);
            db::audit::record(conn, &who, Action::MediaUpdate, Some(id), &summary)?;
            let after = MediaResponse::new(db::media::find(conn, id)?, &urls);
            events::media(conn, Some(&before), Some(&after))?;
            Ok::<_, DbError>(after)
        })
    })
    .await
    .not_found_as("media")?;
    caching::json(&req, &view, Audience::Private)
}

/// Delete media
///
/// Its files go when no other upload of the same bytes uses them. An image that an article
/// leads with is not deleted (409).
#[utoipa::path(
    delete, path = "/api/v1/media/{id}", tag = "media", operation_id = "delete_media",
    params(("id" = i64, Path, description = "The media's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another's upload, for an author or contributor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such media", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An article leads with it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_media(
    req: HttpRequest,
    path: web::Path<String>,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    QueryReader::new(&req).finish()?;
    let id = changeable(&state, &path, &user).await?.media.id;
    let (who, urls) = (user.who(), state.media.urls.clone());
    state
        .media
        .remove(&state.pool, move |conn| {
            db::write(conn, |conn| {
                let before = MediaResponse::new(db::media::find(conn, id)?, &urls);
                let deleted = db::media::delete(conn, id, domain::now())?;
                events::media(conn, Some(&before), None)?;
                db::audit::record(
                    conn,
                    &who,
                    Action::MediaDelete,
                    Some(id),
                    &format!("\"{}\"", deleted.media.file_name),
                )?;
                Ok::<_, DbError>(((), deleted.removal.map(|token| (deleted.media, token))))
            })
        })
        .await
        .map_err(AppError::from)
        .not_found_as("media")?;
    Ok(HttpResponse::NoContent().finish())
}

/// A stored file
///
/// An original or a variant, by the content-derived name its media object gives. The files
/// never change: they may be cached for a year. Ranges are served.
#[utoipa::path(
    get, path = "/media/{name}", tag = "media", operation_id = "get_media_file",
    params(("name" = String, Path, description = "The file's name, from a media object's `url`", pattern = "^[0-9a-f]{32}(-[0-9]+)?\\.(jpg|png|webp|gif)$")),
    responses(
        (status = 200, description = "The file", content_type = "image/*",
            headers(
                ("Cache-Control" = String, description = "`public, max-age=31536000, immutable`"),
                ("ETag" = String, description = "Entity tag of the file"),
            )),
        (status = 206, description = "The requested range of the file"),
        (status = 304, description = "The client's copy is current"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_media_file(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let name = path.into_inner();
    let missing = || AppError::NotFound(format!("no media file {name}"));
    let format = name
        .rsplit_once('.')
        .and_then(|(_, ext)| crate::media::Format::from_extension(ext))
        .filter(|_| crate::media::store::key_of_name(&name).is_some())
        .ok_or_else(missing)?;
    let Some(served) = state.media.served_file(&name).await? else {
        return Err(missing());
    };
    let len = match &served {
        Served::Whole(bytes) => bytes.len() as u64,
        Served::Large(size) => *size,
    };
    // The name is derived from the content: it is a strong validator of it.
    let etag = format!("\"{name}\"");
    let body = |from: u64, to: u64| match &served {
        Served::Whole(bytes) => actix_web::body::BoxBody::new(bytes.slice(from as usize..=to as usize)),
        Served::Large(_) => actix_web::body::BoxBody::new(actix_web::body::SizedStream::new(
            to - from + 1,
            state.media.served_parts(&name, from, to),
        )),
    };
    let mut response = if caching::none_match_hits(&req, &etag) {
        HttpResponse::NotModified().finish()
    } else {
        match requested_range(&req, len) {
            Range::Whole if len == 0 => HttpResponse::Ok().content_type(format.mime_type()).finish(),
            Range::Whole => HttpResponse::Ok().content_type(format.mime_type()).body(body(0, len - 1)),
            Range::Part(from, to) => HttpResponse::PartialContent()
                .content_type(format.mime_type())
                .insert_header((header::CONTENT_RANGE, format!("bytes {from}-{to}/{len}")))
                .body(body(from, to)),
            Range::Unsatisfiable => HttpResponse::RangeNotSatisfiable()
                .insert_header((header::CONTENT_RANGE, format!("bytes */{len}")))
                .finish(),
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, header::HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?);
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static(crate::media::store::IMMUTABLE));
    headers.insert(header::ACCEPT_RANGES, header::HeaderValue::from_static("bytes"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    Ok(response)
}

/// What part of a file a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Range {
    Whole,
    /// From and to, both included.
    Part(u64, u64),
    Unsatisfiable,
}

/// The one byte range of `Range: bytes=...` (RFC 9110 §14.2); several ranges, another unit or a
/// header that does not parse get the whole file, which the RFC allows.
fn requested_range(req: &HttpRequest, len: u64) -> Range {
    let Some(spec) = req.headers().get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Range::Whole;
    };
    let Some(spec) = spec.trim().strip_prefix("bytes=") else { return Range::Whole };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else { return Range::Whole };
    let (first, last) = (first.trim(), last.trim());
    let range = match (first.parse::<u64>(), last.parse::<u64>()) {
        (Ok(from), Ok(to)) if from <= to => Some((from, to.min(len.saturating_sub(1)))).filter(|_| from < len),
        (Ok(from), Err(_)) if last.is_empty() => Some((from, len.saturating_sub(1))).filter(|_| from < len),
        (Err(_), Ok(suffix)) if first.is_empty() && suffix > 0 => {
            Some((len.saturating_sub(suffix), len.saturating_sub(1))).filter(|_| len > 0)
        }
        (Ok(_), Ok(_)) => return Range::Whole,
        _ => return Range::Whole,
    };
    range.map_or(Range::Unsatisfiable, |(from, to)| Range::Part(from, to))
}
