//! Integration tests: Steward over HTTP on a fresh database per test. `make test` runs them on
//! SQLite and again on a throwaway PostgreSQL.

mod abuse;
mod accounts;
mod activity;
mod api_keys;
mod authz;
mod cli;
mod compat;
mod email_verification;
mod health;
mod i18n;
mod invitations;
mod ip_rules;
mod isolation;
mod key_rotation;
mod login;
mod logs;
mod metrics;
mod notices;
mod operations;
mod ovh;
mod ovh_accounts;
mod passkeys;
mod permissions;
mod proxy;
mod races;
mod rate_limit;
mod recovery;
mod security;
mod sessions;
mod sub_accounts;
mod tencent;
mod throttle;
mod two_factor;
mod users;
mod validity;

use steward_testkit as helpers;
