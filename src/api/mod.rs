//! Server functions: what the pages call. Each one is thin: it authorizes first, calls a service
//! in `server/`, and returns a plain DTO. They run on the server; the browser gets a stub that
//! posts to `/api/<endpoint>`, and without JavaScript a form posts there directly.

pub mod activity;
pub mod api_keys;
pub mod auth;
pub mod ovh;
pub mod reveal;
pub mod security;
pub mod sub_accounts;
pub mod tencent_keys;
pub mod users;
