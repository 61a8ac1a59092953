//! Building events from the caller and the request being served (see [`Event`]).

use crate::domain::event::{Action, Event, bounded};
use crate::error::AppError;
use crate::server::db;
use crate::server::db::Db;
use crate::server::identity::caller::{Caller, Via};
use crate::server::infra::request_scope::current_request;

/// Who acts on an account: an authenticated caller, or the operator at the server's command line.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    Caller(&'a Caller),
    CommandLine,
}

impl Event {
    /// `caller` does `action` to `target`, in the account they work in.
    pub fn by(caller: &Caller, action: Action, target: impl Into<String>) -> Self {
        let request = current_request();
        let (method, key_id) = match caller.via() {
            Via::Session => ("session", None),
            Via::Token(id) => ("token", Some(format!("token {id}"))),
            Via::AccountCredentials => ("account-credentials", None),
            Via::OvhConsumerKey(id) => ("ovh-consumer-key", Some(format!("consumer key {id}"))),
            Via::TencentAccessKey(id) => ("tencent-access-key", Some(format!("access key {id}"))),
        };
        Self {
            account_pk: caller.account_pk(),
            root_pk: caller.parent_pk().unwrap_or(caller.account_pk()),
            actor_user_id: Some(caller.user_id()),
            actor: caller.login_id(),
            via: via_label(request.dialect, method),
            key_id,
            acting_from: caller
                .acting_from()
                .map(|home| home.account_id.as_str().to_owned()),
            action,
            target: bounded(target.into()),
            request,
            notice: None,
        }
    }

    /// Someone logging in (or signing up) to `account_pk`: the user when the login ID named one.
    pub fn login(
        account_pk: i64,
        root_pk: i64,
        user_id: Option<i64>,
        login_id: &str,
        action: Action,
    ) -> Self {
        let request = current_request();
        Self {
            account_pk,
            root_pk,
            actor_user_id: user_id,
            actor: login_id.to_owned(),
            via: "password",
            key_id: None,
            acting_from: None,
            action,
            target: bounded(login_id.to_owned()),
            request,
            notice: None,
        }
    }

    /// `who` does `action` to `target` in `account_pk` (a top-level account, or the one the
    /// caller works in).
    pub fn of(who: Who<'_>, account_pk: i64, action: Action, target: impl Into<String>) -> Self {
        match who {
            Who::Caller(caller) => Self::by(caller, action, target),
            Who::CommandLine => Self::command_line(account_pk, account_pk, action, target),
        }
    }

    /// `who` does `action` to `target`, one of `user_id`'s own credentials: in the user's
    /// account (looked up for the command line, which has no caller).
    pub async fn for_user(
        db: &Db,
        who: Who<'_>,
        user_id: i64,
        action: Action,
        target: impl Into<String>,
    ) -> Result<Self, AppError> {
        match who {
            Who::Caller(caller) => Ok(Self::by(caller, action, target)),
            Who::CommandLine => {
                let (account_pk, root_pk, _) = db::user_store::identity(db, user_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                Ok(Self::command_line(account_pk, root_pk, action, target))
            }
        }
    }

    /// A new top-level account: filled in by the database once the account exists (see
    /// [`Event::in_new_account`]).
    pub fn sign_up(via: &'static str) -> Self {
        Self {
            account_pk: 0,
            root_pk: 0,
            actor_user_id: None,
            actor: String::new(),
            via,
            key_id: None,
            acting_from: None,
            action: Action::SignUp,
            target: String::new(),
            request: current_request(),
            notice: None,
        }
    }

    /// The server's command line acting on `account_pk`.
    pub fn command_line(
        account_pk: i64,
        root_pk: i64,
        action: Action,
        target: impl Into<String>,
    ) -> Self {
        Self {
            account_pk,
            root_pk,
            actor_user_id: None,
            actor: "command line".to_owned(),
            via: "cli",
            key_id: None,
            acting_from: None,
            action,
            target: bounded(target.into()),
            request: current_request(),
            notice: None,
        }
    }
}

/// `session`, or `vobiz/account-credentials` for a request through a compatible API.
fn via_label(dialect: &'static str, method: &'static str) -> &'static str {
    match (dialect, method) {
        ("vobiz", "account-credentials") => "vobiz/account-credentials",
        ("vobiz", "token") => "vobiz/token",
        ("gcore", "token") => "gcore/token",
        ("gcore", "account-credentials") => "gcore/account-credentials",
        ("ovh", _) => "ovh/ovh-consumer-key",
        ("tencent", _) => "tencent/tencent-access-key",
        (_, method) => method,
    }
}
