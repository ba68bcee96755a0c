//! The HTTP test suite: one binary, every test its own server and database.

mod articles;
mod caching;
mod categories;
mod comments;
mod errors;
mod helpers;
mod openapi;
mod site;
mod startup;
mod statements;
