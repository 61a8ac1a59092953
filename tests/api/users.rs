//! User management over HTTP: adding, logging in as ACCOUNT-ID/login, editing, disabling,
//! resetting, ending sessions, removing, the list, groups, and the one-time reveals.

use serde_json::Value;
use steward::i18n::Lang;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};
use steward::error::AppError;

fn user_form<'a>(
    login: &'a str,
    email: &'a str,
    group: &'a str,
    password: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("login", login),
        ("email", email),
        ("group", group),
        ("description", "from a test"),
        ("password", password),
    ]
}

async fn holder(app: &TestApp) -> (Browser, String) {
    app.signed_up(&unique("Users Co")).await
}

async fn log_in(app: &TestApp, login_id: &str, password: &str) -> Result<Browser, AppError> {
    let browser = app.browser();
    browser
        .call("login", &[("account_id", login_id), ("password", password)])
        .await?;
    Ok(browser)
}

#[tokio::test]
async fn an_added_user_logs_in_as_account_slash_login_with_the_groups_role() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    admin
        .call(
            "create_user",
            &user_form("john.smith", "john@acme.example", "DEFAULT", PASSWORD),
        )
        .await
        .unwrap();

    let john = log_in(&app, &format!("{account}/john.smith"), PASSWORD)
        .await
        .unwrap();
    let me = john.me().await;
    assert_eq!(me["login_id"], format!("{account}/john.smith"));
    assert_eq!(me["role"], "User");
    assert_eq!(me["can_manage_users"], false);
    assert_eq!(me["is_holder"], false);
    // The login is case-insensitive, the password is not.
    assert!(
        log_in(&app, &format!("{account}/John.Smith"), PASSWORD)
            .await
            .is_ok()
    );
    assert_eq!(
        log_in(
            &app,
            &format!("{account}/john.smith"),
            &PASSWORD.to_lowercase()
        )
        .await
        .err(),
        Some(AppError::LoginFailed)
    );
}

#[tokio::test]
async fn a_login_is_taken_whatever_its_case_and_nothing_is_created_twice() {
    let app = spawn_app().await;
    let (admin, _) = holder(&app).await;
    admin
        .call(
            "create_user",
            &user_form("ops", "ops@acme.example", "DEFAULT", PASSWORD),
        )
        .await
        .unwrap();
    let err = admin
        .call(
            "create_user",
            &user_form("OPS", "other@acme.example", "ADMIN", PASSWORD),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("login", Lang::En).as_deref(),
        Some("A user with the ID OPS already exists.")
    );
    let list = admin
        .call("list_users", &[("query[q]", "ops")])
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn logins_of_32_characters_pass_and_33_or_bad_characters_are_refused() {
    let app = spawn_app().await;
    let (admin, _) = holder(&app).await;
    let ok = "a".repeat(32);
    admin
        .call(
            "create_user",
            &user_form(&ok, "a@acme.example", "DEFAULT", PASSWORD),
        )
        .await
        .unwrap();
    let long = "b".repeat(33);
    let err = admin
        .call(
            "create_user",
            &user_form(&long, "b@acme.example", "DEFAULT", PASSWORD),
        )
        .await
        .unwrap_err();
    assert!(err.for_field("login", Lang::En).unwrap().contains("32"));
    for bad in ["john smith", "jöhn", "a/b", "x@y", ""] {
        let err = admin
            .call(
                "create_user",
                &user_form(bad, "c@acme.example", "DEFAULT", PASSWORD),
            )
            .await
            .unwrap_err();
        assert!(err.for_field("login", Lang::En).is_some(), "{bad:?}");
    }
    assert_eq!(admin.call("list_users", &[]).await.unwrap()["total"], 1);
}

#[tokio::test]
async fn every_bad_field_is_reported_together() {
    let app = spawn_app().await;
    let (admin, _) = holder(&app).await;
    let err = admin
        .call(
            "create_user",
            &[
                ("login", "ok.login"),
                ("email", "nope"),
                ("group", "NO_SUCH"),
                ("description", &"d".repeat(256)),
                ("password", "password1"),
            ],
        )
        .await
        .unwrap_err();
    for field in ["email", "group", "description", "password"] {
        assert!(err.for_field(field, Lang::En).is_some(), "{field}: {err:?}");
    }
}

#[tokio::test]
async fn a_generated_password_is_revealed_once_sealed_at_rest_and_must_be_changed() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    let location = admin
        .call_for_location(
            "create_user",
            &user_form("temp.user", "t@acme.example", "DEFAULT", ""),
        )
        .await
        .unwrap();
    assert!(location.starts_with("/reveal/"), "{location}");

    // At rest the reveal is sealed: no readable password in the table.
    let sealed: Vec<Vec<u8>> = steward::on_db!(&app.state.db, |pool| sqlx::query_scalar(
        "SELECT sealed FROM reveals"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!(sealed.len(), 1);

    // Another user of the same account cannot take it.
    let other_admin = app.user_in(&admin, &account, "other.admin", "ADMIN").await;
    assert_eq!(other_admin.take_reveal(&location).await, Value::Null);

    let revealed = admin.take_reveal(&location).await;
    let credential = &revealed["NewUsers"]["created"][0];
    assert_eq!(credential["login_id"], format!("{account}/temp.user"));
    let password = credential["password"].as_str().unwrap().to_owned();
    assert!(
        !sealed[0]
            .windows(password.len())
            .any(|w| w == password.as_bytes())
    );
    // Shown once: a second request finds nothing.
    assert_eq!(admin.take_reveal(&location).await, Value::Null);

    let user = log_in(&app, &format!("{account}/temp.user"), &password)
        .await
        .unwrap();
    assert_eq!(user.me().await["must_change_password"], true);
    // Nothing else opens before the password is changed.
    assert_eq!(
        user.call("list_users", &[]).await.unwrap_err(),
        AppError::PasswordChangeRequired
    );
    let weak = user
        .call(
            "change_password",
            &[
                ("current_password", &password),
                ("new_password", "password1"),
                ("confirm_password", "password1"),
            ],
        )
        .await
        .unwrap_err();
    assert!(weak.for_field("new_password", Lang::En).is_some());
    user.call(
        "change_password",
        &[
            ("current_password", &password),
            ("new_password", "Brisk-Lantern-Harbor-77"),
            ("confirm_password", "Brisk-Lantern-Harbor-77"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(user.me().await["must_change_password"], false);
    assert!(user.call("list_users", &[]).await.is_ok());
    assert!(
        log_in(&app, &format!("{account}/temp.user"), &password)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn require_change_at_next_login_forces_a_new_password() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    let mut form = user_form("fresh", "f@acme.example", "DEFAULT", PASSWORD);
    form.push(("require_change", "on"));
    admin.call("create_user", &form).await.unwrap();
    let user = log_in(&app, &format!("{account}/fresh"), PASSWORD)
        .await
        .unwrap();
    assert_eq!(user.me().await["must_change_password"], true);
    let list = admin.call("list_users", &[]).await.unwrap();
    assert_eq!(list["users"][0]["status"], "PASSWORD_CHANGE_REQUIRED");
}

#[tokio::test]
async fn several_users_at_once_report_each_row_and_reveal_the_created_ones_once() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    admin
        .call(
            "create_user",
            &user_form("taken", "t@acme.example", "DEFAULT", PASSWORD),
        )
        .await
        .unwrap();
    let form = [
        ("rows[0][login]", "alice"),
        ("rows[0][email]", "alice@acme.example"),
        ("rows[0][group]", "ADMIN"),
        ("rows[0][description]", "lead"),
        ("rows[1][login]", "bob"),
        ("rows[1][email]", "not-an-email"),
        ("rows[1][group]", "DEFAULT"),
        ("rows[1][description]", ""),
        ("rows[2][login]", ""),
        ("rows[2][email]", ""),
        ("rows[2][group]", "DEFAULT"),
        ("rows[2][description]", ""),
        ("rows[3][login]", "Taken"),
        ("rows[3][email]", "x@acme.example"),
        ("rows[3][group]", "DEFAULT"),
        ("rows[3][description]", ""),
        ("rows[4][login]", "carol"),
        ("rows[4][email]", "carol@acme.example"),
        ("rows[4][group]", "UNPRIVILEGED"),
        ("rows[4][description]", ""),
    ];
    let location = admin
        .call_for_location("create_users", &form)
        .await
        .unwrap();
    let revealed = admin.take_reveal(&location).await;
    let created: Vec<&str> = revealed["NewUsers"]["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["login_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        created,
        [format!("{account}/alice"), format!("{account}/carol")]
    );
    let refused = revealed["NewUsers"]["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2);
    // Each reason is a message key, translated where it is shown.
    let reason = |i: usize| {
        let login = refused[i]["login"].as_str().unwrap();
        let key = refused[i]["reason"].as_str().unwrap();
        Lang::En.tf(key, &[("login", login)])
    };
    assert_eq!(refused[0]["row"], 2);
    assert!(reason(0).contains("e-mail"), "{}", reason(0));
    assert_eq!(refused[1]["row"], 4);
    assert!(reason(1).contains("already exists"), "{}", reason(1));
    assert!(
        Lang::Fr
            .tf(refused[1]["reason"].as_str().unwrap(), &[])
            .contains("existe déjà")
    );
    assert_eq!(admin.take_reveal(&location).await, Value::Null);

    // Each created user logs in with their generated password and must change it.
    let alice_password = revealed["NewUsers"]["created"][0]["password"]
        .as_str()
        .unwrap();
    let alice = log_in(&app, &format!("{account}/alice"), alice_password)
        .await
        .unwrap();
    assert_eq!(alice.me().await["must_change_password"], true);
    assert_eq!(alice.me().await["role"], "Administrator");
}

#[tokio::test]
async fn more_than_ten_rows_or_none_at_all_are_refused() {
    let app = spawn_app().await;
    let (admin, _) = holder(&app).await;
    let names: Vec<(String, String)> = (0..11)
        .flat_map(|i| {
            [
                (format!("rows[{i}][login]"), format!("u{i}")),
                (format!("rows[{i}][email]"), format!("u{i}@acme.example")),
            ]
        })
        .collect();
    let form: Vec<(&str, &str)> = names
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let err = admin.call("create_users", &form).await.unwrap_err();
    assert!(
        err.for_field("form", Lang::En)
            .unwrap()
            .contains("at most 10")
    );
    let err = admin
        .call("create_users", &[("rows[0][login]", "")])
        .await
        .unwrap_err();
    assert!(err.for_field("form", Lang::En).is_some());
    assert_eq!(admin.call("list_users", &[]).await.unwrap()["total"], 0);
}

#[tokio::test]
async fn disabling_logs_the_user_out_at_once_and_enabling_lets_them_back() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    let worker = app.user_in(&admin, &account, "worker", "DEFAULT").await;
    admin
        .call(
            "set_user_disabled",
            &[("login", "worker"), ("disabled", "true")],
        )
        .await
        .unwrap();
    assert_eq!(worker.me().await, Value::Null, "the open session ends");
    assert_eq!(
        log_in(&app, &format!("{account}/worker"), PASSWORD)
            .await
            .err(),
        Some(AppError::LoginFailed)
    );
    assert_eq!(
        admin
            .call("get_user", &[("login", "worker")])
            .await
            .unwrap()["status"],
        "DISABLED"
    );

    admin
        .call(
            "set_user_disabled",
            &[("login", "worker"), ("disabled", "false")],
        )
        .await
        .unwrap();
    assert!(
        log_in(&app, &format!("{account}/worker"), PASSWORD)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn changing_a_privilege_ends_that_users_sessions_and_grants_the_new_rights() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    let worker = app
        .user_in(&admin, &account, "promoted", "UNPRIVILEGED")
        .await;
    assert_eq!(
        worker.call("generate_password", &[]).await.unwrap_err(),
        AppError::Forbidden
    );
    admin
        .call(
            "update_user",
            &[
                ("login", "promoted"),
                ("email", "new@acme.example"),
                ("group", "ADMIN"),
                ("description", "now admin"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(worker.me().await, Value::Null);
    let again = log_in(&app, &format!("{account}/promoted"), PASSWORD)
        .await
        .unwrap();
    assert_eq!(again.me().await["role"], "Administrator");
    let user = admin
        .call("get_user", &[("login", "promoted")])
        .await
        .unwrap();
    assert_eq!(user["email"], "new@acme.example");
    assert_eq!(user["description"], "now admin");
    assert_eq!(user["group"], "ADMIN");

    // Editing only the e-mail keeps the sessions.
    admin
        .call(
            "update_user",
            &[
                ("login", "promoted"),
                ("email", "newer@acme.example"),
                ("group", "ADMIN"),
                ("description", "now admin"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(again.me().await["email"], "newer@acme.example");
}

#[tokio::test]
async fn a_password_reset_reveals_a_temporary_password_once_and_ends_sessions() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    let worker = app.user_in(&admin, &account, "forgetful", "DEFAULT").await;
    let location = admin
        .call_for_location("reset_user_password", &[("login", "forgetful")])
        .await
        .unwrap();
    assert_eq!(worker.me().await, Value::Null);
    let revealed = admin.take_reveal(&location).await;
    let temporary = revealed["PasswordReset"]["credential"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(admin.take_reveal(&location).await, Value::Null);
    assert!(
        log_in(&app, &format!("{account}/forgetful"), PASSWORD)
            .await
            .is_err()
    );
    let back = log_in(&app, &format!("{account}/forgetful"), &temporary)
        .await
        .unwrap();
    assert_eq!(back.me().await["must_change_password"], true);
}

#[tokio::test]
async fn ending_sessions_and_removing_log_the_user_out() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    let worker = app.user_in(&admin, &account, "leaver", "DEFAULT").await;
    admin
        .call("end_user_sessions", &[("login", "leaver")])
        .await
        .unwrap();
    assert_eq!(worker.me().await, Value::Null);

    let worker = log_in(&app, &format!("{account}/leaver"), PASSWORD)
        .await
        .unwrap();
    admin
        .call("remove_user", &[("login", "leaver")])
        .await
        .unwrap();
    assert_eq!(worker.me().await, Value::Null);
    assert_eq!(
        log_in(&app, &format!("{account}/leaver"), PASSWORD)
            .await
            .err(),
        Some(AppError::LoginFailed)
    );
    assert_eq!(
        admin
            .call("get_user", &[("login", "leaver")])
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        admin
            .call("remove_user", &[("login", "leaver")])
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(admin.call("list_users", &[]).await.unwrap()["total"], 0);
    app.assert_user_counts_exact().await;
}

#[tokio::test]
async fn nobody_disables_removes_or_changes_the_privilege_of_themselves() {
    let app = spawn_app().await;
    let (holder, account) = holder(&app).await;
    let admin = app.user_in(&holder, &account, "self.admin", "ADMIN").await;
    for (endpoint, extra) in [
        ("set_user_disabled", Some(("disabled", "true"))),
        ("remove_user", None),
        ("reset_user_password", None),
        ("end_user_sessions", None),
    ] {
        let mut form = vec![("login", "self.admin")];
        form.extend(extra);
        let err = admin.call(endpoint, &form).await.unwrap_err();
        assert!(
            err.for_field("form", Lang::En).is_some(),
            "{endpoint}: {err:?}"
        );
    }
    let err = admin
        .call(
            "update_user",
            &[
                ("login", "self.admin"),
                ("email", "s@acme.example"),
                ("group", "DEFAULT"),
                ("description", ""),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("group", Lang::En).as_deref(),
        Some("You cannot change your own privilege.")
    );
    assert_eq!(admin.me().await["role"], "Administrator");
    // Their own e-mail and description they may change.
    admin
        .call(
            "update_user",
            &[
                ("login", "self.admin"),
                ("email", "s@acme.example"),
                ("group", "ADMIN"),
                ("description", "me"),
            ],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_account_holder_cannot_be_reached_through_user_management() {
    let app = spawn_app().await;
    let (holder, account) = holder(&app).await;
    let admin = app.user_in(&holder, &account, "deputy", "ADMIN").await;
    // The holder has no login; nothing addresses them.
    for login in ["", account.as_str(), "null"] {
        assert_eq!(
            admin
                .call("remove_user", &[("login", login)])
                .await
                .unwrap_err(),
            AppError::NotFound,
            "{login}"
        );
        assert_eq!(
            admin
                .call(
                    "set_user_disabled",
                    &[("login", login), ("disabled", "true")]
                )
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    }
    assert!(log_in(&app, &account, PASSWORD).await.is_ok());
    let list = admin.call("list_users", &[]).await.unwrap();
    assert_eq!(list["total"], 1, "the holder is not in the list");
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages_on_the_server() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    app.seed_users(&account, "seed", 60).await;
    app.user_in(&admin, &account, "zed.admin", "ADMIN").await;
    admin
        .call(
            "set_user_disabled",
            &[("login", "seed007"), ("disabled", "true")],
        )
        .await
        .unwrap();

    let page = |pairs: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.call("list_users", &form).await.unwrap()
        }
    };
    let logins = |v: &Value| {
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["login"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    let first = page(vec![]).await;
    assert_eq!(first["total"], 61);
    assert_eq!(first["pages"], 3);
    assert_eq!(logins(&first).len(), 25);
    assert_eq!(logins(&first)[0], "seed000");

    let third = page(vec![("query[page]", "3".into())]).await;
    assert_eq!(logins(&third).len(), 11);
    assert_eq!(logins(&third).last().unwrap(), "zed.admin");

    let fifty = page(vec![("query[per_page]", "50".into())]).await;
    assert_eq!(logins(&fifty).len(), 50);
    let odd_size = page(vec![("query[per_page]", "7".into())]).await;
    assert_eq!(odd_size["per_page"], 25, "only 25, 50 and 100 are offered");

    let desc = page(vec![
        ("query[sort]", "login".into()),
        ("query[dir]", "desc".into()),
    ])
    .await;
    assert_eq!(logins(&desc)[0], "zed.admin");

    assert_eq!(page(vec![("query[q]", "SEED01".into())]).await["total"], 10);
    assert_eq!(
        page(vec![("query[q]", "odd seed".into())]).await["total"],
        30
    );
    assert_eq!(
        page(vec![("query[q]", "seed.example".into())]).await["total"],
        60
    );
    // LIKE wildcards are searched for literally.
    assert_eq!(page(vec![("query[q]", "%".into())]).await["total"], 0);
    assert_eq!(
        page(vec![("query[group]", "ADMIN".into())]).await["total"],
        1
    );
    assert_eq!(
        page(vec![("query[group]", "nonexistent".into())]).await["total"],
        0
    );
    assert_eq!(
        page(vec![("query[status]", "DISABLED".into())]).await["total"],
        1
    );
    assert_eq!(
        page(vec![("query[status]", "OK".into())]).await["total"],
        60
    );
    let by_status = page(vec![
        ("query[sort]", "status".into()),
        ("query[dir]", "desc".into()),
    ])
    .await;
    assert_eq!(logins(&by_status)[0], "seed007");
    app.assert_user_counts_exact().await;
}

#[tokio::test]
async fn custom_groups_are_added_named_uniquely_and_deleted_only_when_empty() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    admin
        .call(
            "create_group",
            &[
                ("name", "support"),
                ("role", "UNPRIVILEGED"),
                ("description", "Helpdesk"),
            ],
        )
        .await
        .unwrap();
    let dup = admin
        .call(
            "create_group",
            &[("name", "SUPPORT"), ("role", "ADMIN"), ("description", "")],
        )
        .await
        .unwrap_err();
    assert!(dup.for_field("name", Lang::En).is_some());
    let bad = admin
        .call(
            "create_group",
            &[("name", "bad name"), ("role", "ROOT"), ("description", "")],
        )
        .await
        .unwrap_err();
    assert!(bad.for_field("name", Lang::En).is_some() && bad.for_field("role", Lang::En).is_some());

    let helper = app.user_in(&admin, &account, "helper", "support").await;
    assert_eq!(helper.me().await["role"], "None");
    // Sizes follow users in and out of a group, and from one group to another.
    let sizes = || async {
        let groups = admin.call("list_groups", &[]).await.unwrap();
        groups
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["name"].as_str().unwrap().to_owned(),
                    g["members"].as_i64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let named = |pairs: &[(&str, i64)]| {
        pairs
            .iter()
            .map(|(n, c)| ((*n).to_owned(), *c))
            .collect::<Vec<_>>()
    };
    app.user_in(&admin, &account, "mover", "DEFAULT").await;
    assert_eq!(
        sizes().await,
        named(&[
            ("ADMIN", 0),
            ("DEFAULT", 1),
            ("UNPRIVILEGED", 0),
            ("support", 1)
        ]),
        "the holder is not counted"
    );
    let move_to = |group: &'static str| {
        let admin = &admin;
        async move {
            admin
                .call(
                    "update_user",
                    &[
                        ("login", "mover"),
                        ("email", "mover@acme.example"),
                        ("group", group),
                        ("description", ""),
                    ],
                )
                .await
                .unwrap();
        }
    };
    move_to("support").await;
    assert_eq!(
        sizes().await,
        named(&[
            ("ADMIN", 0),
            ("DEFAULT", 0),
            ("UNPRIVILEGED", 0),
            ("support", 2)
        ])
    );
    move_to("ADMIN").await;
    admin
        .call("remove_user", &[("login", "mover")])
        .await
        .unwrap();
    assert_eq!(
        sizes().await,
        named(&[
            ("ADMIN", 0),
            ("DEFAULT", 0),
            ("UNPRIVILEGED", 0),
            ("support", 1)
        ])
    );
    app.assert_user_counts_exact().await;
    let in_use = admin
        .call("delete_group", &[("name", "support")])
        .await
        .unwrap_err();
    assert!(
        in_use
            .for_field("form", Lang::En)
            .unwrap()
            .contains("Move this group's users")
    );
    let built_in = admin
        .call("delete_group", &[("name", "ADMIN")])
        .await
        .unwrap_err();
    assert!(
        built_in
            .for_field("form", Lang::En)
            .unwrap()
            .contains("Built-in")
    );

    admin
        .call("remove_user", &[("login", "helper")])
        .await
        .unwrap();
    admin
        .call("delete_group", &[("name", "support")])
        .await
        .unwrap();
    let groups = admin.call("list_groups", &[]).await.unwrap();
    let names: Vec<&str> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ADMIN", "DEFAULT", "UNPRIVILEGED"]);
}

#[tokio::test]
async fn changing_ones_own_password_keeps_this_session_and_ends_the_others() {
    let app = spawn_app().await;
    let (first, account) = holder(&app).await;
    let second = log_in(&app, &account, PASSWORD).await.unwrap();
    let before = first.cookie_header().unwrap();
    first
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Quiet-Meadow-Falcon-19"),
                ("confirm_password", "Quiet-Meadow-Falcon-19"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        first.me().await["account_id"],
        account,
        "this session continues"
    );
    assert_ne!(first.cookie_header().unwrap(), before, "under a new id");
    assert_eq!(second.me().await, Value::Null, "the other session ends");
    let wrong = first
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Other-Meadow-Falcon-20"),
                ("confirm_password", "Mismatch-Falcon-20"),
            ],
        )
        .await
        .unwrap_err();
    assert!(wrong.for_field("current_password", Lang::En).is_some());
    assert!(wrong.for_field("confirm_password", Lang::En).is_some());
}

#[tokio::test]
async fn without_javascript_the_user_page_renders_the_table_and_admin_controls_only_for_admins() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    let reader = app
        .user_in(&admin, &account, "reader", "UNPRIVILEGED")
        .await;
    let admin_page = admin.get("/users").await.text().await.unwrap();
    assert!(admin_page.contains(&format!("{account}/reader")));
    assert!(admin_page.contains("Add a user"));
    assert!(admin_page.contains("Actions for reader"));
    let reader_page = reader.get("/users").await.text().await.unwrap();
    assert!(reader_page.contains(&format!("{account}/reader")));
    assert!(!reader_page.contains("Add a user"));
    assert!(!reader_page.contains("Actions for"));
}

#[tokio::test]
async fn a_server_rendered_page_is_built_once_so_a_reveal_shows_its_secret_on_first_load() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    for i in 0..5 {
        let login = format!("shown{i}");
        let location = admin
            .call_for_location(
                "create_user",
                &user_form(&login, "s@acme.example", "DEFAULT", ""),
            )
            .await
            .unwrap();
        // The page a browser without JavaScript loads: the credentials must be on it.
        let page = admin.get(&location).await.text().await.unwrap();
        assert!(
            page.contains(&format!("{account}/{login}")),
            "load {i}: the reveal was spent before rendering"
        );
        assert!(!page.contains("No longer available"), "load {i}");
        let again = admin.get(&location).await.text().await.unwrap();
        assert!(again.contains("No longer available"));
    }
    for i in 0..5 {
        let page = admin.get("/security").await.text().await.unwrap();
        assert!(
            !page.contains("Internal"),
            "load {i}: a page's data was loaded outside its request"
        );
    }
}

#[tokio::test]
async fn a_login_sent_with_a_trailing_carriage_return_redirects_to_the_clean_login() {
    let app = spawn_app().await;
    let (admin, account) = holder(&app).await;
    app.user_in(&admin, &account, "john.smith", "DEFAULT").await;
    app.user_in(&admin, &account, "jane.doe", "DEFAULT").await;
    let edit = |login: &'static str, email: &'static str| {
        vec![
            ("login", login),
            ("email", email),
            ("group", "DEFAULT"),
            ("description", ""),
        ]
    };

    // Hydrated: the change is made and the page is sent to the parsed login.
    let location = admin
        .call_for_location("update_user", &edit("john.smith\r", "first@acme.example"))
        .await
        .unwrap();
    assert_eq!(location, "/users?updated=john.smith");
    let user = admin
        .call("get_user", &[("login", "john.smith")])
        .await
        .unwrap();
    assert_eq!(user["email"], "first@acme.example");

    // Without JavaScript: a plain redirect to the same clean address.
    let response = admin
        .post_form(
            "update_user",
            "/users/edit?login=john.smith",
            &edit("john.smith\r", "second@acme.example"),
        )
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/users?updated=john.smith");
    let user = admin
        .call("get_user", &[("login", "john.smith")])
        .await
        .unwrap();
    assert_eq!(user["email"], "second@acme.example");

    let response = admin
        .post_form("remove_user", "/users", &[("login", "jane.doe\r")])
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/users?removed=jane.doe");
    assert_eq!(
        admin
            .call("get_user", &[("login", "jane.doe")])
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    let location = admin
        .call_for_location("remove_user", &[("login", "\tjohn.smith\r")])
        .await
        .unwrap();
    assert_eq!(location, "/users?removed=john.smith");
    app.assert_user_counts_exact().await;
}

#[tokio::test]
async fn the_users_page_shows_a_notice_only_for_a_login_it_could_have_made() {
    let app = spawn_app().await;
    let (admin, _) = holder(&app).await;
    let page = admin
        .get("/users?updated=john.smith")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("john.smith"), "a real notice is shown");
    let page = admin
        .get("/users?updated=Call%20%2B1%20555%200100%20now")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("555 0100"), "attacker text is not shown");
}
