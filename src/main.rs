//! Start-up: the allocator's settings, logging, the async runtime, then the command line
//! (`cli.rs`), which serves the panel by default.

mod cli;

use anyhow::Context;
use clap::Parser;
use std::process::ExitCode;

use steward::server::infra::config::Config;
use steward::server::router;
use steward::server::web::state::AppState;

fn main() -> ExitCode {
    return_large_buffers_to_the_system();
    let cli = cli::Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Keeps the server's memory close to what it uses (see `make bench`).
///
/// An argon2 hash works in 19 MiB. glibc's adaptive mmap threshold rises after the first such
/// buffer is freed, so later ones came from per-thread arenas that kept the memory: the server
/// grew to hundreds of megabytes under a burst of logins. A fixed threshold keeps buffers of
/// 4 MiB and more in their own mappings, given back as soon as they are freed. And one arena per
/// core instead of eight: the blocking pool's short-lived threads otherwise each leave memory
/// behind in an arena of their own.
fn return_large_buffers_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let arenas =
            std::thread::available_parallelism().map_or(2, |n| i32::try_from(n.get()).unwrap_or(2));
        // SAFETY: `mallopt` only changes allocator parameters; it runs before any other thread
        // exists, and a refusal (a zero return) just leaves the default in place.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 4 * 1024 * 1024);
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

pub(crate) async fn serve(config: Config) -> anyhow::Result<()> {
    let addr = config.site_addr;
    let options = leptos_options(&config)?;
    let state = AppState::open(config, options).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    steward::server::manage::users::validity::spawn_inactivity_sweep(state.db.clone());
    steward::server::audit::retention::spawn_retention(
        state.db.clone(),
        state.config.activity_retention_days,
    );
    steward::server::mail::delivery::spawn(state.clone())?;
    announce(&state);
    router::serve(listener, router::router(state)).await
}

/// One line that tells the operator what this server serves, and warnings for settings that
/// do not fit together.
fn announce(state: &AppState) {
    let config = &state.config;
    let addr = config.site_addr;
    let public = config
        .public_url
        .as_ref()
        .map_or_else(|| format!("http://{addr}"), |url| url.origin());
    let signup = match config.signup {
        steward::server::infra::config::SignupMode::Open => "open",
        steward::server::infra::config::SignupMode::Closed => "closed",
    };
    let cookies = if config.cookie_secure {
        "Secure"
    } else {
        "not Secure"
    };
    tracing::info!(
        url = %public,
        listening = %addr,
        database = state.db.kind(),
        signup,
        cookies,
        trusted_proxies = !config.trusted_proxies.is_empty(),
        site = %state.leptos_options.site_root,
        "Steward serving {public}"
    );
    let pkg = std::path::Path::new(&*state.leptos_options.site_root)
        .join(&*state.leptos_options.site_pkg_dir);
    if !pkg.is_dir() {
        tracing::warn!(
            "{} does not exist: pages will have no styles and no scripts; set STEWARD_SITE_DIR to the folder that holds pkg/",
            pkg.display()
        );
    }
    if !config.cookie_secure {
        tracing::warn!(
            "session cookies are not marked Secure: serve only over plain http on a trusted network or localhost"
        );
    }
    match &config.mail {
        Some(mail) => tracing::info!(from = %mail.from, "mail is on"),
        None => tracing::info!(
            "mail is off (no STEWARD_SMTP_URL): recovery links come from Administrators and the command line"
        ),
    }
    if config.mail.is_some() && config.public_url.is_none() {
        tracing::warn!(
            "links in mail will start with http://{addr}: set STEWARD_PUBLIC_URL to the address people use"
        );
    }
    match &config.public_url {
        Some(url) if config.cookie_secure && !url.is_https() => tracing::warn!(
            "session cookies are Secure but STEWARD_PUBLIC_URL is http: browsers will not send them; \
             use an https public URL or set STEWARD_COOKIE_SECURE=false"
        ),
        None if !config.trusted_proxies.is_empty() => tracing::warn!(
            "STEWARD_TRUSTED_PROXIES is set but STEWARD_PUBLIC_URL is not: behind a proxy, set the \
             public URL so that browser forms and API signatures are checked against it"
        ),
        _ => {}
    }
}

/// Leptos's own settings (bundle name, site folder) come from the `LEPTOS_*` variables
/// cargo-leptos sets, else their defaults; the listening address and the site folder are
/// Steward's (see `site_root`).
pub(crate) fn leptos_options(config: &Config) -> anyhow::Result<leptos::config::LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)
        .map(|c| c.leptos_options)
        .or_else(|_| {
            Ok::<_, anyhow::Error>(
                leptos::config::LeptosOptions::builder()
                    .output_name("steward")
                    .build(),
            )
        })?;
    options.site_addr = config.site_addr;
    if let Some(root) = site_root(config) {
        options.site_root = root.to_string_lossy().into();
    }
    // A release archive started by hand has no LEPTOS_ENV: it is a production server, which
    // must not try to reach cargo-leptos's reload socket.
    if std::env::var_os("LEPTOS_ENV").is_none() {
        options.env = leptos::config::Env::PROD;
    }
    Ok(options)
}

/// The site folder: `STEWARD_SITE_DIR`; else, unless `LEPTOS_SITE_ROOT` names one, `site`
/// beside the executable when it holds the bundle (an unpacked release archive). `None` keeps
/// Leptos's choice (`LEPTOS_SITE_ROOT`, else `target/site` in the working directory).
fn site_root(config: &Config) -> Option<std::path::PathBuf> {
    if let Some(dir) = &config.site_dir {
        return Some(dir.clone());
    }
    if std::env::var_os("LEPTOS_SITE_ROOT").is_some() {
        return None;
    }
    let beside = std::env::current_exe().ok()?.parent()?.join("site");
    beside.join("pkg").is_dir().then_some(beside)
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("STEWARD_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    // Colours only on a terminal: journald and log files get plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // `STEWARD_LOG_FORMAT=json`: one JSON object per line, for log collectors.
    if std::env::var("STEWARD_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
}
