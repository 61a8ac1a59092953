//! The reliability suite against the real `steward` binary: killing it mid-write (`crash`) and a
//! bounded mixed load (`load`). On SQLite by default, on PostgreSQL under
//! `tests/with-postgres.sh`. `make test` runs short versions; `make reliability` the full ones
//! (`STEWARD_CRASH_ROUNDS`, `STEWARD_LOAD_SECONDS`). The database outage is `tests/outage.rs`.

// The integration tests' helpers (spawning, browsers, the real server); not all are used here.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod crash;
mod fixture;
mod load;
