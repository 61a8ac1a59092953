//! Security keys and passkeys over HTTP, with a software key answering as a browser would:
//! registering, the second login step, signing in without a password, removing, the policy that
//! Administrators use a key; and the attacks (another origin, a replayed answer, a counter going
//! back, another user's credential).

use serde_json::Value;
use steward::error::AppError;
use steward::server::infra::public_url::PublicUrl;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app_with};
use crate::two_factor::{app_code, enrol, forget_last_step};
use steward_testkit::soft_key::SoftKey;

const ORIGIN: &str = "https://panel.example.com";

async fn app() -> TestApp {
    spawn_app_with(|config| {
        config.public_url = Some(PublicUrl::parse(ORIGIN).unwrap());
    })
    .await
}

fn text(value: Value) -> String {
    value.as_str().expect("a string").to_owned()
}

/// Registers a software key for the browser's user, from `origin`; returns the key and where
/// the panel goes next.
async fn register_from(
    browser: &Browser,
    name: &str,
    origin: &str,
) -> (SoftKey, Result<Value, AppError>) {
    let options = text(browser.call("key_registration_options", &[]).await.unwrap());
    let (key, answer) = SoftKey::create(&options, origin);
    let added = browser
        .call(
            "add_key",
            &[
                ("name", name),
                ("password", PASSWORD),
                ("credential", &answer),
            ],
        )
        .await;
    (key, added)
}

async fn register(browser: &Browser, name: &str) -> SoftKey {
    let (key, added) = register_from(browser, name, ORIGIN).await;
    added.expect("the key is registered");
    key
}

/// The password step of `login_id` in a new browser: a login waiting for its second step.
async fn password_step(app: &TestApp, login_id: &str) -> Browser {
    let browser = app.browser();
    browser
        .call("login", &[("account_id", login_id), ("password", PASSWORD)])
        .await
        .unwrap();
    browser
}

/// The second step with `key`, through the options the server gives this browser.
async fn key_step(browser: &Browser, key: &mut SoftKey) -> Result<Value, AppError> {
    let options = text(browser.call("login_key_options", &[]).await?);
    let answer = key.get(&options);
    browser.call("login_key", &[("credential", &answer)]).await
}

async fn passwordless(
    app: &TestApp,
    typed: &str,
    key: &mut SoftKey,
) -> (Browser, Result<Value, AppError>) {
    let browser = app.browser();
    let options = text(browser.call("passkey_login_options", &[]).await.unwrap());
    let answer = key.get(&options);
    let result = browser
        .call(
            "passkey_login",
            &[("account_id", typed), ("credential", &answer)],
        )
        .await;
    (browser, result)
}

fn logged_in_as(me: &Value) -> &str {
    me["login_id"].as_str().unwrap_or("")
}

#[tokio::test]
async fn a_key_turns_two_factor_on_and_is_the_second_login_step() {
    let app = app().await;
    let (holder, account) = app.signed_up("Keys Inc").await;
    let (mut key, added) = register_from(&holder, "YubiKey 5C", ORIGIN).await;
    // The first second factor: recovery codes, shown once.
    let location = text(added.unwrap());
    assert!(location.starts_with("/reveal/"), "{location}");
    let revealed = holder.take_reveal(&location).await;
    assert_eq!(
        revealed["RecoveryCodes"]["codes"].as_array().unwrap().len(),
        10
    );
    let keys = holder.call("list_keys", &[]).await.unwrap();
    assert_eq!(keys["available"], true);
    assert_eq!(keys["keys"][0]["name"], "YubiKey 5C");
    assert_eq!(keys["keys"][0]["passwordless"], true);
    assert_eq!(keys["keys"][0]["last_used"], Value::Null);
    assert_eq!(
        holder.call("two_factor_status", &[]).await.unwrap()["enabled"],
        true
    );

    let browser = password_step(&app, &account).await;
    assert_eq!(
        browser.me().await,
        Value::Null,
        "the password alone opens nothing"
    );
    let methods = browser.call("second_step_methods", &[]).await.unwrap();
    assert_eq!(methods["key"], true);
    assert_eq!(methods["key_required"], false);
    assert_eq!(text(key_step(&browser, &mut key).await.unwrap()), "/");
    assert_eq!(logged_in_as(&browser.me().await), account);
    let keys = holder.call("list_keys", &[]).await.unwrap();
    assert!(keys["keys"][0]["last_used"].is_i64(), "{keys}");

    // Nobody else learns about the key: a visitor without a pending login is told nothing.
    let stranger = app.browser();
    assert_eq!(
        stranger.call("second_step_methods", &[]).await.unwrap()["key"],
        false
    );
    assert_eq!(
        stranger.call("login_key_options", &[]).await.unwrap_err(),
        AppError::LoginFailed
    );
    let activity = holder
        .call("list_activity", &[("query[action]", "login.key")])
        .await
        .unwrap();
    assert!(activity.to_string().contains("login.key"), "{activity}");
}

#[tokio::test]
async fn answers_made_for_another_origin_are_refused() {
    let app = app().await;
    let (holder, account) = app.signed_up("Phished Inc").await;
    let (_, added) = register_from(&holder, "Key", "https://panel.example.com.evil.example").await;
    assert!(matches!(added, Err(AppError::Invalid(_))), "{added:?}");
    assert!(
        holder.call("list_keys", &[]).await.unwrap()["keys"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let mut key = register(&holder, "Key").await;
    // A phishing page relays the challenge; the browser there signs for its own origin.
    key.origin = "https://panel-example.evil.example".to_owned();
    let browser = password_step(&app, &account).await;
    assert_eq!(
        key_step(&browser, &mut key).await.unwrap_err(),
        AppError::LoginFailed
    );
    key.origin = ORIGIN.to_owned();
    let (_, result) = passwordless(&app, "", &mut key).await;
    assert_eq!(result.unwrap(), Value::String("/".into()));
    key.origin = "http://panel.example.com".to_owned();
    let (_, result) = passwordless(&app, "", &mut key).await;
    assert_eq!(result.unwrap_err(), AppError::LoginFailed);
}

#[tokio::test]
async fn an_answer_is_accepted_once() {
    let app = app().await;
    let (holder, account) = app.signed_up("Replay Inc").await;
    let mut key = register(&holder, "Key").await;

    let first = password_step(&app, &account).await;
    let options = text(first.call("login_key_options", &[]).await.unwrap());
    let answer = key.get(&options);
    first
        .call("login_key", &[("credential", &answer)])
        .await
        .unwrap();

    // The same answer, captured, against a new login's challenge.
    let second = password_step(&app, &account).await;
    second.call("login_key_options", &[]).await.unwrap();
    assert_eq!(
        second
            .call("login_key", &[("credential", &answer)])
            .await
            .unwrap_err(),
        AppError::LoginFailed
    );
    assert_eq!(second.me().await, Value::Null);

    // A challenge is checked once: a refused answer used it up, and a valid answer to the same
    // challenge sent afterwards is refused too.
    let browser = app.browser();
    let options = text(browser.call("passkey_login_options", &[]).await.unwrap());
    let answer = key.get(&options);
    let other_login = format!("{account}/someone.else");
    let refused = browser
        .call(
            "passkey_login",
            &[("account_id", &other_login), ("credential", &answer)],
        )
        .await;
    assert_eq!(refused.unwrap_err(), AppError::LoginFailed);
    let again = browser
        .call(
            "passkey_login",
            &[("account_id", &account), ("credential", &answer)],
        )
        .await;
    assert_eq!(again.unwrap_err(), AppError::LoginFailed);
    assert_eq!(browser.me().await, Value::Null);
}

#[tokio::test]
async fn a_counter_going_back_is_refused() {
    let app = app().await;
    let (holder, account) = app.signed_up("Clone Inc").await;
    let mut key = register(&holder, "Key").await;
    let browser = password_step(&app, &account).await;
    key_step(&browser, &mut key).await.unwrap();
    let used = key.counter;

    // A copy of the key, whose counter lags behind the original's.
    let browser = password_step(&app, &account).await;
    let options = text(browser.call("login_key_options", &[]).await.unwrap());
    let answer = key.get_with_counter(&options, used);
    assert_eq!(
        browser
            .call("login_key", &[("credential", &answer)])
            .await
            .unwrap_err(),
        AppError::LoginFailed
    );
    let (_, result) = passwordless(&app, "", &mut key).await;
    assert!(result.is_ok(), "the original key, counting on, still works");
}

#[tokio::test]
async fn another_users_key_opens_nothing() {
    let app = app().await;
    let (holder, account) = app.signed_up("Two Users Inc").await;
    let mut holder_key = register(&holder, "Holder's key").await;
    let admin = app.user_in(&holder, &account, "ann", "ADMIN").await;
    let mut ann_key = register(&admin, "Ann's key").await;
    let ann = format!("{account}/ann");

    // The second step of Ann's login, answered with the holder's key.
    let browser = password_step(&app, &ann).await;
    assert_eq!(
        key_step(&browser, &mut holder_key).await.unwrap_err(),
        AppError::LoginFailed
    );
    assert_eq!(browser.me().await, Value::Null);

    // Ann's login typed, the holder's passkey offered.
    let (_, result) = passwordless(&app, &ann, &mut holder_key).await;
    assert_eq!(result.unwrap_err(), AppError::LoginFailed);

    // The holder's credential claiming to be Ann's (her user handle).
    let mut forged = holder_key;
    forged.user_handle = ann_key.user_handle.clone();
    let (_, result) = passwordless(&app, "", &mut forged).await;
    assert_eq!(result.unwrap_err(), AppError::LoginFailed);

    // Ann's own passkey, with her login, with the account ID alone, or with nothing typed.
    for typed in [ann.as_str(), account.as_str(), ""] {
        let (browser, result) = passwordless(&app, typed, &mut ann_key).await;
        assert_eq!(text(result.unwrap()), "/");
        assert_eq!(logged_in_as(&browser.me().await), ann);
    }
    let activity = holder
        .call("list_activity", &[("query[action]", "login.passkey")])
        .await
        .unwrap();
    assert!(
        activity.to_string().contains("passkey of another login"),
        "{activity}"
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_with_a_passkey() {
    let app = app().await;
    let (holder, account) = app.signed_up("Disabled Inc").await;
    let user = app.user_in(&holder, &account, "bob", "DEFAULT").await;
    let mut key = register(&user, "Bob's key").await;
    holder
        .call(
            "set_user_disabled",
            &[("login", "bob"), ("disabled", "true")],
        )
        .await
        .unwrap();
    let (browser, result) = passwordless(&app, "", &mut key).await;
    assert_eq!(result.unwrap_err(), AppError::LoginFailed);
    assert_eq!(browser.me().await, Value::Null);
}

#[tokio::test]
async fn removing_keys_asks_for_the_password_and_for_the_last_a_code() {
    let app = app().await;
    let (holder, _) = app.signed_up("Remove Inc").await;
    let (totp, _) = enrol(&holder).await;
    register(&holder, "First").await;
    register(&holder, "Second").await;
    let keys = holder.call("list_keys", &[]).await.unwrap();
    let ids: Vec<String> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 2);

    let wrong = holder
        .call("remove_key", &[("id", &ids[0]), ("password", "not it")])
        .await;
    assert!(matches!(wrong, Err(AppError::Invalid(_))), "{wrong:?}");
    holder
        .call("remove_key", &[("id", &ids[0]), ("password", PASSWORD)])
        .await
        .unwrap();
    // The last key needs a code as well.
    let no_code = holder
        .call("remove_key", &[("id", &ids[1]), ("password", PASSWORD)])
        .await;
    assert!(matches!(no_code, Err(AppError::Invalid(_))), "{no_code:?}");
    assert_eq!(
        holder.call("list_keys", &[]).await.unwrap()["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    forget_last_step(&app).await;
    holder
        .call(
            "remove_key",
            &[
                ("id", &ids[1]),
                ("password", PASSWORD),
                ("code", &app_code(&totp)),
            ],
        )
        .await
        .unwrap();
    assert!(
        holder.call("list_keys", &[]).await.unwrap()["keys"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Someone else's key is not found.
    let (other, _) = app.signed_up("Other Inc").await;
    register(&other, "Theirs").await;
    let theirs = other.call("list_keys", &[]).await.unwrap()["keys"][0]["id"].to_string();
    let foreign = holder
        .call("remove_key", &[("id", &theirs), ("password", PASSWORD)])
        .await;
    assert_eq!(foreign.unwrap_err(), AppError::NotFound);
}

#[tokio::test]
async fn the_only_second_factor_is_not_removed_but_two_factor_can_be_turned_off() {
    let app = app().await;
    let (holder, account) = app.signed_up("Only Key Inc").await;
    let options = text(holder.call("key_registration_options", &[]).await.unwrap());
    let (_key, answer) = SoftKey::create(&options, ORIGIN);
    let location = text(
        holder
            .call(
                "add_key",
                &[
                    ("name", "Only"),
                    ("password", PASSWORD),
                    ("credential", &answer),
                ],
            )
            .await
            .unwrap(),
    );
    let codes = holder.take_reveal(&location).await["RecoveryCodes"]["codes"].clone();
    let id = holder.call("list_keys", &[]).await.unwrap()["keys"][0]["id"].to_string();
    let refused = holder
        .call(
            "remove_key",
            &[
                ("id", &id),
                ("password", PASSWORD),
                ("code", codes[0].as_str().unwrap()),
            ],
        )
        .await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    // Turning two-factor authentication off takes a recovery code where there is no app, and
    // takes the keys with it.
    holder
        .call(
            "disable_two_factor",
            &[("password", PASSWORD), ("code", codes[1].as_str().unwrap())],
        )
        .await
        .unwrap();
    assert!(
        holder.call("list_keys", &[]).await.unwrap()["keys"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let browser = app.browser();
    let location = browser
        .call_for_location("login", &[("account_id", &account), ("password", PASSWORD)])
        .await
        .unwrap();
    assert_eq!(location, "/");
}

#[tokio::test]
async fn administrators_can_be_required_to_use_a_key() {
    let app = app().await;
    let (holder, account) = app.signed_up("Policy Inc").await;
    let (totp, _) = enrol(&holder).await;
    let user = app.user_in(&holder, &account, "reader", "DEFAULT").await;
    holder
        .call("set_two_factor_policy", &[("keys", "on")])
        .await
        .unwrap();
    let policy = holder.call("two_factor_status", &[]).await.unwrap()["policy"].clone();
    assert_eq!(policy["keys_for_administrators"], true);
    // The holder, an Administrator without a key, is taken to enrolment; a User is not.
    assert_eq!(holder.me().await["must_enrol_two_factor"], true);
    assert_eq!(
        holder.call("list_users", &[]).await.unwrap_err(),
        AppError::TwoFactorRequired
    );
    assert_eq!(user.me().await["must_enrol_two_factor"], false);
    let mut key = register(&holder, "Key").await;
    assert_eq!(holder.me().await["must_enrol_two_factor"], false);

    // With a key, the code step refuses a code, and says why.
    forget_last_step(&app).await;
    let browser = password_step(&app, &account).await;
    assert_eq!(
        browser.call("second_step_methods", &[]).await.unwrap()["key_required"],
        true
    );
    let code = browser
        .call("login_code", &[("code", &app_code(&totp))])
        .await;
    match code {
        Err(AppError::Invalid(errors)) => {
            assert_eq!(errors[0].key, "login.code.key_required");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(browser.me().await, Value::Null);
    key_step(&browser, &mut key).await.unwrap();
    assert_eq!(logged_in_as(&browser.me().await), account);
}

#[tokio::test]
async fn keys_are_offered_only_where_a_browser_can_use_them() {
    use steward::server::identity::passkeys::relying_party;
    use steward::server::infra::config::Config;
    let mut config = Config::for_database("sqlite::memory:", std::env::temp_dir());
    config.site_addr = "127.0.0.1:3000".parse().unwrap();
    let local = relying_party(&config).expect("loopback works as localhost");
    let origins: Vec<String> = local
        .get_allowed_origins()
        .iter()
        .map(|o| o.to_string())
        .collect();
    assert_eq!(origins, ["http://localhost:3000/"]);
    config.public_url = Some(PublicUrl::parse("http://10.0.0.5:8080").unwrap());
    assert!(
        relying_party(&config).is_none(),
        "an IP address names no relying party"
    );
    config.public_url = Some(PublicUrl::parse(ORIGIN).unwrap());
    let public = relying_party(&config).unwrap();
    let origins: Vec<String> = public
        .get_allowed_origins()
        .iter()
        .map(|o| o.to_string())
        .collect();
    assert_eq!(origins, ["https://panel.example.com/"]);
}
