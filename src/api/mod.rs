//! Server functions: what the pages call. Each one is thin: it authorizes first, calls a service
//! in `server/`, and returns a plain DTO. They run on the server; the browser gets a stub that
//! posts to `/api/<endpoint>`, and without JavaScript a form posts there directly.

pub mod activity_fns;
pub mod api_key_fns;
pub mod auth_fns;
pub mod ovh_fns;
pub mod reveal_fns;
pub mod security_fns;
pub mod sub_account_fns;
pub mod tencent_key_fns;
pub mod user_fns;
