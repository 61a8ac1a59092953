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
    if !config.cookie_secure {
        tracing::warn!(
            "session cookies are not marked Secure: serve only over plain http on a trusted network or localhost"
        );
    }
    let state = AppState::open(config, leptos_options(Some(addr))?).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    steward::server::audit::retention::spawn_retention(
        state.db.clone(),
        state.config.activity_retention_days,
    );
    tracing::info!("Steward listening on http://{addr}");
    router::serve(listener, router::router(state)).await
}

/// Leptos's own settings (site root, bundle name) come from `Cargo.toml` or from the
/// `LEPTOS_*` variables cargo-leptos sets; the listening address is Steward's.
pub(crate) fn leptos_options(
    addr: Option<std::net::SocketAddr>,
) -> anyhow::Result<leptos::config::LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)
        .map(|c| c.leptos_options)
        .or_else(|_| {
            Ok::<_, anyhow::Error>(
                leptos::config::LeptosOptions::builder()
                    .output_name("steward")
                    .build(),
            )
        })?;
    if let Some(addr) = addr {
        options.site_addr = addr;
    }
    Ok(options)
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("STEWARD_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `STEWARD_LOG_FORMAT=json`: one JSON object per line, for log collectors.
    if std::env::var("STEWARD_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
}
