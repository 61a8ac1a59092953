//! `make bench`: Steward's release build under load, on SQLite and (when
//! `STEWARD_TEST_POSTGRES_URL` names a throwaway cluster, as `tests/with-postgres.sh` gives)
//! on PostgreSQL. Seeds an account with 10,000 users and one with 100 sub-accounts, measures
//! the pages, the OVH API, logins and `/healthz`, cold start, memory, the cost of one argon2
//! hash and the bundle sizes, then writes `target/bench/bench.md` and `bench.json` (relative
//! to the directory it runs in: the repository) and prints the table.
//!
//! Settings (environment): `STEWARD_BIN` (default `$CARGO_TARGET_DIR/release/steward`),
//! `STEWARD_BENCH_SECONDS` (10 per measurement), `STEWARD_BENCH_CONNECTIONS` (16),
//! `STEWARD_BENCH_DATABASES` (`sqlite,postgres`).

mod load;
mod report;
mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use load::{Load, MakeRequest, Stats};
use server::Instance;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const USERS: usize = 10_000;
pub const SUB_ACCOUNTS: usize = 100;
const HOLDER_PASSWORD: &str = "Zr8#kLw2!nQv5$Tx-9vmq";
const NEW_USER_PASSWORD: &str = "Tq7!mzW4#plxR9vK-3hwd";
/// Connections left to the pages while logins saturate the CPU.
const PAGE_CONNECTIONS_UNDER_LOGIN: usize = 4;

struct Settings {
    bin: PathBuf,
    site: PathBuf,
    out: PathBuf,
    seconds: u64,
    connections: usize,
    databases: Vec<(String, String)>,
}

fn settings() -> Result<Settings> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let target = env("CARGO_TARGET_DIR").unwrap_or_else(|| "target".to_owned());
    let bin = env("STEWARD_BIN").map_or_else(
        || PathBuf::from(&target).join("release/steward"),
        PathBuf::from,
    );
    if !bin.is_file() {
        return Err(format!(
            "{} is missing: run `cargo leptos build --release`",
            bin.display()
        )
        .into());
    }
    let out = PathBuf::from("target/bench");
    let wanted = env("STEWARD_BENCH_DATABASES").unwrap_or_else(|| "sqlite,postgres".to_owned());
    let mut databases = Vec::new();
    for name in wanted.split(',').map(str::trim) {
        match name {
            "sqlite" => databases.push(("SQLite".to_owned(), String::new())),
            "postgres" => match env("STEWARD_TEST_POSTGRES_URL") {
                Some(url) => databases.push(("PostgreSQL".to_owned(), url)),
                None => eprintln!(
                    "bench: STEWARD_TEST_POSTGRES_URL is not set, skipping PostgreSQL (run under tests/with-postgres.sh)"
                ),
            },
            other => return Err(format!("unknown database {other:?}").into()),
        }
    }
    Ok(Settings {
        bin,
        site: PathBuf::from("target/site"),
        out,
        seconds: env("STEWARD_BENCH_SECONDS")
            .and_then(|s| s.parse().ok())
            .unwrap_or(10),
        connections: env("STEWARD_BENCH_CONNECTIONS")
            .and_then(|s| s.parse().ok())
            .unwrap_or(16),
        databases,
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let settings = settings()?;
    std::fs::create_dir_all(&settings.out)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!("bench: {cores} cores, load average {}", load_before.trim());

    let hash_ms = argon2_ms()?;
    eprintln!("bench: one argon2id hash (m=19456 KiB, t=2, p=1) takes {hash_ms:.1} ms");
    let bundles = bundles(&settings)?;

    let mut databases = Vec::new();
    for (name, url) in &settings.databases {
        eprintln!("bench: {name}");
        databases.push(run_database(&settings, name, url).await?);
    }
    let report = json!({
        "machine": {
            "cores": cores,
            "load_average_before": load_before.split_whitespace().take(3).collect::<Vec<_>>(),
            "load_average_after": std::fs::read_to_string("/proc/loadavg").unwrap_or_default()
                .split_whitespace().take(3).collect::<Vec<_>>(),
        },
        "settings": {
            "seconds_per_measurement": settings.seconds,
            "connections": settings.connections,
            "users": USERS,
            "sub_accounts": SUB_ACCOUNTS,
        },
        "argon2": {
            "hash_ms": hash_ms,
            "bound_per_second": cores as f64 * 1000.0 / hash_ms,
        },
        "bundles": bundles,
        "databases": databases,
    });
    let report = report::with_targets(report);
    let markdown = report::markdown(&report);
    std::fs::write(
        settings.out.join("bench.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    std::fs::write(settings.out.join("bench.md"), &markdown)?;
    println!("{markdown}");
    eprintln!(
        "bench: wrote {} and {}",
        settings.out.join("bench.md").display(),
        settings.out.join("bench.json").display()
    );
    Ok(())
}

/// The median time of one argon2id hash with Steward's parameters, in milliseconds.
fn argon2_ms() -> Result<f64> {
    use argon2::{Algorithm, Argon2, Params, Version};
    let params = Params::new(19_456, 2, 1, None).map_err(|e| e.to_string())?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = [0u8; 32];
    let mut times = Vec::new();
    for i in 0..11u8 {
        let started = Instant::now();
        argon2
            .hash_password_into(b"correct horse battery staple", &[i; 16], &mut out)
            .map_err(|e| e.to_string())?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The gzip -9 sizes of the bundles the browser loads.
fn bundles(settings: &Settings) -> Result<Value> {
    let pkg = settings.site.join("pkg");
    let mut sizes = serde_json::Map::new();
    for (key, file) in [
        ("wasm", "steward.wasm"),
        ("js", "steward.js"),
        ("css", "steward.css"),
    ] {
        let path = pkg.join(file);
        let raw = std::fs::metadata(&path)
            .map_err(|e| {
                format!(
                    "{}: {e} (run `cargo leptos build --release`)",
                    path.display()
                )
            })?
            .len();
        sizes.insert(
            key.to_owned(),
            json!({ "bytes": raw, "gzip_bytes": server::gzip_size(&path)? }),
        );
    }
    Ok(Value::Object(sizes))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// OVH's `$1$` signature of one call, as the python client makes it.
fn ovh_signature(
    secret: &str,
    consumer: &str,
    method: &str,
    url: &str,
    body: &str,
    ts: u64,
) -> String {
    use sha1::{Digest, Sha1};
    let message = format!("{secret}+{consumer}+{method}+{url}+{body}+{ts}");
    format!("$1${}", hex::encode(Sha1::digest(message.as_bytes())))
}

#[derive(Clone)]
struct Ovh {
    base: String,
    application_key: String,
    application_secret: String,
    consumer_key: String,
}

impl Ovh {
    fn request(
        &self,
        client: &Client,
        method: reqwest::Method,
        path: &str,
        body: String,
    ) -> reqwest::RequestBuilder {
        let url = format!("{}/1.0{path}", self.base);
        let ts = unix_now();
        let signature = ovh_signature(
            &self.application_secret,
            &self.consumer_key,
            method.as_str(),
            &url,
            &body,
            ts,
        );
        let mut request = client
            .request(method, &url)
            .header("X-Ovh-Application", &self.application_key)
            .header("X-Ovh-Consumer", &self.consumer_key)
            .header("X-Ovh-Timestamp", ts.to_string())
            .header("X-Ovh-Signature", signature);
        if !body.is_empty() {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        request
    }
}

/// Logs in through the login server function and returns the session cookie.
async fn login(client: &Client, base: &str, account_id: &str, password: &str) -> Result<String> {
    let response = login_request(client, base, account_id, password)
        .send()
        .await?;
    let status = response.status();
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect();
    if !status.is_success() || cookies.is_empty() {
        let body = response.text().await.unwrap_or_default();
        return Err(format!("login as {account_id}: {status} {body}").into());
    }
    Ok(cookies.join("; "))
}

fn login_request(
    client: &Client,
    base: &str,
    account_id: &str,
    password: &str,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{base}/api/login"))
        .header("Accept", "application/json")
        .form(&[("account_id", account_id), ("password", password)])
}

/// A GET of a logged-in page.
fn page(base: &str, path: &str, cookie: &str) -> MakeRequest {
    let url = format!("{base}{path}");
    let cookie = cookie.to_owned();
    Arc::new(move |client, _, _| client.get(&url).header("Cookie", &cookie))
}

fn is_200(status: StatusCode) -> bool {
    status == StatusCode::OK
}

async fn check_page(
    client: &Client,
    base: &str,
    path: &str,
    cookie: &str,
    expect: &str,
) -> Result<()> {
    let response = client
        .get(format!("{base}{path}"))
        .header("Cookie", cookie)
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    if status != StatusCode::OK || !body.contains(expect) {
        return Err(format!("GET {path}: {status}, expected {expect:?} in the page").into());
    }
    Ok(())
}

fn row(name: &str, stats: &Stats) -> Value {
    json!({
        "name": name,
        "connections": stats.connections,
        "requests": stats.requests,
        "requests_per_second": stats.rps(),
        "p50_ms": stats.p50_ms,
        "p99_ms": stats.p99_ms,
        "max_ms": stats.max_ms,
        "errors": stats.errors,
        "first_error": stats.first_error,
    })
}

async fn run_database(settings: &Settings, name: &str, postgres_url: &str) -> Result<Value> {
    let postgres = !postgres_url.is_empty();
    let data_dir = std::path::absolute(
        settings
            .out
            .join(format!("data-{}", name.to_ascii_lowercase())),
    )?;
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)?;
    }
    std::fs::create_dir_all(&data_dir)?;
    let database_url = if postgres {
        postgres_url.to_owned()
    } else {
        format!("sqlite://{}", data_dir.join("steward.db").display())
    };
    let instance = Instance {
        bin: settings.bin.clone(),
        site: std::path::absolute(&settings.site)?,
        data_dir,
        database_url,
        postgres,
    };

    // Seeding.
    let seeding = Instant::now();
    instance.cli(&["migrate"], None)?;
    let account = instance.cli(
        &[
            "account",
            "create",
            "--company",
            "Acme Load Test",
            "--email",
            "holder@acme.example",
            "--password-stdin",
        ],
        Some(HOLDER_PASSWORD),
    )?;
    instance.sql(&server::seed_sql(&account, USERS, postgres))?;
    let parent = instance.cli(
        &[
            "account",
            "create",
            "--company",
            "Parent Load Test",
            "--email",
            "holder@parent.example",
            "--password-stdin",
        ],
        Some(HOLDER_PASSWORD),
    )?;
    // Through the command line, as an operator would, eight at a time.
    let names: Vec<String> = (1..=SUB_ACCOUNTS).map(|i| format!("Team {i:03}")).collect();
    for batch in names.chunks(8) {
        let instance = &instance;
        std::thread::scope(|scope| {
            let runs: Vec<_> = batch
                .iter()
                .map(|name| {
                    let args = [
                        "sub-account",
                        "create",
                        "--parent",
                        parent.as_str(),
                        "--name",
                        name.as_str(),
                    ];
                    scope.spawn(move || instance.cli(&args, None).map(drop))
                })
                .collect();
            runs.into_iter()
                .map(|run| -> Result<()> { run.join().map_err(|_| "sub-account thread panicked")? })
                .collect::<Result<Vec<()>>>()
        })?;
    }
    let app: Value = serde_json::from_str(&instance.cli(
        &[
            "credentials",
            "create",
            "--account",
            &account,
            "--kind",
            "ovh-application",
        ],
        None,
    )?)?;
    eprintln!(
        "bench: {name}: seeded in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    // Cold start: three starts from a stopped server, the last one kept for the measurements.
    let mut cold_ms = Vec::new();
    let mut running = None;
    for _ in 0..3 {
        drop(running.take());
        let (server, took) = instance.start().await?;
        cold_ms.push(took.as_secs_f64() * 1000.0);
        running = Some(server);
    }
    let server = running.ok_or("no server")?;
    let base = server.base.clone();
    let (rss_after_start_kib, _) = server.memory_kib()?;

    let client = load::client()?;
    let cookie = login(&client, &base, &account, HOLDER_PASSWORD).await?;
    let parent_cookie = login(&client, &base, &parent, HOLDER_PASSWORD).await?;
    let mut ovh = Ovh {
        base: base.clone(),
        application_key: app["application_key"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        application_secret: app["application_secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        consumer_key: String::new(),
    };
    let credential: Value = client
        .post(format!("{base}/1.0/auth/credential"))
        .header("X-Ovh-Application", &ovh.application_key)
        .json(&json!({
            "accessRules": (["GET", "POST", "PUT", "DELETE"].map(|m| json!({"method": m, "path": "/*"}))),
            "redirection": null,
            "allowedIPs": null,
        }))
        .send()
        .await?
        .json()
        .await?;
    ovh.consumer_key = credential["consumerKey"]
        .as_str()
        .ok_or("no consumer key")?
        .to_owned();
    instance.cli(
        &[
            "ovh",
            "validate-consumer-key",
            "--key",
            &ovh.consumer_key,
            "--user",
            &account,
        ],
        None,
    )?;

    check_page(&client, &base, "/users", &cookie, "user1@seed.example").await?;
    check_page(
        &client,
        &base,
        "/users?q=user42",
        &cookie,
        "user4200@seed.example",
    )
    .await?;
    check_page(&client, &base, "/users?page=100", &cookie, "@seed.example").await?;
    check_page(&client, &base, "/sub-accounts", &parent_cookie, "Team 0").await?;
    let logins = ovh
        .request(
            &client,
            reqwest::Method::GET,
            "/me/identity/user",
            String::new(),
        )
        .send()
        .await?;
    let listed: Vec<String> = logins.json().await?;
    if listed.len() < USERS {
        return Err(format!("OVH lists {} logins", listed.len()).into());
    }

    let duration = Duration::from_secs(settings.seconds);
    let warmup = Duration::from_secs(1);
    let c = settings.connections;
    let measure = |request: MakeRequest, connections: usize, ok: fn(StatusCode) -> bool| Load {
        connections,
        warmup,
        duration,
        request,
        ok,
    };
    let mut rows = Vec::new();
    let mut record = |label: &str, stats: Stats| {
        let rss_kib = server.memory_kib().map_or(0, |(_, rss)| rss);
        eprintln!(
            "bench: {name}: {label}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors{}",
            stats.rps(),
            stats.p50_ms,
            stats.p99_ms,
            stats.errors,
            stats
                .first_error
                .as_deref()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default()
        );
        let mut row = row(label, &stats);
        row["rss_after_kib"] = json!(rss_kib);
        rows.push(row);
    };

    record(
        "Users page, first page",
        measure(page(&base, "/users", &cookie), c, is_200)
            .run()
            .await,
    );
    record(
        "Users page, search `user42`",
        measure(page(&base, "/users?q=user42", &cookie), c, is_200)
            .run()
            .await,
    );
    record(
        "Users page, page 100",
        measure(page(&base, "/users?page=100", &cookie), c, is_200)
            .run()
            .await,
    );
    record(
        "Sub-accounts page (100 sub-accounts)",
        measure(page(&base, "/sub-accounts", &parent_cookie), c, is_200)
            .run()
            .await,
    );
    let list = {
        let ovh = ovh.clone();
        Arc::new(move |client: &Client, _: usize, _: u64| {
            ovh.request(
                client,
                reqwest::Method::GET,
                "/me/identity/user",
                String::new(),
            )
        }) as MakeRequest
    };
    record(
        "OVH `GET /1.0/me/identity/user` (10,000+ logins)",
        measure(list, c, is_200).run().await,
    );
    let create = {
        let ovh = ovh.clone();
        Arc::new(move |client: &Client, worker: usize, n: u64| {
            let login = format!("load{worker}x{n}");
            let body = json!({
                "login": login,
                "email": format!("{login}@load.example"),
                "password": NEW_USER_PASSWORD,
                "group": "DEFAULT",
                "description": "made by make bench",
            })
            .to_string();
            ovh.request(client, reqwest::Method::POST, "/me/identity/user", body)
        }) as MakeRequest
    };
    record(
        "OVH `POST /1.0/me/identity/user` (create, argon2)",
        measure(create, c, is_200).run().await,
    );
    let login_load = {
        let (base, account) = (base.clone(), account.clone());
        Arc::new(move |client: &Client, _: usize, _: u64| {
            login_request(client, &base, &account, HOLDER_PASSWORD)
        }) as MakeRequest
    };
    record(
        "Login `POST /api/login` (argon2)",
        measure(login_load.clone(), c, is_200).run().await,
    );
    record(
        "Users page alone (4 connections)",
        measure(
            page(&base, "/users", &cookie),
            PAGE_CONNECTIONS_UNDER_LOGIN,
            is_200,
        )
        .run()
        .await,
    );
    let logins = measure(login_load, c, is_200);
    let pages = measure(
        page(&base, "/users", &cookie),
        PAGE_CONNECTIONS_UNDER_LOGIN,
        is_200,
    );
    let (logins_busy, pages_busy) = tokio::join!(logins.run(), pages.run());
    record("Login, while the users page loads", logins_busy);
    record(
        "Users page while logins saturate the CPU (4 connections)",
        pages_busy,
    );
    let health = {
        let url = format!("{base}/healthz");
        Arc::new(move |client: &Client, _: usize, _: u64| client.get(&url)) as MakeRequest
    };
    record("`GET /healthz`", measure(health, c, is_200).run().await);

    let (peak_kib, rss_kib) = server.memory_kib()?;
    drop(server);
    Ok(json!({
        "name": name,
        "cold_start_ms": cold_ms,
        "rss_after_start_kib": rss_after_start_kib,
        "rss_peak_kib": peak_kib,
        "rss_after_run_kib": rss_kib,
        "scenarios": rows,
    }))
}
