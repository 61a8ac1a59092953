//! The report: the targets of the benchmark issue checked against the measurements, and the
//! Markdown version of it all.

use serde_json::{Value, json};
use std::fmt::Write as _;

fn scenario<'a>(db: &'a Value, prefix: &str) -> Option<&'a Value> {
    db["scenarios"]
        .as_array()?
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
}

fn median(values: &Value) -> f64 {
    let mut v: Vec<f64> = values
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn mb(kib: &Value) -> f64 {
    kib.as_f64().unwrap_or(f64::NAN) * 1024.0 / 1e6
}

/// Adds `targets`: each target of the issue, measured on SQLite (else the first database).
pub fn with_targets(mut report: Value) -> Value {
    let dbs = report["databases"].as_array().cloned().unwrap_or_default();
    let db = dbs
        .iter()
        .find(|d| d["name"] == "SQLite")
        .or(dbs.first())
        .cloned()
        .unwrap_or(Value::Null);
    let mut targets = Vec::new();
    let mut target = |what: &str, measured: String, met: bool| {
        targets.push(json!({ "target": what, "measured": measured, "met": met }));
    };
    if let Some(users) = scenario(&db, "Users page, first page") {
        let rps = users["requests_per_second"].as_f64().unwrap_or(0.0);
        let p99 = users["p99_ms"].as_f64().unwrap_or(f64::NAN);
        let connections = users["connections"].as_u64().unwrap_or(0);
        target(
            "Users page >= 2,000 requests/s at 16 connections",
            format!("{rps:.0} requests/s at {connections} connections"),
            rps >= 2000.0 && connections >= 16,
        );
        target("Users page p99 < 25 ms", format!("{p99:.1} ms"), p99 < 25.0);
    }
    let bound = report["argon2"]["bound_per_second"]
        .as_f64()
        .unwrap_or(f64::NAN);
    if let Some(login) = scenario(&db, "Login `POST") {
        let rps = login["requests_per_second"].as_f64().unwrap_or(0.0);
        let fraction = rps / bound;
        report["argon2"]["login_fraction_of_bound"] = json!(fraction);
        target(
            "Login >= 80% of the argon2 bound (cores / hash time)",
            format!(
                "{rps:.1} logins/s = {:.0}% of {bound:.1}/s",
                fraction * 100.0
            ),
            fraction >= 0.8,
        );
    }
    let rss = mb(&db["rss_after_run_kib"]);
    target(
        "RSS <= 60 MB after the run",
        format!("{rss:.1} MB (peak {:.1} MB)", mb(&db["rss_peak_kib"])),
        rss <= 60.0,
    );
    let cold = median(&db["cold_start_ms"]);
    target(
        "Cold start to healthy <= 300 ms",
        format!("{cold:.0} ms (median of 3)"),
        cold <= 300.0,
    );
    let wasm = report["bundles"]["wasm"]["gzip_bytes"]
        .as_f64()
        .unwrap_or(f64::NAN)
        / 1000.0;
    target(
        "WASM <= 400 KB gzip",
        format!("{wasm:.0} KB"),
        wasm <= 400.0,
    );
    report["targets"] = Value::Array(targets);
    report
}

fn num(v: &Value, digits: usize) -> String {
    v.as_f64()
        .map_or_else(|| "-".to_owned(), |x| format!("{x:.digits$}"))
}

pub fn markdown(report: &Value) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Steward benchmark\n");
    let machine = &report["machine"];
    let settings = &report["settings"];
    let _ = writeln!(
        md,
        "Release build, {} users in one account and {} sub-accounts in another; {} s per measurement after 1 s of warm-up, {} connections unless said. {} cores; load average before {}, after {} (the machine is shared: numbers are noisy).\n",
        settings["users"],
        settings["sub_accounts"],
        settings["seconds_per_measurement"],
        settings["connections"],
        machine["cores"],
        machine["load_average_before"]
            .as_array()
            .map(|a| a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "))
            .unwrap_or_default(),
        machine["load_average_after"]
            .as_array()
            .map(|a| a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "))
            .unwrap_or_default(),
    );
    let _ = writeln!(
        md,
        "| database | measurement | conns | requests/s | p50 ms | p99 ms | errors | RSS after |"
    );
    let _ = writeln!(
        md,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let dbs = report["databases"].as_array().cloned().unwrap_or_default();
    for db in &dbs {
        for s in db["scenarios"].as_array().cloned().unwrap_or_default() {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {:.0} MB |",
                db["name"].as_str().unwrap_or_default(),
                s["name"].as_str().unwrap_or_default(),
                s["connections"],
                num(&s["requests_per_second"], 1),
                num(&s["p50_ms"], 2),
                num(&s["p99_ms"], 2),
                s["errors"],
                mb(&s["rss_after_kib"]),
            );
        }
    }
    let _ = writeln!(
        md,
        "\n| database | cold start to healthy (ms, 3 starts) | RSS after start | peak RSS (VmHWM) | RSS after the run |"
    );
    let _ = writeln!(md, "| --- | --- | ---: | ---: | ---: |");
    for db in &dbs {
        let starts: Vec<String> = db["cold_start_ms"]
            .as_array()
            .map(|a| a.iter().map(|v| num(v, 0)).collect())
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} MB | {:.1} MB | {:.1} MB |",
            db["name"].as_str().unwrap_or_default(),
            starts.join(", "),
            mb(&db["rss_after_start_kib"]),
            mb(&db["rss_peak_kib"]),
            mb(&db["rss_after_run_kib"]),
        );
    }
    let argon2 = &report["argon2"];
    let _ = writeln!(
        md,
        "\nOne argon2id hash (m=19456 KiB, t=2, p=1): {} ms, so {} cores allow at most {} logins/s; logins reached {}% of that.\n",
        num(&argon2["hash_ms"], 1),
        machine["cores"],
        num(&argon2["bound_per_second"], 1),
        argon2["login_fraction_of_bound"]
            .as_f64()
            .map_or_else(|| "-".to_owned(), |f| format!("{:.0}", f * 100.0)),
    );
    let _ = writeln!(md, "| bundle | bytes | gzip -9 |");
    let _ = writeln!(md, "| --- | ---: | ---: |");
    for key in ["wasm", "js", "css"] {
        let b = &report["bundles"][key];
        let _ = writeln!(md, "| {key} | {} | {} |", b["bytes"], b["gzip_bytes"]);
    }
    let _ = writeln!(md, "\n| target (SQLite) | measured | |");
    let _ = writeln!(md, "| --- | --- | --- |");
    for t in report["targets"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            t["target"].as_str().unwrap_or_default(),
            t["measured"].as_str().unwrap_or_default(),
            if t["met"].as_bool() == Some(true) {
                "met"
            } else {
                "**missed**"
            },
        );
    }
    md
}
