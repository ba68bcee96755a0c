//! `ValidJson<T>`: a JSON request body, deserialized and validated, whose every failure is a
//! clear problem: 415 for another media type, 413 when too large, 400 for what is not JSON,
//! and a 422 naming the bad field for JSON that breaks a rule (unknown field, wrong type,
//! missing field, a `validator` rule).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{AppError, FieldErrors};

/// The largest request body accepted: a 1 MiB article body fits even when escaped.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A deserialized and validated JSON body.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let is_json = content_type.as_deref().is_some_and(|ct| {
                let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
            });
            if !is_json {
                return Err(AppError::UnsupportedMediaType("the request body must be application/json".into()));
            }
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge(format!("the request body is larger than {MAX_BODY_BYTES} bytes"))
                } else {
                    AppError::BadRequest("the request body could not be read".into())
                }
            })?;
            let (value, mut errors) = parse::<T>(&bytes)?;
            if let Err(invalid) = value.validate() {
                collect(&mut errors, "", &invalid);
            }
            errors.finish(ValidJson(value))
        })
    }
}

/// Deserializes `bytes` (a 400 unless it is JSON), then names every field that does not fit
/// `T`: an unknown or ill-typed field is recorded and set aside, and deserialization is tried
/// again, so that one answer lists them all. Returns the value built from the fields that
/// fit, with the errors of those that did not (which the caller must not ignore).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, FieldErrors), AppError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest(format!("the request body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(FieldErrors::single("body", "must be a JSON object"));
    }
    whole_numbers_as_integers(&mut value);
    let mut errors = FieldErrors::new();
    loop {
        let result: Result<T, _> = serde_path_to_error::deserialize(&value);
        let err = match result {
            Ok(parsed) => return Ok((parsed, errors)),
            Err(err) => err,
        };
        let path = err.path().to_string();
        let (field, message) = describe(&path, &err.into_inner().to_string());
        let top = field.split(['.', '[']).next().unwrap_or("").to_owned();
        if !(message == "is required" && errors.contains(&field)) {
            errors.add(field, message);
        }
        let removed = value.as_object_mut().and_then(|fields| fields.remove(&top)).is_some();
        if !removed {
            // Nothing left to set aside (a required field is missing): report what we have.
            return Err(AppError::Validation(errors));
        }
    }
}

/// JSON Schema counts `5.0` as an integer; serde does not. Numbers without a fraction
/// become integers so that such input is read as the schema allows.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                    *value = serde_json::Value::from(f as i64);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// The field and message of a serde data error at `path`.
fn describe(path: &str, message: &str) -> (String, String) {
    let message = message.split(" at line ").next().unwrap_or(message);
    // serde names the offending key in the message for unknown and missing fields.
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next())
        .map(str::to_owned);
    let parent = if path == "." { String::new() } else { path.to_owned() };
    let unknown = message.starts_with("unknown field");
    let field = match named {
        // For an unknown field the path already ends with its name.
        Some(_) if unknown && !parent.is_empty() => parent,
        Some(name) if parent.is_empty() => name,
        Some(name) => format!("{parent}.{name}"),
        None if parent.is_empty() => "body".to_owned(),
        None => parent,
    };
    let message = if unknown {
        "is not a known field".to_owned()
    } else if message.starts_with("missing field") {
        "is required".to_owned()
    } else {
        message.to_owned()
    };
    (field, message)
}

fn collect(fields: &mut FieldErrors, prefix: &str, errors: &ValidationErrors) {
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| e.code.to_string());
                    fields.add(name.clone(), message);
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(fields, &name, inner),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(fields, &format!("{name}[{i}]"), inner);
                }
            }
        }
    }
}
