//! The `steward` command: `serve` (the default), `migrate`, and `account create`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use steward::server::app;
use steward::server::config::{Config, ConfigArgs};
use steward::server::state::AppState;

#[derive(Parser)]
#[command(
    name = "steward",
    version,
    about = "A control panel for an account's users, 2FA, sub-accounts and API credentials."
)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the panel and the APIs (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage main accounts.
    #[command(subcommand)]
    Account(AccountCommand),
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create a main account and print only its account ID on stdout.
    Create {
        #[arg(long)]
        company: String,
        #[arg(long)]
        email: String,
        /// Read the holder's password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from(cli.config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            AppState::open(config, leptos_options(None)?).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Account(AccountCommand::Create {
            company,
            email,
            password_stdin: _,
        }) => {
            let password = read_password_line()?;
            let state = AppState::open(config, leptos_options(None)?).await?;
            match steward::server::accounts::create_account(&state, &company, &email, password)
                .await
            {
                Ok(created) => {
                    println!("{}", created.account_id);
                    Ok(())
                }
                Err(steward::error::AppError::Invalid(errors)) => {
                    let lines: Vec<String> = errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect();
                    anyhow::bail!("{}", lines.join("\n       "))
                }
                Err(other) => anyhow::bail!("{}", other.message()),
            }
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
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
    tracing::info!("Steward listening on http://{addr}");
    app::serve(listener, app::router(state)).await
}

/// Leptos's own settings (site root, bundle name) come from `Cargo.toml` or from the
/// `LEPTOS_*` variables cargo-leptos sets; the listening address is Steward's.
fn leptos_options(
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

fn read_password_line() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    // Only the line ending is removed: spaces are part of a password.
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_owned())
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("STEWARD_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
