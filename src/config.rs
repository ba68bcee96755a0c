//! Configuration from the environment (and `.env`), validated at start: a bad value stops
//! start-up with a message naming the variable.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use crate::domain::addresses::UrlTemplate;

/// Which origins may read the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`*`): fine for anonymous reads, since no credentials are involved.
    Any,
    /// Only these origins, e.g. `https://kabarharapan.id`.
    List(Vec<String>),
}

/// Site settings served at `/api/v1/site`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSettings {
    pub title: String,
    pub description: String,
    pub url: String,
    pub language: String,
}

/// Where the frontend shows each kind of resource (`WARTA_ARTICLE_URL` and its siblings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAddresses {
    pub article: UrlTemplate,
    pub category: UrlTemplate,
    pub tag: UrlTemplate,
    pub author: UrlTemplate,
}

/// Everything Warta reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// SQLite database file (created if missing).
    pub database_url: String,
    /// Address to listen on; port 0 picks a free one.
    pub bind: SocketAddr,
    /// HS256 secret for access tokens; `None` means a random one is generated at start.
    pub jwt_secret: Option<String>,
    /// Bootstrap admin, created at start when no admin exists.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub cors_origins: CorsOrigins,
    /// Public comment submissions per client address per minute.
    pub comment_rate_per_minute: u32,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    pub site: SiteSettings,
    pub addresses: PublicAddresses,
    /// `max-age` of public responses, in seconds.
    pub cache_max_age: u32,
    /// Database connections in the pool.
    pub db_pool_size: u32,
    /// Lifetime of access tokens, in seconds.
    pub access_token_ttl: u32,
    /// Lifetime of refresh tokens, in seconds.
    pub refresh_token_ttl: u32,
    /// `production` turns insecure defaults into start-up errors.
    pub production: bool,
    /// A separate address for `/metrics`, so that it need not be public.
    pub metrics_bind: Option<SocketAddr>,
    /// Whether public reads are answered from the response cache.
    pub response_cache: bool,
    /// Seconds between SIGTERM and the listener's close, while `/ready` answers 503 and
    /// requests are still served: time for a load balancer's health check to take the
    /// instance out of rotation.
    pub shutdown_grace_secs: u32,
    /// Revisions kept per article (`WARTA_REVISIONS_KEEP`); older ones are pruned.
    pub revisions_keep: u32,
    /// Days an audit entry is kept (`WARTA_AUDIT_RETENTION_DAYS`).
    pub audit_retention_days: u32,
    /// Where the public reaches this API (`WARTA_PUBLIC_URL`, no trailing slash); `None`: the
    /// address it listens on.
    pub public_url: Option<String>,
    /// Uploads and their files.
    pub media: MediaSettings,
    /// How webhooks are delivered.
    pub webhooks: crate::webhooks::Settings,
    /// Seconds a draft preview token lasts (`WARTA_PREVIEW_TTL`).
    pub preview_ttl: u32,
    /// The frontend's preview address with `{token}` (and `{slug}`) to fill
    /// (`WARTA_PREVIEW_URL`); `None`: previews answer no URL.
    pub preview_url: Option<String>,
}

/// Where uploads go and how large they may be.
#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// Where the files are kept.
    pub store: StoreSettings,
    /// Where a CDN serves the files (`WARTA_MEDIA_BASE_URL`, no trailing slash).
    pub base_url: Option<String>,
    /// The largest upload in bytes (`WARTA_MEDIA_MAX_BYTES`).
    pub max_bytes: u32,
}

/// Where media files are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSettings {
    /// A directory (`WARTA_MEDIA_DIR`; default `media/` beside a SQLite database).
    Directory(std::path::PathBuf),
    /// An S3-compatible bucket (`WARTA_MEDIA_S3_BUCKET` and its siblings), which several
    /// instances share.
    Bucket(BucketSettings),
}

/// An S3-compatible bucket and how to reach it.
#[derive(Clone, PartialEq, Eq)]
pub struct BucketSettings {
    pub bucket: String,
    /// The service's address (`WARTA_MEDIA_S3_ENDPOINT`); `None` is Amazon S3 itself.
    pub endpoint: Option<String>,
    /// `WARTA_MEDIA_S3_REGION`, default `us-east-1`.
    pub region: String,
    /// `WARTA_MEDIA_S3_ACCESS_KEY_ID` and `_SECRET_ACCESS_KEY`; `None` takes the credentials of
    /// the machine's environment (an instance role, say).
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for BucketSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BucketSettings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.credentials.as_ref().map(|(id, _)| id))
            .finish_non_exhaustive()
    }
}

impl StoreSettings {
    /// Where the files are, for messages: a directory's path or a bucket's name and address.
    pub fn describe(&self) -> String {
        match self {
            StoreSettings::Directory(dir) => format!("the media directory {}", dir.display()),
            StoreSettings::Bucket(b) => {
                format!("the media bucket {} at {}", b.bucket, b.endpoint.as_deref().unwrap_or("Amazon S3"))
            }
        }
    }
}

/// The store `WARTA_MEDIA_S3_*` or `WARTA_MEDIA_DIR` names (one of them at most).
fn store_settings(get: &impl Fn(&str) -> Option<String>, database_url: &str) -> Result<StoreSettings, ConfigError> {
    let Some(bucket) = get("WARTA_MEDIA_S3_BUCKET") else {
        for sibling in [
            "WARTA_MEDIA_S3_ENDPOINT",
            "WARTA_MEDIA_S3_REGION",
            "WARTA_MEDIA_S3_ACCESS_KEY_ID",
            "WARTA_MEDIA_S3_SECRET_ACCESS_KEY",
        ] {
            if get(sibling).is_some() {
                return Err(bad(sibling, "is set but WARTA_MEDIA_S3_BUCKET is not"));
            }
        }
        return Ok(StoreSettings::Directory(match get("WARTA_MEDIA_DIR") {
            Some(dir) => dir.into(),
            None => default_media_dir(database_url),
        }));
    };
    if get("WARTA_MEDIA_DIR").is_some() {
        return Err(bad("WARTA_MEDIA_DIR", "is set as well as WARTA_MEDIA_S3_BUCKET; set one of them"));
    }
    // The rule S3 itself applies: 3 to 63 lower-case letters, digits, dots and hyphens, starting
    // and ending with a letter or digit.
    let edge_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge_ok(bucket.bytes().next())
        && edge_ok(bucket.bytes().last());
    if !bucket_ok {
        return Err(bad(
            "WARTA_MEDIA_S3_BUCKET",
            format!("`{bucket}` is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)"),
        ));
    }
    let endpoint = get("WARTA_MEDIA_S3_ENDPOINT").map(|u| http_base("WARTA_MEDIA_S3_ENDPOINT", &u)).transpose()?;
    let region = get("WARTA_MEDIA_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned());
    if !region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(bad("WARTA_MEDIA_S3_REGION", format!("`{region}` is not a region name like eu-west-1")));
    }
    let credentials = match (get("WARTA_MEDIA_S3_ACCESS_KEY_ID"), get("WARTA_MEDIA_S3_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Some((id, secret)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(bad("WARTA_MEDIA_S3_SECRET_ACCESS_KEY", "is needed with WARTA_MEDIA_S3_ACCESS_KEY_ID"))
        }
        (None, Some(_)) => {
            return Err(bad("WARTA_MEDIA_S3_ACCESS_KEY_ID", "is needed with WARTA_MEDIA_S3_SECRET_ACCESS_KEY"))
        }
    };
    Ok(StoreSettings::Bucket(BucketSettings { bucket, endpoint, region, credentials }))
}

/// The shortest `WARTA_JWT_SECRET` accepted in production, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// A variable that could not be used, and why.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { variable, message: message.into() }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = std::env::vars().collect();
        Config::from_vars(&vars)
    }

    /// Reads the given variables; anything unset takes its documented default.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Config, ConfigError> {
        let get = |name: &str| vars.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let text = |name: &str, default: &str| get(name).unwrap_or_else(|| default.to_owned());

        let bind_text = text("WARTA_BIND", "127.0.0.1:8080");
        let bind = bind_text
            .parse()
            .map_err(|_| bad("WARTA_BIND", format!("`{bind_text}` is not an address like 127.0.0.1:8080")))?;

        let jwt_secret = get("WARTA_JWT_SECRET");
        let admin_email = get("WARTA_ADMIN_EMAIL");
        let admin_password = get("WARTA_ADMIN_PASSWORD");
        if let Some(email) = &admin_email {
            if !email.contains('@') {
                return Err(bad("WARTA_ADMIN_EMAIL", format!("`{email}` is not an email address")));
            }
        }

        let cors_origins = match get("WARTA_CORS_ORIGINS").as_deref() {
            None | Some("*") => CorsOrigins::Any,
            Some(list) => {
                let mut origins = Vec::new();
                for origin in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                    if origin == "*" {
                        return Err(bad("WARTA_CORS_ORIGINS", "`*` cannot be mixed with named origins"));
                    }
                    let well_formed = (origin.starts_with("http://") || origin.starts_with("https://"))
                        && !origin.ends_with('/')
                        && origin.split("://").nth(1).is_some_and(|host| !host.is_empty() && !host.contains('/'));
                    if !well_formed {
                        return Err(bad(
                            "WARTA_CORS_ORIGINS",
                            format!("`{origin}` is not an origin like https://kabarharapan.id"),
                        ));
                    }
                    origins.push(origin.to_owned());
                }
                CorsOrigins::List(origins)
            }
        };

        let comment_rate_per_minute = number(&get, "WARTA_COMMENT_RATE_PER_MINUTE", 5, 1..=100_000)?;
        let cache_max_age = number(&get, "WARTA_CACHE_MAX_AGE", 60, 0..=31_536_000)?;
        let db_pool_size = number(&get, "WARTA_DB_POOL_SIZE", 8, 1..=256)?;
        let access_token_ttl = number(&get, "WARTA_ACCESS_TOKEN_TTL", 900, 10..=86_400)?;
        let refresh_token_ttl = number(&get, "WARTA_REFRESH_TOKEN_TTL", 30 * 86_400, 60..=365 * 86_400)?;
        let shutdown_grace_secs = number(&get, "WARTA_SHUTDOWN_GRACE_SECS", 0, 0..=3_600)?;
        let revisions_keep = number(&get, "WARTA_REVISIONS_KEEP", 100, 1..=10_000)?;
        let audit_retention_days = number(&get, "WARTA_AUDIT_RETENTION_DAYS", 400, 1..=36_500)?;

        let trusted_proxies = match get("WARTA_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse::<IpAddr>().map_err(|_| bad("WARTA_TRUSTED_PROXIES", format!("`{p}` is not an IP address")))
                })
                .collect::<Result<_, _>>()?,
        };

        let language = text("WARTA_SITE_LANGUAGE", "id");
        if !is_language_tag(&language) {
            return Err(bad(
                "WARTA_SITE_LANGUAGE",
                format!("`{language}` is not a BCP 47 language tag like `id` or `en-US`"),
            ));
        }
        let site = SiteSettings {
            title: text("WARTA_SITE_TITLE", "Kabar Harapan"),
            description: text("WARTA_SITE_DESCRIPTION", "Memberikan Informasi Terupdate Dalam Negri & Luar Negri"),
            url: text("WARTA_SITE_URL", "http://localhost:3000"),
            language,
        };

        let site_root = site.url.trim_end_matches('/').to_owned();
        let template = |variable: &'static str, default: String, dates: bool| -> Result<UrlTemplate, ConfigError> {
            UrlTemplate::parse(&text(variable, &default), dates).map_err(|m| bad(variable, m))
        };
        let addresses = PublicAddresses {
            article: template("WARTA_ARTICLE_URL", format!("{site_root}/{{slug}}"), true)?,
            category: template("WARTA_CATEGORY_URL", format!("{site_root}/category/{{slug}}"), false)?,
            tag: template("WARTA_TAG_URL", format!("{site_root}/tag/{{slug}}"), false)?,
            author: template("WARTA_AUTHOR_URL", format!("{site_root}/author/{{slug}}"), false)?,
        };

        let production = match get("WARTA_ENV").as_deref() {
            None | Some("development") => false,
            Some("production") => true,
            Some(other) => return Err(bad("WARTA_ENV", format!("`{other}` is neither production nor development"))),
        };
        if production {
            match &jwt_secret {
                None => {
                    return Err(bad("WARTA_JWT_SECRET", "is required in production (tokens must outlive a restart)"))
                }
                Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                    return Err(bad(
                        "WARTA_JWT_SECRET",
                        format!("must be at least {MIN_SECRET_BYTES} bytes in production"),
                    ))
                }
                Some(_) => {}
            }
            if get("WARTA_CORS_ORIGINS").is_none() {
                return Err(bad("WARTA_CORS_ORIGINS", "must name the allowed origins explicitly in production"));
            }
        }
        let metrics_bind = match get("WARTA_METRICS_BIND") {
            None => None,
            Some(raw) => Some(
                raw.parse()
                    .map_err(|_| bad("WARTA_METRICS_BIND", format!("`{raw}` is not an address like 127.0.0.1:9090")))?,
            ),
        };
        // Logging starts before the configuration is read (see `main`); a bad value still
        // stops start-up here, naming the variable.
        log_json(get("WARTA_LOG_FORMAT").as_deref()).map_err(|m| bad("WARTA_LOG_FORMAT", m))?;

        let webhooks = crate::webhooks::Settings {
            allow_private: match get("WARTA_WEBHOOK_ALLOW_PRIVATE").as_deref() {
                None | Some("false") => false,
                Some("true") => true,
                Some(other) => {
                    return Err(bad("WARTA_WEBHOOK_ALLOW_PRIVATE", format!("`{other}` is neither true nor false")))
                }
            },
            retention_days: number(&get, "WARTA_WEBHOOK_RETENTION_DAYS", 30, 1..=3_650)?,
        };

        let preview_ttl = number(&get, "WARTA_PREVIEW_TTL", 3600, 60..=30 * 86_400)?;
        let preview_url = match get("WARTA_PREVIEW_URL") {
            None => None,
            Some(template) => {
                let filled = template.replace("{token}", "t").replace("{slug}", "s");
                let parsed = url::Url::parse(&filled).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
                if !template.contains("{token}") || parsed.is_none() {
                    return Err(bad(
                        "WARTA_PREVIEW_URL",
                        "must be an http(s) URL with {token} (and optionally {slug}) to fill",
                    ));
                }
                Some(template)
            }
        };

        let response_cache = match get("WARTA_RESPONSE_CACHE").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => return Err(bad("WARTA_RESPONSE_CACHE", format!("`{other}` is neither on nor off"))),
        };

        let database_url = text("DATABASE_URL", "warta.db");
        let database_url = database_url.strip_prefix("sqlite://").unwrap_or(&database_url).to_owned();

        let public_url = get("WARTA_PUBLIC_URL").map(|u| http_base("WARTA_PUBLIC_URL", &u)).transpose()?;
        let media = MediaSettings {
            store: store_settings(&get, &database_url)?,
            base_url: get("WARTA_MEDIA_BASE_URL").map(|u| http_base("WARTA_MEDIA_BASE_URL", &u)).transpose()?,
            max_bytes: number(&get, "WARTA_MEDIA_MAX_BYTES", 20 * 1024 * 1024, 1024..=1024 * 1024 * 1024)?,
        };

        Ok(Config {
            database_url,
            bind,
            jwt_secret,
            admin_email,
            admin_password,
            cors_origins,
            comment_rate_per_minute,
            trusted_proxies,
            site,
            addresses,
            cache_max_age,
            db_pool_size,
            access_token_ttl,
            refresh_token_ttl,
            production,
            metrics_bind,
            response_cache,
            shutdown_grace_secs,
            revisions_keep,
            audit_retention_days,
            public_url,
            media,
            webhooks,
            preview_ttl,
            preview_url,
        })
    }
}

/// An http(s) URL to put paths after: checked, without its trailing slash.
fn http_base(variable: &'static str, raw: &str) -> Result<String, ConfigError> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.query().is_none() => {
            Ok(raw.trim_end_matches('/').to_owned())
        }
        _ => Err(bad(variable, format!("`{raw}` is not an http(s) URL"))),
    }
}

/// `media/` beside a SQLite database file; `media/` in the working directory otherwise.
fn default_media_dir(database_url: &str) -> std::path::PathBuf {
    let is_file = !database_url.starts_with("postgres://") && !database_url.starts_with("postgresql://");
    let beside = std::path::Path::new(database_url).parent().filter(|p| is_file && !p.as_os_str().is_empty());
    beside.map_or_else(|| "media".into(), |dir| dir.join("media"))
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    let Some(raw) = get(variable) else { return Ok(default) };
    match raw.parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(bad(variable, format!("`{raw}` is not a whole number from {} to {}", range.start(), range.end()))),
    }
}

/// A loose BCP 47 check: letter subtags of 2-8 and alphanumeric subtags of 1-8, joined by `-`.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok =
        parts.next().is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Whether `WARTA_LOG_FORMAT` asks for JSON log lines (`text`, the default, or `json`).
pub fn log_json(value: Option<&str>) -> Result<bool, String> {
    match value.map(str::trim) {
        None | Some("text") => Ok(false),
        Some("json") => Ok(true),
        Some(other) => Err(format!("`{other}` is neither text nor json")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let config = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(config.database_url, "warta.db");
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.cors_origins, CorsOrigins::Any);
        assert_eq!(config.comment_rate_per_minute, 5);
        assert!(config.trusted_proxies.is_empty());
        assert_eq!(config.site.title, "Kabar Harapan");
        assert_eq!(config.site.language, "id");
        assert_eq!(config.shutdown_grace_secs, 0, "a lone process stops at once");
        assert_eq!(config.media.max_bytes, 20 * 1024 * 1024);
        assert_eq!(config.media.store, StoreSettings::Directory("media".into()));
        assert_eq!(config.public_url, None);
    }

    #[test]
    fn media_lives_beside_the_database_unless_told() {
        let config = Config::from_vars(&vars(&[("DATABASE_URL", "/srv/warta/warta.db")])).unwrap();
        assert_eq!(config.media.store, StoreSettings::Directory("/srv/warta/media".into()));
        let config = Config::from_vars(&vars(&[("WARTA_MEDIA_BASE_URL", "https://cdn.example/warta/")])).unwrap();
        assert_eq!(config.media.base_url.as_deref(), Some("https://cdn.example/warta"));
    }

    #[test]
    fn a_bucket_is_configured_whole_or_start_up_names_what_is_wrong() {
        let config = Config::from_vars(&vars(&[
            ("WARTA_MEDIA_S3_BUCKET", "kabar-media"),
            ("WARTA_MEDIA_S3_ENDPOINT", "http://127.0.0.1:9000/"),
            ("WARTA_MEDIA_S3_ACCESS_KEY_ID", "AKIA1"),
            ("WARTA_MEDIA_S3_SECRET_ACCESS_KEY", "rahasia-sekali"),
        ]))
        .unwrap();
        let StoreSettings::Bucket(bucket) = &config.media.store else { panic!("a bucket: {:?}", config.media.store) };
        assert_eq!(bucket.bucket, "kabar-media");
        assert_eq!(bucket.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(bucket.region, "us-east-1");
        assert!(!format!("{config:?}").contains("rahasia-sekali"), "the secret stays out of debug output");

        let variable = |pairs: &[(&str, &str)]| Config::from_vars(&vars(pairs)).unwrap_err().variable;
        assert_eq!(variable(&[("WARTA_MEDIA_S3_BUCKET", "Kabar_Media")]), "WARTA_MEDIA_S3_BUCKET");
        assert_eq!(variable(&[("WARTA_MEDIA_S3_BUCKET", "-kabar")]), "WARTA_MEDIA_S3_BUCKET");
        assert_eq!(variable(&[("WARTA_MEDIA_S3_ENDPOINT", "http://127.0.0.1:9000")]), "WARTA_MEDIA_S3_ENDPOINT");
        assert_eq!(
            variable(&[("WARTA_MEDIA_S3_BUCKET", "kabar"), ("WARTA_MEDIA_S3_ENDPOINT", "ftp://x")]),
            "WARTA_MEDIA_S3_ENDPOINT"
        );
        assert_eq!(
            variable(&[("WARTA_MEDIA_S3_BUCKET", "kabar"), ("WARTA_MEDIA_S3_ACCESS_KEY_ID", "AKIA1")]),
            "WARTA_MEDIA_S3_SECRET_ACCESS_KEY"
        );
        assert_eq!(
            variable(&[("WARTA_MEDIA_S3_BUCKET", "kabar"), ("WARTA_MEDIA_DIR", "/srv/media")]),
            "WARTA_MEDIA_DIR"
        );
        assert_eq!(
            variable(&[("WARTA_MEDIA_S3_BUCKET", "kabar"), ("WARTA_MEDIA_S3_REGION", "eu west")]),
            "WARTA_MEDIA_S3_REGION"
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("WARTA_BIND", "localhost"),
            ("WARTA_COMMENT_RATE_PER_MINUTE", "many"),
            ("WARTA_COMMENT_RATE_PER_MINUTE", "0"),
            ("WARTA_CORS_ORIGINS", "kabarharapan.id"),
            ("WARTA_TRUSTED_PROXIES", "10.0.0.1, proxy"),
            ("WARTA_SITE_LANGUAGE", "indonesian!"),
            ("WARTA_CACHE_MAX_AGE", "-1"),
            ("WARTA_ENV", "staging"),
            ("WARTA_METRICS_BIND", "metrics"),
            ("WARTA_LOG_FORMAT", "xml"),
            ("WARTA_SHUTDOWN_GRACE_SECS", "soon"),
            ("WARTA_PUBLIC_URL", "api.kabarharapan.id"),
            ("WARTA_MEDIA_BASE_URL", "ftp://cdn.example"),
            ("WARTA_MEDIA_MAX_BYTES", "12"),
        ] {
            let err = Config::from_vars(&vars(&[(name, value)])).unwrap_err();
            assert_eq!(err.variable, name, "{value}");
        }
    }

    #[test]
    fn production_refuses_insecure_defaults() {
        let origins = ("WARTA_CORS_ORIGINS", "https://kabarharapan.example");
        let long = ("WARTA_JWT_SECRET", "0123456789abcdef0123456789abcdef");
        let prod = ("WARTA_ENV", "production");
        assert_eq!(Config::from_vars(&vars(&[prod, origins])).unwrap_err().variable, "WARTA_JWT_SECRET");
        assert_eq!(
            Config::from_vars(&vars(&[prod, origins, ("WARTA_JWT_SECRET", "short")])).unwrap_err().variable,
            "WARTA_JWT_SECRET"
        );
        assert_eq!(Config::from_vars(&vars(&[prod, long])).unwrap_err().variable, "WARTA_CORS_ORIGINS");
        assert!(Config::from_vars(&vars(&[prod, long, origins])).unwrap().production);
        assert!(!Config::from_vars(&vars(&[])).unwrap().production, "development by default");
    }

    #[test]
    fn cors_origins_are_a_list() {
        let config =
            Config::from_vars(&vars(&[("WARTA_CORS_ORIGINS", "https://a.example, http://localhost:3000")])).unwrap();
        assert_eq!(
            config.cors_origins,
            CorsOrigins::List(vec!["https://a.example".into(), "http://localhost:3000".into()])
        );
    }
}
