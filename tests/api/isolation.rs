//! The isolation matrix (SECURITY.md rules 17 and 18) for sub-accounts and API credentials:
//! every sub-account and credential server function, called by every kind of caller, answers
//! exactly as expected, and what a caller may not touch is left exactly as it was. Then focused
//! cross-account tests: another account, a sub-account's own users and API credentials never
//! reach a sub-account by its id, and managing a sub-account works in it until stopped.
//!
//! `ISOLATION_ENDPOINTS` lists the server functions this matrix covers; the authorization
//! matrix (authz.rs) counts them as covered, so every server function is in one or the other.

use std::collections::BTreeSet;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, LOCATION};
use serde_json::Value;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};
use steward::error::AppError;

/// The sub-account and credential server functions, all covered by the matrix below.
pub const ISOLATION_ENDPOINTS: &[&str] = &[
    "list_sub_accounts",
    "get_sub_account",
    "create_sub_account",
    "update_sub_account",
    "set_sub_account_enabled",
    "complete_sub_account_kyc",
    "rotate_sub_account_credentials",
    "delete_sub_account",
    "manage_sub_account",
    "stop_managing_sub_account",
    "list_api_keys",
    "rotate_account_credentials",
    "create_api_token",
    "revoke_api_token",
    "list_tencent_keys",
    "create_tencent_key",
    "delete_tencent_key",
    "list_ovh_keys",
    "create_ovh_application",
    "delete_ovh_application",
    "revoke_ovh_consumer_key",
    "get_ovh_authorization",
    "authorize_ovh_consumer_key",
    "list_account_ovh_consumer_keys",
    "revoke_account_ovh_consumer_key",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// A user of the parent account in UNPRIVILEGED.
    NoneRole,
    /// A user of the parent account in DEFAULT.
    UserRole,
    /// A user of the parent account in ADMIN.
    Administrator,
    /// The parent account's holder.
    Holder,
    /// The holder of the parent's sub-account "Child": an Administrator of the sub-account.
    SubAccountUser,
    /// The holder of another main account.
    OtherAccountAdmin,
    /// A personal API token of the parent's holder with the role None, and no cookie.
    NoneToken,
}

const EVERYONE: [Who; 8] = [
    Who::Anonymous,
    Who::NoneRole,
    Who::UserRole,
    Who::Administrator,
    Who::Holder,
    Who::SubAccountUser,
    Who::OtherAccountAdmin,
    Who::NoneToken,
];

impl Who {
    /// Acts in the parent account (whatever the role).
    fn in_parent(self) -> bool {
        matches!(
            self,
            Who::NoneRole | Who::UserRole | Who::Administrator | Who::Holder | Who::NoneToken
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Unauthenticated,
    Forbidden,
    NotFound,
    Invalid,
}

fn outcome<T>(result: &Result<T, AppError>) -> Expect {
    match result {
        Ok(_) => Expect::Ok,
        Err(AppError::Unauthenticated) => Expect::Unauthenticated,
        Err(AppError::Forbidden) => Expect::Forbidden,
        Err(AppError::NotFound) => Expect::NotFound,
        Err(AppError::Invalid(_)) => Expect::Invalid,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

/// Any logged-in caller, in whatever account they act in.
fn signed_in(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        _ => Expect::Ok,
    }
}

/// Reading one sub-account of the parent: every user of the parent; nobody else finds it.
fn parent_reader(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::SubAccountUser | Who::OtherAccountAdmin => Expect::NotFound,
        _ => Expect::Ok,
    }
}

/// A write on one sub-account of the parent: its Administrators; nobody else finds it.
fn parent_admin(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::NoneRole | Who::UserRole | Who::NoneToken => Expect::Forbidden,
        Who::Administrator | Who::Holder => Expect::Ok,
        Who::SubAccountUser | Who::OtherAccountAdmin => Expect::NotFound,
    }
}

/// Creating a sub-account: Administrators of a main account (sub-accounts do not nest).
fn main_account_admin(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::NoneRole | Who::UserRole | Who::NoneToken | Who::SubAccountUser => Expect::Forbidden,
        Who::Administrator | Who::Holder | Who::OtherAccountAdmin => Expect::Ok,
    }
}

/// Rotating the credentials of the account the caller is in, or having an OVHcloud application:
/// its Administrators.
fn own_account_admin(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::NoneRole | Who::UserRole | Who::NoneToken => Expect::Forbidden,
        _ => Expect::Ok,
    }
}

/// A token with the role Administrator: only for callers who have that role.
fn admin_token(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::NoneRole | Who::UserRole | Who::NoneToken => Expect::Invalid,
        _ => Expect::Ok,
    }
}

/// A Tencent access key acts with its user's whole role: only a logged-in browser makes one.
fn browser_session(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::NoneToken => Expect::Forbidden,
        _ => Expect::Ok,
    }
}

/// Authorizing a consumer key of an application of the parent: a logged-in browser of the
/// parent or of its sub-account; another top-level account is refused.
fn same_root_browser(who: Who) -> Expect {
    match who {
        Who::OtherAccountAdmin => Expect::Invalid,
        other => browser_session(other),
    }
}

/// Someone else's token: nobody finds it, not even the account's Administrators.
fn someone_elses(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        _ => Expect::NotFound,
    }
}

type Form = Vec<(String, String)>;

fn form(pairs: &[(&str, &str)]) -> Form {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The sub-account form, customer use so that its calls start blocked until KYC.
fn sub_account_form(name: &str, description: &str, password: &str) -> Form {
    form(&[
        ("form[name]", name),
        ("form[description]", description),
        ("form[email]", "ops@child.example"),
        ("form[phone]", "+33 1 23 45 67 89"),
        ("form[rate_limit]", "500"),
        ("form[calls]", "on"),
        ("form[cdr]", "on"),
        ("form[enabled]", "on"),
        ("form[kyc_mode]", "customer_use"),
        ("form[business_type]", "llp"),
        ("form[password]", password),
    ])
}

/// A successful answer: its JSON body and where it sends the page.
struct Reply {
    body: Value,
    location: Option<String>,
}

/// Calls server functions as one caller: a browser's cookies, or a credential in the headers.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    headers: HeaderMap,
}

fn header(name: &'static str, value: &str) -> (HeaderName, HeaderValue) {
    (
        HeaderName::from_static(name),
        HeaderValue::from_str(value).expect("header value"),
    )
}

impl Client {
    fn of(browser: &Browser) -> Self {
        Self {
            http: browser.client.clone(),
            base: browser.base.clone(),
            headers: HeaderMap::new(),
        }
    }

    /// Without cookies, presenting `headers` on every request.
    fn presenting(base: &str, headers: &[(HeaderName, HeaderValue)]) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            http,
            base: base.to_owned(),
            headers: headers.iter().cloned().collect(),
        }
    }

    /// A personal API token: `Authorization: APIKey <id>_<secret>`.
    fn with_token(base: &str, token: &str) -> Self {
        Self::presenting(
            base,
            &[(
                AUTHORIZATION,
                HeaderValue::from_str(&format!("APIKey {token}")).unwrap(),
            )],
        )
    }

    /// Account API credentials: `X-Auth-ID` and `X-Auth-Token`.
    fn with_account_credentials(base: &str, auth_id: &str, token: &str) -> Self {
        Self::presenting(
            base,
            &[header("x-auth-id", auth_id), header("x-auth-token", token)],
        )
    }

    async fn send(&self, endpoint: &str, fields: &[(String, String)]) -> Result<Reply, AppError> {
        let response = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .headers(self.headers.clone())
            .header(ACCEPT, "application/json")
            .form(fields)
            .send()
            .await
            .expect("request");
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        crate::helpers::answer(response)
            .await
            .map(|body| Reply { body, location })
    }

    async fn call(&self, endpoint: &str, pairs: &[(&str, &str)]) -> Result<Value, AppError> {
        self.send(endpoint, &form(pairs)).await.map(|r| r.body)
    }

    async fn me(&self) -> Value {
        self.call("whoami", &[]).await.expect("whoami answers")
    }

    /// The secret a successful call stashed, taken once; a second take finds nothing.
    async fn take(&self, reply: &Reply) -> Result<Value, String> {
        let location = reply.location.as_deref().unwrap_or_default();
        let Some(id) = location.strip_prefix("/reveal/") else {
            return Err(format!("no reveal address, but {location:?}"));
        };
        let first = self
            .call("take_reveal", &[("id", id)])
            .await
            .map_err(|e| format!("take_reveal: {e:?}"))?;
        let second = self
            .call("take_reveal", &[("id", id)])
            .await
            .map_err(|e| format!("take_reveal again: {e:?}"))?;
        if first.is_null() || !second.is_null() {
            return Err(format!("a reveal shows once: {first} then {second}"));
        }
        Ok(first)
    }

    /// Calls `endpoint`, which must succeed with a reveal, and takes it.
    async fn revealing(&self, endpoint: &str, fields: &[(String, String)]) -> Value {
        let reply = self
            .send(endpoint, fields)
            .await
            .unwrap_or_else(|e| panic!("{endpoint} fails: {e:?}"));
        self.take(&reply).await.expect("a reveal")
    }
}

/// A sub-account with the credentials it was created with.
#[derive(Debug, Clone)]
struct Sub {
    id: i64,
    account_id: String,
    name: String,
    auth_id: String,
    auth_token: String,
}

/// A personal API token.
#[derive(Debug, Clone)]
struct Token {
    id: i64,
    token: String,
}

async fn create_sub_account(admin: &Client, name: &str, password: &str) -> Sub {
    let reveal = admin
        .revealing(
            "create_sub_account",
            &sub_account_form(name, "seeded", password),
        )
        .await;
    let c = &reveal["AccountCredentials"];
    assert_eq!(c["new_account"], true, "{reveal}");
    Sub {
        id: c["sub_account"].as_i64().expect("sub-account id"),
        account_id: c["account_id"].as_str().expect("account id").to_owned(),
        name: c["name"].as_str().expect("name").to_owned(),
        auth_id: c["auth_id"].as_str().expect("auth_id").to_owned(),
        auth_token: c["auth_token"].as_str().expect("auth_token").to_owned(),
    }
}

async fn create_token(client: &Client, name: &str, role: &str) -> Token {
    let reveal = client
        .revealing(
            "create_api_token",
            &form(&[
                ("name", name),
                ("description", ""),
                ("role", role),
                ("expires", ""),
            ]),
        )
        .await;
    let t = &reveal["ApiToken"];
    Token {
        id: t["id"].as_i64().expect("token id"),
        token: t["token"].as_str().expect("token").to_owned(),
    }
}

/// A fresh browser logged in as `login_id`.
async fn login(app: &TestApp, login_id: &str) -> Client {
    let browser = app.browser();
    browser
        .call("login", &[("account_id", login_id), ("password", PASSWORD)])
        .await
        .unwrap_or_else(|e| panic!("{login_id} logs in: {e:?}"));
    Client::of(&browser)
}

/// Whether a personal token still opens anything.
async fn token_works(base: &str, token: &str) -> bool {
    matches!(
        Client::with_token(base, token).call("whoami", &[]).await,
        Ok(me) if !me.is_null()
    )
}

/// Whether account credentials open the account `account_id`.
async fn credentials_work(base: &str, auth_id: &str, token: &str, account_id: &str) -> bool {
    matches!(
        Client::with_account_credentials(base, auth_id, token).call("whoami", &[]).await,
        Ok(me) if me["account_id"] == account_id
    )
}

/// A sub-account as its parent's holder sees it, and whether its credentials still work.
#[derive(Debug, PartialEq)]
struct Snapshot {
    view: Option<Value>,
    credentials_work: bool,
}

async fn snapshot(parent_holder: &Client, sub: &Sub) -> Snapshot {
    let view = match parent_holder
        .call("get_sub_account", &[("id", &sub.id.to_string())])
        .await
    {
        Ok(view) => Some(view),
        Err(AppError::NotFound) => None,
        Err(other) => panic!("get_sub_account as the parent's holder: {other:?}"),
    };
    Snapshot {
        view,
        credentials_work: credentials_work(
            &parent_holder.base,
            &sub.auth_id,
            &sub.auth_token,
            &sub.account_id,
        )
        .await,
    }
}

/// Every sub-account id `client` can list, over all pages.
async fn listed_ids(client: &Client) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    let mut page = 1;
    loop {
        let list = client
            .call("list_sub_accounts", &[("query[page]", &page.to_string())])
            .await
            .expect("list_sub_accounts");
        ids.extend(
            list["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|s| s["id"].as_i64().expect("id")),
        );
        if page >= list["pages"].as_u64().expect("pages") {
            return ids;
        }
        page += 1;
    }
}

struct Party {
    who: Who,
    client: Client,
    /// What `whoami` says of them (null for the anonymous visitor).
    me: Value,
}

struct World {
    app: TestApp,
    /// The parent account's ID.
    account: String,
    /// The parent's holder in a session of their own: seeds targets and checks them.
    holder: Client,
    /// An Administrator of the parent whose tokens and keys are "someone else's" to every caller.
    tess: Client,
    /// The NoneToken caller's token (the parent holder's).
    none_token: Token,
    callers: Vec<Party>,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (holder_browser, account) = app.signed_up(&unique("Isolation A")).await;
    let holder = Client::of(&holder_browser);
    let none = app
        .user_in(&holder_browser, &account, "nina", "UNPRIVILEGED")
        .await;
    let user = app
        .user_in(&holder_browser, &account, "ulla", "DEFAULT")
        .await;
    let admin = app
        .user_in(&holder_browser, &account, "adam", "ADMIN")
        .await;
    let tess = app
        .user_in(&holder_browser, &account, "tess", "ADMIN")
        .await;
    let child = create_sub_account(&holder, "Child", PASSWORD).await;
    let child_holder = login(&app, &child.account_id).await;
    let (other, _) = app.signed_up(&unique("Isolation B")).await;
    let holder_again = login(&app, &account).await;
    let none_token = create_token(&holder, "matrix", "none").await;
    let clients = vec![
        (Who::Anonymous, Client::of(&app.browser())),
        (Who::NoneRole, Client::of(&none)),
        (Who::UserRole, Client::of(&user)),
        (Who::Administrator, Client::of(&admin)),
        (Who::Holder, holder_again),
        (Who::SubAccountUser, child_holder),
        (Who::OtherAccountAdmin, Client::of(&other)),
        (
            Who::NoneToken,
            Client::with_token(&app.base, &none_token.token),
        ),
    ];
    let mut callers = Vec::new();
    for (who, client) in clients {
        let me = client.me().await;
        callers.push(Party { who, client, me });
    }
    World {
        app,
        account,
        holder,
        tess: Client::of(&tess),
        none_token,
        callers,
    }
}

/// What a call needs: a fresh sub-account of the parent, or a token to revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seed {
    Nothing,
    /// A new sub-account `target{n}` of the parent.
    SubAccount,
    /// A new token of tess, an Administrator of the parent who is none of the callers.
    OthersToken,
    /// A new token of the caller (of tess for the anonymous visitor, who can have none).
    OwnToken,
    /// A new Tencent access key of tess.
    OthersTencentKey,
    /// A new Tencent access key of the caller's user (of tess for the anonymous visitor).
    OwnTencentKey,
    /// A new OVHcloud application of tess.
    OthersOvhApplication,
    /// A new consumer key of tess's application, authorized by tess.
    OthersOvhKey,
    /// A new consumer key of tess's application, waiting for validation.
    PendingOvhKey,
}

struct Target {
    n: usize,
    sub: Option<Sub>,
    token: Option<Token>,
    tencent_key: Option<TencentKey>,
    ovh: Option<OvhTarget>,
}

/// A Tencent access key: its id, its SecretId, and a client of its user (who lists it).
struct TencentKey {
    id: String,
    secret_id: String,
    owner: Client,
}

impl Target {
    fn sub_id(&self) -> String {
        self.sub
            .as_ref()
            .expect("a sub-account target")
            .id
            .to_string()
    }

    fn token_id(&self) -> String {
        self.token.as_ref().expect("a token target").id.to_string()
    }

    fn tencent_key_id(&self) -> String {
        self.tencent_key.as_ref().expect("a key target").id.clone()
    }
}

async fn seed(w: &World, seed: Seed, party: &Party, n: usize) -> Target {
    let mut target = Target {
        n,
        sub: None,
        token: None,
        tencent_key: None,
        ovh: None,
    };
    match seed {
        Seed::Nothing => {}
        Seed::SubAccount => {
            target.sub = Some(create_sub_account(&w.holder, &format!("target{n}"), "").await);
        }
        Seed::OthersToken => {
            target.token = Some(create_token(&w.tess, &format!("tess{n}"), "user").await);
        }
        Seed::OwnToken if party.who == Who::Anonymous => {
            target.token = Some(create_token(&w.tess, &format!("tess{n}"), "user").await);
        }
        Seed::OwnToken => {
            target.token = Some(create_token(&party.client, &format!("own{n}"), "none").await);
        }
        Seed::OthersTencentKey => {
            target.tencent_key = Some(create_tencent_key(&w.tess, &w.tess).await);
        }
        Seed::OthersOvhApplication | Seed::OthersOvhKey | Seed::PendingOvhKey => {
            target.ovh = Some(seed_ovh(w, seed).await);
        }
        Seed::OwnTencentKey => {
            // Keys are made in a browser: the NoneToken's user is the parent's holder.
            let (maker, owner) = match party.who {
                Who::Anonymous => (&w.tess, &w.tess),
                Who::NoneToken => (&w.holder, &party.client),
                _ => (&party.client, &party.client),
            };
            target.tencent_key = Some(create_tencent_key(maker, owner).await);
        }
    }
    target
}

/// Creates a Tencent access key in `maker`'s browser, for the user `owner` also acts as.
async fn create_tencent_key(maker: &Client, owner: &Client) -> TencentKey {
    let reveal = maker.revealing("create_tencent_key", &[]).await;
    let secret_id = reveal["TencentAccessKey"]["secret_id"]
        .as_str()
        .expect("secret_id")
        .to_owned();
    TencentKey {
        id: tencent_key_id(owner, &secret_id).await,
        secret_id,
        owner: owner.clone(),
    }
}

/// The SecretIds of the keys `client`'s user has.
async fn tencent_keys_of(client: &Client) -> Result<Vec<String>, String> {
    let keys = client
        .call("list_tencent_keys", &[])
        .await
        .map_err(|e| format!("list_tencent_keys: {e:?}"))?;
    Ok(keys
        .as_array()
        .ok_or("not a list")?
        .iter()
        .filter_map(|k| k["secret_id"].as_str().map(str::to_owned))
        .collect())
}

/// The database id of the key `secret_id` of `owner`'s user.
async fn tencent_key_id(owner: &Client, secret_id: &str) -> String {
    let keys = owner.call("list_tencent_keys", &[]).await.expect("list");
    keys.as_array()
        .expect("a list")
        .iter()
        .find(|k| k["secret_id"] == secret_id)
        .and_then(|k| k["id"].as_i64())
        .expect("listed")
        .to_string()
}

/// An endpoint, the outcome each caller should get, what it needs, and its form.
type Case = (&'static str, fn(Who) -> Expect, Seed, fn(&Target) -> Form);

#[tokio::test]
async fn every_sub_account_and_credential_function_isolates_every_kind_of_caller() {
    let w = world().await;
    assert_eq!(
        w.callers.iter().map(|p| p.who).collect::<Vec<_>>(),
        EVERYONE
    );
    let cases: Vec<Case> = vec![
        ("list_sub_accounts", signed_in, Seed::Nothing, |_| {
            form(&[("query[q]", ""), ("query[page]", "1")])
        }),
        ("get_sub_account", parent_reader, Seed::SubAccount, |t| {
            form(&[("id", &t.sub_id())])
        }),
        (
            "create_sub_account",
            main_account_admin,
            Seed::Nothing,
            |t| sub_account_form(&format!("new{}", t.n), "", ""),
        ),
        ("update_sub_account", parent_admin, Seed::SubAccount, |t| {
            let mut fields = form(&[("id", &t.sub_id())]);
            fields.extend(sub_account_form(&format!("edited{}", t.n), "edited", ""));
            fields
        }),
        (
            "set_sub_account_enabled",
            parent_admin,
            Seed::SubAccount,
            |t| form(&[("id", &t.sub_id()), ("enabled", "false")]),
        ),
        (
            "complete_sub_account_kyc",
            parent_admin,
            Seed::SubAccount,
            |t| form(&[("id", &t.sub_id())]),
        ),
        (
            "rotate_sub_account_credentials",
            parent_admin,
            Seed::SubAccount,
            |t| form(&[("id", &t.sub_id())]),
        ),
        ("delete_sub_account", parent_admin, Seed::SubAccount, |t| {
            form(&[
                ("id", &t.sub_id()),
                ("confirm_name", &format!("target{}", t.n)),
            ])
        }),
        ("manage_sub_account", parent_admin, Seed::SubAccount, |t| {
            form(&[("id", &t.sub_id())])
        }),
        (
            "stop_managing_sub_account",
            signed_in,
            Seed::Nothing,
            |_| vec![],
        ),
        ("list_api_keys", signed_in, Seed::Nothing, |_| vec![]),
        (
            "rotate_account_credentials",
            own_account_admin,
            Seed::Nothing,
            |_| vec![],
        ),
        ("create_api_token", signed_in, Seed::Nothing, |t| {
            form(&[
                ("name", &format!("token{}", t.n)),
                ("description", ""),
                ("role", "none"),
                ("expires", ""),
            ])
        }),
        ("create_api_token", admin_token, Seed::Nothing, |t| {
            form(&[
                ("name", &format!("admin token{}", t.n)),
                ("description", ""),
                ("role", "admin"),
                ("expires", "2999-12-31"),
            ])
        }),
        ("revoke_api_token", someone_elses, Seed::OthersToken, |t| {
            form(&[("id", &t.token_id())])
        }),
        ("revoke_api_token", signed_in, Seed::OwnToken, |t| {
            form(&[("id", &t.token_id())])
        }),
        (
            "create_tencent_key",
            browser_session,
            Seed::Nothing,
            |_| vec![],
        ),
        (
            "delete_tencent_key",
            someone_elses,
            Seed::OthersTencentKey,
            |t| form(&[("id", &t.tencent_key_id())]),
        ),
        ("delete_tencent_key", signed_in, Seed::OwnTencentKey, |t| {
            form(&[("id", &t.tencent_key_id())])
        }),
        // After the cases above, which leave tess keys nobody else could delete.
        ("list_tencent_keys", signed_in, Seed::Nothing, |_| vec![]),
        (
            "create_ovh_application",
            own_account_admin,
            Seed::Nothing,
            |t| form(&[("name", &format!("app{}", t.n)), ("description", "")]),
        ),
        (
            "delete_ovh_application",
            someone_elses,
            Seed::OthersOvhApplication,
            |t| form(&[("id", &t.ovh_id())]),
        ),
        (
            "revoke_ovh_consumer_key",
            someone_elses,
            Seed::OthersOvhKey,
            |t| form(&[("id", &t.ovh_id())]),
        ),
        (
            "get_ovh_authorization",
            signed_in,
            Seed::PendingOvhKey,
            |t| form(&[("id", &t.ovh_validation())]),
        ),
        (
            "authorize_ovh_consumer_key",
            same_root_browser,
            Seed::PendingOvhKey,
            |t| form(&[("id", &t.ovh_validation())]),
        ),
        (
            "list_account_ovh_consumer_keys",
            own_account_admin,
            Seed::OthersOvhKey,
            |_| vec![],
        ),
        (
            "revoke_account_ovh_consumer_key",
            parent_admin,
            Seed::OthersOvhKey,
            |t| form(&[("id", &t.ovh_id())]),
        ),
        // After the cases above, which leave tess applications nobody else could delete.
        ("list_ovh_keys", signed_in, Seed::Nothing, |_| vec![]),
    ];

    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    let mut n = 0;
    for (endpoint, expected, seeds, make_form) in &cases {
        covered.insert(*endpoint);
        for party in &w.callers {
            n += 1;
            let target = seed(&w, *seeds, party, n).await;
            let before = match &target.sub {
                Some(sub) => Some(snapshot(&w.holder, sub).await),
                None => None,
            };
            let reply = party.client.send(endpoint, &make_form(&target)).await;
            let got = outcome(&reply);
            let want = expected(party.who);
            if got != want {
                failures.push(format!(
                    "{endpoint} as {:?}: expected {want:?}, got {got:?}",
                    party.who
                ));
            }
            if let Err(problem) = check_after(&w, endpoint, party, &target, before, &reply).await {
                failures.push(format!("{endpoint} as {:?}: {problem}", party.who));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "isolation matrix:\n{}",
        failures.join("\n")
    );

    // Every sub-account and credential function is registered and in the matrix, and every
    // registered function that looks like one is listed.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    for endpoint in ISOLATION_ENDPOINTS {
        assert!(
            registered.contains(&format!("/api/{endpoint}")),
            "{endpoint} is not a registered server function"
        );
        assert!(
            covered.contains(endpoint),
            "{endpoint} is missing from the isolation matrix"
        );
    }
    let unlisted: Vec<_> = registered
        .iter()
        .filter_map(|path| path.strip_prefix("/api/"))
        .filter(|name| {
            ["sub_account", "api_key", "api_token", "credentials"]
                .iter()
                .any(|word| name.contains(word))
        })
        .filter(|name| !ISOLATION_ENDPOINTS.contains(name))
        .collect();
    assert!(
        unlisted.is_empty(),
        "sub-account or credential functions missing from ISOLATION_ENDPOINTS: {unlisted:?}"
    );
}

macro_rules! ensure {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            return Err(format!($($message)+));
        }
    };
}

/// What a call changed: a refused call nothing at all; an allowed one what it should, where it
/// should (in the caller's own account, with the caller's own identity).
async fn check_after(
    w: &World,
    endpoint: &str,
    party: &Party,
    target: &Target,
    before: Option<Snapshot>,
    reply: &Result<Reply, AppError>,
) -> Result<(), String> {
    let base = &w.app.base;
    if let (Some(sub), Some(before)) = (&target.sub, before) {
        let after = snapshot(&w.holder, sub).await;
        let Ok(reply) = reply else {
            ensure!(
                after == before,
                "refused, yet the target changed: {before:?} -> {after:?}"
            );
            return Ok(());
        };
        let view = after.view.clone().unwrap_or_default();
        match endpoint {
            "get_sub_account" => {
                ensure!(after == before, "a read changed the target");
                ensure!(
                    reply.body["id"] == sub.id && reply.body["account_id"] == sub.account_id,
                    "another sub-account was read: {}",
                    reply.body
                );
            }
            "update_sub_account" => {
                ensure!(
                    view["name"] == format!("edited{}", target.n)
                        && view["description"] == "edited",
                    "not saved: {view}"
                );
                ensure!(after.credentials_work, "an edit broke the credentials");
            }
            "set_sub_account_enabled" => {
                ensure!(view["enabled"] == false, "not disabled: {view}");
                ensure!(
                    !after.credentials_work,
                    "a disabled sub-account's credentials still work"
                );
            }
            "complete_sub_account_kyc" => {
                ensure!(view["kyc_calls_blocked"] == false, "calls still blocked");
                ensure!(
                    before
                        .view
                        .as_ref()
                        .is_some_and(|v| v["kyc_calls_blocked"] == true),
                    "the target's calls were never blocked"
                );
            }
            "rotate_sub_account_credentials" => {
                ensure!(!after.credentials_work, "the old token still works");
                ensure!(
                    view["auth_id"] == sub.auth_id.as_str(),
                    "the auth_id changed"
                );
                let reveal = party.client.take(reply).await?;
                let c = &reveal["AccountCredentials"];
                ensure!(
                    c["sub_account"] == sub.id
                        && c["account_id"] == sub.account_id
                        && c["auth_id"] == sub.auth_id.as_str()
                        && c["new_account"] == false,
                    "wrong credentials revealed: {reveal}"
                );
                let token = c["auth_token"].as_str().unwrap_or_default();
                ensure!(
                    credentials_work(base, &sub.auth_id, token, &sub.account_id).await,
                    "the new token does not work"
                );
            }
            "delete_sub_account" => {
                ensure!(after.view.is_none(), "not deleted");
                ensure!(
                    !after.credentials_work,
                    "a deleted sub-account's credentials work"
                );
            }
            "manage_sub_account" => {
                ensure!(after == before, "managing changed the target");
                let me = party.client.me().await;
                ensure!(
                    me["account_id"] == sub.account_id
                        && me["acting"]["sub_account"] == sub.id
                        && me["acting"]["home_account_id"] == w.account,
                    "not acting in the target: {me}"
                );
                party
                    .client
                    .call("stop_managing_sub_account", &[])
                    .await
                    .map_err(|e| format!("stop_managing_sub_account: {e:?}"))?;
                let me = party.client.me().await;
                ensure!(
                    me["account_id"] == w.account && me["acting"].is_null(),
                    "not back home: {me}"
                );
            }
            other => return Err(format!("no check for {other}")),
        }
        return Ok(());
    }

    if let Some(token) = &target.token {
        let works = token_works(base, &token.token).await;
        ensure!(
            works != reply.is_ok(),
            "the token {} after the call",
            if works {
                "still works"
            } else {
                "no longer works"
            }
        );
        return Ok(());
    }

    if let Some(key) = &target.tencent_key {
        let kept = tencent_keys_of(&key.owner).await?.contains(&key.secret_id);
        ensure!(
            kept != reply.is_ok(),
            "the key is {} after the call",
            if kept { "still there" } else { "gone" }
        );
        return Ok(());
    }

    if endpoint.contains("_ovh_") {
        return check_ovh(w, endpoint, party, target, reply).await;
    }

    let Ok(reply) = reply else {
        return Ok(());
    };
    let me = &party.me;
    match endpoint {
        "list_sub_accounts" => {
            let ids: BTreeSet<i64> = reply.body["items"]
                .as_array()
                .ok_or("no items")?
                .iter()
                .filter_map(|s| s["id"].as_i64())
                .collect();
            let parents = listed_ids(&w.holder).await;
            if party.who.in_parent() {
                ensure!(
                    ids.is_subset(&parents) && !ids.is_empty(),
                    "not the parent's sub-accounts: {ids:?}, the parent has {parents:?}"
                );
                ensure!(
                    reply.body["total"] == parents.len() && reply.body["is_sub_account"] == false,
                    "{}",
                    reply.body
                );
            } else {
                ensure!(
                    ids.is_disjoint(&parents),
                    "lists the parent's sub-accounts: {}",
                    reply.body
                );
            }
            if party.who == Who::SubAccountUser {
                ensure!(
                    reply.body["total"] == 0
                        && reply.body["is_sub_account"] == true
                        && reply.body["can_manage"] == false,
                    "a sub-account lists sub-accounts: {}",
                    reply.body
                );
            }
            ensure!(
                reply.body["can_manage"]
                    == (me["can_manage_users"] == true && party.who != Who::SubAccountUser),
                "can_manage is wrong: {}",
                reply.body
            );
        }
        "create_sub_account" => {
            let reveal = party.client.take(reply).await?;
            let c = &reveal["AccountCredentials"];
            ensure!(
                c["new_account"] == true
                    && c["name"] == format!("new{}", target.n)
                    && c["auth_id"].as_str().is_some_and(|a| a.starts_with("SA_")),
                "wrong reveal: {reveal}"
            );
            let id = c["sub_account"].as_i64().ok_or("no sub-account id")?;
            let account_id = c["account_id"].as_str().unwrap_or_default();
            ensure!(
                credentials_work(
                    base,
                    c["auth_id"].as_str().unwrap_or_default(),
                    c["auth_token"].as_str().unwrap_or_default(),
                    account_id,
                )
                .await,
                "the new sub-account's credentials do not work"
            );
            let mine = party
                .client
                .call("get_sub_account", &[("id", &id.to_string())])
                .await;
            ensure!(mine.is_ok(), "the creator cannot read it: {mine:?}");
            let parents = outcome(
                &w.holder
                    .call("get_sub_account", &[("id", &id.to_string())])
                    .await,
            );
            let expected = if party.who.in_parent() {
                Expect::Ok
            } else {
                Expect::NotFound
            };
            ensure!(
                parents == expected,
                "created under the wrong parent: the parent's holder gets {parents:?}"
            );
        }
        "stop_managing_sub_account" => {
            let me = party.client.me().await;
            ensure!(
                me["acting"].is_null() && me["account_id"] == party.me["account_id"],
                "{me}"
            );
        }
        "list_api_keys" => {
            let body = &reply.body;
            ensure!(
                body["account_id"] == me["account_id"]
                    && body["can_manage_account"] == me["can_manage_users"],
                "another account's keys: {body}"
            );
            let roles = body["roles"].as_array().map_or(0, Vec::len);
            let own_role = match me["role"].as_str() {
                Some("None") => 1,
                Some("User") => 2,
                _ => 3,
            };
            ensure!(roles == own_role, "offers roles above the caller's: {body}");
            let shows_none_token = body["tokens"]
                .as_array()
                .ok_or("no tokens")?
                .iter()
                .any(|t| t["id"] == w.none_token.id);
            ensure!(
                shows_none_token == matches!(party.who, Who::Holder | Who::NoneToken),
                "lists someone else's tokens, or misses its own: {body}"
            );
        }
        "list_tencent_keys" => {
            let listed: Vec<&str> = reply
                .body
                .as_array()
                .ok_or("not a list")?
                .iter()
                .filter_map(|k| k["secret_id"].as_str())
                .collect();
            let tess = tencent_keys_of(&w.tess).await?;
            ensure!(
                !tess.is_empty() && listed.iter().all(|id| !tess.iter().any(|t| t == id)),
                "lists someone else's keys: {listed:?}"
            );
        }
        "create_tencent_key" => {
            let reveal = party.client.take(reply).await?;
            let secret_id = reveal["TencentAccessKey"]["secret_id"]
                .as_str()
                .unwrap_or_default();
            ensure!(
                secret_id.starts_with("AKID")
                    && reveal["TencentAccessKey"]["secret_key"]
                        .as_str()
                        .is_some_and(|k| k.len() == 32),
                "wrong reveal: {reveal}"
            );
            let mine = tencent_keys_of(&party.client).await?;
            ensure!(
                mine.iter().any(|id| id == secret_id),
                "the key is not the caller's own: {mine:?}"
            );
        }
        "rotate_account_credentials" => {
            let reveal = party.client.take(reply).await?;
            let c = &reveal["AccountCredentials"];
            let prefix = if party.who == Who::SubAccountUser {
                "SA_"
            } else {
                "MA_"
            };
            let auth_id = c["auth_id"].as_str().unwrap_or_default();
            let account_id = me["account_id"].as_str().unwrap_or_default();
            ensure!(
                c["account_id"] == account_id
                    && c["sub_account"].is_null()
                    && c["new_account"] == false
                    && auth_id.starts_with(prefix),
                "another account's credentials: {reveal}"
            );
            ensure!(
                credentials_work(
                    base,
                    auth_id,
                    c["auth_token"].as_str().unwrap_or_default(),
                    account_id
                )
                .await,
                "the rotated credentials do not work"
            );
        }
        "create_api_token" => {
            let reveal = party.client.take(reply).await?;
            let token = reveal["ApiToken"]["token"].as_str().unwrap_or_default();
            let as_token = Client::with_token(base, token).me().await;
            let role = if reveal["ApiToken"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("admin"))
            {
                "Administrator"
            } else {
                "None"
            };
            ensure!(
                as_token["login_id"] == me["login_id"] && as_token["role"] == role,
                "the token acts as {as_token}, not as {me} with the role {role}"
            );
        }
        other => return Err(format!("no check for {other}")),
    }
    Ok(())
}

// Focused cross-account tests (SECURITY.md rule 18).

fn id_form(sub: &Sub) -> Form {
    form(&[("id", &sub.id.to_string())])
}

/// Every call that names a sub-account by id, each of which must find nothing for a stranger.
fn calls_on(sub: &Sub) -> Vec<(&'static str, Form)> {
    let mut update = id_form(sub);
    update.extend(sub_account_form("Hijacked", "hijacked", PASSWORD));
    let mut confirm = id_form(sub);
    confirm.push(("confirm_name".to_owned(), sub.name.clone()));
    let mut disable = id_form(sub);
    disable.push(("enabled".to_owned(), "false".to_owned()));
    vec![
        ("get_sub_account", id_form(sub)),
        ("update_sub_account", update),
        ("set_sub_account_enabled", disable),
        ("complete_sub_account_kyc", id_form(sub)),
        ("rotate_sub_account_credentials", id_form(sub)),
        ("delete_sub_account", confirm),
        ("manage_sub_account", id_form(sub)),
    ]
}

#[tokio::test]
async fn another_accounts_administrator_cannot_reach_a_sub_account_by_id() {
    let app = spawn_app().await;
    let (a_browser, _) = app.signed_up(&unique("Owner A")).await;
    let a = Client::of(&a_browser);
    let sub = create_sub_account(&a, "Branch", PASSWORD).await;
    let (b_browser, b_account) = app.signed_up(&unique("Intruder B")).await;
    let b_holder = Client::of(&b_browser);
    let b_admin = Client::of(&app.user_in(&b_browser, &b_account, "bob", "ADMIN").await);
    let b_token = create_token(&b_admin, "bob's", "admin").await;
    let b_credentials = b_holder.revealing("rotate_account_credentials", &[]).await;
    let c = &b_credentials["AccountCredentials"];
    let intruders = [
        ("B's holder", b_holder.clone()),
        ("B's Administrator", b_admin.clone()),
        (
            "B's Administrator's token",
            Client::with_token(&app.base, &b_token.token),
        ),
        (
            "B's account credentials",
            Client::with_account_credentials(
                &app.base,
                c["auth_id"].as_str().unwrap(),
                c["auth_token"].as_str().unwrap(),
            ),
        ),
    ];
    let before = snapshot(&a, &sub).await;
    assert!(before.view.is_some() && before.credentials_work);

    for (name, intruder) in &intruders {
        for (endpoint, fields) in calls_on(&sub) {
            let got = outcome(&intruder.send(endpoint, &fields).await);
            assert_eq!(got, Expect::NotFound, "{endpoint} as {name}");
        }
        let me = intruder.me().await;
        assert_eq!(me["account_id"], b_account.as_str(), "{name} moved: {me}");
        assert!(
            me["acting"].is_null(),
            "{name} acts in A's sub-account: {me}"
        );
        let list = intruder.call("list_sub_accounts", &[]).await.unwrap();
        assert_eq!(list["total"], 0, "{name} lists A's sub-accounts: {list}");
    }
    assert_eq!(
        snapshot(&a, &sub).await,
        before,
        "B changed A's sub-account"
    );
    // Its holder's password was not replaced: they still log in.
    let branch = login(&app, &sub.account_id).await;
    assert_eq!(branch.me().await["account_id"], sub.account_id.as_str());
    // Names are unique per parent: B may use the same one, and learns nothing from it.
    let bs = create_sub_account(&b_holder, "Branch", "").await;
    assert_ne!(bs.id, sub.id);
    assert_eq!(listed_ids(&a).await, BTreeSet::from([sub.id]));
    assert_eq!(listed_ids(&b_holder).await, BTreeSet::from([bs.id]));
}

#[tokio::test]
async fn a_sub_account_sees_no_sub_accounts_neither_itself_nor_its_siblings() {
    let app = spawn_app().await;
    let (a_browser, _) = app.signed_up(&unique("Family")).await;
    let a = Client::of(&a_browser);
    let first = create_sub_account(&a, "First", PASSWORD).await;
    let sibling = create_sub_account(&a, "Sibling", "").await;
    let first_holder = login(&app, &first.account_id).await;
    let me = first_holder.me().await;
    assert_eq!(me["account_id"], first.account_id.as_str());
    assert_eq!(me["is_sub_account"], true, "{me}");
    assert_eq!(me["role"], "Administrator", "{me}");
    let first_credentials =
        Client::with_account_credentials(&app.base, &first.auth_id, &first.auth_token);
    let sibling_before = snapshot(&a, &sibling).await;
    let first_before = snapshot(&a, &first).await;

    for (name, caller) in [
        ("the sub-account's holder", &first_holder),
        ("the sub-account's credentials", &first_credentials),
    ] {
        let list = caller.call("list_sub_accounts", &[]).await.unwrap();
        assert_eq!(list["total"], 0, "{name}: {list}");
        assert_eq!(list["items"], serde_json::json!([]), "{name}: {list}");
        assert_eq!(list["is_sub_account"], true, "{name}: {list}");
        assert_eq!(list["can_manage"], false, "{name}: {list}");
        for sub in [&first, &sibling] {
            for (endpoint, fields) in calls_on(sub) {
                let got = outcome(&caller.send(endpoint, &fields).await);
                assert_eq!(
                    got,
                    Expect::NotFound,
                    "{endpoint} on {} as {name}",
                    sub.name
                );
            }
        }
        let nested = caller
            .send("create_sub_account", &sub_account_form("Nested", "", ""))
            .await;
        assert_eq!(outcome(&nested), Expect::Forbidden, "{name} nests");
    }
    assert_eq!(snapshot(&a, &sibling).await, sibling_before);
    assert_eq!(snapshot(&a, &first).await, first_before);
    assert_eq!(
        listed_ids(&a).await,
        BTreeSet::from([first.id, sibling.id]),
        "the parent still has exactly its two sub-accounts"
    );
}

#[tokio::test]
async fn managing_a_sub_account_works_in_it_until_stopped() {
    let app = spawn_app().await;
    let company = unique("Managing");
    let (a_browser, account) = app.signed_up(&company).await;
    app.user_in(&a_browser, &account, "paula", "DEFAULT").await;
    let a = Client::of(&a_browser);
    let sub = create_sub_account(&a, "Managed", "").await;

    a.call("manage_sub_account", &[("id", &sub.id.to_string())])
        .await
        .expect("the parent's holder manages the sub-account");
    let me = a.me().await;
    assert_eq!(me["account_id"], sub.account_id.as_str(), "{me}");
    assert_eq!(me["company"], "Managed", "{me}");
    assert_eq!(me["acting"]["sub_account"], sub.id, "{me}");
    assert_eq!(me["acting"]["home_account_id"], account.as_str(), "{me}");
    assert_eq!(me["acting"]["home_company"], company.as_str(), "{me}");

    // The users are the sub-account's: none yet, not the parent's paula.
    let users = a
        .call(
            "list_users",
            &[("query[page]", "1"), ("query[per_page]", "100")],
        )
        .await
        .unwrap();
    assert_eq!(users["total"], 0, "{users}");
    a.call(
        "create_user",
        &[
            ("login", "sam"),
            ("email", "sam@example.com"),
            ("group", "DEFAULT"),
            ("description", ""),
            ("password", PASSWORD),
        ],
    )
    .await
    .expect("a user created while acting");
    let users = a
        .call(
            "list_users",
            &[("query[page]", "1"), ("query[per_page]", "100")],
        )
        .await
        .unwrap();
    assert_eq!(users["total"], 1, "{users}");
    // While acting, the caller is in the sub-account: no sub-accounts, and none to create.
    let list = a.call("list_sub_accounts", &[]).await.unwrap();
    assert_eq!(list["total"], 0, "{list}");
    let nested = a
        .send("create_sub_account", &sub_account_form("Nested", "", ""))
        .await;
    assert_eq!(outcome(&nested), Expect::Forbidden);

    // sam belongs to the sub-account: SUB-ACCOUNT-ID/sam, never PARENT-ID/sam.
    let sam = login(&app, &format!("{}/sam", sub.account_id)).await;
    let sam_me = sam.me().await;
    assert_eq!(sam_me["account_id"], sub.account_id.as_str(), "{sam_me}");
    assert_eq!(sam_me["login_id"], format!("{}/sam", sub.account_id));
    assert_eq!(sam_me["is_sub_account"], true, "{sam_me}");
    assert!(sam_me["acting"].is_null(), "{sam_me}");
    let wrong = app
        .browser()
        .call(
            "login",
            &[
                ("account_id", &format!("{account}/sam")),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong, Err(AppError::LoginFailed));

    a.call("stop_managing_sub_account", &[])
        .await
        .expect("back home");
    let me = a.me().await;
    assert_eq!(me["account_id"], account.as_str(), "{me}");
    assert_eq!(me["company"], company.as_str(), "{me}");
    assert!(me["acting"].is_null(), "{me}");
    let users = a
        .call(
            "list_users",
            &[("query[page]", "1"), ("query[per_page]", "100")],
        )
        .await
        .unwrap();
    assert_eq!(users["total"], 1, "the parent's own users: {users}");
    assert_ne!(users["items"][0]["login"], "sam", "{users}");
    let view = a
        .call("get_sub_account", &[("id", &sub.id.to_string())])
        .await
        .unwrap();
    assert_eq!(view["users"], 1, "{view}");
}

#[tokio::test]
async fn only_a_browser_session_manages_a_sub_account_and_a_wrong_credential_opens_nothing() {
    let app = spawn_app().await;
    let (a_browser, account) = app.signed_up(&unique("Sessions only")).await;
    let a = Client::of(&a_browser);
    let sub = create_sub_account(&a, "Managed", "").await;
    let token = create_token(&a, "admin", "admin").await;
    let creds = a.revealing("rotate_account_credentials", &[]).await;
    let c = &creds["AccountCredentials"];
    let credential_callers = [
        (
            "an Administrator token",
            Client::with_token(&app.base, &token.token),
        ),
        (
            "the account credentials",
            Client::with_account_credentials(
                &app.base,
                c["auth_id"].as_str().unwrap(),
                c["auth_token"].as_str().unwrap(),
            ),
        ),
    ];
    for (name, caller) in &credential_callers {
        let view = caller
            .call("get_sub_account", &[("id", &sub.id.to_string())])
            .await;
        assert!(view.is_ok(), "{name} reads the sub-account: {view:?}");
        let managed = caller
            .call("manage_sub_account", &[("id", &sub.id.to_string())])
            .await;
        assert_eq!(managed, Err(AppError::Forbidden), "{name}");
        let me = caller.me().await;
        assert_eq!(me["account_id"], account.as_str(), "{name}: {me}");
        assert!(me["acting"].is_null(), "{name}: {me}");
    }

    // A wrong credential beside a valid cookie: judged by the credential alone.
    let mut wrong_token = a.clone();
    wrong_token.headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("APIKey {}_{}", token.id, "A".repeat(32))).unwrap(),
    );
    let mut wrong_credentials = a.clone();
    wrong_credentials.headers.extend([
        header("x-auth-id", c["auth_id"].as_str().unwrap()),
        header("x-auth-token", "wrong"),
    ]);
    for (name, caller) in [
        ("a wrong token", &wrong_token),
        ("wrong account credentials", &wrong_credentials),
    ] {
        for endpoint in ["list_sub_accounts", "list_api_keys"] {
            assert_eq!(
                caller.call(endpoint, &[]).await,
                Err(AppError::Unauthenticated),
                "{endpoint} with {name} and a valid cookie"
            );
        }
        let managed = caller
            .call("manage_sub_account", &[("id", &sub.id.to_string())])
            .await;
        assert_eq!(managed, Err(AppError::Unauthenticated), "{name}");
    }
    // The cookie alone still works, and never started acting.
    let me = a.me().await;
    assert_eq!(me["account_id"], account.as_str());
    assert!(me["acting"].is_null(), "{me}");
}

#[tokio::test]
async fn api_keys_show_and_revoke_only_the_callers_own_tokens() {
    let app = spawn_app().await;
    let (a_browser, account) = app.signed_up(&unique("Keys")).await;
    let a = Client::of(&a_browser);
    let adam = Client::of(&app.user_in(&a_browser, &account, "adam", "ADMIN").await);
    let holders = create_token(&a, "holder's", "admin").await;
    let adams = create_token(&adam, "adam's", "user").await;
    let child = create_sub_account(&a, "Child", PASSWORD).await;
    let child_holder = login(&app, &child.account_id).await;
    let (b_browser, b_account) = app.signed_up(&unique("Keys B")).await;
    let b = Client::of(&b_browser);

    let ids = |keys: &Value| -> Vec<i64> {
        keys["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect()
    };
    let keys = a.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(ids(&keys), vec![holders.id], "{keys}");
    assert_eq!(keys["account_id"], account.as_str());
    let keys = adam.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(ids(&keys), vec![adams.id], "{keys}");
    let keys = child_holder.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(ids(&keys), Vec::<i64>::new(), "{keys}");
    assert_eq!(keys["account_id"], child.account_id.as_str(), "{keys}");
    assert_eq!(keys["auth_id"], child.auth_id.as_str(), "{keys}");
    let keys = b.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(ids(&keys), Vec::<i64>::new(), "{keys}");
    assert_eq!(keys["account_id"], b_account.as_str(), "{keys}");

    // Neither an Administrator of the account, nor another account, nor the sub-account
    // revokes the holder's token.
    for (name, caller) in [("adam", &adam), ("the child", &child_holder), ("B", &b)] {
        let got = caller
            .call("revoke_api_token", &[("id", &holders.id.to_string())])
            .await;
        assert_eq!(got, Err(AppError::NotFound), "{name}");
    }
    assert!(token_works(&app.base, &holders.token).await);
    a.call("revoke_api_token", &[("id", &holders.id.to_string())])
        .await
        .expect("the holder revokes their own token");
    assert!(!token_works(&app.base, &holders.token).await);
    assert!(token_works(&app.base, &adams.token).await);
}

// OVHcloud applications and consumer keys in the matrix above.

/// An OVHcloud target of tess: an application, or one of its consumer keys (by id, and its
/// validation page).
struct OvhTarget {
    id: String,
    validation: String,
    application_name: String,
}

impl Target {
    fn ovh_id(&self) -> String {
        self.ovh.as_ref().expect("an OVHcloud target").id.clone()
    }

    fn ovh_validation(&self) -> String {
        self.ovh
            .as_ref()
            .expect("an OVHcloud target")
            .validation
            .clone()
    }
}

/// Creates an application of tess and, unless only that is wanted, a consumer key of it
/// (authorized by tess for `Seed::OthersOvhKey`).
async fn seed_ovh(w: &World, seed: Seed) -> OvhTarget {
    let name = unique("tess app");
    let reveal = w
        .tess
        .revealing(
            "create_ovh_application",
            &form(&[("name", &name), ("description", "")]),
        )
        .await;
    let application_key = reveal["OvhApplication"]["application_key"]
        .as_str()
        .expect("application key")
        .to_owned();
    let listed = w.tess.call("list_ovh_keys", &[]).await.expect("list");
    let application_id = listed["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .find(|a| a["application_key"] == application_key.as_str())
        .and_then(|a| a["id"].as_i64())
        .expect("listed");
    if seed == Seed::OthersOvhApplication {
        return OvhTarget {
            id: application_id.to_string(),
            validation: String::new(),
            application_name: name,
        };
    }
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/1.0/auth/credential", w.app.base))
        .header("X-Ovh-Application", &application_key)
        .json(&serde_json::json!({ "accessRules": [{ "method": "GET", "path": "/*" }] }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    let validation = answer["validationUrl"]
        .as_str()
        .and_then(|u| u.rsplit_once('/'))
        .expect("validationUrl")
        .1
        .to_owned();
    if seed == Seed::OthersOvhKey {
        w.tess
            .call("authorize_ovh_consumer_key", &[("id", &validation)])
            .await
            .expect("tess authorizes");
    }
    let key = ovh_key_of(&w.tess, &name).await.expect("listed key");
    OvhTarget {
        id: key["id"].to_string(),
        validation,
        application_name: name,
    }
}

/// The consumer key of application `name` that `client`'s user sees, if any.
async fn ovh_key_of(client: &Client, name: &str) -> Result<Value, String> {
    let listed = client
        .call("list_ovh_keys", &[])
        .await
        .map_err(|e| format!("list_ovh_keys: {e:?}"))?;
    listed["consumer_keys"]
        .as_array()
        .ok_or("no consumer_keys")?
        .iter()
        .find(|k| k["application_name"] == name)
        .cloned()
        .ok_or_else(|| format!("no key of {name}"))
}

async fn check_ovh(
    w: &World,
    endpoint: &str,
    party: &Party,
    target: &Target,
    reply: &Result<Reply, AppError>,
) -> Result<(), String> {
    let me = &party.me;
    match (endpoint, &target.ovh) {
        ("delete_ovh_application", Some(t)) => {
            let listed = w
                .tess
                .call("list_ovh_keys", &[])
                .await
                .map_err(|e| format!("{e:?}"))?;
            let kept = listed["applications"]
                .as_array()
                .ok_or("no applications")?
                .iter()
                .any(|a| a["id"].as_i64().is_some_and(|id| id.to_string() == t.id));
            ensure!(kept != reply.is_ok(), "the application is kept: {kept}");
        }
        ("revoke_ovh_consumer_key" | "revoke_account_ovh_consumer_key", Some(t)) => {
            let kept = ovh_key_of(&w.tess, &t.application_name).await.is_ok();
            ensure!(kept != reply.is_ok(), "the key is kept: {kept}");
        }
        ("list_account_ovh_consumer_keys", Some(t)) => {
            let Ok(reply) = reply else { return Ok(()) };
            let listed = reply
                .body
                .as_array()
                .ok_or("not a list")?
                .iter()
                .any(|k| k["id"].as_i64().is_some_and(|id| id.to_string() == t.id));
            // tess's key acts in the parent: only its Administrators see it.
            let parent = matches!(party.who, Who::Administrator | Who::Holder);
            ensure!(
                listed == parent,
                "tess's key listed: {listed}: {}",
                reply.body
            );
        }
        ("get_ovh_authorization", Some(t)) => {
            let key = ovh_key_of(&w.tess, &t.application_name).await?;
            ensure!(key["acts_as"].is_null(), "a read authorized the key: {key}");
            if let Ok(reply) = reply {
                ensure!(
                    reply.body["application_name"] == t.application_name.as_str()
                        && reply.body["authorized"] == false
                        && reply.body["login_id"] == me["login_id"],
                    "wrong view: {}",
                    reply.body
                );
            }
        }
        ("authorize_ovh_consumer_key", Some(t)) => {
            let key = ovh_key_of(&w.tess, &t.application_name).await?;
            if reply.is_ok() {
                ensure!(
                    key["acts_as"] == me["login_id"],
                    "authorized for someone else: {key}, not {me}"
                );
            } else {
                ensure!(key["acts_as"].is_null(), "refused, yet authorized: {key}");
            }
        }
        ("list_ovh_keys", None) => {
            let Ok(reply) = reply else { return Ok(()) };
            let tess = w
                .tess
                .call("list_ovh_keys", &[])
                .await
                .map_err(|e| format!("{e:?}"))?;
            let theirs: Vec<&Value> = tess["applications"]
                .as_array()
                .ok_or("no applications")?
                .iter()
                .map(|a| &a["application_key"])
                .collect();
            let leaked = reply.body["applications"]
                .as_array()
                .ok_or("no applications")?
                .iter()
                .any(|a| theirs.contains(&&a["application_key"]));
            ensure!(
                !theirs.is_empty() && !leaked,
                "lists someone else's applications: {}",
                reply.body
            );
        }
        ("create_ovh_application", None) => {
            let Ok(reply) = reply else { return Ok(()) };
            let reveal = party.client.take(reply).await?;
            let key = reveal["OvhApplication"]["application_key"].clone();
            ensure!(
                reveal["OvhApplication"]["application_secret"]
                    .as_str()
                    .is_some_and(|s| s.len() == 32),
                "wrong reveal: {reveal}"
            );
            let mine = party
                .client
                .call("list_ovh_keys", &[])
                .await
                .map_err(|e| format!("{e:?}"))?;
            ensure!(
                mine["applications"]
                    .as_array()
                    .ok_or("no applications")?
                    .iter()
                    .any(|a| a["application_key"] == key),
                "the application is not the caller's own: {mine}"
            );
        }
        (other, _) => return Err(format!("no check for {other}")),
    }
    Ok(())
}
