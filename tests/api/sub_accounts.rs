//! Sub-accounts over HTTP: creating them with their credentials, the list, validation,
//! rotating, disabling, deleting, managing one from its parent, concurrency, and secrets at rest.

use serde_json::Value;
use std::sync::Arc;
use steward::i18n::Lang;

use crate::api_keys::{
    Cred, assert_dead, call_with, create_token, is_auth_id, rotate_account, token_of, whoami_with,
};
use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};
use steward::error::AppError;

/// The sub-account holder's password in these tests (distinct from the parent's).
const SUB_PASSWORD: &str = "Copper-Lantern-Meadow-77";

/// The sub-account form as a browser posts it: boxes are sent as "on" only when ticked.
#[derive(Debug, Clone, Default)]
struct SubForm {
    name: String,
    description: String,
    email: String,
    phone: String,
    rate_limit: String,
    calls: bool,
    cdr: bool,
    enabled: bool,
    kyc_mode: String,
    business_type: String,
    password: String,
}

impl SubForm {
    /// A personal-use sub-account, enabled, calls and CDRs allowed, defaults elsewhere.
    fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            calls: true,
            cdr: true,
            enabled: true,
            ..Self::default()
        }
    }

    fn with_password(mut self, password: &str) -> Self {
        self.password = password.to_owned();
        self
    }

    fn fields(&self) -> Vec<(&'static str, &str)> {
        let mut fields = vec![
            ("form[name]", self.name.as_str()),
            ("form[description]", self.description.as_str()),
            ("form[email]", self.email.as_str()),
            ("form[phone]", self.phone.as_str()),
            ("form[rate_limit]", self.rate_limit.as_str()),
            ("form[kyc_mode]", self.kyc_mode.as_str()),
            ("form[business_type]", self.business_type.as_str()),
            ("form[password]", self.password.as_str()),
        ];
        for (ticked, field) in [
            (self.calls, "form[calls]"),
            (self.cdr, "form[cdr]"),
            (self.enabled, "form[enabled]"),
        ] {
            if ticked {
                fields.push((field, "on"));
            }
        }
        fields
    }
}

/// Creates a sub-account as `admin` and returns the `AccountCredentials` of its one-time
/// reveal, checking that it is shown only once.
async fn create(admin: &Browser, form: &SubForm) -> Result<Value, AppError> {
    let location = admin
        .call_for_location("create_sub_account", &form.fields())
        .await?;
    assert!(location.starts_with("/reveal/"), "{location}");
    let revealed = admin.take_reveal(&location).await;
    assert_eq!(
        admin.take_reveal(&location).await,
        Value::Null,
        "shown once"
    );
    Ok(revealed["AccountCredentials"].clone())
}

/// The fields of a reveal every test needs.
struct Sub {
    id: i64,
    account_id: String,
    auth_id: String,
    auth_token: String,
}

impl Sub {
    fn from(revealed: &Value) -> Self {
        let text = |key: &str| {
            revealed[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} in {revealed}"))
                .to_owned()
        };
        Self {
            id: revealed["sub_account"].as_i64().expect("numeric id"),
            account_id: text("account_id"),
            auth_id: text("auth_id"),
            auth_token: text("auth_token"),
        }
    }

    fn cred(&self) -> Cred<'_> {
        Cred::Account {
            auth_id: &self.auth_id,
            token: &self.auth_token,
        }
    }

    fn id(&self) -> String {
        self.id.to_string()
    }
}

async fn list(admin: &Browser) -> Value {
    admin
        .call("list_sub_accounts", &[])
        .await
        .expect("the list answers")
}

async fn total(admin: &Browser) -> i64 {
    list(admin).await["total"].as_i64().expect("a total")
}

async fn log_in(app: &TestApp, login_id: &str, password: &str) -> Result<Browser, AppError> {
    let browser = app.browser();
    browser
        .call("login", &[("account_id", login_id), ("password", password)])
        .await?;
    Ok(browser)
}

/// Adds a user to sub-account `sub` through the parent Administrator `admin` managing it, and
/// returns `admin` back in its own account.
async fn add_user_in(admin: &Browser, sub: &Sub, login: &str, group: &str) {
    admin
        .call_for_location("manage_sub_account", &[("id", &sub.id())])
        .await
        .expect("manage");
    admin
        .call(
            "create_user",
            &[
                ("login", login),
                ("email", &format!("{login}@sub.example")),
                ("group", group),
                ("description", ""),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect("user created in the sub-account");
    admin
        .call_for_location("stop_managing_sub_account", &[])
        .await
        .expect("back home");
}

#[tokio::test]
async fn a_new_sub_account_is_revealed_once_and_listed_with_its_settings() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Parent Co")).await;

    let full = SubForm {
        name: "  Team   Blue ".into(),
        description: "Blue team's numbers".into(),
        email: "blue@customer.example".into(),
        phone: "+33 1 23 45 67 89".into(),
        rate_limit: "250".into(),
        calls: true,
        cdr: false,
        enabled: true,
        kyc_mode: "customer_use".into(),
        business_type: "llp".into(),
        password: SUB_PASSWORD.into(),
    };
    let revealed = create(&admin, &full).await.unwrap();
    let blue = Sub::from(&revealed);
    assert_eq!(revealed["name"], "Team Blue");
    assert_eq!(revealed["new_account"], true);
    assert!(
        steward::domain::AccountId::parse(&blue.account_id).is_ok(),
        "{revealed}"
    );
    assert!(is_auth_id(&blue.auth_id, "SA_"), "{revealed}");
    assert!(blue.auth_token.len() >= 32, "{revealed}");

    let minimal = SubForm {
        name: "Team Green".into(),
        calls: false,
        cdr: true,
        enabled: false,
        ..SubForm::default()
    };
    let green = Sub::from(&create(&admin, &minimal).await.unwrap());
    assert_ne!(green.id, blue.id);
    assert_ne!(green.account_id, blue.account_id);
    assert_ne!(green.auth_id, blue.auth_id);
    assert_ne!(green.auth_token, blue.auth_token);

    let page = list(&admin).await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["can_manage"], true);
    assert_eq!(page["is_sub_account"], false);
    let find = |id: i64| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {page}"))
            .clone()
    };
    let listed = find(blue.id);
    assert_eq!(listed["account_id"], blue.account_id.as_str());
    assert_eq!(listed["name"], "Team Blue");
    assert_eq!(listed["description"], "Blue team's numbers");
    assert_eq!(listed["email"], "blue@customer.example");
    assert_eq!(listed["phone"], "+33123456789");
    assert_eq!(listed["rate_limit"], 250);
    assert_eq!(listed["calls"], true);
    assert_eq!(listed["cdr"], false);
    assert_eq!(listed["enabled"], true);
    assert_eq!(listed["kyc_mode"], "customer_use");
    assert_eq!(listed["kyc_calls_blocked"], true);
    assert_eq!(listed["business_type"], "llp");
    assert_eq!(listed["auth_id"], blue.auth_id.as_str());
    assert!(listed["credentials_issued"].is_i64());
    assert_eq!(listed["users"], 0);

    let listed = find(green.id);
    assert_eq!(listed["name"], "Team Green");
    assert_eq!(listed["rate_limit"], 1000);
    assert_eq!(listed["calls"], false);
    assert_eq!(listed["cdr"], true);
    assert_eq!(listed["enabled"], false);
    assert_eq!(listed["kyc_mode"], "personal_use");
    assert_eq!(listed["kyc_calls_blocked"], false);
    assert_eq!(listed["business_type"], "");
    assert_eq!(listed["email"], "");
    assert_eq!(listed["phone"], "");

    // The search finds by name.
    let found = admin
        .call("list_sub_accounts", &[("query[q]", "green")])
        .await
        .unwrap();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["id"], green.id);

    // Completing KYC lifts the block on calls.
    admin
        .call_for_location("complete_sub_account_kyc", &[("id", &blue.id())])
        .await
        .unwrap();
    let detail = admin
        .call("get_sub_account", &[("id", &blue.id())])
        .await
        .unwrap();
    assert_eq!(detail["kyc_calls_blocked"], false);
    assert_eq!(detail["kyc_mode"], "customer_use");

    // Editing saves the new settings.
    let edited = SubForm {
        name: "Team Teal".into(),
        rate_limit: "42".into(),
        calls: true,
        cdr: false,
        business_type: "trust".into(),
        ..SubForm::default()
    };
    let id = green.id();
    let mut fields = edited.fields();
    fields.push(("id", &id));
    let location = admin
        .call_for_location("update_sub_account", &fields)
        .await
        .unwrap();
    assert!(
        location.starts_with(&format!("/sub-accounts/{id}")),
        "{location}"
    );
    let detail = admin.call("get_sub_account", &[("id", &id)]).await.unwrap();
    assert_eq!(detail["name"], "Team Teal");
    assert_eq!(detail["rate_limit"], 42);
    assert_eq!(detail["calls"], true);
    assert_eq!(detail["cdr"], false);
    assert_eq!(detail["business_type"], "trust");
    assert_eq!(detail["auth_id"], green.auth_id.as_str());
}

#[tokio::test]
async fn no_secret_is_stored_in_clear_in_any_table() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Secretive Co")).await;
    let name = unique("Vault");

    let created = Sub::from(
        &create(&admin, &SubForm::named(&name).with_password(SUB_PASSWORD))
            .await
            .unwrap(),
    );
    let location = admin
        .call_for_location("rotate_sub_account_credentials", &[("id", &created.id())])
        .await
        .unwrap();
    let rotated = Sub::from(&admin.take_reveal(&location).await["AccountCredentials"]);
    let main = rotate_account(&admin).await.unwrap();
    let main_token = main["auth_token"].as_str().unwrap().to_owned();
    let personal = token_of(
        &create_token(&admin, "Dump check", "admin", "")
            .await
            .unwrap(),
    );
    let personal_secret = personal.split_once('_').unwrap().1.to_owned();
    // Every one of them is in use, so that nothing is only pending.
    assert!(whoami_with(&app.base, rotated.cred()).await.is_object());
    assert!(
        whoami_with(&app.base, Cred::ApiKey(&personal))
            .await
            .is_object()
    );

    let dump = dump_every_table(&app).await;
    // The dump does cover the data: the public parts are there.
    for public in [name.as_str(), created.auth_id.as_str(), "Dump check"] {
        assert!(contains(&dump, public), "{public:?} missing from the dump");
    }
    for secret in [
        created.auth_token.as_str(),
        rotated.auth_token.as_str(),
        main_token.as_str(),
        personal.as_str(),
        personal_secret.as_str(),
        SUB_PASSWORD,
        PASSWORD,
    ] {
        assert!(!contains(&dump, secret), "{secret:?} is stored in clear");
        let hex = hex_lower(secret);
        assert!(
            !contains(&dump, &hex),
            "{secret:?} is stored in clear (as hex)"
        );
    }
}

fn hex_lower(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn contains(cells: &[Vec<u8>], needle: &str) -> bool {
    let needle = needle.as_bytes();
    cells
        .iter()
        .any(|cell| cell.windows(needle.len()).any(|w| w == needle))
}

/// Every cell of every table of the test database, as bytes (SQLite) or as text (PostgreSQL,
/// where binary columns read as `\x` and hex).
async fn dump_every_table(app: &TestApp) -> Vec<Vec<u8>> {
    use steward::server::db::Db;
    let mut cells = Vec::new();
    match &app.state.db {
        Db::Sqlite(pool) => {
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            assert!(tables.len() > 5, "{tables:?}");
            for table in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                assert!(!columns.is_empty(), "{table}");
                for column in columns {
                    let sql = format!("SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\"");
                    let values: Vec<Option<Vec<u8>>> =
                        sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap();
                    cells.extend(values.into_iter().flatten());
                }
            }
        }
        Db::Postgres(pool) => {
            let tables: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_schema::text, table_name::text FROM information_schema.tables
                 WHERE table_type = 'BASE TABLE'
                   AND table_schema NOT IN ('pg_catalog', 'information_schema')",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            assert!(tables.len() > 5, "{tables:?}");
            for (schema, table) in tables {
                let columns: Vec<String> = sqlx::query_scalar(
                    "SELECT column_name::text FROM information_schema.columns
                     WHERE table_schema = $1 AND table_name = $2",
                )
                .bind(&schema)
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
                assert!(!columns.is_empty(), "{schema}.{table}");
                for column in columns {
                    let sql = format!("SELECT \"{column}\"::text FROM \"{schema}\".\"{table}\"");
                    let values: Vec<Option<String>> =
                        sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap();
                    cells.extend(values.into_iter().flatten().map(String::into_bytes));
                }
            }
        }
    }
    cells
}

#[tokio::test]
async fn bad_fields_are_refused_and_create_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Strict Co")).await;
    create(&admin, &SubForm::named("Team Blue")).await.unwrap();

    let cases: Vec<(&str, SubForm)> = vec![
        (
            "email",
            SubForm {
                kyc_mode: "customer_use".into(),
                ..SubForm::named("No Email")
            },
        ),
        (
            "email",
            SubForm {
                email: "not-an-address".into(),
                ..SubForm::named("Bad Email")
            },
        ),
        (
            "phone",
            SubForm {
                phone: "01 23 45 67 89".into(),
                ..SubForm::named("Bad Phone")
            },
        ),
        (
            "rate_limit",
            SubForm {
                rate_limit: "0".into(),
                ..SubForm::named("Zero Rate")
            },
        ),
        (
            "rate_limit",
            SubForm {
                rate_limit: "100001".into(),
                ..SubForm::named("High Rate")
            },
        ),
        (
            "rate_limit",
            SubForm {
                rate_limit: "abc".into(),
                ..SubForm::named("Word Rate")
            },
        ),
        ("name", SubForm::named("team blue")),
        ("name", SubForm::named("  TEAM   BLUE  ")),
        ("name", SubForm::named("   ")),
        (
            "kyc_mode",
            SubForm {
                kyc_mode: "business".into(),
                ..SubForm::named("Bad Kyc")
            },
        ),
        (
            "business_type",
            SubForm {
                business_type: "corporation".into(),
                ..SubForm::named("Bad Business")
            },
        ),
        (
            "password",
            SubForm::named("Weak Password").with_password("password1"),
        ),
        (
            "description",
            SubForm {
                description: "d".repeat(256),
                ..SubForm::named("Long Description")
            },
        ),
    ];
    for (field, form) in cases {
        let err = create(&admin, &form).await.unwrap_err();
        assert!(
            err.for_field(field, Lang::En).is_some(),
            "{field} for {form:?}: {err:?}"
        );
        assert_eq!(total(&admin).await, 1, "{form:?} created something");
    }
    let err = create(&admin, &SubForm::named("Team Blue"))
        .await
        .unwrap_err();
    assert_eq!(
        err.for_field("name", Lang::En).as_deref(),
        Some("A sub-account with this name already exists.")
    );

    // Every bad field is reported together.
    let err = create(
        &admin,
        &SubForm {
            phone: "12".into(),
            rate_limit: "-1".into(),
            kyc_mode: "other".into(),
            business_type: "other".into(),
            ..SubForm::named("")
        },
    )
    .await
    .unwrap_err();
    for field in ["name", "phone", "rate_limit", "kyc_mode", "business_type"] {
        assert!(err.for_field(field, Lang::En).is_some(), "{field}: {err:?}");
    }
    assert_eq!(total(&admin).await, 1);

    // The same name under another parent is another sub-account.
    let (other, _) = app.signed_up(&unique("Other Parent")).await;
    create(&other, &SubForm::named("Team Blue")).await.unwrap();
    assert_eq!(total(&other).await, 1);
    assert_eq!(total(&admin).await, 1);

    // Editing into a taken name is refused too.
    let green = Sub::from(&create(&admin, &SubForm::named("Team Green")).await.unwrap());
    let renamed = SubForm::named("TEAM BLUE");
    let mut fields = renamed.fields();
    let id = green.id();
    fields.push(("id", &id));
    let err = admin
        .call_for_location("update_sub_account", &fields)
        .await
        .unwrap_err();
    assert!(err.for_field("name", Lang::En).is_some(), "{err:?}");
    let detail = admin
        .call("get_sub_account", &[("id", &green.id())])
        .await
        .unwrap();
    assert_eq!(detail["name"], "Team Green");
}

#[tokio::test]
async fn rotating_credentials_keeps_the_auth_id_and_kills_the_old_token_at_once() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Rotating Co")).await;
    let old = Sub::from(&create(&admin, &SubForm::named("Rotated")).await.unwrap());

    let me = whoami_with(&app.base, old.cred()).await;
    assert_eq!(me["login_id"], old.account_id.as_str());
    assert_eq!(me["is_holder"], true);
    assert_eq!(me["is_sub_account"], true);
    assert_eq!(me["company"], "Rotated");

    let location = admin
        .call_for_location("rotate_sub_account_credentials", &[("id", &old.id())])
        .await
        .unwrap();
    let revealed = admin.take_reveal(&location).await["AccountCredentials"].clone();
    assert_eq!(admin.take_reveal(&location).await, Value::Null);
    assert_eq!(revealed["new_account"], false);
    assert_eq!(revealed["name"], "Rotated");
    let new = Sub::from(&revealed);
    assert_eq!(new.id, old.id);
    assert_eq!(new.account_id, old.account_id);
    assert_eq!(new.auth_id, old.auth_id);
    assert_ne!(new.auth_token, old.auth_token);

    assert_dead(&app.base, old.cred()).await;
    let me = whoami_with(&app.base, new.cred()).await;
    assert_eq!(me["login_id"], new.account_id.as_str());
    let listed = list(&admin).await;
    assert_eq!(listed["items"][0]["auth_id"], old.auth_id.as_str());
}

#[tokio::test]
async fn disabling_stops_logins_sessions_and_credentials_and_enabling_restores_them() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Switch Co")).await;
    let sub = Sub::from(
        &create(
            &admin,
            &SubForm::named("Switched").with_password(SUB_PASSWORD),
        )
        .await
        .unwrap(),
    );
    add_user_in(&admin, &sub, "agent", "ADMIN").await;
    let agent_id = format!("{}/agent", sub.account_id);

    let holder = log_in(&app, &sub.account_id, SUB_PASSWORD).await.unwrap();
    let agent = log_in(&app, &agent_id, PASSWORD).await.unwrap();
    assert_eq!(holder.me().await["login_id"], sub.account_id.as_str());
    assert_eq!(agent.me().await["login_id"], agent_id.as_str());
    let holder_token = token_of(
        &create_token(&holder, "Holder's", "admin", "")
            .await
            .unwrap(),
    );
    let agent_token = token_of(&create_token(&agent, "Agent's", "user", "").await.unwrap());
    assert!(whoami_with(&app.base, sub.cred()).await.is_object());
    assert!(
        whoami_with(&app.base, Cred::ApiKey(&holder_token))
            .await
            .is_object()
    );
    assert!(
        whoami_with(&app.base, Cred::ApiKey(&agent_token))
            .await
            .is_object()
    );

    admin
        .call_for_location(
            "set_sub_account_enabled",
            &[("id", &sub.id()), ("enabled", "false")],
        )
        .await
        .unwrap();
    let detail = admin
        .call("get_sub_account", &[("id", &sub.id())])
        .await
        .unwrap();
    assert_eq!(detail["enabled"], false);
    // Sessions end at once.
    assert_eq!(holder.me().await, Value::Null);
    assert_eq!(agent.me().await, Value::Null);
    assert_eq!(
        agent.call("list_users", &[]).await.err(),
        Some(AppError::Unauthenticated)
    );
    // Nobody logs in.
    assert_eq!(
        log_in(&app, &sub.account_id, SUB_PASSWORD).await.err(),
        Some(AppError::LoginFailed)
    );
    assert_eq!(
        log_in(&app, &agent_id, PASSWORD).await.err(),
        Some(AppError::LoginFailed)
    );
    // Account credentials and personal tokens stop.
    assert_dead(&app.base, sub.cred()).await;
    assert_dead(&app.base, Cred::ApiKey(&holder_token)).await;
    assert_dead(&app.base, Cred::ApiKey(&agent_token)).await;
    // The parent is untouched.
    assert!(admin.me().await.is_object());

    admin
        .call_for_location(
            "set_sub_account_enabled",
            &[("id", &sub.id()), ("enabled", "true")],
        )
        .await
        .unwrap();
    let holder = log_in(&app, &sub.account_id, SUB_PASSWORD).await.unwrap();
    assert_eq!(holder.me().await["login_id"], sub.account_id.as_str());
    let agent = log_in(&app, &agent_id, PASSWORD).await.unwrap();
    assert_eq!(agent.me().await["login_id"], agent_id.as_str());
    let me = whoami_with(&app.base, sub.cred()).await;
    assert_eq!(me["login_id"], sub.account_id.as_str());
}

#[tokio::test]
async fn deleting_needs_the_exact_name_and_removes_users_and_credentials() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Deleting Co")).await;
    let sub = Sub::from(
        &create(
            &admin,
            &SubForm::named("Doomed Team").with_password(SUB_PASSWORD),
        )
        .await
        .unwrap(),
    );
    add_user_in(&admin, &sub, "agent", "DEFAULT").await;
    let agent_id = format!("{}/agent", sub.account_id);
    let agent = log_in(&app, &agent_id, PASSWORD).await.unwrap();
    let agent_token = token_of(&create_token(&agent, "Agent's", "user", "").await.unwrap());
    assert!(
        whoami_with(&app.base, Cred::ApiKey(&agent_token))
            .await
            .is_object()
    );

    for wrong in ["", "doomed team", "Doomed", "Doomed Team!"] {
        let err = admin
            .call_for_location(
                "delete_sub_account",
                &[("id", &sub.id()), ("confirm_name", wrong)],
            )
            .await
            .unwrap_err();
        assert!(
            err.for_field("confirm_name", Lang::En).is_some(),
            "{wrong:?}: {err:?}"
        );
    }
    assert_eq!(total(&admin).await, 1);
    assert!(whoami_with(&app.base, sub.cred()).await.is_object());

    let location = admin
        .call_for_location(
            "delete_sub_account",
            &[("id", &sub.id()), ("confirm_name", "Doomed Team")],
        )
        .await
        .unwrap();
    assert!(location.starts_with("/sub-accounts"), "{location}");
    assert_eq!(total(&admin).await, 0);
    assert_eq!(
        admin
            .call("get_sub_account", &[("id", &sub.id())])
            .await
            .err(),
        Some(AppError::NotFound)
    );
    // Its credentials, users, sessions and tokens are gone.
    assert_dead(&app.base, sub.cred()).await;
    assert_dead(&app.base, Cred::ApiKey(&agent_token)).await;
    assert_eq!(agent.me().await, Value::Null);
    assert_eq!(
        log_in(&app, &sub.account_id, SUB_PASSWORD).await.err(),
        Some(AppError::LoginFailed)
    );
    assert_eq!(
        log_in(&app, &agent_id, PASSWORD).await.err(),
        Some(AppError::LoginFailed)
    );
    let (users, tokens): (i64, i64) = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM users WHERE account_id = $1),
                    (SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id
                      WHERE u.account_id = $1)",
        )
        .bind(sub.id)
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!((users, tokens), (0, 0));
    app.assert_user_counts_exact().await;
    // Deleting again finds nothing.
    assert_eq!(
        admin
            .call_for_location(
                "delete_sub_account",
                &[("id", &sub.id()), ("confirm_name", "Doomed Team")],
            )
            .await
            .err(),
        Some(AppError::NotFound)
    );

    // The name is free again, with new credentials.
    let again = Sub::from(
        &create(&admin, &SubForm::named("Doomed Team"))
            .await
            .unwrap(),
    );
    assert_ne!(again.id, sub.id);
    assert_ne!(again.auth_token, sub.auth_token);
    assert!(whoami_with(&app.base, again.cred()).await.is_object());
    assert_dead(&app.base, sub.cred()).await;
    assert_eq!(total(&admin).await, 1);
}

#[tokio::test]
async fn concurrent_creations_of_one_name_make_exactly_one_sub_account() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_up(&unique("Racing Co")).await;
    let admin = Arc::new(admin);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let admin = Arc::clone(&admin);
        tasks.spawn(async move {
            admin
                .call_for_location("create_sub_account", &SubForm::named("Race Team").fields())
                .await
        });
    }
    let mut created = 0;
    while let Some(outcome) = tasks.join_next().await {
        match outcome.expect("task") {
            Ok(location) => {
                assert!(location.starts_with("/reveal/"), "{location}");
                created += 1;
            }
            Err(err) => assert_eq!(
                err.for_field("name", Lang::En).as_deref(),
                Some("A sub-account with this name already exists."),
                "{err:?}"
            ),
        }
    }
    assert_eq!(created, 1);
    let page = list(&admin).await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["name"], "Race Team");
}

#[tokio::test]
async fn the_parent_manages_a_sub_account_and_its_people_log_in_with_its_id() {
    let app = spawn_app().await;
    let (admin, parent_id) = app.signed_up(&unique("Managing Co")).await;
    let parent_company = admin.me().await["company"].clone();
    let sub = Sub::from(
        &create(
            &admin,
            &SubForm::named("Managed").with_password(SUB_PASSWORD),
        )
        .await
        .unwrap(),
    );

    // Managing: the panel shows the sub-account, and users are added there.
    let location = admin
        .call_for_location("manage_sub_account", &[("id", &sub.id())])
        .await
        .unwrap();
    assert_eq!(location, "/users");
    let me = admin.me().await;
    assert_eq!(me["account_id"], sub.account_id.as_str());
    assert_eq!(me["company"], "Managed");
    assert_eq!(me["acting"]["sub_account"], sub.id);
    assert_eq!(me["acting"]["home_account_id"], parent_id.as_str());
    assert_eq!(me["acting"]["home_company"], parent_company);
    assert_eq!(me["login_id"], parent_id.as_str());
    admin
        .call(
            "create_user",
            &[
                ("login", "agent"),
                ("email", "agent@sub.example"),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap();
    let users = admin.call("list_users", &[]).await.unwrap();
    assert_eq!(users["total"], 1);
    assert_eq!(users["users"][0]["login"], "agent");

    // Back home: the parent's own users do not include the sub-account's.
    admin
        .call_for_location("stop_managing_sub_account", &[])
        .await
        .unwrap();
    let me = admin.me().await;
    assert_eq!(me["account_id"], parent_id.as_str());
    assert_eq!(me["acting"], Value::Null);
    assert_eq!(admin.call("list_users", &[]).await.unwrap()["total"], 0);
    let detail = admin
        .call("get_sub_account", &[("id", &sub.id())])
        .await
        .unwrap();
    assert_eq!(detail["users"], 1);

    // The new user logs in as SUB-ID/login, in the sub-account.
    let agent_id = format!("{}/agent", sub.account_id);
    let agent = log_in(&app, &agent_id, PASSWORD).await.unwrap();
    let me = agent.me().await;
    assert_eq!(me["login_id"], agent_id.as_str());
    assert_eq!(me["account_id"], sub.account_id.as_str());
    assert_eq!(me["role"], "User");
    assert_eq!(me["is_sub_account"], true);
    // Not as PARENT-ID/login.
    assert_eq!(
        log_in(&app, &format!("{parent_id}/agent"), PASSWORD)
            .await
            .err(),
        Some(AppError::LoginFailed)
    );

    // The holder logs in with the bare sub-account ID and the password given at creation.
    let holder = log_in(&app, &sub.account_id, SUB_PASSWORD).await.unwrap();
    let me = holder.me().await;
    assert_eq!(me["login_id"], sub.account_id.as_str());
    assert_eq!(me["is_holder"], true);
    assert_eq!(me["role"], "Administrator");
    assert_eq!(me["is_sub_account"], true);
    // Sub-accounts do not nest, and the holder cannot reach the parent's sub-accounts.
    let page = holder.call("list_sub_accounts", &[]).await.unwrap();
    assert_eq!(page["is_sub_account"], true);
    assert_eq!(page["total"], 0);
    assert_eq!(page["can_manage"], false);
    assert!(
        create(&holder, &SubForm::named("Nested")).await.is_err(),
        "a sub-account cannot have sub-accounts"
    );
    assert_eq!(
        holder
            .call("get_sub_account", &[("id", &sub.id())])
            .await
            .err(),
        Some(AppError::NotFound)
    );

    // Only an Administrator of the parent, in a browser, may manage it.
    let user = app
        .user_in(&admin, &parent_id, "parent.user", "DEFAULT")
        .await;
    assert_eq!(
        user.call_for_location("manage_sub_account", &[("id", &sub.id())])
            .await
            .err(),
        Some(AppError::Forbidden)
    );
    assert_eq!(user.me().await["acting"], Value::Null);
    let token = token_of(&create_token(&admin, "Admin's", "admin", "").await.unwrap());
    assert_eq!(
        call_with(
            &app.base,
            Cred::ApiKey(&token),
            "manage_sub_account",
            &[("id", &sub.id())]
        )
        .await
        .err(),
        Some(AppError::Forbidden)
    );

    // A sub-account created without a password: its holder cannot log in at all.
    let closed = Sub::from(&create(&admin, &SubForm::named("No Login")).await.unwrap());
    for attempt in ["", SUB_PASSWORD, PASSWORD] {
        assert_eq!(
            log_in(&app, &closed.account_id, attempt).await.err(),
            Some(AppError::LoginFailed),
            "{attempt:?}"
        );
    }
    // Its credentials still work.
    assert_eq!(
        whoami_with(&app.base, closed.cred()).await["login_id"],
        closed.account_id.as_str()
    );
}
