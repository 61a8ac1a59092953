//! OVHcloud consumer keys across accounts: the validation page names whose application asks
//! and where it will send the browser; a grant to another top-level account's application is
//! refused (page, server function and command line) unless the operator allows it; the
//! redirection must be an absolute http(s) address; keys minted through a key die with it;
//! Administrators see and revoke every key acting in their accounts; and an application's keys
//! die when its owner stops being an Administrator.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with, unique};
use crate::ovh::{App, Call, EVERYTHING, assert_error, authorized_key, get, request_key};
use steward::error::AppError;
use steward::server::infra::config::OvhCrossAccount;

const NEW_PASSWORD: &str = "Quartz-Lantern-Meadow-97";

async fn application_named(browser: &Browser, name: &str, description: &str) -> App {
    let location = browser
        .call_for_location(
            "create_ovh_application",
            &[("name", name), ("description", description)],
        )
        .await
        .expect("create_ovh_application");
    let revealed = browser.take_reveal(&location).await;
    let app = &revealed["OvhApplication"];
    App {
        key: app["application_key"].as_str().expect("key").to_owned(),
        secret: app["application_secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
    }
}

/// `POST /1.0/auth/credential` with one rule and `redirection` as sent.
async fn request_with_redirection(
    app: &TestApp,
    application: &App,
    redirection: Value,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/1.0/auth/credential", app.base))
        .header("X-Ovh-Application", &application.key)
        .json(&json!({
            "accessRules": [{"method": "GET", "path": "/*"}],
            "redirection": redirection,
            "allowedIPs": null,
        }))
        .send()
        .await
        .expect("request")
}

/// The consumer key and validation id of a credential request's answer.
fn key_and_validation(body: &Value) -> (String, String) {
    let url = body["validationUrl"].as_str().expect("validationUrl");
    (
        body["consumerKey"]
            .as_str()
            .expect("consumerKey")
            .to_owned(),
        url.rsplit_once('/').expect("an id").1.to_owned(),
    )
}

/// A sub-account of `admin`'s account whose holder logs in with [`PASSWORD`]: its id and
/// account ID.
async fn sub_account(admin: &Browser, name: &str) -> (i64, String) {
    let location = admin
        .call_for_location(
            "create_sub_account",
            &[
                ("form[name]", name),
                ("form[description]", ""),
                ("form[email]", ""),
                ("form[phone]", ""),
                ("form[rate_limit]", ""),
                ("form[kyc_mode]", ""),
                ("form[business_type]", ""),
                ("form[password]", PASSWORD),
                ("form[calls]", "on"),
                ("form[cdr]", "on"),
                ("form[enabled]", "on"),
            ],
        )
        .await
        .expect("sub-account created");
    let revealed = admin.take_reveal(&location).await;
    let c = &revealed["AccountCredentials"];
    (
        c["sub_account"].as_i64().expect("id"),
        c["account_id"].as_str().expect("account ID").to_owned(),
    )
}

async fn log_in(app: &TestApp, login_id: &str, password: &str) -> Browser {
    let browser = app.browser();
    browser
        .call("login", &[("account_id", login_id), ("password", password)])
        .await
        .unwrap_or_else(|e| panic!("{login_id} logs in: {e:?}"));
    browser
}

/// The catalogue key of a refused input.
fn refusal_key(err: &AppError) -> &str {
    match err {
        AppError::Invalid(fields) => fields.first().map_or("", |f| f.key.as_str()),
        other => panic!("not a refused input: {other:?}"),
    }
}

/// A sub-account made through the OVHcloud API with `key`, and a key minted for it through
/// `key`: (sub-account id, minted key).
async fn mint(app: &TestApp, application: &App, key: &str) -> (i64, String) {
    let (status, id) = Call::new(
        Method::POST,
        "/me/subAccount",
        r#"{"description":"Branch"}"#,
    )
    .send(app, application, key)
    .await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_i64().expect("a sub-account id");
    let path = format!("/me/subAccount/{id}/createConsumerKey");
    let (status, body) = Call::new(Method::POST, &path, "")
        .send(app, application, key)
        .await;
    assert_eq!(status, 200, "{body}");
    (
        id,
        body["consumerKey"]
            .as_str()
            .expect("consumerKey")
            .to_owned(),
    )
}

/// The id of the consumer key acting as `login_id` in `browser`'s own list.
async fn own_key_acting_as(browser: &Browser, login_id: &str) -> i64 {
    let keys = browser.call("list_ovh_keys", &[]).await.expect("list");
    keys["consumer_keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["acts_as"] == login_id)
        .and_then(|k| k["id"].as_i64())
        .unwrap_or_else(|| panic!("no key acting as {login_id}: {keys}"))
}

/// The keys acting in the caller's account and its sub-accounts (Administrators only).
async fn account_keys(browser: &Browser) -> Result<Vec<Value>, AppError> {
    browser
        .call("list_account_ovh_consumer_keys", &[])
        .await
        .map(|v| v.as_array().expect("a list").clone())
}

fn ids(keys: &[Value]) -> Vec<i64> {
    keys.iter().filter_map(|k| k["id"].as_i64()).collect()
}

/// Events of `action`: (result, target, detail, actor).
async fn events(app: &TestApp, action: &str) -> Vec<(String, String, String, String)> {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as(
            "SELECT result, target, detail, actor FROM activity WHERE action = $1 ORDER BY id",
        )
        .bind(action)
        .fetch_all(pool)
        .await
    })
    .expect("events")
}

async fn consumer_key_rows(app: &TestApp) -> i64 {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM ovh_consumer_keys")
            .fetch_one(pool)
            .await
    })
    .expect("count")
}

#[tokio::test]
async fn the_validation_page_names_the_owning_account_the_application_and_the_redirection() {
    let app = spawn_app().await;
    let company = unique("Owner Works");
    let (holder, account) = app.signed_up(&company).await;
    let application = application_named(&holder, "Ledger bridge", "Reconciles invoices").await;
    let answer =
        request_with_redirection(&app, &application, json!("https://ledger.example/back")).await;
    assert_eq!(answer.status(), 200);
    let (_, validation) = key_and_validation(&answer.json().await.expect("JSON"));
    // The holder of a sub-account, who shares nothing on the page with the owner but the root.
    let (_, sub) = sub_account(&holder, "Branch").await;
    let branch = log_in(&app, &sub, PASSWORD).await;
    let view = branch
        .call("get_ovh_authorization", &[("id", &validation)])
        .await
        .expect("the page's data");
    assert_eq!(view["owner_account_id"], account.as_str(), "{view}");
    assert_eq!(view["owner_company"], company.as_str(), "{view}");
    assert_eq!(view["owner_login_id"], account.as_str(), "{view}");
    assert_eq!(view["application_name"], "Ledger bridge", "{view}");
    assert_eq!(view["application_description"], "Reconciles invoices");
    assert_eq!(view["redirection"], "https://ledger.example/back");
    assert!(view["refusal"].is_null(), "{view}");
    // Without JavaScript, before the grant: who, what, and where the browser goes next.
    let html = branch
        .get(&format!("/ovh/authorize/{validation}"))
        .await
        .text()
        .await
        .expect("html");
    for shown in [
        account.as_str(),
        company.as_str(),
        "Ledger bridge",
        "Reconciles invoices",
        "https://ledger.example/back",
        "/api/authorize_ovh_consumer_key",
    ] {
        assert!(html.contains(shown), "the page lacks {shown:?}");
    }
    // Same root: the grant goes through and sends the browser where the page said.
    let location = branch
        .call_for_location("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect("authorized");
    assert_eq!(location, "https://ledger.example/back");
}

#[tokio::test]
async fn a_grant_to_another_root_accounts_application_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let company = unique("Phisher");
    let (owner, owner_account) = app.signed_up(&company).await;
    let application = application_named(&owner, "Harmless tool", "Trust me").await;
    let answer = request_with_redirection(&app, &application, json!("https://tool.example/")).await;
    let (key, validation) = key_and_validation(&answer.json().await.expect("JSON"));
    let (victim, _) = app.signed_up(&unique("Victim")).await;
    // The page names the other account and says no, with no form to submit.
    let view = victim
        .call("get_ovh_authorization", &[("id", &validation)])
        .await
        .expect("the page's data");
    assert_eq!(view["refusal"], "CrossAccount", "{view}");
    assert_eq!(view["owner_account_id"], owner_account.as_str());
    let html = victim
        .get(&format!("/ovh/authorize/{validation}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains(&owner_account) && html.contains(&company));
    assert!(html.contains("belongs to another account"), "{html}");
    assert!(!html.contains("/api/authorize_ovh_consumer_key"), "{html}");
    // The server function refuses, hydrated or not.
    let refused = victim
        .call("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect_err("refused");
    assert_eq!(refusal_key(&refused), "ovh.error.cross_account");
    let posted = victim
        .post_form(
            "authorize_ovh_consumer_key",
            &format!("/ovh/authorize/{validation}"),
            &[("id", &validation)],
        )
        .await;
    let location = posted
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(location.contains("__err="), "{location}");
    // Still waiting: the key acts as nobody.
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "NOT_CREDENTIAL",
    );
    let grants = events(&app, "ovh_consumer_key.grant").await;
    assert!(
        grants.len() >= 2 && grants.iter().all(|(result, ..)| result == "failure"),
        "{grants:?}"
    );
    // The owner's own account still grants it.
    owner
        .call("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect("the owner's account authorizes its own application");
    assert_eq!(
        get(&app, &application, &key, "/me/identity/user").await.0,
        200
    );
}

#[tokio::test]
async fn a_sub_accounts_application_may_be_granted_by_its_parent() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Parent")).await;
    let (_, sub) = sub_account(&holder, "Branch").await;
    let branch = log_in(&app, &sub, PASSWORD).await;
    let application = application_named(&branch, "Branch tool", "").await;
    let key = authorized_key(&app, &holder, &application, &[("GET", "/me/*")]).await;
    assert_eq!(
        get(&app, &application, &key, "/me/identity/user").await.0,
        200
    );
}

#[tokio::test]
async fn an_operator_may_allow_grants_across_accounts() {
    let app = spawn_app_with(|c| c.ovh_cross_account = OvhCrossAccount::Allow).await;
    let (owner, _) = app.signed_up(&unique("Integrator")).await;
    let application = application_named(&owner, "Integration", "").await;
    let (customer, _) = app.signed_up(&unique("Customer")).await;
    let (key, validation) = request_key(&app, &application, &[("GET", "/me/*")]).await;
    let view = customer
        .call("get_ovh_authorization", &[("id", &validation)])
        .await
        .expect("view");
    assert!(view["refusal"].is_null(), "{view}");
    customer
        .call("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect("allowed by the operator");
    assert_eq!(
        get(&app, &application, &key, "/me/identity/user").await.0,
        200
    );
}

#[tokio::test]
async fn the_command_line_refuses_a_grant_across_accounts_unless_allowed() {
    let app = spawn_app().await;
    let (owner, _) = app.signed_up(&unique("Owner")).await;
    let application = application_named(&owner, "Script", "").await;
    let (_, other) = app.signed_up(&unique("Other")).await;
    let (key, _) = request_key(&app, &application, &EVERYTHING).await;
    let args = [
        "ovh",
        "validate-consumer-key",
        "--key",
        &key,
        "--user",
        &other,
    ];
    let refused = app.cli(&args);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("another account"), "{stderr}");
    assert!(!stderr.contains(&key));
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "NOT_CREDENTIAL",
    );
    let allowed = app.cli_with_env(&args, &[("STEWARD_OVH_CROSS_ACCOUNT", "allow")]);
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
}

#[tokio::test]
async fn a_redirection_that_is_not_an_absolute_http_address_is_refused_when_requested() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Redirects")).await;
    let application = application_named(&holder, "Redirecting", "").await;
    for bad in [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/relative/path",
        "//evil.example/",
        "evil.example",
        "ftp://files.example/",
        "https://",
        "https:///path",
        "http:evil.example",
        "https:/evil.example",
        "https:\\\\evil.example",
        "https://evil.example\\@good.example/",
        "https://good.example@evil.example/",
        "https://exa mple.com/",
        "https://example.com/\u{0}",
        "https://example.com:99999/",
    ] {
        let answer = request_with_redirection(&app, &application, json!(bad)).await;
        assert_eq!(answer.status(), 400, "{bad:?}");
        let body: Value = answer.json().await.expect("OVH's error shape");
        assert_eq!(body["errorCode"], "INVALID_PARAMETERS", "{bad:?}: {body}");
        assert_eq!(body["httpCode"], "400 Bad Request");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("redirection")),
            "{body}"
        );
    }
    assert_eq!(
        consumer_key_rows(&app).await,
        0,
        "a refused request left a key"
    );
    for good in [
        json!("https://app.example/done"),
        json!("http://127.0.0.1:8080/callback?state=abc"),
        json!("HTTPS://App.Example/Done"),
        json!("https://[::1]:8443/cb#frag"),
        json!(""),
        Value::Null,
    ] {
        let answer = request_with_redirection(&app, &application, good.clone()).await;
        assert_eq!(answer.status(), 200, "{good}");
    }
}

#[tokio::test]
async fn keys_minted_through_a_key_are_recorded_and_stop_when_it_is_revoked() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Chain")).await;
    let dora = app.user_in(&holder, &account, "dora", "ADMIN").await;
    let application = application_named(&dora, "Provisioner", "").await;
    // The holder grants dora's application a key that acts as the holder.
    let parent = authorized_key(&app, &holder, &application, &EVERYTHING).await;
    let (_, minted) = mint(&app, &application, &parent).await;
    let (_, second) = mint(&app, &application, &parent).await;
    assert_eq!(
        get(&app, &application, &minted, "/me/identity/user")
            .await
            .0,
        200
    );
    let parent_id = own_key_acting_as(&holder, &account).await;
    let recorded: Vec<(Option<i64>,)> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as("SELECT parent_key_id FROM ovh_consumer_keys WHERE key_hash = $1")
            .bind(steward::server::infra::secrets::token_hash(&minted))
            .fetch_all(pool)
            .await
    })
    .expect("minted key row");
    assert_eq!(recorded, vec![(Some(parent_id),)]);
    holder
        .call("revoke_ovh_consumer_key", &[("id", &parent_id.to_string())])
        .await
        .expect("revoked");
    for key in [&parent, &minted, &second] {
        assert_error(
            &get(&app, &application, key, "/me/identity/user").await,
            403,
            "INVALID_CREDENTIAL",
        );
    }
    assert_eq!(
        consumer_key_rows(&app).await,
        0,
        "the keys minted through it are deleted with it"
    );
    let revocations = events(&app, "ovh_consumer_key.revoke").await;
    assert_eq!(revocations.len(), 1, "{revocations:?}");
    assert_eq!(revocations[0].0, "success");
}

#[tokio::test]
async fn keys_minted_through_a_key_stop_when_its_user_changes_password() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Chain")).await;
    let dora = app.user_in(&holder, &account, "dora", "ADMIN").await;
    let application = application_named(&dora, "Provisioner", "").await;
    let parent = authorized_key(&app, &holder, &application, &EVERYTHING).await;
    let (_, minted) = mint(&app, &application, &parent).await;
    holder
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await
        .expect("password changed");
    for key in [&parent, &minted] {
        assert_error(
            &get(&app, &application, key, "/me/identity/user").await,
            403,
            "INVALID_CREDENTIAL",
        );
    }
}

#[tokio::test]
async fn keys_minted_through_a_key_stay_dead_when_its_disabled_user_comes_back() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Chain")).await;
    let vic = app.user_in(&holder, &account, "vic", "ADMIN").await;
    let application = application_named(&holder, "Provisioner", "").await;
    let parent = authorized_key(&app, &vic, &application, &EVERYTHING).await;
    let (_, minted) = mint(&app, &application, &parent).await;
    for disabled in ["true", "false"] {
        holder
            .call(
                "set_user_disabled",
                &[("login", "vic"), ("disabled", disabled)],
            )
            .await
            .expect("changed");
        assert_error(
            &get(&app, &application, &minted, "/me/identity/user").await,
            403,
            "INVALID_CREDENTIAL",
        );
    }
}

#[tokio::test]
async fn administrators_list_and_revoke_every_key_acting_in_their_account_and_sub_accounts() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Admins")).await;
    let adam = app.user_in(&holder, &account, "adam", "ADMIN").await;
    let dora = app.user_in(&holder, &account, "dora", "ADMIN").await;
    let tess = app.user_in(&holder, &account, "tess", "DEFAULT").await;
    let application = application_named(&dora, "Dora's tool", "").await;
    let tess_key = authorized_key(&app, &tess, &application, &[("GET", "/me/*")]).await;
    let dora_key = authorized_key(&app, &dora, &application, &EVERYTHING).await;
    let (_, minted) = mint(&app, &application, &dora_key).await;
    let (other, _) = app.signed_up(&unique("Elsewhere")).await;
    let other_application = application_named(&other, "Other tool", "").await;
    let other_key = authorized_key(&app, &other, &other_application, &EVERYTHING).await;

    let listed = account_keys(&holder).await.expect("the holder lists");
    assert_eq!(listed.len(), 3, "{listed:?}");
    let acting = |login: &str| {
        listed
            .iter()
            .find(|k| k["acts_as"] == login)
            .unwrap_or_else(|| panic!("no key acting as {login}: {listed:?}"))
            .clone()
    };
    let tess_entry = acting(&format!("{account}/tess"));
    let dora_entry = acting(&format!("{account}/dora"));
    assert_eq!(tess_entry["application_name"], "Dora's tool");
    assert_eq!(tess_entry["owner_login_id"], format!("{account}/dora"));
    let minted_entry = listed
        .iter()
        .find(|k| !k["minted_through"].is_null())
        .expect("the minted key is listed");
    assert_eq!(minted_entry["minted_through"], dora_entry["id"]);
    assert_ne!(minted_entry["acts_as"], dora_entry["acts_as"]);

    // Another account's Administrator sees none of them and revokes nothing.
    let theirs = account_keys(&other).await.expect("the other holder lists");
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    for id in ids(&listed) {
        let refused = other
            .call(
                "revoke_account_ovh_consumer_key",
                &[("id", &id.to_string())],
            )
            .await;
        assert_eq!(refused, Err(AppError::NotFound));
    }
    assert_eq!(
        get(&app, &application, &tess_key, "/me/identity/user")
            .await
            .0,
        200
    );
    // A User may not list or revoke the account's keys.
    assert_eq!(account_keys(&tess).await, Err(AppError::Forbidden));
    let tess_id = tess_entry["id"].as_i64().expect("id").to_string();
    assert_eq!(
        tess.call("revoke_account_ovh_consumer_key", &[("id", &tess_id)])
            .await,
        Err(AppError::Forbidden)
    );
    // Another Administrator revokes tess's key: it stops at once, and the log says who.
    adam.call("revoke_account_ovh_consumer_key", &[("id", &tess_id)])
        .await
        .expect("revoked");
    assert_error(
        &get(&app, &application, &tess_key, "/me/identity/user").await,
        403,
        "INVALID_CREDENTIAL",
    );
    let revocations = events(&app, "ovh_consumer_key.revoke").await;
    assert!(
        revocations
            .iter()
            .any(|(result, target, _, actor)| result == "success"
                && target.contains(&tess_id)
                && *actor == format!("{account}/adam")),
        "{revocations:?}"
    );
    // The page without JavaScript: the keys, a confirmation, a plain form post.
    let html = holder.get("/api-keys").await.text().await.expect("html");
    assert!(
        html.contains("/api/revoke_account_ovh_consumer_key"),
        "{html}"
    );
    assert!(html.contains(&format!("{account}/dora")), "{html}");
    let dora_id = dora_entry["id"].as_i64().expect("id").to_string();
    let posted = holder
        .post_form(
            "revoke_account_ovh_consumer_key",
            "/api-keys",
            &[("id", &dora_id)],
        )
        .await;
    assert!(posted.status().is_redirection(), "{}", posted.status());
    for key in [&dora_key, &minted] {
        assert_error(
            &get(&app, &application, key, "/me/identity/user").await,
            403,
            "INVALID_CREDENTIAL",
        );
    }
    assert!(account_keys(&holder).await.expect("list").is_empty());
    // The other account's key never moved.
    assert_eq!(
        get(&app, &other_application, &other_key, "/me/identity/user")
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn only_administrators_create_applications() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Apps")).await;
    let tess = app.user_in(&holder, &account, "tess", "DEFAULT").await;
    let refused = tess
        .call(
            "create_ovh_application",
            &[("name", "Mine"), ("description", "")],
        )
        .await;
    assert_eq!(refused, Err(AppError::Forbidden));
    let listed = tess.call("list_ovh_keys", &[]).await.expect("list");
    assert_eq!(listed["applications"], json!([]));
    let out = app.cli(&[
        "credentials",
        "create",
        "--account",
        &account,
        "--kind",
        "ovh-application",
        "--user",
        "tess",
    ]);
    assert!(!out.status.success());
}

#[tokio::test]
async fn an_applications_keys_die_for_good_when_its_owner_is_demoted() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Demote")).await;
    let dora = app.user_in(&holder, &account, "dora", "ADMIN").await;
    let application = application_named(&dora, "Dora's tool", "").await;
    let key = authorized_key(&app, &holder, &application, &EVERYTHING).await;
    let (pending, validation) = request_key(&app, &application, &[("GET", "/me/*")]).await;
    assert_eq!(
        get(&app, &application, &key, "/me/identity/user").await.0,
        200
    );
    let set_group = |group: &'static str| {
        let holder = &holder;
        async move {
            holder
                .call(
                    "update_user",
                    &[
                        ("login", "dora"),
                        ("email", "dora@example.com"),
                        ("group", group),
                        ("description", ""),
                    ],
                )
                .await
                .expect("updated");
        }
    };
    set_group("DEFAULT").await;
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "INVALID_KEY",
    );
    // A key still waiting is shown as refused and cannot be granted.
    let view = holder
        .call("get_ovh_authorization", &[("id", &validation)])
        .await
        .expect("view");
    assert_eq!(view["refusal"], "OwnerInactive", "{view}");
    let refused = holder
        .call("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect_err("refused");
    assert_eq!(refusal_key(&refused), "ovh.error.owner_inactive");
    assert_error(
        &get(&app, &application, &pending, "/me/identity/user").await,
        403,
        "INVALID_KEY",
    );
    set_group("ADMIN").await;
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "INVALID_CREDENTIAL",
    );
    // Administrator again, dora's application gets new keys granted.
    let dora = log_in(&app, &format!("{account}/dora"), PASSWORD).await;
    let fresh = authorized_key(&app, &dora, &application, &EVERYTHING).await;
    assert_eq!(
        get(&app, &application, &fresh, "/me/identity/user").await.0,
        200
    );
}

#[tokio::test]
async fn an_applications_keys_die_for_good_when_its_owner_is_disabled_or_removed() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Disable")).await;
    let dora = app.user_in(&holder, &account, "dora", "ADMIN").await;
    let application = application_named(&dora, "Dora's tool", "").await;
    let key = authorized_key(&app, &holder, &application, &EVERYTHING).await;
    for disabled in ["true", "false"] {
        holder
            .call(
                "set_user_disabled",
                &[("login", "dora"), ("disabled", disabled)],
            )
            .await
            .expect("changed");
        let (status, body) = get(&app, &application, &key, "/me/identity/user").await;
        assert_eq!(status, 403, "disabled={disabled}: {body}");
    }
    let dora = log_in(&app, &format!("{account}/dora"), PASSWORD).await;
    let fresh = authorized_key(&app, &dora, &application, &EVERYTHING).await;
    assert_eq!(
        get(&app, &application, &fresh, "/me/identity/user").await.0,
        200
    );
    holder
        .call("remove_user", &[("login", "dora")])
        .await
        .expect("removed");
    assert_error(
        &get(&app, &application, &fresh, "/me/identity/user").await,
        403,
        "INVALID_KEY",
    );
}

#[tokio::test]
async fn a_demotion_through_the_ovh_api_ends_the_keys_of_the_owners_applications() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Groups")).await;
    let own = application_named(&holder, "Holder's tool", "").await;
    let admin_key = authorized_key(&app, &holder, &own, &EVERYTHING).await;
    let send = |method: Method, path: &'static str, body: &'static str| {
        let app = &app;
        let own = &own;
        let admin_key = &admin_key;
        async move {
            Call::new(method, path, body)
                .send(app, own, admin_key)
                .await
        }
    };
    let (status, body) = send(
        Method::POST,
        "/me/identity/group",
        r#"{"name":"ops","role":"ADMIN","description":""}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        Method::POST,
        "/me/identity/user",
        r#"{"login":"dora","email":"dora@example.com","password":"Velvet-Orbit-Canyon-42","group":"ops"}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let dora = log_in(&app, &format!("{account}/dora"), PASSWORD).await;
    let application = application_named(&dora, "Dora's tool", "").await;
    let key = authorized_key(&app, &holder, &application, &EVERYTHING).await;
    assert_eq!(
        get(&app, &application, &key, "/me/identity/user").await.0,
        200
    );
    let (status, body) = send(
        Method::PUT,
        "/me/identity/group/ops",
        r#"{"role":"REGULAR"}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(&app, &application, &key, "/me/identity/user").await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn a_key_acting_in_another_account_stops_working_while_the_operator_denies_it() {
    let app = spawn_app().await;
    let (owner, _) = app.signed_up(&unique("Owner")).await;
    let application = application_named(&owner, "Integration", "").await;
    let (_, other) = app.signed_up(&unique("Other")).await;
    let (key, _) = request_key(&app, &application, &[("GET", "/me/*")]).await;
    // Granted across accounts before grants were checked (or while an operator allowed it).
    let (user_id, user_stamp): (i64, String) = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as(
            "SELECT u.id, u.security_stamp FROM users u JOIN accounts a ON a.id = u.account_id
             WHERE a.code = $1 AND u.is_holder",
        )
        .bind(&other)
        .fetch_one(pool)
        .await
    })
    .expect("the other holder");
    steward::execute!(
        &app.state.db,
        "UPDATE ovh_consumer_keys SET user_id = $1, user_stamp = $2, validated_at = created_at,
                owner_stamp = (SELECT u.security_stamp FROM ovh_applications a
                               JOIN users u ON u.id = a.user_id WHERE a.id = application_id)
         WHERE key_hash = $3",
        user_id,
        user_stamp,
        steward::server::infra::secrets::token_hash(&key)
    )
    .expect("granted across accounts");
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "INVALID_CREDENTIAL",
    );
}
