//! A closed-loop load generator: `connections` workers, each with its own keep-alive
//! connection, send one request after another for a fixed time; every latency is kept, so the
//! percentiles are exact.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, RequestBuilder, StatusCode};

/// Builds the `n`-th request of worker `worker`.
pub type MakeRequest = Arc<dyn Fn(&Client, usize, u64) -> RequestBuilder + Send + Sync>;

pub struct Load {
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub request: MakeRequest,
    /// The statuses that count as success (anything else, and transport failures, are errors).
    pub ok: fn(StatusCode) -> bool,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub connections: usize,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The first error seen, to tell what went wrong.
    pub first_error: Option<String>,
}

impl Stats {
    pub fn rps(&self) -> f64 {
        if self.seconds > 0.0 {
            self.requests as f64 / self.seconds
        } else {
            0.0
        }
    }
}

pub fn client() -> Result<Client, reqwest::Error> {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(60))
        .build()
}

struct Worker {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

impl Load {
    pub async fn run(&self) -> Stats {
        let start = Instant::now();
        let measure_from = start + self.warmup;
        let end = measure_from + self.duration;
        let mut tasks = Vec::with_capacity(self.connections);
        for worker in 0..self.connections {
            let request = self.request.clone();
            let ok = self.ok;
            tasks.push(tokio::spawn(async move {
                let mut out = Worker {
                    latencies_us: Vec::new(),
                    errors: 0,
                    first_error: None,
                };
                let client = match client() {
                    Ok(client) => client,
                    Err(e) => {
                        out.errors += 1;
                        out.first_error = Some(e.to_string());
                        return out;
                    }
                };
                let mut n = 0u64;
                loop {
                    let sent = Instant::now();
                    if sent >= end {
                        break;
                    }
                    let result = request(&client, worker, n).send().await;
                    n += 1;
                    let outcome = match result {
                        Ok(response) => {
                            let status = response.status();
                            match response.bytes().await {
                                Ok(_) if ok(status) => Ok(()),
                                Ok(body) => Err(format!(
                                    "{status}: {}",
                                    String::from_utf8_lossy(&body[..body.len().min(200)])
                                )),
                                Err(e) => Err(e.to_string()),
                            }
                        }
                        Err(e) => Err(e.to_string()),
                    };
                    let done = Instant::now();
                    if sent < measure_from || done > end {
                        continue;
                    }
                    match outcome {
                        Ok(()) => {
                            let us = done.duration_since(sent).as_micros();
                            out.latencies_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                        }
                        Err(e) => {
                            out.errors += 1;
                            out.first_error.get_or_insert(e);
                        }
                    }
                }
                out
            }));
        }
        let mut latencies = Vec::new();
        let mut stats = Stats {
            connections: self.connections,
            seconds: self.duration.as_secs_f64(),
            ..Stats::default()
        };
        for task in tasks {
            match task.await {
                Ok(worker) => {
                    latencies.extend(worker.latencies_us);
                    stats.errors += worker.errors;
                    if stats.first_error.is_none() {
                        stats.first_error = worker.first_error;
                    }
                }
                Err(e) => {
                    stats.errors += 1;
                    stats.first_error.get_or_insert(e.to_string());
                }
            }
        }
        latencies.sort_unstable();
        stats.requests = latencies.len() as u64;
        stats.p50_ms = percentile(&latencies, 0.50);
        stats.p99_ms = percentile(&latencies, 0.99);
        stats.max_ms = latencies.last().map_or(0.0, |us| f64::from(*us) / 1000.0);
        stats
    }
}

/// The nearest-rank percentile of sorted latencies in microseconds, in milliseconds.
fn percentile(sorted_us: &[u32], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted_us.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted_us.len()) - 1;
    f64::from(sorted_us[index]) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let data: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile(&data, 0.50), 50.0);
        assert_eq!(percentile(&data, 0.99), 99.0);
        assert_eq!(percentile(&[7000], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
