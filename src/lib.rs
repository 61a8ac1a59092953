//! Steward: a self-hosted control panel for an account's users, two-factor authentication,
//! sub-accounts and API credentials.
//!
//! - `domain/`: the rules, in plain Rust (IDs, names, the password policy).
//! - `api/`: server functions the pages call.
//! - `compat/` (server only): the provider-compatible APIs (OVHcloud, Tencent CAM, Gcore, Vobiz).
//! - `server/` (server only): configuration, database, sessions, services, HTTP.
//! - `app.rs`, `components/`, `pages/`: the user interface, rendered on the server and hydrated
//!   in the browser.
#![recursion_limit = "256"]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)
)]

pub mod api;
pub mod app;
#[cfg(feature = "ssr")]
pub mod compat;
pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
