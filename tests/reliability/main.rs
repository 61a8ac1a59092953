//! The reliability suite against the real `steward` binary: killing it mid-write (`crash`) and a
//! bounded mixed load (`load`). On SQLite by default, on PostgreSQL under
//! `tests/with-postgres.sh`. `make test` runs short versions; `make reliability` the full ones
//! (`STEWARD_CRASH_ROUNDS`, `STEWARD_LOAD_SECONDS`). The database outage is `tests/outage.rs`.

use steward_testkit as helpers;
use steward_testkit::fixture;

mod crash;
mod load;
