//! Everything that only runs on the server, one room per concern. From the bottom up:
//! `infra/` (configuration, files, random secrets, the server key, password hashing), `db/` (one
//! function per query), `web/` (state, request metadata, headers, language negotiation, metrics),
//! `mail/` (the outbox and its delivery), `identity/` (who the caller is: sessions, logins, two-factor), `audit/` (the activity log),
//! `manage/` (users, sub-accounts, credentials: every rule once), `ops/` (the operator's
//! commands) and `router.rs`, which puts the HTTP application together.

pub mod audit;
pub mod db;
pub mod identity;
pub mod infra;
pub mod mail;
pub mod manage;
pub mod ops;
pub mod router;
pub mod web;
