//! `ValidJson<T>`: a JSON request body, deserialized and validated, whose every failure is a
//! clear problem: 415 for another media type, 413 when larger than its route takes, 400 for
//! what is not JSON, and a 422 naming the bad fields for JSON that breaks a rule (unknown
//! field, wrong type, missing field, a `validator` rule).

use actix_web::dev::{Decompress, Payload};
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::{DeserializeOwned, Visitor};
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{AppError, FieldErrors, MAX_NAMED_FIELDS};

/// The largest body any route takes: an article's 1 MiB of text escaped as JSON allows (a
/// control character or a quote in `\uXXXX` form is 6 bytes), plus its other fields; also the
/// limit of every other body extractor.
pub const MAX_BODY_BYTES: usize = 7 * 1024 * 1024;

/// Bodies up to this size are parsed on the worker that received them; larger ones on the
/// blocking pool, so that a worker keeps serving its other connections meanwhile.
const PARSE_INLINE_BYTES: usize = 64 * 1024;

/// A request body type and the most bytes its route reads. It must be a struct with
/// `#[serde(deny_unknown_fields)]`, as every request body is: fields it does not declare
/// are unknown, a 422.
pub trait JsonBody: DeserializeOwned + Validate + Send + 'static {
    /// The largest body accepted, in bytes: room for every valid request however its client
    /// escapes it, and not much more. A larger body is a 413, refused before it is parsed.
    const MAX_BYTES: usize;

    /// Whether the body's text is kept. No kept text may hold NUL (PostgreSQL's cannot), so
    /// such a field is a 422 naming it. A body that is only compared with what is stored
    /// (credentials) says `false`: a NUL in it matches nothing, and the route answers as for
    /// any other value that matches nothing.
    const STORED: bool = true;
}

/// A deserialized and validated JSON body.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<T: JsonBody> FromRequest for ValidJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        // Compressed bodies are counted as they are after decompression.
        let stream = Decompress::from_headers(payload.take(), req.headers());
        Box::pin(async move {
            let is_json = content_type.as_deref().is_some_and(|ct| {
                let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
            });
            if !is_json {
                return Err(AppError::UnsupportedMediaType("the request body must be application/json".into()));
            }
            let bytes = read_limited(stream, declared_length, T::MAX_BYTES).await?;
            let value = if bytes.len() <= PARSE_INLINE_BYTES {
                parse::<T>(&bytes)?
            } else {
                web::block(move || parse::<T>(&bytes)).await.map_err(|e| AppError::Internal(e.into()))??
            };
            Ok(ValidJson(value))
        })
    }
}

/// The body, unless it is (or declares to be) larger than `limit` bytes: a 413, read no further.
async fn read_limited(
    mut stream: Decompress<Payload>,
    declared_length: Option<u64>,
    limit: usize,
) -> Result<web::Bytes, AppError> {
    let too_large = || {
        AppError::PayloadTooLarge(format!("the request body is larger than {limit} bytes, the most this route takes"))
    };
    if declared_length.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("the request body could not be read".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Deserializes and validates `bytes` (a 400 unless it is JSON), naming every field that
/// does not fit `T` (up to [`MAX_NAMED_FIELDS`]; the rest are counted). Unknown fields are
/// set aside in one pass over the object before serde sees it: serde stops at the first one,
/// and trying again once per unknown field cost a pass over the whole body per field. What
/// is left are `T`'s own fields; an ill-typed one is recorded and set aside, and the rest
/// deserialized again (at most once per field of `T`).
pub fn parse<T: JsonBody>(bytes: &[u8]) -> Result<T, AppError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest(format!("the request body is not valid JSON: {e}")))?;
    let Some(fields) = value.as_object_mut() else {
        return Err(FieldErrors::single("body", "must be a JSON object"));
    };
    let unknown = set_aside_unknown(fields, field_names::<T>());
    whole_numbers_as_integers(&mut value);
    let mut errors = FieldErrors::new();
    if T::STORED {
        for (name, _) in value.as_object().into_iter().flatten().filter(|(_, v)| holds_nul(v)) {
            errors.add(name.clone(), "must not contain the NUL character (U+0000)");
        }
    }
    let parsed = loop {
        let result: Result<T, _> = serde_path_to_error::deserialize(&value);
        let err = match result {
            Ok(parsed) => break Some(parsed),
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
            break None;
        }
    };
    if let Some(invalid) = parsed.as_ref().and_then(|v| v.validate().err()) {
        collect(&mut errors, "", &invalid);
    }
    // Unknown fields come last, so that the bad fields of `T` are named first.
    unknown.report(&mut errors);
    match parsed {
        Some(value) => errors.finish(value),
        None => Err(AppError::Validation(errors)),
    }
}

/// The top-level fields of a body that its type does not declare.
#[derive(Debug, Default)]
struct Unknown {
    /// The first ones, as many as a problem names.
    names: Vec<String>,
    count: usize,
}

impl Unknown {
    fn report(self, errors: &mut FieldErrors) {
        let named = self.names.len();
        for name in self.names {
            errors.add(name, "is not a known field");
        }
        errors.omit(self.count - named);
    }
}

/// Removes from `fields` those not in `known`, in one pass. Without `known` (a type that is
/// not read as a struct) nothing is removed, and serde names what it does not know.
fn set_aside_unknown(
    fields: &mut serde_json::Map<String, serde_json::Value>,
    known: Option<&'static [&'static str]>,
) -> Unknown {
    let mut unknown = Unknown::default();
    let Some(known) = known else {
        return unknown;
    };
    fields.retain(|name, _| {
        let keep = known.contains(&name.as_str());
        if !keep {
            unknown.count += 1;
            if unknown.names.len() < MAX_NAMED_FIELDS {
                // Named, not echoed whole: fifty names of 40 KiB each would make a long answer.
                unknown.names.push(shortened(name));
            }
        }
        keep
    });
    unknown
}

/// The longest field name an error repeats, in characters; longer ones end in `…`.
const MAX_NAME_CHARS: usize = 64;

fn shortened(name: &str) -> String {
    match name.char_indices().nth(MAX_NAME_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_owned(),
    }
}

/// The field names that `T`'s derived `Deserialize` declares, learnt by asking it to read
/// from a deserializer that only listens: serde passes them to `deserialize_struct`.
fn field_names<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let names = Cell::new(None);
    let _ = T::deserialize(FieldNames(&names));
    names.get()
}

/// A deserializer that records the field names of the struct asked for, and reads nothing.
struct FieldNames<'a>(&'a Cell<Option<&'static [&'static str]>>);

/// Why [`FieldNames`] read nothing: it never does.
#[derive(Debug)]
struct Listened;

impl std::fmt::Display for Listened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("only the field names were asked for")
    }
}

impl std::error::Error for Listened {}

impl serde::de::Error for Listened {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Listened
    }
}

impl<'de> serde::Deserializer<'de> for FieldNames<'_> {
    type Error = Listened;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Listened> {
        Err(Listened)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Listened> {
        self.0.set(Some(fields));
        Err(Listened)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// JSON Schema counts `5.0` as an integer; serde does not. Numbers without a fraction
/// become integers so that such input is read as the schema allows.
/// Whether a string anywhere in `value` holds U+0000.
fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::cell::Cell;

    thread_local! {
        /// How often a `Counted` value was deserialized on this thread.
        static READS: Cell<usize> = const { Cell::new(0) };
    }

    /// A string that counts how often it is read: once per pass over the document.
    struct Counted;

    impl<'de> Deserialize<'de> for Counted {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            READS.with(|reads| reads.set(reads.get() + 1));
            String::deserialize(deserializer).map(|_| Counted)
        }
    }

    #[derive(Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        #[allow(dead_code)]
        body: Option<Counted>,
    }

    impl JsonBody for Probe {
        const MAX_BYTES: usize = MAX_BODY_BYTES;
    }

    fn with_unknown_fields(n: usize) -> Vec<u8> {
        let unknown: Vec<String> = (0..n).map(|i| format!("\"k{i:06}\": 1")).collect();
        format!("{{\"body\": \"teks\", {}}}", unknown.join(", ")).into_bytes()
    }

    #[test]
    fn unknown_fields_are_all_found_in_one_pass() {
        READS.with(|reads| reads.set(0));
        let result = parse::<Probe>(&with_unknown_fields(10_000));
        assert_eq!(READS.with(Cell::get), 1, "the document was read once, however many unknown fields it has");
        let Err(AppError::Validation(errors)) = result else {
            panic!("unknown fields are a 422");
        };
        assert_eq!(errors.len(), 50, "at most 50 fields are named");
        assert_eq!(errors.omitted(), 9_950, "the rest are counted");
    }
}
