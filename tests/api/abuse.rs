//! What a stranger can ask of the server, bounded (SECURITY.md rule 27): every input has a size,
//! CPU-heavy work runs off the async workers in a bounded queue, and the endpoints open to anyone
//! are limited per client address. Refusals are clear, carry their own status, and change nothing.

use std::time::{Duration, Instant};

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with, unique};
use steward::error::AppError;
use steward::server::infra::client_limits::ClientLimitConfig;
use steward::server::infra::hashing::QueueBound;

/// Posts a form to a server function as a script would; returns status, headers and body.
async fn post(
    browser: &Browser,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let response = browser
        .client
        .post(format!("{}/api/{endpoint}", browser.base))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn decode(body: &str) -> AppError {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not an AppError: {body}"))
}

async fn user_count(app: &TestApp) -> i64 {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(pool)
            .await
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adversarial_inputs_in_parallel_leave_health_and_pages_answering_quickly() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Under Fire")).await;
    app.seed_users(
        holder.me().await["account_id"].as_str().unwrap(),
        "seed",
        30,
    )
    .await;
    let users_before = user_count(&app).await;
    // Once before, so that what is measured is the page, not its first render's set-up.
    assert!(holder.get("/users").await.status().is_success());

    let huge_context: String = (0..40_000).map(|i| format!("w{i} ")).collect();
    let long_password = "Aa1!".repeat(300_000);
    let repeated = "abcd".repeat(32); // 128 characters of one pattern: within every limit
    let wide_context: String = (0..80).map(|i| format!("word{i:03} ")).collect();
    // Bodies are encoded before the clock starts: the test's own client shares the machine.
    let encode = |pairs: &[(&str, &str)]| -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into_bytes()
    };
    let wide_context = &wide_context[..500];
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        (
            "check_password",
            encode(&[("password", "x"), ("context", &huge_context)]),
        ),
        (
            "check_password",
            encode(&[("password", &long_password), ("context", "")]),
        ),
        (
            "check_password",
            encode(&[("password", &repeated), ("context", wide_context)]),
        ),
        (
            "create_user",
            encode(&[
                ("login", "flood"),
                ("email", "flood@example.com"),
                ("group", "DEFAULT"),
                ("description", &huge_context),
                ("password", &repeated),
            ]),
        ),
        (
            "create_sub_account",
            encode(&[
                ("form[name]", &huge_context[..3000]),
                ("form[description]", ""),
                ("form[email]", ""),
                ("form[phone]", ""),
                ("form[rate_limit]", "100"),
                ("form[kyc_mode]", "self_use"),
                ("form[business_type]", ""),
                ("form[password]", &long_password[..1000]),
            ]),
        ),
    ];
    let holder = std::sync::Arc::new(holder);
    let mut attacks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (endpoint, body) = bodies[i % bodies.len()].clone();
        // A body within the limits comes from the holder's session; an oversized one, refused
        // before anyone is looked up, from a client of its own (the server closes that
        // connection, which a shared client would try to reuse).
        let oversized = body.len() > steward::domain::limits::MAX_BODY_BYTES;
        let client = if oversized {
            Browser::new(&holder.base).client
        } else {
            holder.client.clone()
        };
        let url = format!("{}/api/{endpoint}", holder.base);
        attacks.spawn(async move {
            let sent = client
                .post(url)
                .header("accept", "application/json")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await;
            match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    (status, response.text().await.unwrap())
                }
                // Refused before the upload ended: the server answered 413 and closed the
                // connection while the client still wrote.
                Err(e) if oversized => (413, e.to_string()),
                Err(e) => panic!("{e}"),
            }
        });
    }
    // While they run, health and a real page keep answering.
    let reader = Browser::new(&app.base);
    let mut slowest = Duration::ZERO;
    while !attacks.is_empty() {
        for path in ["/healthz", "/users"] {
            let started = Instant::now();
            let response = if path == "/users" {
                holder.get(path).await
            } else {
                reader.get(path).await
            };
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            response.bytes().await.unwrap();
            slowest = slowest.max(started.elapsed());
        }
        while let Some(done) = attacks.try_join_next() {
            let (status, body) = done.unwrap();
            assert!(
                status < 500 && !body.contains("Internal"),
                "{status}: {}",
                &body[..body.len().min(300)]
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        slowest < Duration::from_millis(200),
        "slowest answer: {slowest:?}"
    );
    assert_eq!(user_count(&app).await, users_before, "nothing was created");
}

#[tokio::test]
async fn each_field_has_a_size_and_a_longer_one_is_refused_beside_its_field() {
    let app = spawn_app().await;
    let browser = app.browser();
    let password = "p".repeat(1025);
    let (status, _, body) = post(
        &browser,
        "check_password",
        &[("password", &password), ("context", "")],
    )
    .await;
    assert_eq!(status, 400);
    let err = decode(&body);
    assert!(
        err.for_field("password", steward::i18n::Lang::En)
            .unwrap()
            .contains("1024"),
        "{err:?}"
    );

    let context = "c".repeat(513);
    let (status, _, body) = post(
        &browser,
        "check_password",
        &[("password", "x"), ("context", &context)],
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        decode(&body)
            .for_field("context", steward::i18n::Lang::En)
            .is_some()
    );

    // The body is read as a form whatever its declared type: the limits hold for any type.
    for content_type in ["text/plain", "application/octet-stream"] {
        let response = browser
            .client
            .post(format!("{}/api/check_password", app.base))
            .header("accept", "application/json")
            .header("content-type", content_type)
            .body(format!("password={password}&context="))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{content_type}");
    }

    // A login's password past the limit is refused before anything is hashed or counted.
    let (_, account) = app.signed_up(&unique("Field Limits")).await;
    let (status, _, _) = post(
        &app.browser(),
        "login",
        &[("account_id", &account), ("password", &password)],
    )
    .await;
    assert_eq!(status, 400);
    let counted: Option<i64> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT failures FROM login_failures")
            .fetch_optional(pool)
            .await
    })
    .unwrap();
    assert_eq!(counted, None);
}

#[tokio::test]
async fn a_body_past_64_kib_is_refused_with_413_for_scripts_and_forms_alike() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Big Body")).await;
    let users_before = user_count(&app).await;
    let filler = "d".repeat(3000);
    let mut form: Vec<(String, String)> = (0..30)
        .map(|i| (format!("extra{i}"), filler.clone()))
        .collect();
    form.extend([
        ("login".to_owned(), "bulky".to_owned()),
        ("email".to_owned(), "bulky@example.com".to_owned()),
        ("group".to_owned(), "DEFAULT".to_owned()),
        ("description".to_owned(), String::new()),
        ("password".to_owned(), PASSWORD.to_owned()),
    ]);
    let response = holder
        .client
        .post(format!("{}/api/create_user", app.base))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let err = decode(&response.text().await.unwrap());
    assert!(
        err.for_field("form", steward::i18n::Lang::En)
            .unwrap()
            .contains("64"),
        "{err:?}"
    );

    // Without JavaScript the form comes back with the error, as every refusal does.
    let response = holder
        .client
        .post(format!("{}/api/create_user", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/users/new", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.contains("/users/new?") && location.contains("__err="),
        "{location}"
    );
    assert_eq!(user_count(&app).await, users_before);
}

#[tokio::test]
async fn a_client_past_its_login_or_sign_up_limit_gets_429_and_retry_after() {
    let app = spawn_app_with(|config| {
        config.client_limits = ClientLimitConfig {
            logins_per_minute: 4,
            signups_per_hour: 2,
            password_checks_per_minute: 3,
        };
    })
    .await;
    let (_, account) = app.signed_up(&unique("Limited")).await;
    let browser = app.browser();
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(
            post(
                &browser,
                "login",
                &[("account_id", &account), ("password", "wrong-one-here")],
            )
            .await,
        );
    }
    for (status, _, body) in &answers[..4] {
        assert_eq!(*status, 401, "{body}");
    }
    for (status, headers, body) in &answers[4..] {
        assert_eq!(*status, 429, "{body}");
        let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        assert!(matches!(decode(body), AppError::RateLimited { .. }));
    }
    let failures: i64 = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT failures FROM login_failures")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(failures, 4, "refused requests never reached the login");

    // One sign-up was made above; one more is allowed, then none.
    let signup = |company: String| {
        let browser = app.browser();
        async move {
            post(
                &browser,
                "signup",
                &[
                    ("company", &company),
                    ("email", "s@example.com"),
                    ("password", PASSWORD),
                ],
            )
            .await
            .0
        }
    };
    assert_eq!(signup(unique("Second")).await, 200);
    assert_eq!(signup(unique("Third")).await, 429);
    assert_eq!(
        steward::server::db::account_store::count(&app.state.db)
            .await
            .unwrap(),
        2
    );

    for _ in 0..3 {
        assert_eq!(
            post(
                &browser,
                "check_password",
                &[("password", "x"), ("context", "")]
            )
            .await
            .0,
            200
        );
    }
    assert_eq!(
        post(
            &browser,
            "check_password",
            &[("password", "x"), ("context", "")]
        )
        .await
        .0,
        429
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_hashing_queues_bound_logins_get_503_and_retry_after() {
    let app = spawn_app_with(|config| {
        config.hash_queue = QueueBound {
            max_waiting: 1,
            max_wait: Duration::from_secs(30),
        };
        config.metrics = steward::server::infra::config::MetricsMode::On;
    })
    .await;
    let (_, account) = app.signed_up(&unique("Busy")).await;
    let mut flood = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let browser = app.browser();
        let account = account.clone();
        flood.spawn(async move {
            post(
                &browser,
                "login",
                &[("account_id", &account), ("password", "wrong-flood-guess")],
            )
            .await
        });
    }
    let mut busy = 0;
    while let Some(done) = flood.join_next().await {
        let (status, headers, body) = done.unwrap();
        match status {
            401 => {}
            503 => {
                busy += 1;
                assert!(headers.contains_key("retry-after"));
                assert!(matches!(decode(&body), AppError::Busy { .. }), "{body}");
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert!(busy > 0, "the queue never filled");
    let metrics = reqwest::get(format!("{}/metrics", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!(
            "steward_requests_refused_total{{reason=\"hashing_queue\"}} {busy}"
        )),
        "{metrics}"
    );
    // The queue empties: a real login goes through.
    app.browser()
        .call("login", &[("account_id", &account), ("password", PASSWORD)])
        .await
        .map(|_| ())
        .or_else(|e| {
            if e == AppError::LoginFailed {
                Ok(())
            } else {
                Err(e)
            }
        })
        .expect("answered");
}

#[tokio::test]
async fn each_kind_of_refusal_has_its_own_status() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Statuses")).await;
    let reader = app.user_in(&holder, &account, "reader", "DEFAULT").await;
    let anonymous = app.browser();
    type Case<'a> = (&'a Browser, &'a str, Vec<(&'a str, &'a str)>, u16);
    let cases: Vec<Case> = vec![
        (&anonymous, "list_users", vec![], 401),
        (
            &anonymous,
            "login",
            vec![
                ("account_id", "1234-567-89"),
                ("password", "nope-nope-nope"),
            ],
            401,
        ),
        (&reader, "remove_user", vec![("login", "reader")], 403),
        (&holder, "get_user", vec![("login", "nobody.here")], 404),
        (
            &holder,
            "create_group",
            vec![("name", ""), ("role", "USER"), ("description", "")],
            400,
        ),
    ];
    for (browser, endpoint, form, expected) in cases {
        let (status, _, body) = post(browser, endpoint, &form).await;
        assert_eq!(status, expected, "{endpoint}: {body}");
        decode(&body);
    }
}

#[tokio::test]
async fn a_spoofed_forwarded_for_header_does_not_move_a_client_limit() {
    let app = spawn_app_with(|config| {
        config.client_limits = ClientLimitConfig {
            logins_per_minute: 3,
            ..ClientLimitConfig::unlimited()
        };
    })
    .await;
    let browser = app.browser();
    let mut statuses = Vec::new();
    for i in 0..5 {
        let response = browser
            .client
            .post(format!("{}/api/login", app.base))
            .header("accept", "application/json")
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .header("forwarded", format!("for=198.51.100.{i}"))
            .header("x-real-ip", format!("192.0.2.{i}"))
            .form(&[
                ("account_id", "1234-567-89"),
                ("password", "guess-guess-guess"),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
}
