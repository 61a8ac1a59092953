//! What Steward's test binaries share. `spawn_app()`: Steward on a free port against a fresh
//! database. SQLite by default; a fresh
//! PostgreSQL database per test when `STEWARD_TEST_POSTGRES_URL` names a server
//! (`tests/with-postgres.sh` starts one).

pub mod fixture;
pub mod mail_server;
pub mod soft_key;

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use serde_json::Value;
use std::sync::Arc;

use steward::error::AppError;
use steward::server::infra::config::Config;
use steward::server::router;
use steward::server::web::state::AppState;

/// The `steward` binary cargo built for the test being run: next to the `deps/` folder that holds
/// the test's own executable (cargo builds a package's binaries before its integration tests).
pub fn steward_binary() -> std::path::PathBuf {
    let test = std::env::current_exe().expect("the test's own path");
    let profile = test
        .parent()
        .and_then(std::path::Path::parent)
        .expect("the test runs from target/<profile>/deps");
    profile.join(format!("steward{}", std::env::consts::EXE_SUFFIX))
}

/// A server function's answer: its JSON result, or the `AppError` it refused with.
pub async fn answer(response: reqwest::Response) -> Result<Value, AppError> {
    let ok = response.status().is_success();
    let body = response.bytes().await.expect("body");
    if ok {
        Ok(serde_json::from_slice(&body).expect("JSON result"))
    } else {
        Err(serde_json::from_slice(&body)
            .unwrap_or_else(|_| panic!("not an AppError: {}", String::from_utf8_lossy(&body))))
    }
}

pub const PASSWORD: &str = "Velvet-Orbit-Canyon-42";

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    /// Kept so the SQLite file and server key live as long as the app.
    pub _data_dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(&data_dir).await;
    let mut config = Config::for_database(database_url, data_dir.path().to_path_buf());
    configure(&mut config);
    let options = leptos::config::LeptosOptions::builder()
        .output_name("steward")
        .build();
    let state = AppState::open(config, options).await.expect("open state");
    steward::server::mail::delivery::spawn(state.clone()).expect("mail worker");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(router::serve(listener, router::router(state.clone())));
    TestApp {
        base,
        state,
        _data_dir: data_dir,
    }
}

/// A database URL for one test: a new SQLite file, or a new PostgreSQL database.
pub async fn fresh_database_url(dir: &tempfile::TempDir) -> String {
    match std::env::var("STEWARD_TEST_POSTGRES_URL") {
        Ok(admin_url) => {
            use sqlx::Connection;
            let name = format!(
                "steward_test_{}",
                steward::server::infra::secrets::random_hex(8)
            );
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create database");
            let base = admin_url.rsplit_once('/').expect("URL with a database").0;
            format!("{base}/{name}")
        }
        Err(_) => format!("sqlite://{}/steward.db", dir.path().display()),
    }
}

/// A browser: its own cookie jar, and it does not follow redirects so tests can see them.
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub base: String,
}

impl Browser {
    /// A browser with an empty cookie jar, for the server at `base`.
    pub fn new(base: &str) -> Self {
        Self::with_headers(base, &[])
    }

    /// A browser that sends `headers` with every request (an `Origin`, what a proxy adds).
    pub fn with_headers(base: &str, headers: &[(&'static str, &str)]) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let mut defaults = reqwest::header::HeaderMap::new();
        for (name, value) in headers {
            defaults.append(*name, value.parse().expect("header value"));
        }
        let client = reqwest::Client::builder()
            .default_headers(defaults)
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            // A request that never gets an answer fails its test instead of hanging the suite.
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .expect("client");
        Browser {
            client,
            jar,
            base: base.to_owned(),
        }
    }
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// Runs the `steward` command line on this app's database and server key.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        self.cli_with_env(args, &[])
    }

    /// Runs the `steward` command line as [`TestApp::cli`] does, with `env` on top.
    pub fn cli_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        std::process::Command::new(steward_binary())
            .args(args)
            .env("STEWARD_DATABASE_URL", &self.state.config.database_url)
            .env("STEWARD_DATA_DIR", self._data_dir.path())
            .env_remove("STEWARD_SERVER_KEY")
            .env_remove("STEWARD_OVH_CROSS_ACCOUNT")
            .envs(env.iter().copied())
            .output()
            .expect("run steward")
    }

    /// Signs up a new company and returns the browser (logged in as its holder) and account ID.
    pub async fn signed_up(&self, company: &str) -> (Browser, String) {
        let browser = self.browser();
        let id = browser
            .call(
                "signup",
                &[
                    ("company", company),
                    ("email", "holder@acme.example"),
                    ("password", PASSWORD),
                ],
            )
            .await
            .expect("sign-up succeeds");
        (browser, id.as_str().expect("account id").to_owned())
    }
}

impl Browser {
    /// Posts to a server function the way the hydrated page does.
    async fn post_json(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Calls a server function the way the hydrated page does, and decodes its answer.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<Value, AppError> {
        answer(self.post_json(endpoint, form).await).await
    }

    /// Posts a form the way a browser without JavaScript does, from the page `referer`.
    pub async fn post_form(
        &self,
        endpoint: &str,
        referer: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header(reqwest::header::REFERER, format!("{}{referer}", self.base))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Opens a page as a browser's navigation does (accepting HTML).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
            .await
            .expect("request")
    }

    /// The `Cookie` header this browser would send now.
    pub fn cookie_header(&self) -> Option<HeaderValue> {
        use reqwest::cookie::CookieStore;
        self.jar.cookies(&self.base.parse().expect("base URL"))
    }

    pub async fn me(&self) -> Value {
        self.call("whoami", &[]).await.expect("me answers")
    }
}

/// Calls a server function with an explicit `Cookie` header, as a stolen or stale cookie would.
pub async fn call_with_cookie(base: &str, endpoint: &str, cookie: &HeaderValue) -> Value {
    let mut headers = HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.clone());
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let body = reqwest::Client::new()
        .post(format!("{base}/api/{endpoint}"))
        .headers(headers)
        .send()
        .await
        .expect("request")
        .bytes()
        .await
        .expect("body");
    serde_json::from_slice(&body).expect("JSON")
}

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix} {}",
        steward::server::infra::secrets::random_hex(4)
    )
}

impl TestApp {
    /// The database id of the account `account_id` (for seeding rows directly).
    pub async fn account_pk(&self, account_id: &str) -> i64 {
        steward::on_db!(&self.state.db, |pool| {
            sqlx::query_scalar("SELECT id FROM accounts WHERE code = $1")
                .bind(account_id)
                .fetch_one(pool)
                .await
        })
        .expect("account exists")
    }

    /// Adds a user through the panel as `admin` and returns a browser logged in as them.
    pub async fn user_in(
        &self,
        admin: &Browser,
        account_id: &str,
        login: &str,
        group: &str,
    ) -> Browser {
        admin
            .call(
                "create_user",
                &[
                    ("login", login),
                    ("email", &format!("{login}@example.com")),
                    ("group", group),
                    ("description", ""),
                    ("password", PASSWORD),
                ],
            )
            .await
            .expect("user created");
        let browser = self.browser();
        browser
            .call(
                "login",
                &[
                    ("account_id", &format!("{account_id}/{login}")),
                    ("password", PASSWORD),
                ],
            )
            .await
            .expect("user logs in");
        browser
    }

    /// Seeds `count` users straight into the database (one shared hash: they never log in).
    /// Fails unless every account's and every group's kept count of delegated users
    /// (`user_count`, which the users page shows as its total and the groups list as their
    /// sizes) equals the users they really have.
    pub async fn assert_user_counts_exact(&self) {
        let wrong: Vec<(String, i64, i64)> = steward::on_db!(&self.state.db, |pool| {
            sqlx::query_as(
                "SELECT 'account ' || a.code, a.user_count, (SELECT COUNT(*) FROM users u
                        WHERE u.account_id = a.id AND NOT u.is_holder) AS counted
                 FROM accounts a
                 UNION ALL
                 SELECT 'group ' || g.name, g.user_count, (SELECT COUNT(*) FROM users u
                        WHERE u.group_id = g.id AND NOT u.is_holder) AS counted
                 FROM user_groups g",
            )
            .fetch_all(pool)
            .await
        })
        .expect("user counts");
        let wrong: Vec<_> = wrong
            .into_iter()
            .filter(|(_, kept, counted)| kept != counted)
            .collect();
        assert!(
            wrong.is_empty(),
            "kept counts differ (what, kept, counted): {wrong:?}"
        );
    }

    pub async fn seed_users(&self, account_id: &str, prefix: &str, count: usize) {
        let account_pk = self.account_pk(account_id).await;
        let group: i64 = steward::on_db!(&self.state.db, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM user_groups WHERE account_id = $1 AND name = 'DEFAULT'",
            )
            .bind(account_pk)
            .fetch_one(pool)
            .await
        })
        .expect("DEFAULT group");
        for i in 0..count {
            let login = format!("{prefix}{i:03}");
            let email = format!("{login}@seed.example");
            let new = steward::server::db::user_store::NewUser {
                login: &login,
                login_key: &login.to_ascii_lowercase(),
                email: &email,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNhbHQ$c2VlZGhhc2g",
                group_id: group,
                description: if i % 2 == 0 { "even seed" } else { "odd seed" },
                password_change_required: false,
            };
            let event = steward::domain::event::Event::command_line(
                account_pk,
                account_pk,
                steward::domain::event::Action::UserCreate,
                login.as_str(),
            );
            steward::server::db::user_store::insert(&self.state.db, &event, account_pk, &new)
                .await
                .expect("seeded");
        }
    }
}

impl Browser {
    /// Calls a server function and returns where it redirects the page (for reveals).
    pub async fn call_for_location(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<String, AppError> {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request");
        if response.status().is_success() {
            Ok(response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap_or_default().to_owned())
                .unwrap_or_default())
        } else {
            let body = response.bytes().await.expect("body");
            Err(serde_json::from_slice(&body).expect("AppError"))
        }
    }

    pub async fn take_reveal(&self, location: &str) -> Value {
        let id = location.strip_prefix("/reveal/").expect("a reveal address");
        self.call("take_reveal", &[("id", id)])
            .await
            .expect("take_reveal answers")
    }
}

/// A throttle that locks after three failures for an hour: tests reach the lock quickly.
pub fn lock_after_three_failures(config: &mut Config) {
    config.throttle = steward::domain::throttle_policy::ThrottlePolicy {
        free_attempts: 3,
        lock_after: 3,
        lock_for: std::time::Duration::from_secs(3600),
        ..Default::default()
    };
}

/// The real `steward` binary serving a fresh SQLite database in `dir` on a free port, its log
/// (stderr) written to `dir/steward.log`: for tests of what the process itself writes, and of
/// what survives killing it. Restarting and `pid` serve `tests/reliability` and `tests/outage.rs`.
pub struct RealServer {
    pub dir: tempfile::TempDir,
    pub base: String,
    pub database_url: String,
    port: u16,
    log: String,
    env: Vec<(String, String)>,
    child: std::process::Child,
}

impl RealServer {
    /// Starts it with the log filter `log` and `env` on top, and waits until it is healthy.
    pub async fn start(log: &str, env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = format!("sqlite://{}/steward.db", dir.path().display());
        Self::start_on(dir, database_url, log, env).await
    }

    /// Starts it on `database_url` (any database, kept across restarts) with its data and log
    /// in `dir`, and waits until it is healthy.
    pub async fn start_on(
        dir: tempfile::TempDir,
        database_url: String,
        log: &str,
        env: &[(&str, &str)],
    ) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let child = Self::spawn(dir.path(), &database_url, port, log, &env);
        let server = Self {
            dir,
            base: format!("http://127.0.0.1:{port}"),
            database_url,
            port,
            log: log.to_owned(),
            env,
            child,
        };
        server.wait_healthy().await;
        server
    }

    fn spawn(
        dir: &std::path::Path,
        database_url: &str,
        port: u16,
        log: &str,
        env: &[(String, String)],
    ) -> std::process::Child {
        // Appended to, so that a restarted server's log follows the earlier one's.
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("steward.log"))
            .expect("log file");
        std::process::Command::new(steward_binary())
            .arg("serve")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("STEWARD_DATA_DIR", dir)
            .env("STEWARD_DATABASE_URL", database_url)
            .env("STEWARD_COOKIE_SECURE", "false")
            .env("STEWARD_LOG", log)
            .env("LEPTOS_OUTPUT_NAME", "steward")
            // Every request of a test comes from one address, far more often than a person's:
            // the per-client limits are tested on their own (`abuse`).
            .env("STEWARD_CLIENT_LOGINS_PER_MINUTE", "0")
            .env("STEWARD_CLIENT_SIGNUPS_PER_HOUR", "0")
            .env("STEWARD_CLIENT_PASSWORD_CHECKS_PER_MINUTE", "0")
            .env_remove("STEWARD_SERVER_KEY")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(std::process::Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("start steward")
    }

    /// Waits up to 30 seconds for `/healthz` to say 200; whether it did.
    pub async fn wait_healthy(&self) -> bool {
        for _ in 0..300 {
            if reqwest::get(format!("{}/healthz", self.base))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// The process id, for reading its memory use from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL, as a crash or a power cut of the host would: nothing
    /// is flushed, no request finishes.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills it, starts it again on the same port, database and data, and waits until it is
    /// healthy; whether it became healthy.
    pub async fn restart(&mut self) -> bool {
        self.kill();
        self.child = Self::spawn(
            self.dir.path(),
            &self.database_url,
            self.port,
            &self.log,
            &self.env,
        );
        self.wait_healthy().await
    }

    /// All it logged so far, over every restart.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("steward.log")).expect("log")
    }

    /// Stops the server and returns all it logged.
    pub fn stop(&mut self) -> String {
        self.kill();
        self.log()
    }

    /// The bytes of the SQLite database files (main file and write-ahead log).
    pub fn database_bytes(&self) -> Vec<u8> {
        ["steward.db", "steward.db-wal"]
            .iter()
            .filter_map(|f| std::fs::read(self.dir.path().join(f)).ok())
            .flatten()
            .collect()
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    /// Everything the database holds, as text: the SQLite files byte for byte, or every
    /// PostgreSQL row (Steward's tables and the session store's).
    pub async fn database_contents(&self) -> Vec<(String, String)> {
        match &self.state.db {
            steward::server::db::Db::Sqlite(pool) => {
                sqlx::query("PRAGMA wal_checkpoint(FULL)")
                    .execute(pool)
                    .await
                    .expect("checkpoint");
                let dir = self._data_dir.path();
                ["steward.db", "steward.db-wal"]
                    .iter()
                    .filter_map(|name| {
                        let bytes = std::fs::read(dir.join(name)).ok()?;
                        Some((
                            (*name).to_owned(),
                            String::from_utf8_lossy(&bytes).into_owned(),
                        ))
                    })
                    .collect()
            }
            steward::server::db::Db::Postgres(pool) => {
                let tables: Vec<(String, String)> = sqlx::query_as(
                    "SELECT table_schema::TEXT, table_name::TEXT FROM information_schema.tables
                     WHERE table_schema IN ('public', 'tower_sessions') AND table_type = 'BASE TABLE'",
                )
                .fetch_all(pool)
                .await
                .expect("tables");
                assert!(tables.iter().any(|(_, t)| t == "users"));
                let mut contents = Vec::new();
                for (schema, table) in tables {
                    let text: String = sqlx::query_scalar(&format!(
                        "SELECT COALESCE(string_agg(CAST(t AS TEXT), ' '), '') FROM \"{schema}\".\"{table}\" t"
                    ))
                    .fetch_one(pool)
                    .await
                    .expect("rows");
                    contents.push((format!("{schema}.{table}"), text));
                }
                contents
            }
        }
    }
}
