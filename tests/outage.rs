//! Outage: the PostgreSQL cluster stops while Steward is under load, and comes back. Meanwhile
//! every answer is an honest one: 503 with a plain message where the database is needed, never
//! a 500 or an internal detail, never a protected answer to a client without credentials, and
//! `/healthz` says 503. When the cluster is back, Steward serves again without a restart.
//!
//! It stops the cluster it runs on, so it has a cluster of its own: `make outage` runs it under
//! its own `tests/with-postgres.sh`, which exports how to stop and start that cluster.

use steward_testkit as helpers;
use steward_testkit::fixture;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::ACCEPT;
use tokio::sync::Mutex;

use helpers::{RealServer, fresh_database_url};

/// Words that would tell a client about Steward's insides.
const INTERNALS: &[&str] = &[
    "internal",
    "sqlx",
    "postgres",
    "pool",
    "database error",
    "connection refused",
    "panicked",
    "backtrace",
    "io error",
];

/// How to stop and start the cluster, from `tests/with-postgres.sh`.
struct Cluster {
    run_as: Vec<String>,
    pg_ctl: String,
    data: String,
    log: String,
    options: String,
}

impl Cluster {
    fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!(
                    "{name} is not set: run this test with `make outage` (tests/with-postgres.sh)"
                )
            })
        };
        Self {
            run_as: var("STEWARD_TEST_PG_AS")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            pg_ctl: var("STEWARD_TEST_PG_CTL"),
            data: var("STEWARD_TEST_PG_DATA"),
            log: var("STEWARD_TEST_PG_LOG"),
            options: var("STEWARD_TEST_PG_OPTIONS"),
        }
    }

    fn pg_ctl(&self, args: &[&str]) {
        let mut command = match self.run_as.split_first() {
            Some((program, rest)) => {
                let mut c = std::process::Command::new(program);
                c.args(rest).arg(&self.pg_ctl);
                c
            }
            None => std::process::Command::new(&self.pg_ctl),
        };
        let output = command
            .args(["-D", &self.data])
            .args(args)
            .output()
            .expect("run pg_ctl");
        assert!(
            output.status.success(),
            "pg_ctl {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Stops it at once, as a crash or a pulled cable would: connections just end.
    fn stop(&self) {
        self.pg_ctl(&["-m", "immediate", "stop"]);
    }

    fn start(&self) {
        self.pg_ctl(&["-w", "-l", &self.log, "start", "-o", &self.options]);
    }
}

/// What the load saw in one phase.
#[derive(Default)]
struct Seen {
    /// Every answer: (what was asked, with what, status, body).
    answers: Vec<(&'static str, Need, u16, String)>,
    /// Requests that got no answer at all.
    unanswered: Vec<String>,
    /// Answers that break a rule of every phase (see [`dishonesty`]).
    dishonest: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// Answers only to a logged-in user or a credential.
    Credentials,
    /// Asked without credentials: must never succeed, database or not.
    Anonymous,
}

struct Probe {
    what: &'static str,
    need: Need,
    request: reqwest::RequestBuilder,
}

fn probes(
    base: &str,
    holder: &reqwest::Client,
    plain: &reqwest::Client,
    tenant: &fixture::Tenant,
) -> Vec<Probe> {
    let json = |client: &reqwest::Client, endpoint: &str| {
        client
            .post(format!("{base}/api/{endpoint}"))
            .header(ACCEPT, "application/json")
            .form(&[] as &[(&str, &str)])
    };
    let login = format!("outage-{}", steward::server::infra::secrets::random_hex(6));
    vec![
        Probe {
            what: "whoami (session)",
            need: Need::Credentials,
            request: json(holder, "whoami"),
        },
        Probe {
            what: "list_users (session)",
            need: Need::Credentials,
            request: json(holder, "list_users"),
        },
        Probe {
            what: "users page (session)",
            need: Need::Credentials,
            request: holder
                .get(format!("{base}/users"))
                .header(ACCEPT, "text/html"),
        },
        Probe {
            what: "create_user (API token)",
            need: Need::Credentials,
            request: plain
                .post(format!("{base}/api/create_user"))
                .header(ACCEPT, "application/json")
                .bearer_auth(&tenant.api_token)
                .form(&[
                    ("login", login.as_str()),
                    ("email", "outage@reliable.example"),
                    ("group", "DEFAULT"),
                    ("description", ""),
                    ("password", helpers::PASSWORD),
                ]),
        },
        Probe {
            what: "Vobiz list (account credentials)",
            need: Need::Credentials,
            request: plain
                .get(format!(
                    "{base}/api/v1/accounts/{}/sub-accounts/",
                    tenant.auth_id
                ))
                .header("x-auth-id", &tenant.auth_id)
                .header("x-auth-token", &tenant.auth_token),
        },
        Probe {
            what: "Gcore me (API token)",
            need: Need::Credentials,
            request: plain
                .get(format!("{base}/iam/clients/me"))
                .header("authorization", format!("APIKey {}", tenant.api_token)),
        },
        Probe {
            what: "list_users (anonymous)",
            need: Need::Anonymous,
            request: json(plain, "list_users"),
        },
        Probe {
            what: "users page (anonymous)",
            need: Need::Anonymous,
            request: plain
                .get(format!("{base}/users"))
                .header(ACCEPT, "text/html"),
        },
        Probe {
            what: "Gcore me (wrong token)",
            need: Need::Anonymous,
            request: plain
                .get(format!("{base}/iam/clients/me"))
                .header("authorization", "APIKey 1_wrong"),
        },
        Probe {
            what: "Vobiz list (wrong token)",
            need: Need::Anonymous,
            request: plain
                .get(format!(
                    "{base}/api/v1/accounts/{}/sub-accounts/",
                    tenant.auth_id
                ))
                .header("x-auth-id", &tenant.auth_id)
                .header("x-auth-token", "wrong"),
        },
    ]
}

/// Fires probe number `which` again and again until `stop`, noting each answer in `seen`'s
/// current phase.
async fn load(
    which: usize,
    base: String,
    holder: reqwest::Client,
    tenant: fixture::Tenant,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
) {
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    while !stop.load(Ordering::Relaxed) {
        if let Some(probe) = probes(&base, &holder, &plain, &tenant)
            .into_iter()
            .nth(which)
        {
            let answer = match probe.request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    response.text().await.map(|body| (status, body))
                }
                Err(e) => Err(e),
            };
            let mut seen = seen.lock().await;
            match answer {
                Ok((status, body)) => {
                    if let Some(problem) = dishonesty(probe.need, status, &body) {
                        seen.dishonest
                            .push(format!("{}: {problem}: {status} {body}", probe.what));
                    }
                    seen.answers.push((probe.what, probe.need, status, body));
                }
                Err(e) => seen.unanswered.push(format!("{}: {e}", probe.what)),
            }
        }
    }
}

/// What holds in every phase: no internal error, no internals, nothing protected without
/// credentials. A server function's answer with status 500 must still be an `AppError` (an
/// internal error with its reference), never a bare failure.
fn dishonesty(need: Need, status: u16, body: &str) -> Option<&'static str> {
    let lower = without_nonces(body).to_lowercase();
    if let Some(word) = INTERNALS.iter().find(|word| lower.contains(*word)) {
        return Some(word);
    }
    if status == 500 && serde_json::from_str::<steward::error::AppError>(body).is_err() {
        return Some("a 500 that is not a refusal");
    }
    if need == Need::Anonymous && (200..300).contains(&status) {
        return Some("success without credentials");
    }
    None
}

/// `body` without the values of its `nonce` and `crossorigin` attributes: a page's random nonce
/// may spell one of the words looked for ("m5cDizFitMApooLAtqqhzA" holds "pool").
fn without_nonces(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    loop {
        let next = ["nonce=\"", "crossorigin=\""]
            .iter()
            .filter_map(|attribute| rest.find(attribute).map(|at| at + attribute.len()))
            .min();
        let Some(start) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        match rest.find('"') {
            Some(end) => rest = &rest[end..],
            None => return out,
        }
    }
}

#[test]
fn a_nonce_that_spells_a_word_is_not_an_internal() {
    let page =
        r#"<link crossorigin="m5cDizFitMApooLAtqqhzA"><script nonce="m5cDizFitMApooLAtqqhzA">"#;
    assert_eq!(dishonesty(Need::Anonymous, 302, page), None);
    assert_eq!(
        dishonesty(Need::Anonymous, 503, "connection pool timed out"),
        Some("pool")
    );
}

/// Fails on any dishonest answer seen in `phase`.
fn assert_honest(phase: &str, seen: &Seen) {
    assert!(seen.dishonest.is_empty(), "{phase}: {:#?}", seen.dishonest);
}

/// How many of each answer, for the test's output.
fn summary(seen: &Seen) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for (what, _, status, body) in &seen.answers {
        let body: String = body.chars().take(60).collect();
        *counts
            .entry(format!("{what} -> {status} {body}"))
            .or_insert(0) += 1;
    }
    format!("{counts:#?}")
}

/// Fails unless every request with credentials in `phase` was answered and succeeded.
fn assert_served(phase: &str, seen: &Seen) {
    assert!(seen.unanswered.is_empty(), "{phase}: {:?}", seen.unanswered);
    let served: Vec<_> = seen
        .answers
        .iter()
        .filter(|(_, need, ..)| *need == Need::Credentials)
        .collect();
    assert!(!served.is_empty(), "{phase}: the load made no requests");
    for (what, _, status, body) in served {
        assert!(
            (200..300).contains(status),
            "{what} {phase}: {status} {body}"
        );
    }
}

async fn healthz(base: &str) -> Option<u16> {
    reqwest::get(format!("{base}/healthz"))
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

/// Polls `/healthz` until it answers `status`, for up to a minute; whether it did.
async fn wait_for_health(base: &str, status: u16) -> bool {
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if healthz(base).await == Some(status) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test]
async fn a_database_outage_gets_plain_503s_and_steward_recovers_by_itself() {
    let cluster = Cluster::from_env();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(&dir).await;
    assert!(
        database_url.starts_with("postgres"),
        "the outage test needs PostgreSQL"
    );
    let mut server = RealServer::start_on(dir, database_url, "warn", &[]).await;
    let (tenant, holder) = fixture::tenant(&server).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = tokio::task::JoinSet::new();
    let kinds = probes(&server.base, &holder.client, &holder.client, &tenant).len();
    for which in 0..kinds {
        clients.spawn(load(
            which,
            server.base.clone(),
            holder.client.clone(),
            tenant.clone(),
            Arc::clone(&seen),
            Arc::clone(&stop),
        ));
    }
    // Phases: before, during and after the outage; each phase's answers are taken out of `seen`.
    let take = || async {
        let mut seen = seen.lock().await;
        std::mem::take(&mut *seen)
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = take().await;
    assert_honest("before the outage", &before);
    assert_served("before the outage", &before);

    cluster.stop();
    assert!(
        wait_for_health(&server.base, 503).await,
        "/healthz never said 503"
    );
    // From here on the database is certainly gone as far as Steward knows.
    assert_honest("as the database went", &take().await);
    // Long enough for every probe to be answered more than once: without a database, each
    // request waits out the pool's five-second acquire timeout.
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert_eq!(healthz(&server.base).await, Some(503));
    let during = take().await;
    eprintln!("outage: during the outage, {}", summary(&during));
    assert_honest("during the outage", &during);
    assert!(
        during.unanswered.is_empty(),
        "no answer during the outage: {:?}",
        during.unanswered
    );
    let credentialed: Vec<_> = during
        .answers
        .iter()
        .filter(|(_, need, ..)| *need == Need::Credentials)
        .collect();
    let kinds_answered: std::collections::BTreeSet<_> =
        credentialed.iter().map(|(what, ..)| *what).collect();
    assert_eq!(
        kinds_answered.len(),
        probes(&server.base, &holder.client, &holder.client, &tenant)
            .iter()
            .filter(|p| p.need == Need::Credentials)
            .count(),
        "not every request was answered during the outage: {}",
        summary(&during)
    );
    for (what, _, status, body) in credentialed {
        assert_eq!(*status, 503, "{what} during the outage: {body}");
        assert!(
            body.to_lowercase().contains("unavailable"),
            "{what}: not a plain message: {body}"
        );
    }

    cluster.start();
    assert!(
        wait_for_health(&server.base, 200).await,
        "Steward did not recover when the database came back:\n{}",
        server.log()
    );
    // Connections broken by the outage may fail once more before the pool replaces them.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_honest("as the database came back", &take().await);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = take().await;
    assert_honest("after the outage", &after);
    stop.store(true, Ordering::Relaxed);
    while let Some(done) = clients.join_next().await {
        done.expect("load client");
    }
    assert_served("after the outage", &after);
    let log = server.stop();
    assert!(!log.contains("panicked"), "{log}");
}
