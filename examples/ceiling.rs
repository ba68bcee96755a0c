//! The benchmark's ceiling: a minimal actix-web server that answers each benchmarked request
//! with the bytes Warta gave for it, straight from memory. Warta's throughput divided by
//! this one's says how much of the machine's HTTP ceiling Warta reaches.
//!
//! Usage: `ceiling BIND DIR`, where `DIR/index.tsv` has one line per captured response:
//! `METHOD<TAB>PATH_AND_QUERY<TAB>STATUS<TAB>CONTENT_TYPE<TAB>ETAG<TAB>BODY_FILE` (ETAG may be `-`).

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::collections::HashMap;
use std::sync::Arc;

struct Captured {
    status: StatusCode,
    content_type: String,
    etag: Option<String>,
    body: web::Bytes,
}

type Table = Arc<HashMap<(String, String), Captured>>;

async fn answer(req: HttpRequest, table: web::Data<Table>) -> HttpResponse {
    let path = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    let Some(found) = table.get(&(req.method().to_string(), path)) else {
        return HttpResponse::NotFound().finish();
    };
    if let (Some(etag), Some(given)) = (&found.etag, req.headers().get("if-none-match")) {
        if given.as_bytes() == etag.as_bytes() {
            return HttpResponse::NotModified().insert_header(("etag", etag.as_str())).finish();
        }
    }
    let mut response = HttpResponse::build(found.status);
    response.content_type(found.content_type.as_str());
    if let Some(etag) = &found.etag {
        response.insert_header(("etag", etag.as_str()));
    }
    response.body(found.body.clone())
}

fn load(dir: &str) -> std::io::Result<Table> {
    let index = std::fs::read_to_string(format!("{dir}/index.tsv"))?;
    let mut table = HashMap::new();
    for line in index.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [method, path, status, content_type, etag, file] = fields[..] else {
            return Err(std::io::Error::other(format!("bad index line: {line}")));
        };
        let status = status.parse::<u16>().ok().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::OK);
        let body = web::Bytes::from(std::fs::read(format!("{dir}/{file}"))?);
        let etag = (etag != "-").then(|| etag.to_owned());
        table.insert(
            (method.to_owned(), path.to_owned()),
            Captured { status, content_type: content_type.to_owned(), etag, body },
        );
    }
    Ok(Arc::new(table))
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(bind), Some(dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: ceiling BIND DIR");
        std::process::exit(2);
    };
    let table = load(dir)?;
    eprintln!("ceiling: {} responses on {bind}", table.len());
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || App::new().app_data(web::Data::new(table.clone())).default_service(web::to(answer)))
            .bind(bind.as_str())?
            .run()
            .await
    })
}
