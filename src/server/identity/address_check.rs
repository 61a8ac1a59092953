//! IP rules at the door: every login, every session request and every API credential is judged
//! by the rules of the account it works in (`domain::ip_rules`), with the client's address as
//! `request_meta` settled it (the socket's, or the client's behind trusted proxies).
//!
//! A refusal is an activity event naming the rule; a refused login gets the same answer as any
//! failed login, a refused session ends, a refused credential is unknown.

use std::net::IpAddr;

use crate::domain::event::{Action, Event, Outcome};
use crate::domain::ip_rules::{IpPolicy, Refusal};
use crate::error::AppError;
use crate::server::db;
use crate::server::identity::caller::Caller;
use crate::server::infra::request_scope::current_request;
use crate::server::web::state::AppState;

/// The address of the client being served; `None` outside a request (the command line, which
/// is not reached over the network).
pub fn client_address() -> Option<IpAddr> {
    current_request().ip.parse().ok()
}

/// Whether the client may come in under the stored policy `stored` (`None`: open).
pub fn judge(stored: Option<&str>) -> Result<(), Refusal> {
    match (stored, client_address()) {
        (Some(stored), Some(address)) => IpPolicy::from_stored(Some(stored)).judge(address),
        _ => Ok(()),
    }
}

/// Records that `caller` was turned away, and why (`Refusal::detail`, or the credential's own
/// limit).
pub async fn record_refusal(state: &AppState, caller: &Caller, why: &str) -> Result<(), AppError> {
    let event = Event::by(caller, Action::IpRefused, caller.login_id());
    db::activity_store::record(&state.db, &event, Outcome::Failure, why).await
}

/// What the activity log says of a credential used from outside its own allowed ranges.
pub const OUTSIDE_CREDENTIAL_RANGES: &str = "IP ranges of the credential";
