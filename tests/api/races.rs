//! Races: twenty clients creating the same thing at the same moment. Exactly one wins, the others
//! get the same clean conflict a lone latecomer would, and no database failure ("database is
//! locked", an internal error) ever reaches a client. Twenty creations of one sub-account name
//! are in `sub_accounts::concurrent_creations_of_one_name_make_exactly_one_sub_account`.

use std::sync::Arc;

use reqwest::header::ACCEPT;
use serde_json::{Value, json};

use crate::compat::token_of;
use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};

const RACERS: usize = 20;

/// Fails unless `body` is free of database failures and internal errors (a server function's
/// `{"Internal": ..}` included) and `status` is not a server error.
fn assert_clean(status: u16, body: &str) {
    let lower = body.to_lowercase();
    assert!(
        !lower.contains("database is locked") && !lower.contains("internal") && status < 500,
        "{status}: {body}"
    );
}

/// Fails unless `answer` is a server function's refusal of exactly the one field `field`.
fn assert_conflict(answer: &(u16, String), field: &str) {
    let (status, body) = answer;
    assert_eq!(*status, 409, "a conflict: {body}");
    let refusal: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{body}"));
    let fields = refusal["Invalid"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(fields.len(), 1, "{body}");
    assert_eq!(fields[0]["field"], field, "{body}");
}

/// Fails unless exactly one of `answers` succeeded and every other one is clean and identical to
/// the answer `latecomer` got alone.
fn assert_one_winner(answers: Vec<(u16, String)>, latecomer: &(u16, String)) {
    let mut created = 0;
    for answer in answers {
        assert_clean(answer.0, &answer.1);
        if answer.0 == 200 {
            created += 1;
        } else {
            assert_eq!(&answer, latecomer);
        }
    }
    assert_eq!(created, 1);
}

/// Posts `form` to the server function `endpoint` as the hydrated page does: (status, body).
async fn post_raw(browser: &Browser, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = browser
        .client
        .post(format!("{}/api/{endpoint}", browser.base))
        .header(ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// How many accounts have this company name (any case), main or sub-account.
async fn accounts_named(app: &TestApp, company: &str) -> i64 {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE company_key = $1")
            .bind(company.to_lowercase())
            .fetch_one(pool)
            .await
    })
    .expect("count")
}

#[tokio::test]
async fn of_twenty_concurrent_creations_of_one_login_exactly_one_succeeds() {
    let app = spawn_app().await;
    let (admin, account_id) = app.signed_up(&unique("Login Race")).await;
    let admin = Arc::new(admin);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..RACERS {
        let admin = Arc::clone(&admin);
        tasks.spawn(async move {
            let email = format!("racer{i}@example.com");
            post_raw(
                &admin,
                "create_user",
                &[
                    ("login", "racer"),
                    ("email", &email),
                    ("group", "DEFAULT"),
                    ("description", ""),
                    ("password", PASSWORD),
                ],
            )
            .await
        });
    }
    let mut answers = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        answers.push(outcome.expect("task"));
    }
    // A latecomer, alone, meets the winner's user: the losers must have got just that answer.
    let latecomer = post_raw(
        &admin,
        "create_user",
        &[
            ("login", "racer"),
            ("email", "late@example.com"),
            ("group", "DEFAULT"),
            ("description", ""),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_conflict(&latecomer, "login");
    assert_one_winner(answers, &latecomer);
    let pk = app.account_pk(&account_id).await;
    let users: i64 = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE account_id = $1 AND login_key = 'racer'",
        )
        .bind(pk)
        .fetch_one(pool)
        .await
    })
    .expect("count");
    assert_eq!(users, 1);
}

#[tokio::test]
async fn of_twenty_concurrent_sign_ups_of_one_company_exactly_one_succeeds() {
    let app = spawn_app().await;
    let company = unique("Signup Race");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..RACERS {
        let browser = app.browser();
        let company = company.clone();
        tasks.spawn(async move {
            let email = format!("holder{i}@example.com");
            post_raw(
                &browser,
                "signup",
                &[
                    ("company", &company),
                    ("email", &email),
                    ("password", PASSWORD),
                ],
            )
            .await
        });
    }
    let mut answers = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        answers.push(outcome.expect("task"));
    }
    let latecomer = post_raw(
        &app.browser(),
        "signup",
        &[
            ("company", &company),
            ("email", "late@example.com"),
            ("password", PASSWORD),
        ],
    )
    .await;
    // The same answer a latecomer gets alone, once the winner's account exists.
    assert_conflict(&latecomer, "company");
    assert_one_winner(answers, &latecomer);
    assert_eq!(accounts_named(&app, &company).await, 1);
}

#[tokio::test]
async fn of_twenty_gcore_clients_of_one_company_from_twenty_accounts_exactly_one_is_created() {
    let app = spawn_app().await;
    // Twenty different parents: the per-parent name index cannot tell them apart.
    let mut tokens = Vec::new();
    for _ in 0..RACERS {
        let (holder, _) = app.signed_up(&unique("Gcore Parent")).await;
        tokens.push(token_of(&holder, "admin").await);
    }
    let company = unique("Contested Client");
    let client = reqwest::Client::new();
    let mut tasks = tokio::task::JoinSet::new();
    for token in tokens {
        let request = client
            .post(format!("{}/iam/clients/create", app.base))
            .header("authorization", format!("APIKey {token}"))
            .json(&json!({ "company": company }));
        tasks.spawn(async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            (status, response.text().await.expect("body"))
        });
    }
    let mut created = 0;
    while let Some(outcome) = tasks.join_next().await {
        let (status, body) = outcome.expect("task");
        assert_clean(status, &body);
        let answer: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}"));
        if status == 201 {
            assert_eq!(answer["company"], company.as_str());
            created += 1;
        } else {
            // Exactly what Gcore answers for a company that is already taken.
            assert_eq!(status, 400, "{body}");
            assert_eq!(
                answer,
                json!({ "errors": { "company": [steward::compat::gcore::COMPANY_TAKEN] } })
            );
        }
    }
    assert_eq!(created, 1);
    assert_eq!(accounts_named(&app, &company).await, 1);
}

#[tokio::test]
async fn a_gcore_client_frees_its_company_name_when_it_is_deleted() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Claim Owner")).await;
    let token = token_of(&holder, "admin").await;
    let company = unique("Passing Client");
    let create = || {
        reqwest::Client::new()
            .post(format!("{}/iam/clients/create", app.base))
            .header("authorization", format!("APIKey {token}"))
            .json(&json!({ "company": company }))
            .send()
    };
    let first: Value = create().await.expect("request").json().await.expect("JSON");
    let id = first["id"].as_i64().expect("an id");
    assert_eq!(create().await.expect("request").status(), 400);
    holder
        .call(
            "delete_sub_account",
            &[("id", &id.to_string()), ("confirm_name", &company)],
        )
        .await
        .expect("deleted");
    assert_eq!(create().await.expect("request").status(), 201);
}

/// Building a router lists the app's pages by rendering it with resource loading switched off,
/// by a flag global to the process. A page whose data began to load in that window used to wait
/// forever. Routers are built here without pause (as concurrent tests do) while pages load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_loading_while_other_routers_are_built_in_the_same_process() {
    use std::sync::atomic::{AtomicBool, Ordering};

    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Listing")).await;
    holder
        .call(
            "create_user",
            &[
                ("login", "listed"),
                ("email", "listed@acme.example"),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect("user created");
    /// Stops the builder however the test ends: the runtime waits for it before it shuts down.
    struct Stop(Arc<AtomicBool>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let stop = Stop(Arc::new(AtomicBool::new(false)));
    let building = {
        let (stop, state) = (stop.0.clone(), app.state.clone());
        tokio::task::spawn_blocking(move || {
            let mut built = 0u32;
            while !stop.load(Ordering::Relaxed) {
                drop(steward::server::router::router(state.clone()));
                built += 1;
            }
            built
        })
    };
    for round in 0..40 {
        let page = tokio::time::timeout(std::time::Duration::from_secs(20), holder.get("/users"))
            .await
            .unwrap_or_else(|_| panic!("round {round}: the users page never finished loading"));
        assert_eq!(page.status(), 200, "round {round}");
        let body = tokio::time::timeout(std::time::Duration::from_secs(20), page.text())
            .await
            .unwrap_or_else(|_| panic!("round {round}: the users page stopped mid-body"))
            .expect("body");
        // The users come from the page's resource: present only once it loaded.
        assert!(
            body.contains(&format!("{account}/listed")),
            "round {round}: the page lacks its data"
        );
    }
    drop(stop);
    assert!(building.await.expect("builder") > 0);
}
