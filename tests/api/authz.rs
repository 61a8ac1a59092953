//! The authorization matrix (SECURITY.md rules 17 and 18): every server function, called by
//! every kind of caller, answers exactly as expected. A server function that is registered but
//! missing from the matrix fails the test.

use std::collections::BTreeSet;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};
use steward::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    NoneRole,
    UserRole,
    Administrator,
    Holder,
    OtherAccountAdmin,
}

const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::NoneRole,
    Who::UserRole,
    Who::Administrator,
    Who::Holder,
    Who::OtherAccountAdmin,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Unauthenticated,
    Forbidden,
    NotFound,
    Invalid,
    LoginFailed,
}

fn outcome(result: &Result<serde_json::Value, AppError>) -> Expect {
    match result {
        Ok(_) => Expect::Ok,
        Err(AppError::Unauthenticated) => Expect::Unauthenticated,
        Err(AppError::Forbidden) => Expect::Forbidden,
        Err(AppError::NotFound) => Expect::NotFound,
        Err(AppError::Invalid(_)) => Expect::Invalid,
        Err(AppError::LoginFailed) => Expect::LoginFailed,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

/// Who may read user management: any logged-in user of the account.
fn reader(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        _ => Expect::Ok,
    }
}

/// A write on an object of account A: Administrators of A only; another account finds nothing.
fn admin_on_target(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::NoneRole | Who::UserRole => Expect::Forbidden,
        Who::Administrator | Who::Holder => Expect::Ok,
        Who::OtherAccountAdmin => Expect::NotFound,
    }
}

/// A write that creates something in the caller's own account.
fn admin_creates(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::NoneRole | Who::UserRole => Expect::Forbidden,
        _ => Expect::Ok,
    }
}

/// A mail-sending write for Administrators, refused plainly where mail is off (as here).
fn admin_mail_off(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::NoneRole | Who::UserRole => Expect::Forbidden,
        _ => Expect::Invalid,
    }
}

/// A write on an object of account A that does not apply to it (no pending invitation).
fn admin_on_target_invalid(who: Who) -> Expect {
    match admin_on_target(who) {
        Expect::Ok => Expect::Invalid,
        other => other,
    }
}

/// A request with wrong inputs from any logged-in user.
fn signed_in_invalid(who: Who) -> Expect {
    if who == Who::Anonymous {
        Expect::Unauthenticated
    } else {
        Expect::Invalid
    }
}

/// A request about something the caller does not have (another user's, or nothing at all).
fn signed_in_not_found(who: Who) -> Expect {
    if who == Who::Anonymous {
        Expect::Unauthenticated
    } else {
        Expect::NotFound
    }
}

/// Reading one object of account A.
fn reader_of_target(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::OtherAccountAdmin => Expect::NotFound,
        _ => Expect::Ok,
    }
}

struct World {
    app: TestApp,
    account: String,
    holder: Browser,
    callers: Vec<(Who, Browser)>,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Matrix A")).await;
    let none = app.user_in(&holder, &account, "nina", "UNPRIVILEGED").await;
    let user = app.user_in(&holder, &account, "ulla", "DEFAULT").await;
    let admin = app.user_in(&holder, &account, "adam", "ADMIN").await;
    let (other, _) = app.signed_up(&unique("Matrix B")).await;
    let holder_again = app.browser();
    holder_again
        .call("login", &[("account_id", &account), ("password", PASSWORD)])
        .await
        .expect("holder logs in");
    let callers = vec![
        (Who::Anonymous, app.browser()),
        (Who::NoneRole, none),
        (Who::UserRole, user),
        (Who::Administrator, admin),
        (Who::Holder, holder_again),
        (Who::OtherAccountAdmin, other),
    ];
    World {
        app,
        account,
        holder,
        callers,
    }
}

#[tokio::test]
async fn every_server_function_authorizes_every_kind_of_caller() {
    let w = world().await;
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();

    // Each case: endpoint, who expects what, and the form (fresh per call where it destroys).
    let cases: Vec<Case> = vec![
        ("whoami", |_| Expect::Ok, Box::new(|_| vec![])),
        ("signup_open", |_| Expect::Ok, Box::new(|_| vec![])),
        ("recovery_by_mail", |_| Expect::Ok, Box::new(|_| vec![])),
        (
            // Mail is off here: a plain refusal beside the field, for anyone.
            "request_password_reset",
            |_| Expect::Invalid,
            Box::new(|_| form(&[("login_id", "0000-000-00")])),
        ),
        (
            "password_reset_link",
            |_| Expect::Ok,
            Box::new(|_| form(&[("token", "not-a-token")])),
        ),
        (
            "complete_password_reset",
            |_| Expect::Invalid,
            Box::new(|_| {
                form(&[
                    ("token", "not-a-token"),
                    ("new_password", "Harbor-Quill-Meadow-77"),
                    ("confirm_password", "Harbor-Quill-Meadow-77"),
                ])
            }),
        ),
        ("list_mail", admin_creates, Box::new(|_| vec![])),
        ("email_status", reader, Box::new(|_| vec![])),
        (
            // Mail is off here: nothing to send, said plainly to anyone signed in.
            "send_email_verification",
            signed_in_invalid,
            Box::new(|_| vec![]),
        ),
        (
            "email_verification_link",
            |_| Expect::Ok,
            Box::new(|_| form(&[("token", "not-a-token")])),
        ),
        (
            "verify_email",
            |_| Expect::Invalid,
            Box::new(|_| form(&[("token", "not-a-token")])),
        ),
        (
            "check_password",
            |_| Expect::Ok,
            Box::new(|_| form(&[("password", "x"), ("context", "")])),
        ),
        (
            "signup",
            |_| Expect::Invalid,
            Box::new(|_| form(&[("company", ""), ("email", "x"), ("password", "x")])),
        ),
        (
            "login",
            |_| Expect::LoginFailed,
            Box::new(|_| form(&[("account_id", "0000-000-00"), ("password", "x")])),
        ),
        (
            "list_users",
            reader,
            Box::new(|_| {
                form(&[
                    ("query[q]", ""),
                    ("query[page]", "1"),
                    ("query[per_page]", "25"),
                ])
            }),
        ),
        ("list_groups", reader, Box::new(|_| vec![])),
        (
            "take_reveal",
            reader,
            Box::new(|_| form(&[("id", "0123456789abcdef0123456789abcdef")])),
        ),
        (
            "get_user",
            reader_of_target,
            Box::new(|i| form(&[("login", &format!("target{i}"))])),
        ),
        ("generate_password", admin_creates, Box::new(|_| vec![])),
        (
            "create_user",
            admin_creates,
            Box::new(|i| {
                form(&[
                    ("login", &format!("new{i}")),
                    ("email", "n@x.example"),
                    ("group", "DEFAULT"),
                    ("description", ""),
                    ("password", PASSWORD),
                ])
            }),
        ),
        (
            "create_users",
            admin_creates,
            Box::new(|i| {
                form(&[
                    ("rows[0][login]", &format!("bulk{i}")),
                    ("rows[0][email]", "b@x.example"),
                    ("rows[0][group]", "DEFAULT"),
                    ("rows[0][description]", ""),
                ])
            }),
        ),
        (
            "update_user",
            admin_on_target,
            Box::new(|i| {
                form(&[
                    ("login", &format!("target{i}")),
                    ("email", "t@x.example"),
                    ("group", "DEFAULT"),
                    ("description", "edited"),
                ])
            }),
        ),
        (
            "set_user_disabled",
            admin_on_target,
            Box::new(|i| form(&[("login", &format!("target{i}")), ("disabled", "true")])),
        ),
        (
            "reset_user_password",
            admin_on_target,
            Box::new(|i| form(&[("login", &format!("target{i}"))])),
        ),
        (
            "unlock_user",
            admin_on_target,
            Box::new(|i| form(&[("login", &format!("target{i}"))])),
        ),
        (
            "end_user_sessions",
            admin_on_target,
            Box::new(|i| form(&[("login", &format!("target{i}"))])),
        ),
        (
            "set_user_validity",
            admin_on_target,
            Box::new(|i| {
                form(&[
                    ("login", &format!("target{i}")),
                    ("valid_from", ""),
                    ("valid_until", ""),
                ])
            }),
        ),
        ("sign_in_policies", reader, Box::new(|_| vec![])),
        (
            "set_sign_in_policies",
            admin_creates,
            Box::new(|_| form(&[("inactive_days", ""), ("temp_password_days", "")])),
        ),
        ("ip_rules", admin_creates, Box::new(|_| vec![])),
        (
            "set_ip_rules",
            admin_creates,
            Box::new(|_| form(&[("default", "ACCEPT"), ("rules", "")])),
        ),
        (
            "resend_invitation",
            admin_mail_off,
            Box::new(|i| form(&[("login", &format!("target{i}"))])),
        ),
        (
            "revoke_invitation",
            admin_on_target_invalid,
            Box::new(|i| form(&[("login", &format!("target{i}"))])),
        ),
        (
            "send_sign_in_details",
            admin_mail_off,
            Box::new(|i| form(&[("login", &format!("target{i}")), ("email", "x@example.com")])),
        ),
        (
            "remove_user",
            admin_on_target,
            Box::new(|i| form(&[("login", &format!("target{i}"))])),
        ),
        (
            "create_group",
            admin_creates,
            Box::new(|i| {
                form(&[
                    ("name", &format!("group{i}")),
                    ("role", "REGULAR"),
                    ("description", ""),
                ])
            }),
        ),
        (
            "delete_group",
            admin_on_target,
            Box::new(|i| form(&[("name", &format!("custom{i}"))])),
        ),
        (
            "change_password",
            |who| {
                if who == Who::Anonymous {
                    Expect::Unauthenticated
                } else {
                    Expect::Invalid
                }
            },
            Box::new(|_| {
                form(&[
                    ("current_password", "wrong"),
                    ("new_password", "x"),
                    ("confirm_password", "y"),
                ])
            }),
        ),
        ("two_factor_status", reader, Box::new(|_| vec![])),
        ("begin_two_factor", reader, Box::new(|_| vec![])),
        (
            "confirm_two_factor",
            signed_in_invalid,
            Box::new(|_| form(&[("password", "wrong"), ("code", "000000")])),
        ),
        (
            "disable_two_factor",
            signed_in_invalid,
            Box::new(|_| form(&[("password", "wrong"), ("code", "000000")])),
        ),
        (
            // Nobody here has an authenticator app with this id.
            "remove_authenticator",
            signed_in_not_found,
            Box::new(|_| form(&[("id", "999999"), ("password", "wrong"), ("code", "000000")])),
        ),
        ("list_keys", reader, Box::new(|_| vec![])),
        ("key_registration_options", reader, Box::new(|_| vec![])),
        (
            // A ceremony begun by the case above, answered with nothing a key would send.
            "add_key",
            signed_in_invalid,
            Box::new(|_| form(&[("name", "Key"), ("password", "wrong"), ("credential", "{}")])),
        ),
        (
            "remove_key",
            signed_in_not_found,
            Box::new(|_| form(&[("id", "999999"), ("password", "wrong"), ("code", "000000")])),
        ),
        // Nobody here is between the password and the second step.
        ("second_step_methods", |_| Expect::Ok, Box::new(|_| vec![])),
        (
            "login_key_options",
            |_| Expect::LoginFailed,
            Box::new(|_| vec![]),
        ),
        (
            "login_key",
            |_| Expect::LoginFailed,
            Box::new(|_| form(&[("credential", "{}")])),
        ),
        (
            "passkey_login_options",
            |_| Expect::Ok,
            Box::new(|_| vec![]),
        ),
        (
            "passkey_login",
            |_| Expect::LoginFailed,
            Box::new(|_| form(&[("credential", "{}")])),
        ),
        (
            "new_recovery_codes",
            signed_in_invalid,
            Box::new(|_| form(&[("password", "wrong"), ("code", "000000")])),
        ),
        (
            "login_code",
            |_| Expect::LoginFailed,
            Box::new(|_| form(&[("code", "000000")])),
        ),
        ("list_sessions", reader, Box::new(|_| vec![])),
        (
            "end_session",
            |who| {
                if who == Who::Anonymous {
                    Expect::Unauthenticated
                } else {
                    Expect::NotFound
                }
            },
            Box::new(|_| form(&[("id", "0123456789abcdef0123456789abcdef")])),
        ),
        ("end_other_sessions", reader, Box::new(|_| vec![])),
        // Everyone reads the log, narrowed to what their role shows (see activity.rs).
        ("list_activity", reader, Box::new(|_| vec![])),
        // Both boxes unticked: allowed, and requires nothing of anyone.
        ("set_two_factor_policy", admin_creates, Box::new(|_| vec![])),
        (
            "turn_off_user_two_factor",
            admin_on_target,
            Box::new(|i| form(&[("login", &format!("target{i}"))])),
        ),
        // Last: it ends the caller's session.
        ("logout", |_| Expect::Ok, Box::new(|_| vec![])),
    ];

    let mut n = 0;
    for (endpoint, expected, make_form) in &cases {
        covered.insert(format!("/api/{endpoint}"));
        for (who, browser) in &w.callers {
            n += 1;
            // Fresh targets in account A, so destructive calls never interfere.
            seed_target(&w, n).await;
            let fields = make_form(n);
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let got = outcome(&browser.call(endpoint, &pairs).await);
            if got != expected(*who) {
                failures.push(format!(
                    "{endpoint} as {who:?}: expected {:?}, got {got:?}",
                    expected(*who)
                ));
            }
            if *who == Who::OtherAccountAdmin {
                assert_target_untouched(&w, n).await;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );

    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    // The sub-account and credential functions are in the isolation matrix (isolation.rs).
    covered.extend(
        crate::isolation::ISOLATION_ENDPOINTS
            .iter()
            .map(|endpoint| format!("/api/{endpoint}")),
    );
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the matrix: {missing:?}"
    );
    assert_eq!(
        w.callers.iter().map(|(who, _)| *who).collect::<Vec<_>>(),
        EVERYONE
    );
}

type Form = Vec<(String, String)>;
/// An endpoint, the outcome each caller should get, and the form to send on call `n`.
type Case = (&'static str, fn(Who) -> Expect, Box<dyn Fn(usize) -> Form>);

fn form(pairs: &[(&str, &str)]) -> Form {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Account A gets user `target{n}` and custom group `custom{n}`.
async fn seed_target(w: &World, n: usize) {
    w.app.seed_users(&w.account, &format!("target{n}"), 1).await;
    let account_pk = w.app.account_pk(&w.account).await;
    let event = steward::domain::event::Event::command_line(
        account_pk,
        account_pk,
        steward::domain::event::Action::GroupCreate,
        format!("custom{n}"),
    );
    steward::server::db::group_store::insert(
        &w.app.state.db,
        &event,
        account_pk,
        &format!("custom{n}"),
        "REGULAR",
        "",
    )
    .await
    .map_err(|_| "insert group")
    .expect("custom group");
    // seed_users names the user `target{n}000`; rename it to `target{n}`.
    steward::on_db!(&w.app.state.db, |pool| {
        sqlx::query("UPDATE users SET login = $1, login_key = $1 WHERE login_key = $2")
            .bind(format!("target{n}"))
            .bind(format!("target{n}000"))
            .execute(pool)
            .await
            .map(|_| ())
    })
    .expect("rename");
}

/// What another account's administrator tried changed nothing in account A. Checked from a
/// fresh login: the matrix itself ends the holder's other sessions along the way.
async fn assert_target_untouched(w: &World, n: usize) {
    let holder = w.app.browser();
    holder
        .call(
            "login",
            &[("account_id", &w.account), ("password", PASSWORD)],
        )
        .await
        .expect("holder logs in");
    let user = holder
        .call("get_user", &[("login", &format!("target{n}"))])
        .await
        .expect("the target still exists");
    assert_eq!(
        user["status"], "OK",
        "target{n} was changed by another account"
    );
    assert_eq!(
        user["description"], "even seed",
        "target{n} was edited by another account"
    );
    let groups = holder.call("list_groups", &[]).await.expect("groups");
    assert!(
        groups
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == format!("custom{n}")),
        "custom{n} was deleted by another account"
    );
}

#[tokio::test]
async fn another_accounts_list_never_shows_this_accounts_users() {
    let w = world().await;
    let (_, other) = w
        .callers
        .iter()
        .find(|(who, _)| *who == Who::OtherAccountAdmin)
        .unwrap();
    let page = other
        .call(
            "list_users",
            &[("query[page]", "1"), ("query[per_page]", "100")],
        )
        .await
        .unwrap();
    assert_eq!(page["total"], 0);
    let own = w
        .holder
        .call(
            "list_users",
            &[("query[page]", "1"), ("query[per_page]", "100")],
        )
        .await
        .unwrap();
    assert_eq!(own["total"], 3);
}
