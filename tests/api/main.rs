//! The HTTP test suite: one binary, every test its own server and database.

mod accounts;
mod article_writes;
mod articles;
mod audit;
mod auth;
mod authors;
mod cache;
mod caching;
mod categories;
mod category_writes;
mod comment_writes;
mod comments;
mod concurrency;
mod copy;
mod cursor;
mod errors;
mod expensive_input;
mod featured;
mod helpers;
mod hostile;
mod instances;
mod media;
mod migrations;
mod openapi;
mod operations;
// A server outage needs a server: PostgreSQL.
#[cfg(feature = "postgres")]
mod outage;
mod pages;
mod previews;
mod primary_category;
mod readme;
mod receiver;
mod redirects;
mod reliability;
mod revisions;
mod search;
mod search_backends;
mod site;
mod startup;
mod statements;
mod tags;
mod tokens;
mod users;
mod webhooks;
