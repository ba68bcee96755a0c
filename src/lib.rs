//! Warta, a headless CMS for news publishers.
//!
//! The layers, outermost first: `api` speaks HTTP (extracts and validates, authorises,
//! calls one `db` function through `db::run`, maps rows to response types); `db` is the only
//! place that touches Diesel and SQLite; `domain` holds pure types and rules; `auth` holds
//! credentials; `limits` counts events per key (login throttles, comment rate); `error` turns
//! failures into problem+json; `media` decodes, strips and resizes uploads and keeps their files.
//! `startup` wires them into a server.

pub mod api;
pub mod auth;
pub mod background;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod generate;
pub mod limits;
pub mod media;
pub mod startup;
pub mod webhooks;
