//! The `steward` command: `serve` (the default), `migrate`, `account create`,
//! `sub-account create`, `credentials create` and `key rotate`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use steward::server::identity::events::Who;
use steward::server::infra::config::Config;
use steward::server::infra::config::ConfigArgs;
use steward::server::router;
use steward::server::web::state::AppState;

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
    /// Manage sub-accounts.
    #[command(subcommand)]
    SubAccount(SubAccountCommand),
    /// Issue API credentials; prints them as JSON, once.
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// OVHcloud consumer keys.
    #[command(subcommand)]
    Ovh(OvhCommand),
    /// Help users who cannot log in.
    #[command(subcommand)]
    User(UserCommand),
    /// The server key that seals secrets at rest.
    #[command(subcommand)]
    Key(KeyCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Let a user locked out by wrong passwords or codes log in again at once (the account
    /// holder as `ACCOUNT-ID`, a delegated user as `ACCOUNT-ID/login`); prints `{"unlocked"}`.
    Unlock {
        /// `1234-567-89` or `1234-567-89/login`.
        user: String,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Generate a new server key and seal every sealed secret again under it, in one
    /// transaction; the key file keeps the older keys still needed. Prints
    /// `{"key_id", "sealed_again", "by_column", "older_keys_kept"}` (no key).
    Rotate,
}

#[derive(Subcommand)]
enum SubAccountCommand {
    /// Create a sub-account; prints `{"id", "account_id", "auth_id", "auth_token"}`.
    Create {
        /// The parent's account ID (a main account).
        #[arg(long)]
        parent: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Required with `--kyc-mode customer_use`.
        #[arg(long, default_value = "")]
        email: String,
        /// E.164, such as +33123456789.
        #[arg(long, default_value = "")]
        phone: String,
        /// API requests per minute, 1 to 100000.
        #[arg(long, default_value = "1000")]
        rate_limit: String,
        /// Refuse calls.
        #[arg(long)]
        no_calls: bool,
        /// Refuse call detail records.
        #[arg(long)]
        no_cdr: bool,
        /// Create it disabled.
        #[arg(long)]
        disabled: bool,
        /// personal_use or customer_use.
        #[arg(long, default_value = "personal_use")]
        kyc_mode: String,
        /// individual, proprietorship, private_limited, llp, partnership, public_limited,
        /// trust, society, huf or government.
        #[arg(long, default_value = "")]
        business_type: String,
        /// Read a password for the sub-account's holder from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CredentialKind {
    /// The account's API credentials (`auth_id` + `auth_token`); rotates existing ones.
    Account,
    /// A personal API token of a user (`<id>_<secret>`).
    Token,
    /// A Tencent Cloud CAM access key of a user (`secret_id` + `secret_key`), acting with the
    /// user's privilege.
    TencentAccessKey,
    /// An OVHcloud application of a user (`application_key` + `application_secret`); its
    /// consumer keys are authorized on their validation page.
    OvhApplication,
}

#[derive(Subcommand)]
enum OvhCommand {
    /// Authorize a consumer key waiting for validation, for a user (as its validation page's
    /// "Authorize" button does); prints `{"state": "validated"}`.
    ValidateConsumerKey {
        /// The consumer key the application received.
        #[arg(long)]
        key: String,
        /// The user it acts as: `ACCOUNT-ID` (the holder) or `ACCOUNT-ID/login`.
        #[arg(long)]
        user: String,
    },
}

#[derive(Subcommand)]
enum CredentialsCommand {
    /// Create credentials; prints `{"auth_id", "auth_token"}` or `{"id", "token"}`.
    Create {
        #[arg(long)]
        account: String,
        #[arg(long, value_enum)]
        kind: CredentialKind,
        /// The token's user (a login of the account); the holder when left out.
        #[arg(long)]
        user: Option<String>,
        /// none, user or admin; at most the user's own privilege, which is the default.
        #[arg(long)]
        role: Option<String>,
        /// The last day the token works, YYYY-MM-DD; no expiry when left out.
        #[arg(long, default_value = "")]
        expires: String,
        /// What the token is for.
        #[arg(long, default_value = "Command line")]
        name: String,
    },
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
    return_large_buffers_to_the_system();
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
            match steward::server::identity::logins::create_account(
                &state, &company, &email, password, "cli",
            )
            .await
            {
                Ok(created) => {
                    println!("{}", created.account_id);
                    Ok(())
                }
                Err(e) => Err(refused(e)),
            }
        }
        Command::SubAccount(SubAccountCommand::Create {
            parent,
            name,
            description,
            email,
            phone,
            rate_limit,
            no_calls,
            no_cdr,
            disabled,
            kyc_mode,
            business_type,
            password_stdin,
        }) => {
            let password = if password_stdin {
                read_password_line()?
            } else {
                String::new()
            };
            let state = AppState::open(config, leptos_options(None)?).await?;
            let parent_pk = operator::main_account(&state, &parent).await?;
            let input = steward::server::manage::sub_accounts::SubAccountInput {
                name,
                description,
                email,
                phone,
                rate_limit,
                calls: !no_calls,
                cdr: !no_cdr,
                enabled: !disabled,
                kyc_mode,
                business_type,
                password,
                claims_company: false,
            };
            let created = steward::server::manage::sub_accounts::create(
                &state,
                Who::CommandLine,
                parent_pk,
                input,
            )
            .await
            .map_err(refused)?;
            print_json(&serde_json::json!({
                "id": created.id,
                "account_id": created.account_id.to_string(),
                "auth_id": created.auth_id,
                "auth_token": created.auth_token,
            }))
        }
        Command::Credentials(CredentialsCommand::Create {
            account,
            kind,
            user,
            role,
            expires,
            name,
        }) => {
            let state = AppState::open(config, leptos_options(None)?).await?;
            match kind {
                CredentialKind::Account => {
                    if user.is_some() || role.is_some() {
                        anyhow::bail!("--user and --role apply only to --kind token");
                    }
                    let account_pk = operator::account(&state, &account).await?;
                    let issued = steward::server::manage::sub_accounts::issue_credentials(
                        &state,
                        Who::CommandLine,
                        account_pk,
                    )
                    .await
                    .map_err(refused)?;
                    print_json(&serde_json::json!({
                        "auth_id": issued.auth_id,
                        "auth_token": issued.auth_token,
                    }))
                }
                CredentialKind::Token => {
                    let (user_id, user_role) =
                        operator::user(&state, &account, user.as_deref()).await?;
                    let input = steward::server::manage::api_tokens::NewTokenInput {
                        name,
                        description: String::new(),
                        role: role.unwrap_or_else(|| user_role.code().to_owned()),
                        expires,
                    };
                    let created = steward::server::manage::api_tokens::create(
                        &state,
                        Who::CommandLine,
                        user_id,
                        user_role,
                        input,
                    )
                    .await
                    .map_err(refused)?;
                    print_json(&serde_json::json!({ "id": created.id, "token": created.token }))
                }
                CredentialKind::TencentAccessKey => {
                    if role.is_some() {
                        anyhow::bail!(
                            "--role does not apply to --kind tencent-access-key: the key acts with the user's privilege"
                        );
                    }
                    let (user_id, _) = operator::user(&state, &account, user.as_deref()).await?;
                    let created = steward::server::manage::tencent_keys::create(
                        &state,
                        Who::CommandLine,
                        user_id,
                    )
                    .await
                    .map_err(refused)?;
                    print_json(&serde_json::json!({
                        "secret_id": created.secret_id,
                        "secret_key": created.secret_key,
                    }))
                }
                CredentialKind::OvhApplication => {
                    if role.is_some() {
                        anyhow::bail!(
                            "--role does not apply to --kind ovh-application: its consumer keys act with their user's privilege"
                        );
                    }
                    let (user_id, _) = operator::user(&state, &account, user.as_deref()).await?;
                    let created = steward::server::manage::ovh_keys::create_application(
                        &state,
                        Who::CommandLine,
                        user_id,
                        &name,
                        "",
                    )
                    .await
                    .map_err(refused)?;
                    print_json(&serde_json::json!({
                        "application_key": created.application_key,
                        "application_secret": created.application_secret,
                    }))
                }
            }
        }
        Command::User(UserCommand::Unlock { user }) => {
            let state = AppState::open(config, leptos_options(None)?).await?;
            let unlocked = steward::server::manage::users::unlock_by_operator(&state, &user)
                .await
                .map_err(|e| match e {
                    steward::error::AppError::NotFound => {
                        anyhow::anyhow!("no user {user:?} (ACCOUNT-ID or ACCOUNT-ID/login)")
                    }
                    other => refused(other),
                })?;
            print_json(&serde_json::json!({ "unlocked": unlocked }))
        }
        Command::Key(KeyCommand::Rotate) => {
            let state = AppState::open(config, leptos_options(None)?).await?;
            let rotation = steward::server::ops::key_rotation::rotate(&state).await?;
            let by_column: serde_json::Map<String, serde_json::Value> = rotation
                .sealed_again
                .0
                .iter()
                .map(|(column, n)| ((*column).to_owned(), serde_json::json!(n)))
                .collect();
            print_json(&serde_json::json!({
                "key_id": rotation.key_id,
                "sealed_again": rotation.sealed_again.total(),
                "by_column": by_column,
                "older_keys_kept": rotation.kept,
            }))
        }
        Command::Ovh(OvhCommand::ValidateConsumerKey { key, user }) => {
            let state = AppState::open(config, leptos_options(None)?).await?;
            let (account, login) = match user.split_once('/') {
                Some((account, login)) => (account, Some(login)),
                None => (user.as_str(), None),
            };
            let (user_id, _) = operator::user(&state, account, login).await?;
            steward::server::manage::ovh_keys::grant_by_key(&state, Who::CommandLine, user_id, key.trim())
                .await
                .map_err(|e| match e {
                    steward::error::AppError::NotFound => anyhow::anyhow!(
                        "no consumer key waiting for validation matches --key (unknown, revoked or expired)"
                    ),
                    other => refused(other),
                })?;
            print_json(&serde_json::json!({ "state": "validated" }))
        }
    }
}

/// A refused request as a command-line error: one line per field.
fn refused(error: steward::error::AppError) -> anyhow::Error {
    match error {
        steward::error::AppError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message(steward::i18n::Lang::En)))
                .collect();
            anyhow::anyhow!("{}", lines.join("\n       "))
        }
        other => anyhow::anyhow!("{}", other.message(steward::i18n::Lang::En)),
    }
}

fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    println!("{value}");
    Ok(())
}

/// What the operator names on the command line, found in the database.
mod operator {
    use steward::domain::{AccountId, LoginName, Role};
    use steward::server::db;
    use steward::server::web::state::AppState;

    /// The account with this ID.
    pub async fn account(state: &AppState, account_id: &str) -> anyhow::Result<i64> {
        let id = AccountId::parse(account_id)
            .map_err(|_| anyhow::anyhow!("{account_id:?} is not an account ID (1234-567-89)"))?;
        db::account_store::find_by_code(&state.db, id.as_str())
            .await?
            .ok_or_else(|| anyhow::anyhow!("no account {id}"))
    }

    /// The main account with this ID (sub-accounts have no sub-accounts).
    pub async fn main_account(state: &AppState, account_id: &str) -> anyhow::Result<i64> {
        let pk = account(state, account_id).await?;
        if db::account_store::parent_of(&state.db, pk).await?.is_some() {
            anyhow::bail!("{account_id} is a sub-account: sub-accounts have no sub-accounts");
        }
        Ok(pk)
    }

    /// The user `login` of the account (its holder when `None`), and their role.
    pub async fn user(
        state: &AppState,
        account_id: &str,
        login: Option<&str>,
    ) -> anyhow::Result<(i64, Role)> {
        account(state, account_id).await?;
        let key = match login {
            Some(login) => Some(
                LoginName::parse(login)
                    .map_err(|e| anyhow::anyhow!("--user: {e}"))?
                    .key(),
            ),
            None => None,
        };
        let candidate = db::user_store::find_login_candidate(&state.db, account_id, key.as_deref())
            .await?
            .ok_or_else(|| anyhow::anyhow!("no such user in {account_id}"))?;
        let row = db::user_store::find_caller(&state.db, candidate.user_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no such user in {account_id}"))?;
        if row.disabled {
            anyhow::bail!("this user is disabled");
        }
        let role = if row.is_holder {
            Role::Administrator
        } else {
            Role::parse(&row.role).map_err(|e| anyhow::anyhow!("{e}"))?
        };
        Ok((candidate.user_id, role))
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
    steward::server::audit::retention::spawn_retention(
        state.db.clone(),
        state.config.activity_retention_days,
    );
    tracing::info!("Steward listening on http://{addr}");
    router::serve(listener, router::router(state)).await
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
