//! `GET /metrics` in the Prometheus text format (exposition format 0.0.4), when
//! `STEWARD_METRICS=on`: requests by route and status, their latency, logins by result and the
//! live sessions.
//!
//! Requests are labelled with the route's template (`/users/{login}/edit`), never the raw path:
//! a path carries account IDs and logins, and one series per path would grow without bound.

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::server::db;
use crate::server::db::now;
use crate::server::web::state::AppState;

/// The route label of a request that matched no route (static files, the 404 page).
pub const UNMATCHED: &str = "unmatched";

/// Upper bounds of the latency histogram's buckets, in seconds (`+Inf` is implicit).
pub const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How a login attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginResult {
    /// Logged in (after the password, or after the second factor).
    Success,
    /// Wrong or unknown login, password or code; disabled user or account.
    Failure,
    /// Refused unchecked because the login is throttled or locked.
    Locked,
    /// The password was right; a second-factor code must follow.
    SecondFactor,
}

impl LoginResult {
    /// A refused attempt: `Locked` when the throttle refused it unchecked, else `Failure`.
    pub fn refused(throttled: bool) -> Self {
        if throttled {
            LoginResult::Locked
        } else {
            LoginResult::Failure
        }
    }

    const ALL: [LoginResult; 4] = [
        LoginResult::Success,
        LoginResult::Failure,
        LoginResult::Locked,
        LoginResult::SecondFactor,
    ];

    fn label(self) -> &'static str {
        match self {
            LoginResult::Success => "success",
            LoginResult::Failure => "failure",
            LoginResult::Locked => "locked",
            LoginResult::SecondFactor => "second_factor",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One route's latencies: per-bucket counts (not yet cumulative), their sum and count.
#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|&le| seconds <= le) {
            self.buckets[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Debug, Default)]
struct Requests {
    /// (method, route, status) -> count.
    counts: BTreeMap<(&'static str, String, u16), u64>,
    /// route -> latencies.
    durations: BTreeMap<String, Histogram>,
}

/// The counters of one running app. Kept in [`AppState`], so that several apps in one process
/// (as in the tests) count separately.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Counts and latencies under one lock, so that a scrape sees them agree.
    requests: Mutex<Requests>,
    logins: [AtomicU64; 4],
    /// Requests refused by a per-client limit (SECURITY.md rule 27).
    client_limited: AtomicU64,
}

impl Metrics {
    /// Counts one login attempt's outcome.
    pub fn login(&self, result: LoginResult) {
        self.logins[result.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one request refused by a per-client limit.
    pub fn client_limited(&self) {
        self.client_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one answered request.
    pub fn record(&self, method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
        // A poisoned lock only means another request panicked mid-update: the counts are
        // still numbers worth keeping.
        let mut requests = self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *requests
            .counts
            .entry((method_label(method), route.to_owned(), status.as_u16()))
            .or_default() += 1;
        requests
            .durations
            .entry(route.to_owned())
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// Everything in the text format; `active_sessions` is left out when unknown.
    /// The metrics in Prometheus's text format; `hashing_refused` is how many password checks
    /// the hashing queue's bound has refused.
    pub fn render(&self, active_sessions: Option<i64>, hashing_refused: usize) -> String {
        let (counts, durations) = {
            let requests = self
                .requests
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (requests.counts.clone(), requests.durations.clone())
        };
        let mut out = String::new();
        out.push_str(
            "# HELP steward_http_requests_total HTTP requests answered, by method, route template and status.\n\
             # TYPE steward_http_requests_total counter\n",
        );
        for ((method, route, status), count) in &counts {
            let _ = writeln!(
                out,
                "steward_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str(
            "# HELP steward_http_request_duration_seconds Time to answer an HTTP request (until its headers), by route template.\n\
             # TYPE steward_http_request_duration_seconds histogram\n",
        );
        for (route, histogram) in &durations {
            let route = escape(route);
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(histogram.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "steward_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "steward_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 steward_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 steward_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                histogram.count, histogram.sum, histogram.count
            );
        }
        out.push_str(
            "# HELP steward_logins_total Login attempts, by result.\n\
             # TYPE steward_logins_total counter\n",
        );
        for result in LoginResult::ALL {
            let _ = writeln!(
                out,
                "steward_logins_total{{result=\"{}\"}} {}",
                result.label(),
                self.logins[result.index()].load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP steward_requests_refused_total Requests refused to protect the server, by reason.\n\
             # TYPE steward_requests_refused_total counter\n\
             steward_requests_refused_total{{reason=\"hashing_queue\"}} {hashing_refused}\n\
             steward_requests_refused_total{{reason=\"client_limit\"}} {}",
            self.client_limited.load(Ordering::Relaxed)
        );
        if let Some(active) = active_sessions {
            let _ = writeln!(
                out,
                "# HELP steward_active_sessions Logged-in sessions that have not timed out or been ended.\n\
                 # TYPE steward_active_sessions gauge\n\
                 steward_active_sessions {active}"
            );
        }
        out
    }
}

/// Known methods by name; anything else is `OTHER`, so that made-up methods add no series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The middleware that counts every request under its route template. It must run inside the
/// router (`Router::layer`), where axum has put the `MatchedPath` in the request's extensions.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    state
        .metrics
        .record(&method, &route, response.status(), started.elapsed());
    response
}

/// `GET /metrics`. With `STEWARD_METRICS_TOKEN` set, only for `Authorization: Bearer TOKEN`.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.config.metrics_token_hash
        && !presents_token(&headers, expected)
    {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, "Bearer")
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from("A metrics token is required."))
            .unwrap_or_else(|_| StatusCode::UNAUTHORIZED.into_response());
    }
    let active = match active_sessions(&state).await {
        Ok(n) => Some(n),
        Err(e) => {
            // The other metrics still say something; this one would be a lie.
            tracing::warn!(error = %e, "metrics: counting active sessions failed");
            None
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(active, state.hasher.refused()),
    )
        .into_response()
}

/// Whether the request bears the token whose hash is `expected`. Hashing first makes the
/// constant-time comparison independent of the presented token's length.
fn presents_token(headers: &HeaderMap, expected: &str) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    crate::server::infra::secrets::same_hash(
        &crate::server::infra::secrets::token_hash(presented),
        expected,
    )
}

/// Sessions still live under the configured idle and absolute timeouts.
async fn active_sessions(state: &AppState) -> Result<i64, sqlx::Error> {
    let idle = i64::try_from(state.config.session_idle.as_secs()).unwrap_or(i64::MAX);
    let max = i64::try_from(state.config.session_max.as_secs()).unwrap_or(i64::MAX);
    let now = now();
    db::session_store::count_live(&state.db, now.saturating_sub(idle), now.saturating_sub(max))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_value(text: &str, prefix: &str) -> Option<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix)?.trim().parse().ok())
    }

    #[test]
    fn buckets_are_cumulative_and_end_at_the_count() {
        let metrics = Metrics::default();
        for ms in [0, 3, 3, 40, 20_000] {
            metrics.record(
                &Method::GET,
                "/users",
                StatusCode::OK,
                Duration::from_millis(ms),
            );
        }
        let text = metrics.render(None, 0);
        let bucket = |le: &str| {
            line_value(
                &text,
                &format!(
                    "steward_http_request_duration_seconds_bucket{{route=\"/users\",le=\"{le}\"}}"
                ),
            )
        };
        assert_eq!(bucket("0.001"), Some(1));
        assert_eq!(bucket("0.0025"), Some(1));
        assert_eq!(bucket("0.005"), Some(3));
        assert_eq!(bucket("0.05"), Some(4));
        assert_eq!(bucket("10"), Some(4));
        assert_eq!(bucket("+Inf"), Some(5));
        assert_eq!(
            line_value(
                &text,
                "steward_http_request_duration_seconds_count{route=\"/users\"}"
            ),
            Some(5)
        );
        assert_eq!(
            line_value(
                &text,
                "steward_http_requests_total{method=\"GET\",route=\"/users\",status=\"200\"}"
            ),
            Some(5)
        );
    }

    #[test]
    fn logins_are_counted_by_result_and_every_result_is_listed() {
        let metrics = Metrics::default();
        metrics.login(LoginResult::Failure);
        metrics.login(LoginResult::Failure);
        metrics.login(LoginResult::SecondFactor);
        let text = metrics.render(Some(3), 0);
        assert_eq!(
            line_value(&text, "steward_logins_total{result=\"failure\"}"),
            Some(2)
        );
        assert_eq!(
            line_value(&text, "steward_logins_total{result=\"second_factor\"}"),
            Some(1)
        );
        assert_eq!(
            line_value(&text, "steward_logins_total{result=\"success\"}"),
            Some(0)
        );
        assert_eq!(
            line_value(&text, "steward_logins_total{result=\"locked\"}"),
            Some(0)
        );
        assert_eq!(line_value(&text, "steward_active_sessions"), Some(3));
    }

    #[test]
    fn unknown_methods_and_odd_routes_are_labelled_safely() {
        let metrics = Metrics::default();
        let odd = Method::from_bytes(b"BREW").unwrap();
        metrics.record(&odd, "/a\"b\\c", StatusCode::NOT_FOUND, Duration::ZERO);
        let text = metrics.render(None, 0);
        assert!(text.contains(
            "steward_http_requests_total{method=\"OTHER\",route=\"/a\\\"b\\\\c\",status=\"404\"} 1"
        ));
        assert!(!text.contains("BREW"));
        assert!(!text.contains("steward_active_sessions"));
    }

    #[test]
    fn only_the_right_bearer_token_is_accepted() {
        let expected = crate::server::infra::secrets::token_hash("s3cret-token");
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            headers
        };
        assert!(presents_token(&with("Bearer s3cret-token"), &expected));
        assert!(!presents_token(&with("Bearer s3cret-toke"), &expected));
        assert!(!presents_token(&with("s3cret-token"), &expected));
        assert!(!presents_token(&HeaderMap::new(), &expected));
    }
}
