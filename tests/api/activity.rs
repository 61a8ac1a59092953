//! The activity log: each action leaves exactly one event, with the right actor and target, in
//! the transaction of its change; a refused action leaves its failure and no change; readers see
//! what their role allows; the filters, pages and CSV agree; old events are pruned.

use serde_json::Value;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};
use steward::error::AppError;
use steward::i18n::Lang;
use steward::server::db::activity_store::Narrowing;
use steward::server::db::activity_store::Scope;

/// One stored event, as the tests read it straight from the table.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Stored {
    account_id: i64,
    actor_user_id: Option<i64>,
    actor: String,
    via: String,
    key_id: Option<String>,
    acting_from: Option<String>,
    action: String,
    target: String,
    result: String,
    detail: String,
    ip: String,
}

async fn events(app: &TestApp) -> Vec<Stored> {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as(
            "SELECT account_id, actor_user_id, actor, via, key_id, acting_from, action, target,
                    result, detail, ip
             FROM activity ORDER BY id",
        )
        .fetch_all(pool)
        .await
    })
    .expect("events")
}

async fn events_of(app: &TestApp, action: &str) -> Vec<Stored> {
    events(app)
        .await
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

async fn count(app: &TestApp, table_sql: &str) -> i64 {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar(table_sql).fetch_one(pool).await
    })
    .expect("count")
}

fn user_form<'a>(login: &'a str, group: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("login", login),
        ("email", "someone@example.com"),
        ("group", group),
        ("description", ""),
        ("password", PASSWORD),
    ]
}

async fn list(browser: &Browser, filter: &[(&str, &str)]) -> Result<Value, AppError> {
    let form: Vec<(String, String)> = filter
        .iter()
        .map(|(k, v)| (format!("query[{k}]"), (*v).to_owned()))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.call("list_activity", &form).await
}

fn actions_of(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect()
}

#[tokio::test]
async fn each_user_management_action_leaves_exactly_one_event_with_its_actor_and_target() {
    let app = spawn_app().await;
    let (admin, account) = app.signed_up(&unique("Audit Co")).await;
    let steps: [(&str, Vec<(&str, &str)>); 8] = [
        ("create_user", user_form("john.smith", "DEFAULT")),
        (
            "update_user",
            vec![
                ("login", "john.smith"),
                ("email", "john@example.com"),
                ("group", "ADMIN"),
                ("description", "now an admin"),
            ],
        ),
        (
            "set_user_disabled",
            vec![("login", "john.smith"), ("disabled", "true")],
        ),
        (
            "set_user_disabled",
            vec![("login", "john.smith"), ("disabled", "false")],
        ),
        ("end_user_sessions", vec![("login", "john.smith")]),
        (
            "create_group",
            vec![
                ("name", "auditors"),
                ("role", "UNPRIVILEGED"),
                ("description", ""),
            ],
        ),
        ("delete_group", vec![("name", "auditors")]),
        ("remove_user", vec![("login", "john.smith")]),
    ];
    for (endpoint, form) in &steps {
        admin
            .call(endpoint, form)
            .await
            .unwrap_or_else(|e| panic!("{endpoint}: {e:?}"));
    }
    let expected = [
        ("account.sign_up", account.as_str()),
        ("user.create", "john.smith"),
        ("user.update", "john.smith"),
        ("user.disable", "john.smith"),
        ("user.enable", "john.smith"),
        ("session.end_others", "john.smith"),
        ("group.create", "auditors"),
        ("group.delete", "auditors"),
        ("user.delete", "john.smith"),
    ];
    let account_pk = app.account_pk(&account).await;
    let all = events(&app).await;
    let holder_id = all[0].actor_user_id;
    assert!(holder_id.is_some());
    // The sign-up's login is not an event of its own: the holder starts logged in.
    assert_eq!(all.len(), expected.len(), "{all:#?}");
    for ((action, target), event) in expected.iter().zip(&all) {
        assert_eq!(&event.action, action);
        assert_eq!(&event.target, target);
        assert_eq!(event.actor, account, "{action}");
        assert_eq!(event.account_id, account_pk, "{action}");
        assert_eq!(event.actor_user_id, holder_id, "{action}");
        assert_eq!(event.result, "success", "{action}");
        assert_eq!(event.via, "session", "{action}");
        assert_eq!(event.acting_from, None);
        assert_eq!(event.ip, "127.0.0.1", "{action}");
    }
}

#[tokio::test]
async fn a_refused_action_leaves_its_failure_event_and_changes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Refusals")).await;
    admin
        .call("create_user", &user_form("taken", "DEFAULT"))
        .await
        .unwrap();
    let users_before = count(&app, "SELECT COUNT(*) FROM users").await;

    let err = admin
        .call("create_user", &user_form("Taken", "DEFAULT"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)));
    let err = admin
        .call("remove_user", &[("login", "nobody")])
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotFound);

    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users").await,
        users_before
    );
    let creations = events_of(&app, "user.create").await;
    assert_eq!(creations.len(), 2);
    assert_eq!(creations[0].result, "success");
    assert_eq!(creations[1].result, "failure");
    assert_eq!(creations[1].target, "Taken");
    assert_eq!(creations[1].detail, "invalid: login");
    let removals = events_of(&app, "user.delete").await;
    assert_eq!(removals.len(), 1);
    assert_eq!(removals[0].result, "failure");
    assert_eq!(removals[0].detail, "not found");
}

#[tokio::test]
async fn logins_are_recorded_as_they_went_without_the_password() {
    let app = spawn_app().await;
    let (admin, account) = app.signed_up(&unique("Logins")).await;
    let _john = app.user_in(&admin, &account, "john", "DEFAULT").await;
    let wrong = "Wrong-Horse-Battery-99";
    for login_id in [format!("{account}/john"), format!("{account}/ghost")] {
        let err = app
            .browser()
            .call("login", &[("account_id", &login_id), ("password", wrong)])
            .await
            .unwrap_err();
        assert_eq!(err, AppError::LoginFailed);
    }
    // A malformed ID names no account: nothing to record it in.
    let _ = app
        .browser()
        .call("login", &[("account_id", wrong), ("password", wrong)])
        .await;

    let logins = events_of(&app, "login").await;
    let summary: Vec<(&str, &str, &str)> = logins
        .iter()
        .map(|e| (e.target.as_str(), e.result.as_str(), e.detail.as_str()))
        .collect();
    let john = format!("{account}/john");
    let ghost = format!("{account}/ghost");
    assert_eq!(
        summary,
        [
            (john.as_str(), "success", ""),
            (john.as_str(), "failure", "wrong password"),
            (ghost.as_str(), "failure", "unknown user"),
        ]
    );
    assert!(logins[0].actor_user_id.is_some());
    assert_eq!(logins[2].actor_user_id, None);
    assert!(logins.iter().all(|e| e.via == "password"));
    let text = format!("{:?}", events(&app).await);
    assert!(!text.contains(wrong) && !text.contains(PASSWORD));
}

#[tokio::test]
async fn administrators_see_the_account_and_its_sub_accounts_and_others_only_themselves() {
    let app = spawn_app().await;
    let (admin, account) = app.signed_up(&unique("Scopes")).await;
    let reader = app
        .user_in(&admin, &account, "reader", "UNPRIVILEGED")
        .await;
    let (stranger, _) = app.signed_up(&unique("Strangers")).await;
    admin
        .call_for_location(
            "create_sub_account",
            &[
                ("form[name]", "Scoped Sub"),
                ("form[description]", ""),
                ("form[email]", ""),
                ("form[phone]", ""),
                ("form[rate_limit]", ""),
                ("form[kyc_mode]", ""),
                ("form[business_type]", ""),
                ("form[password]", ""),
                ("form[enabled]", "on"),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let sub_pk: i64 = count(&app, "SELECT id FROM accounts WHERE company = 'Scoped Sub'").await;
    admin
        .call("manage_sub_account", &[("id", &sub_pk.to_string())])
        .await
        .unwrap();
    admin
        .call("create_user", &user_form("inside", "DEFAULT"))
        .await
        .unwrap();

    let everything = list(&admin, &[]).await.unwrap();
    // Acting in the sub-account, the administrator reads that account's log.
    assert_eq!(actions_of(&everything), ["user.create"]);
    let inside = &everything["events"][0];
    assert_eq!(inside["acting_from"], account.as_str());
    admin.call("stop_managing_sub_account", &[]).await.unwrap();
    let everything = list(&admin, &[]).await.unwrap();
    assert_eq!(
        actions_of(&everything),
        [
            "user.create",
            "sub_account.manage",
            "sub_account.create",
            "login",
            "user.create",
            "account.sign_up",
        ]
    );
    assert_eq!(everything["everyone"], true);

    // Another account's administrator sees only their own account.
    let theirs = list(&stranger, &[]).await.unwrap();
    assert_eq!(actions_of(&theirs), ["account.sign_up"]);

    let own = list(&reader, &[]).await.unwrap();
    assert_eq!(actions_of(&own), ["login"]);
    assert_eq!(own["everyone"], false);
    // A reader's filter cannot widen the scope.
    let own = list(&reader, &[("actor", &account)]).await.unwrap();
    assert_eq!(actions_of(&own), Vec::<String>::new());
}

#[tokio::test]
async fn filters_narrow_the_page_and_bad_ones_are_refused_beside_their_field() {
    let app = spawn_app().await;
    let (admin, account) = app.signed_up(&unique("Filters")).await;
    let _bob = app.user_in(&admin, &account, "bob", "DEFAULT").await;
    for login in ["alice", "alfred"] {
        admin
            .call("create_user", &user_form(login, "DEFAULT"))
            .await
            .unwrap();
    }
    let created = list(&admin, &[("action", "user.create")]).await.unwrap();
    assert_eq!(created["events"].as_array().unwrap().len(), 3);
    let al = list(&admin, &[("target", "AL")]).await.unwrap();
    let targets: Vec<&str> = al["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["alfred", "alice"]);
    let by_bob = list(&admin, &[("actor", "bob")]).await.unwrap();
    assert_eq!(actions_of(&by_bob), ["login"]);
    let today = steward::server::infra::format::date(steward::server::db::now());
    let dated = list(&admin, &[("from", &today), ("to", &today)])
        .await
        .unwrap();
    // The sign-up, bob's creation and login, alice's and alfred's creations.
    assert_eq!(dated["events"].as_array().unwrap().len(), 5);
    let before = list(&admin, &[("to", "2020-01-01")]).await.unwrap();
    assert_eq!(before["events"].as_array().unwrap().len(), 0);

    let err = list(&admin, &[("from", "yesterday"), ("action", "user.explode")])
        .await
        .unwrap_err();
    assert!(err.for_field("from", Lang::En).is_some(), "{err:?}");
    assert!(err.for_field("action", Lang::En).is_some(), "{err:?}");
    let err = list(&admin, &[("from", "2026-02-02"), ("to", "2026-02-01")])
        .await
        .unwrap_err();
    assert!(err.for_field("to", Lang::En).is_some(), "{err:?}");
}

/// Adds `n` events to the account straight into the table, one second apart.
async fn seed_events(app: &TestApp, account_pk: i64, n: i64, start: i64) {
    steward::on_db!(&app.state.db, |pool| {
        for i in 0..n {
            sqlx::query(
                "INSERT INTO activity (at, account_id, root_id, actor, actor_key, via, action, target,
                                       target_key, result)
                 VALUES ($1, $2, $2, 'seed', 'seed', 'cli', 'user.update', $3, $3, 'success')",
            )
            .bind(start + i)
            .bind(account_pk)
            .bind(format!("seeded{i:04}"))
            .execute(pool)
            .await
            .expect("seed event");
        }
    });
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let (admin, account) = app.signed_up(&unique("Pages")).await;
    let account_pk = app.account_pk(&account).await;
    seed_events(&app, account_pk, 120, steward::server::db::now() - 1_000).await;
    let mut seen = Vec::new();
    let mut after = String::new();
    let mut pages = 0;
    loop {
        let page = list(&admin, &[("action", "user.update"), ("after", &after)])
            .await
            .unwrap();
        pages += 1;
        for e in page["events"].as_array().unwrap() {
            seen.push(e["target"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..120).rev().map(|i| format!("seeded{i:04}")).collect();
    assert_eq!(seen, expected);
    let err = list(&admin, &[("after", "x.y")]).await.unwrap_err();
    assert!(err.for_field("form", Lang::En).is_some());
}

#[tokio::test]
async fn the_csv_download_streams_exactly_the_filtered_events() {
    let app = spawn_app().await;
    let (admin, account) = app.signed_up(&unique("Export")).await;
    let account_pk = app.account_pk(&account).await;
    seed_events(&app, account_pk, 2_345, steward::server::db::now() - 10_000).await;
    admin
        .call("create_user", &user_form("=cmd", "DEFAULT"))
        .await
        .unwrap_err();
    admin
        .call("create_user", &user_form("csv.user", "DEFAULT"))
        .await
        .unwrap();

    let response = admin.get("/activity.csv?action=user.update").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.trim_end().split("\r\n").collect();
    assert_eq!(
        lines[0],
        steward::server::audit::export::CSV_HEADER.trim_end()
    );
    assert_eq!(lines.len(), 1 + 2_345);
    assert!(lines[1..].iter().all(|l| l.contains(",\"user.update\",")));
    assert!(lines[1].contains(",\"seeded2344\","));
    assert!(lines[2_345].contains(",\"seeded0000\","));

    // A target a spreadsheet would run as a formula is defused.
    let created = admin
        .get("/activity.csv?action=user.create")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = created.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{created}");
    assert!(lines[1].contains(",\"csv.user\",\"success\","));
    assert!(lines[2].contains(",\"'=cmd\",\"failure\","));

    assert_eq!(app.browser().get("/activity.csv").await.status(), 401);
    assert_eq!(admin.get("/activity.csv?from=soon").await.status(), 400);
}

#[tokio::test]
async fn api_calls_record_their_dialect_and_key() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Dialects")).await;
    let location = holder
        .call_for_location("rotate_account_credentials", &[])
        .await
        .unwrap();
    let revealed = holder.take_reveal(&location).await;
    let auth_id = revealed["AccountCredentials"]["auth_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = revealed["AccountCredentials"]["auth_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/accounts/{auth_id}/sub-accounts/",
            app.base
        ))
        .header("x-auth-id", &auth_id)
        .header("x-auth-token", &token)
        .json(&serde_json::json!({ "name": "Via Vobiz", "enabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());

    let created = events_of(&app, "sub_account.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].via, "vobiz/account-credentials");
    assert_eq!(created[0].target, "Via Vobiz");
    assert_eq!(created[0].actor, account);
    let credentials = events_of(&app, "credentials.create").await;
    assert_eq!(credentials.len(), 1);
    let reveals = events_of(&app, "credentials.reveal").await;
    assert_eq!(
        reveals.len(),
        1,
        "the reveal is recorded, to whom: {reveals:?}"
    );
    assert_eq!(reveals[0].actor, account);
    assert!(!format!("{:?}", events(&app).await).contains(&token));

    // A personal token is named by its id, never by its secret.
    let location = holder
        .call_for_location(
            "create_api_token",
            &[
                ("name", "ci"),
                ("description", ""),
                ("role", "ADMIN"),
                ("expires", ""),
            ],
        )
        .await
        .unwrap();
    let token = holder.take_reveal(&location).await["ApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = token.split('_').next().unwrap().to_owned();
    let response = reqwest::Client::new()
        .post(format!("{}/api/create_group", app.base))
        .header("authorization", format!("APIKey {token}"))
        .header("accept", "application/json")
        .form(&[
            ("name", "tokened"),
            ("role", "UNPRIVILEGED"),
            ("description", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let groups = events_of(&app, "group.create").await;
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].via, "token");
    assert_eq!(
        groups[0].key_id.as_deref(),
        Some(format!("token {id}").as_str())
    );
    assert_eq!(events_of(&app, "token.create").await.len(), 1);
    assert!(!format!("{:?}", events(&app).await).contains(&token));
}

#[tokio::test]
async fn page_queries_stay_on_an_index_whatever_the_filter() {
    let app = spawn_app().await;
    if !matches!(app.state.db, steward::server::db::Db::Sqlite(_)) {
        return;
    }
    let narrowings = [
        Narrowing::default(),
        Narrowing {
            action: Some("user.create"),
            ..Default::default()
        },
        Narrowing {
            actor: Some("1234-567-89/john".into()),
            ..Default::default()
        },
        Narrowing {
            target: Some("jo".into()),
            ..Default::default()
        },
        Narrowing {
            from: Some(1),
            until: Some(2),
            ..Default::default()
        },
    ];
    for scope in [Scope::Root(1), Scope::Account(1), Scope::User(1)] {
        for narrowing in &narrowings {
            for after in [None, Some((5, 5))] {
                let plan = steward::server::db::activity_store::sqlite_plan(
                    &app.state.db,
                    scope,
                    narrowing,
                    after,
                )
                .await
                .unwrap()
                .join(" | ");
                assert!(
                    plan.contains("activity_"),
                    "{scope:?} {narrowing:?}: {plan}"
                );
                assert!(!plan.contains("SCAN e"), "{scope:?} {narrowing:?}: {plan}");
            }
        }
    }
}

#[tokio::test]
async fn retention_prunes_only_events_older_than_the_limit() {
    let app = spawn_app().await;
    let (_admin, account) = app.signed_up(&unique("Retention")).await;
    let account_pk = app.account_pk(&account).await;
    let now = steward::server::db::now();
    let day = 86_400;
    seed_events(&app, account_pk, 7, now - 400 * day).await;
    seed_events(&app, account_pk, 3, now - 10 * day).await;
    let before = count(&app, "SELECT COUNT(*) FROM activity").await;
    let gone = steward::server::audit::retention::prune(&app.state.db, 365, now)
        .await
        .unwrap();
    assert_eq!(gone, 7);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM activity").await,
        before - 7
    );
    let gone = steward::server::audit::retention::prune(&app.state.db, 5, now)
        .await
        .unwrap();
    assert_eq!(gone, 3);
}

#[tokio::test]
async fn the_activity_page_speaks_the_readers_language() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Langue")).await;
    admin
        .call("create_user", &user_form("jean", "DEFAULT"))
        .await
        .unwrap();
    let page = |lang: &'static str| {
        let request = admin
            .client
            .get(format!("{}/activity", admin.base))
            .header(reqwest::header::ACCEPT_LANGUAGE, lang);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    let french = page("fr").await;
    assert!(french.contains("<h1>Activité</h1>"), "{french}");
    assert!(french.contains("Utilisateur ajouté"));
    assert!(french.contains("Télécharger en CSV"));
    let english = page("en").await;
    assert!(english.contains("<h1>Activity</h1>"));
    assert!(english.contains("Added a user"));
}

#[tokio::test]
async fn every_csv_cell_is_quoted_and_a_formula_is_defused_even_after_a_separator() {
    let app = spawn_app().await;
    let (admin, account) = app.signed_up(&unique("Formulas")).await;
    let account_pk = app.account_pk(&account).await;
    let targets = [
        "=HYPERLINK(\"http://evil.example\")",
        "ok;=cmd|' /C calc'!A0",
        "a,+SUM(1)",
        "b; @x",
        "-2",
        "plain \"quoted\" text",
    ];
    steward::on_db!(&app.state.db, |pool| {
        for (i, target) in targets.iter().enumerate() {
            sqlx::query(
                "INSERT INTO activity (at, account_id, root_id, actor, actor_key, via, action, target,
                                       target_key, result, user_agent)
                 VALUES ($1, $2, $2, 'seed', 'seed', 'cli', 'group.create', $3, $3, 'success', $4)",
            )
            .bind(1_000 + i as i64)
            .bind(account_pk)
            .bind(*target)
            .bind("\tcurl;=1")
            .execute(pool)
            .await
            .expect("seed event");
        }
    });
    let body = admin
        .get("/activity.csv?action=group.create")
        .await
        .text()
        .await
        .unwrap();
    assert!(!body.starts_with('\u{feff}'), "no BOM unless asked for");
    for line in body.trim_end().split("\r\n") {
        assert!(line.starts_with('"') && line.ends_with('"'), "{line}");
        assert_eq!(
            line.matches("\",\"").count(),
            11,
            "twelve quoted cells: {line}"
        );
    }
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cells: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[7].to_owned(), r[11].to_owned()))
        .collect();
    let expected = [
        "plain \"quoted\" text",
        "'-2",
        "b; '@x",
        "a,'+SUM(1)",
        "ok;'=cmd|' /C calc'!A0",
        "'=HYPERLINK(\"http://evil.example\")",
    ];
    for ((target, user_agent), want) in cells.iter().zip(expected) {
        assert_eq!(target, want);
        assert_eq!(user_agent, "'\tcurl;'=1");
    }
    assert_eq!(cells.len(), expected.len());
}

#[tokio::test]
async fn the_csv_can_start_with_a_byte_order_mark_for_spreadsheets_and_the_page_offers_it() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Société Générale")).await;
    let bytes = admin
        .get("/activity.csv?bom=1")
        .await
        .bytes()
        .await
        .unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\"time\","), "{bytes:?}");
    assert_eq!(
        bytes.windows(3).filter(|w| *w == b"\xEF\xBB\xBF").count(),
        1
    );
    let plain = admin.get("/activity.csv").await.bytes().await.unwrap();
    assert!(plain.starts_with(b"\"time\","));
    let filtered = admin
        .get("/activity.csv?action=account.sign_up&bom=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(filtered.trim_end().split("\r\n").count(), 2, "{filtered}");

    let page = admin.get("/activity").await.text().await.unwrap();
    assert!(page.contains("/activity.csv?bom=1"), "the page offers it");
    let page = admin
        .get("/activity?action=account.sign_up")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("action=account.sign_up&amp;bom=1"),
        "with the filter"
    );
}

/// `/activity.csv` in the authorization matrix (SECURITY.md rule 17): each kind of caller gets
/// exactly the events the Activity page would show them, and nobody another account's.
#[tokio::test]
async fn the_csv_gives_each_kind_of_caller_exactly_what_they_may_read() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Csv Matrix")).await;
    holder
        .call("create_user", &user_form("made.by.holder", "DEFAULT"))
        .await
        .unwrap();
    let reader = app
        .user_in(&holder, &account, "plain.reader", "UNPRIVILEGED")
        .await;
    let admin = app
        .user_in(&holder, &account, "second.admin", "ADMIN")
        .await;
    let (other_admin, _) = app.signed_up(&unique("Csv Elsewhere")).await;
    async fn csv(browser: &Browser) -> (u16, String) {
        let response = browser.get("/activity.csv").await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    assert_eq!(csv(&app.browser()).await.0, 401, "anonymous");
    for (who, browser) in [("holder", &holder), ("administrator", &admin)] {
        let (status, body) = csv(browser).await;
        assert_eq!(status, 200, "{who}");
        assert!(
            body.contains("\"made.by.holder\""),
            "{who} sees the account's events"
        );
    }
    // Someone without the Administrator role reads their own events only.
    let (status, body) = csv(&reader).await;
    assert_eq!(status, 200);
    assert!(!body.contains("\"made.by.holder\""), "{body}");
    assert!(
        body.contains(&format!("\"{account}/plain.reader\"")),
        "{body}"
    );
    // Another account's Administrator reads nothing of this one.
    let (status, body) = csv(&other_admin).await;
    assert_eq!(status, 200);
    assert!(!body.contains(&account), "{body}");
}
