//! API credentials over HTTP: personal API tokens (`Authorization: APIKey` or `Bearer`) and the
//! account's credentials (`X-Auth-ID` + `X-Auth-Token`): issuing them, using them, and every
//! way they stop working.

use reqwest::header::ACCEPT;
use serde_json::Value;
use steward::i18n::Lang;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};
use steward::error::AppError;

/// A credential presented in a request's headers instead of a session cookie.
#[derive(Debug, Clone, Copy)]
pub enum Cred<'a> {
    /// `Authorization: APIKey <token>`.
    ApiKey(&'a str),
    /// `Authorization: Bearer <token>`.
    Bearer(&'a str),
    /// `X-Auth-ID` + `X-Auth-Token`.
    Account { auth_id: &'a str, token: &'a str },
}

/// Calls a server function with `cred` alone: no cookie jar, the page's request shape.
pub async fn call_with(
    base: &str,
    cred: Cred<'_>,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Result<Value, AppError> {
    let request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{base}/api/{endpoint}"))
        .header(ACCEPT, "application/json")
        .form(form);
    let request = match cred {
        Cred::ApiKey(token) => request.header("authorization", format!("APIKey {token}")),
        Cred::Bearer(token) => request.header("authorization", format!("Bearer {token}")),
        Cred::Account { auth_id, token } => request
            .header("x-auth-id", auth_id)
            .header("x-auth-token", token),
    };
    crate::helpers::answer(request.send().await.expect("request")).await
}

/// `whoami` with `cred`: the user it acts as, or JSON null when the credential does not hold.
pub async fn whoami_with(base: &str, cred: Cred<'_>) -> Value {
    call_with(base, cred, "whoami", &[])
        .await
        .expect("whoami answers")
}

/// Asserts that `cred` no longer opens anything: `whoami` says nobody, and a function that
/// needs a caller answers `Unauthenticated`.
pub async fn assert_dead(base: &str, cred: Cred<'_>) {
    assert_eq!(whoami_with(base, cred).await, Value::Null, "{cred:?}");
    assert_eq!(
        call_with(base, cred, "list_api_keys", &[]).await.err(),
        Some(AppError::Unauthenticated),
        "{cred:?}"
    );
}

/// Creates a personal API token as `browser` and returns its reveal (`id`, `name`, `token`).
pub async fn create_token(
    browser: &Browser,
    name: &str,
    role: &str,
    expires: &str,
) -> Result<Value, AppError> {
    let location = browser
        .call_for_location(
            "create_api_token",
            &[
                ("name", name),
                ("description", "from a test"),
                ("role", role),
                ("expires", expires),
            ],
        )
        .await?;
    let revealed = browser.take_reveal(&location).await;
    assert_eq!(
        browser.take_reveal(&location).await,
        Value::Null,
        "shown once"
    );
    Ok(revealed["ApiToken"].clone())
}

/// The token string of a reveal from [`create_token`].
pub fn token_of(revealed: &Value) -> String {
    revealed["token"].as_str().expect("a token").to_owned()
}

/// Rotates (or creates) the caller's account credentials and returns the reveal.
pub async fn rotate_account(browser: &Browser) -> Result<Value, AppError> {
    let location = browser
        .call_for_location("rotate_account_credentials", &[])
        .await?;
    let revealed = browser.take_reveal(&location).await;
    assert_eq!(
        browser.take_reveal(&location).await,
        Value::Null,
        "shown once"
    );
    Ok(revealed["AccountCredentials"].clone())
}

async fn log_in(app: &TestApp, login_id: &str, password: &str) -> Browser {
    let browser = app.browser();
    browser
        .call("login", &[("account_id", login_id), ("password", password)])
        .await
        .expect("logs in");
    browser
}

fn user_update<'a>(login: &'a str, group: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("login", login),
        ("email", "token.user@example.com"),
        ("group", group),
        ("description", ""),
    ]
}

#[tokio::test]
async fn a_personal_token_acts_as_its_user_within_its_role_until_revoked() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Tokens Co")).await;

    let revealed = create_token(&holder, "Nightly export", "none", "")
        .await
        .unwrap();
    let id = revealed["id"].as_i64().expect("numeric id");
    assert_eq!(revealed["name"], "Nightly export");
    let token = token_of(&revealed);
    let (prefix, secret) = token.split_once('_').expect("<id>_<secret>");
    assert_eq!(prefix, id.to_string());
    assert_eq!(secret.len(), 32, "{token}");
    assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric()), "{token}");

    // Before any use, the list shows it unused.
    let keys = holder.call("list_api_keys", &[]).await.unwrap();
    let listed = &keys["tokens"][0];
    assert_eq!(listed["id"], id);
    assert_eq!(listed["role"], "None");
    assert_eq!(listed["expires"], Value::Null);
    assert_eq!(listed["last_used"], Value::Null);

    // It works as APIKey and as Bearer, as the holder with the token's role.
    for cred in [Cred::ApiKey(&token), Cred::Bearer(&token)] {
        let me = whoami_with(&app.base, cred).await;
        assert_eq!(me["login_id"], account.as_str(), "{cred:?}");
        assert_eq!(me["is_holder"], true);
        assert_eq!(me["role"], "None");
        assert_eq!(me["can_manage_users"], false);
        assert!(call_with(&app.base, cred, "list_users", &[]).await.is_ok());
    }
    // The role is capped: the holder is an Administrator, the token is not.
    let err = call_with(
        &app.base,
        Cred::ApiKey(&token),
        "create_user",
        &[
            ("login", "via.token"),
            ("email", "v@acme.example"),
            ("group", "DEFAULT"),
            ("description", ""),
            ("password", PASSWORD),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::Forbidden);
    assert_eq!(holder.call("list_users", &[]).await.unwrap()["total"], 0);

    // The list records the use.
    let keys = holder.call("list_api_keys", &[]).await.unwrap();
    assert!(keys["tokens"][0]["last_used"].is_i64(), "{keys}");

    // A wrong secret with the right id, or a mangled token, opens nothing.
    let wrong = format!("{id}_{}", "A".repeat(32));
    assert_dead(&app.base, Cred::ApiKey(&wrong)).await;
    assert_dead(&app.base, Cred::ApiKey(&token[..token.len() - 1])).await;

    // Another Administrator of the account cannot revoke it: it is not theirs.
    let other = app.user_in(&holder, &account, "other.admin", "ADMIN").await;
    assert_eq!(
        other
            .call("revoke_api_token", &[("id", &id.to_string())])
            .await
            .err(),
        Some(AppError::NotFound)
    );
    assert_eq!(
        whoami_with(&app.base, Cred::ApiKey(&token)).await["login_id"],
        account.as_str()
    );

    // Revoked by its owner: dead at once, and gone from the list.
    holder
        .call("revoke_api_token", &[("id", &id.to_string())])
        .await
        .unwrap();
    assert_dead(&app.base, Cred::ApiKey(&token)).await;
    assert_dead(&app.base, Cred::Bearer(&token)).await;
    let keys = holder.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(keys["tokens"], serde_json::json!([]));
    // Revoking it again finds nothing.
    assert_eq!(
        holder
            .call("revoke_api_token", &[("id", &id.to_string())])
            .await
            .err(),
        Some(AppError::NotFound)
    );
}

#[tokio::test]
async fn a_token_cannot_outrank_its_user_nor_expire_in_the_past() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Limits Co")).await;
    let user = app.user_in(&holder, &account, "regular", "DEFAULT").await;

    let err = create_token(&user, "Too strong", "admin", "")
        .await
        .unwrap_err();
    assert!(err.for_field("role", Lang::En).is_some(), "{err:?}");
    let err = create_token(&user, "Nonsense", "superuser", "")
        .await
        .unwrap_err();
    assert!(err.for_field("role", Lang::En).is_some(), "{err:?}");
    for past in ["2000-01-01", "2020-06-30"] {
        let err = create_token(&user, "Past", "user", past).await.unwrap_err();
        assert!(
            err.for_field("expires", Lang::En).is_some(),
            "{past}: {err:?}"
        );
    }
    let err = create_token(&user, "Garbled", "user", "next week")
        .await
        .unwrap_err();
    assert!(err.for_field("expires", Lang::En).is_some(), "{err:?}");
    let err = create_token(&user, "", "user", "").await.unwrap_err();
    assert!(err.for_field("name", Lang::En).is_some(), "{err:?}");
    // Nothing was created by the refusals.
    let keys = user.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(keys["tokens"], serde_json::json!([]));
    // The roles offered stop at the user's own.
    let roles: Vec<&str> = keys["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["None", "User"]);

    // Within their role and with a future expiry, it is accepted and acts as the user.
    let revealed = create_token(&user, "Reports", "user", "2999-12-31")
        .await
        .unwrap();
    let token = token_of(&revealed);
    let me = whoami_with(&app.base, Cred::ApiKey(&token)).await;
    assert_eq!(me["login_id"], format!("{account}/regular"));
    assert_eq!(me["role"], "User");
    let keys = user.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(keys["tokens"][0]["role"], "User");
    assert!(
        keys["tokens"][0]["expires"]
            .as_i64()
            .is_some_and(|e| Lang::En.date(e) == "31 Dec 2999"),
        "{keys}"
    );
    assert_eq!(keys["tokens"][0]["expired"], false);
    // A User token cannot manage users.
    assert_eq!(
        call_with(
            &app.base,
            Cred::ApiKey(&token),
            "create_group",
            &[
                ("name", "VIA_TOKEN"),
                ("role", "UNPRIVILEGED"),
                ("description", ""),
            ]
        )
        .await
        .err(),
        Some(AppError::Forbidden)
    );
}

#[tokio::test]
async fn a_token_dies_with_its_users_status_password_privilege_expiry_and_removal() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Lifecycle Co")).await;
    let login_id = format!("{account}/token.user");
    let user = app
        .user_in(&holder, &account, "token.user", "DEFAULT")
        .await;

    // Disabled: dead, and it stays dead once the user is enabled again.
    let token = token_of(&create_token(&user, "A", "user", "").await.unwrap());
    assert_eq!(
        whoami_with(&app.base, Cred::ApiKey(&token)).await["login_id"],
        login_id.as_str()
    );
    holder
        .call(
            "set_user_disabled",
            &[("login", "token.user"), ("disabled", "true")],
        )
        .await
        .unwrap();
    assert_dead(&app.base, Cred::ApiKey(&token)).await;
    holder
        .call(
            "set_user_disabled",
            &[("login", "token.user"), ("disabled", "false")],
        )
        .await
        .unwrap();
    assert_dead(&app.base, Cred::ApiKey(&token)).await;

    // The password changed: dead.
    let user = log_in(&app, &login_id, PASSWORD).await;
    let token = token_of(&create_token(&user, "B", "user", "").await.unwrap());
    assert!(
        whoami_with(&app.base, Cred::ApiKey(&token))
            .await
            .is_object()
    );
    let new_password = "Quartz-Harbor-Lantern-19";
    user.call(
        "change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", new_password),
            ("confirm_password", new_password),
        ],
    )
    .await
    .unwrap();
    assert_dead(&app.base, Cred::ApiKey(&token)).await;

    // The privilege changed (here: raised): dead.
    let token = token_of(&create_token(&user, "C", "user", "").await.unwrap());
    assert!(
        whoami_with(&app.base, Cred::ApiKey(&token))
            .await
            .is_object()
    );
    holder
        .call("update_user", &user_update("token.user", "ADMIN"))
        .await
        .unwrap();
    assert_dead(&app.base, Cred::ApiKey(&token)).await;

    // Past its last day: dead (the expiry is moved into the past in the database).
    let user = log_in(&app, &login_id, new_password).await;
    let revealed = create_token(&user, "D", "admin", "2999-12-31")
        .await
        .unwrap();
    let token = token_of(&revealed);
    let me = whoami_with(&app.base, Cred::ApiKey(&token)).await;
    assert_eq!(me["role"], "Administrator");
    let past = steward::server::db::now() - 1;
    let id = revealed["id"].as_i64().unwrap();
    let moved = steward::on_db!(&app.state.db, |pool| {
        sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
            .bind(past)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })
    .unwrap();
    assert_eq!(moved, 1);
    assert_dead(&app.base, Cred::ApiKey(&token)).await;
    let keys = user.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(keys["tokens"][0]["expired"], true, "{keys}");

    // The user removed: dead.
    let token = token_of(&create_token(&user, "E", "none", "").await.unwrap());
    assert!(
        whoami_with(&app.base, Cred::ApiKey(&token))
            .await
            .is_object()
    );
    holder
        .call("remove_user", &[("login", "token.user")])
        .await
        .unwrap();
    assert_dead(&app.base, Cred::ApiKey(&token)).await;
    assert_dead(&app.base, Cred::Bearer(&token)).await;
}

#[tokio::test]
async fn account_credentials_act_as_the_holder_and_rotating_them_kills_the_old_token() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Creds Co")).await;

    let keys = holder.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(keys["auth_id"], Value::Null);
    assert_eq!(keys["can_manage_account"], true);

    let first = rotate_account(&holder).await.unwrap();
    assert_eq!(first["sub_account"], Value::Null);
    assert_eq!(first["account_id"], account.as_str());
    assert_eq!(first["new_account"], false);
    let auth_id = first["auth_id"].as_str().unwrap().to_owned();
    assert!(is_auth_id(&auth_id, "MA_"), "{auth_id}");
    let old_token = first["auth_token"].as_str().unwrap().to_owned();
    assert!(old_token.len() >= 32, "{old_token}");
    let keys = holder.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(keys["auth_id"], auth_id.as_str());
    assert!(keys["credentials_issued"].is_i64());

    let old = Cred::Account {
        auth_id: &auth_id,
        token: &old_token,
    };
    let me = whoami_with(&app.base, old).await;
    assert_eq!(me["login_id"], account.as_str());
    assert_eq!(me["is_holder"], true);
    assert_eq!(me["role"], "Administrator");
    // Acting as the holder, they may do what the holder does.
    call_with(
        &app.base,
        old,
        "create_user",
        &[
            ("login", "via.creds"),
            ("email", "c@acme.example"),
            ("group", "UNPRIVILEGED"),
            ("description", ""),
            ("password", PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert_eq!(holder.call("list_users", &[]).await.unwrap()["total"], 1);

    // A wrong token, or a token without its auth_id, opens nothing.
    assert_dead(
        &app.base,
        Cred::Account {
            auth_id: &auth_id,
            token: "not-the-token",
        },
    )
    .await;
    assert_dead(
        &app.base,
        Cred::Account {
            auth_id: "MA_ABCDEFGHJK",
            token: &old_token,
        },
    )
    .await;

    // Rotated: same auth_id, new token; the old one is dead at once.
    let second = rotate_account(&holder).await.unwrap();
    assert_eq!(second["auth_id"], auth_id.as_str());
    let new_token = second["auth_token"].as_str().unwrap().to_owned();
    assert_ne!(new_token, old_token);
    assert_dead(&app.base, old).await;
    let me = whoami_with(
        &app.base,
        Cred::Account {
            auth_id: &auth_id,
            token: &new_token,
        },
    )
    .await;
    assert_eq!(me["login_id"], account.as_str());

    // Users below Administrator may not issue or rotate them.
    let none = app
        .user_in(&holder, &account, "viewer", "UNPRIVILEGED")
        .await;
    let user = app.user_in(&holder, &account, "worker", "DEFAULT").await;
    for browser in [&none, &user] {
        assert_eq!(
            browser
                .call_for_location("rotate_account_credentials", &[])
                .await
                .err(),
            Some(AppError::Forbidden)
        );
        let keys = browser.call("list_api_keys", &[]).await.unwrap();
        assert_eq!(keys["can_manage_account"], false);
    }
    // Nor may a holder's token with a lower role.
    let token = token_of(&create_token(&holder, "Low", "user", "").await.unwrap());
    assert_eq!(
        call_with(
            &app.base,
            Cred::ApiKey(&token),
            "rotate_account_credentials",
            &[]
        )
        .await
        .err(),
        Some(AppError::Forbidden)
    );
    // The refusals left the credentials as they were.
    assert_eq!(
        whoami_with(
            &app.base,
            Cred::Account {
                auth_id: &auth_id,
                token: &new_token,
            },
        )
        .await["login_id"],
        account.as_str()
    );
}

/// Whether `id` is `prefix` and ten characters of the auth_id alphabet (no look-alikes).
pub fn is_auth_id(id: &str, prefix: &str) -> bool {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    id.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == 10 && rest.bytes().all(|b| ALPHABET.contains(&b)))
}

#[tokio::test]
async fn account_credentials_die_when_the_administrator_who_issued_them_is_demoted_or_removed() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Issuer")).await;
    let rotator = app.user_in(&holder, &account, "rotator", "ADMIN").await;
    let issued = rotate_account(&rotator).await.unwrap();
    let (auth_id, token) = (
        issued["auth_id"].as_str().unwrap().to_owned(),
        issued["auth_token"].as_str().unwrap().to_owned(),
    );
    let cred = Cred::Account {
        auth_id: &auth_id,
        token: &token,
    };
    // They act as the holder...
    assert_eq!(
        whoami_with(&app.base, cred).await["login_id"],
        account.as_str()
    );
    // ...only while the Administrator who issued them still is one.
    holder
        .call("update_user", &user_update("rotator", "DEFAULT"))
        .await
        .unwrap();
    assert_dead(&app.base, cred).await;

    // Issued by another Administrator who is then removed: dead too.
    let second = app
        .user_in(&holder, &account, "second.admin", "ADMIN")
        .await;
    let issued = rotate_account(&second).await.unwrap();
    let token = issued["auth_token"].as_str().unwrap().to_owned();
    let cred = Cred::Account {
        auth_id: &auth_id,
        token: &token,
    };
    assert_eq!(
        whoami_with(&app.base, cred).await["login_id"],
        account.as_str()
    );
    holder
        .call("remove_user", &[("login", "second.admin")])
        .await
        .unwrap();
    assert_dead(&app.base, cred).await;

    // Issued by the holder: they stay whatever happens to other Administrators.
    let issued = rotate_account(&holder).await.unwrap();
    let token = issued["auth_token"].as_str().unwrap().to_owned();
    let cred = Cred::Account {
        auth_id: &auth_id,
        token: &token,
    };
    let third = app.user_in(&holder, &account, "third.admin", "ADMIN").await;
    holder
        .call("update_user", &user_update("third.admin", "DEFAULT"))
        .await
        .unwrap();
    drop(third);
    assert_eq!(
        whoami_with(&app.base, cred).await["login_id"],
        account.as_str()
    );
}
