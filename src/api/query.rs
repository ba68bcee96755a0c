//! Reading query strings strictly: every parameter parsed by hand so that one 422 names
//! every bad or unknown parameter at once, instead of serde's first-error-only message.

use actix_web::HttpRequest;

use crate::error::{AppError, FieldErrors};

/// The parameters of one request, consumed by name; what is left over is unknown.
pub struct QueryReader {
    pairs: Vec<(String, String)>,
    errors: FieldErrors,
}

impl QueryReader {
    /// Splits the request's query string.
    pub fn new(req: &HttpRequest) -> QueryReader {
        let pairs = actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
        let mut reader = QueryReader { pairs, errors: FieldErrors::new() };
        if reader.pairs.is_empty() && !req.query_string().is_empty() && req.query_string().contains('=') {
            reader.errors.add("query", "is not a valid query string");
        }
        reader
    }

    /// The value of `name`, if given once; several values are an error.
    pub fn text(&mut self, name: &str) -> Option<String> {
        let mut values = Vec::new();
        self.pairs.retain(|(k, v)| {
            if k == name {
                values.push(v.clone());
                false
            } else {
                true
            }
        });
        match values.len() {
            0 => None,
            1 => values.pop(),
            _ => {
                self.errors.add(name, "must be given at most once");
                None
            }
        }
    }

    /// Whether `name` is among the parameters not read yet.
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// The value of `name` converted by `parse`; a conversion error is recorded against `name`.
    pub fn parse<T>(&mut self, name: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let value = self.text(name)?;
        match parse(&value) {
            Ok(v) => Some(v),
            Err(message) => {
                self.errors.add(name, message);
                None
            }
        }
    }

    /// Records an error against `name`.
    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        self.errors.add(name, message);
    }

    /// Fails with a 422 when any parameter was bad or unknown.
    pub fn finish(mut self) -> Result<(), AppError> {
        for (name, _) in std::mem::take(&mut self.pairs) {
            self.errors.add(name, "is not a known parameter");
        }
        self.errors.finish(())
    }
}

/// Parses an id or a slug (a filter value).
pub fn id_or_slug(s: &str) -> Result<crate::domain::IdOrSlug, String> {
    if s.len() > 200 {
        return Err("must be at most 200 characters".into());
    }
    crate::domain::IdOrSlug::parse(s)
        .ok_or_else(|| "must be an id or a slug (lowercase words joined by hyphens)".to_owned())
}

/// The id in a path segment of a resource named `what` that has ids only: anything but a
/// positive number names nothing (a 404, as for an id that does not exist).
pub fn path_id(segment: &str, what: &str) -> Result<i64, AppError> {
    segment.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| AppError::not_found(what))
}

/// Parses a whole number within `min..=max`.
pub fn number_in(min: i64, max: i64) -> impl Fn(&str) -> Result<i64, String> {
    move |s| match s.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from {min} to {max}")),
    }
}
