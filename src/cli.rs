//! The `steward` command line: `serve` (the default), `migrate`, `account create`,
//! `sub-account create`, `credentials create`, `ovh grant`, `user unlock`, `key rotate`,
//! `backup` and `restore`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};

use steward::server::infra::config::Config;
use steward::server::infra::config::ConfigArgs;
use steward::server::web::state::AppState;

use crate::{leptos_options, serve};

#[derive(Parser)]
#[command(
    name = "steward",
    version,
    about = "A control panel for an account's users, 2FA, sub-accounts and API credentials."
)]
pub struct Cli {
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
    /// Copy the SQLite database to FILE while the server runs; prints `{"backup", "bytes",
    /// "key_id"}`. Save the server key too: the backup's secrets open only with it.
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Replace the SQLite database with a backup, once it is checked (integrity, schema, server
    /// key); stop the server first. Prints `{"restored", "previous"}`.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// List an account's users: prints `{"account_id", "holder", "users"}`, each user with its
    /// login, e-mail, privilege and state (never a secret).
    List {
        /// The account ID, `1234-567-89`.
        account: String,
    },
    /// Turn off a user's two-factor authentication (a lost phone and recovery codes) and end
    /// their sessions; prints `{"two_factor_off"}`.
    #[command(name = "disable-2fa")]
    Disable2fa {
        /// `1234-567-89` or `1234-567-89/login`.
        user: String,
    },
    /// Disable a delegated user and end their sessions; prints `{"disabled"}`.
    Disable {
        /// `1234-567-89/login`.
        user: String,
    },
    /// Enable a disabled user again; prints `{"enabled"}`.
    Enable {
        /// `1234-567-89/login`.
        user: String,
    },
    /// Make a single-use link for a user to choose a new password (the account holder as
    /// `ACCOUNT-ID`, a delegated user as `ACCOUNT-ID/login`); prints `{"link", "expires_minutes"}`.
    /// Hand the link over yourself: it works once. With `--password-stdin`, sets the password
    /// read from standard input instead (not echoed at a terminal) and prints `{"password_set"}`.
    ResetPassword {
        /// `1234-567-89` or `1234-567-89/login`.
        user: String,
        /// Read the new password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
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
    /// Print an account's (or a sub-account's) IP rules as `{"account_id", "default",
    /// "rules"}`; with `--clear`, let every address in again first (for an account whose
    /// Administrators are all refused).
    IpRules {
        /// The account ID (1234-567-89).
        account: String,
        #[arg(long)]
        clear: bool,
    },
}

/// A refusal for the operator, naming the user when there is no such user.
fn no_such_user(error: steward::error::AppError, user: &str) -> anyhow::Error {
    match error {
        steward::error::AppError::NotFound => {
            anyhow::anyhow!("no user {user:?} (ACCOUNT-ID or ACCOUNT-ID/login)")
        }
        other => refused(other),
    }
}

/// The server's state for a command: the database (migrated) and the server key.
async fn open(config: Config) -> anyhow::Result<AppState> {
    let options = leptos_options(&config)?;
    AppState::open(config, options).await
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::try_from(cli.config)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            open(config).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Account(AccountCommand::Create {
            company,
            email,
            password_stdin: _,
        }) => {
            let password = read_password_line()?;
            let state = open(config).await?;
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
        Command::Account(AccountCommand::IpRules { account, clear }) => {
            use steward::server::manage::ip_rule_settings;
            let state = open(config).await?;
            let pk = steward::server::ops::operator::account(&state, &account).await?;
            if clear {
                ip_rule_settings::open_by_operator(&state, pk, &account)
                    .await
                    .map_err(refused)?;
            }
            let policy = ip_rule_settings::policy_of(&state, pk)
                .await
                .map_err(refused)?;
            let rules: Vec<String> = policy.to_text().lines().map(str::to_owned).collect();
            println!(
                "{}",
                serde_json::json!({
                    "account_id": account,
                    "default": policy.default.code(),
                    "rules": rules,
                })
            );
            Ok(())
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
            let state = open(config).await?;
            let admin = steward::server::ops::operator::main_account(&state, &parent).await?;
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
            let created = steward::server::manage::sub_accounts::create(&state, admin, input)
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
            let state = open(config).await?;
            match kind {
                CredentialKind::Account => {
                    if user.is_some() || role.is_some() {
                        anyhow::bail!("--user and --role apply only to --kind token");
                    }
                    let account_pk =
                        steward::server::ops::operator::account(&state, &account).await?;
                    let issued = steward::server::manage::sub_accounts::issue_credentials(
                        &state,
                        steward::server::identity::capabilities::AccountAdmin::operator(account_pk),
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
                        steward::server::ops::operator::user(&state, &account, user.as_deref())
                            .await?;
                    let input = steward::server::manage::api_tokens::NewTokenInput {
                        name,
                        description: String::new(),
                        role: role.unwrap_or_else(|| user_role.code().to_owned()),
                        expires,
                        allowed_ips: String::new(),
                    };
                    let created = steward::server::manage::api_tokens::create(
                        &state,
                        steward::server::identity::capabilities::KeyHolder::operator(user_id),
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
                    let (user_id, _) =
                        steward::server::ops::operator::user(&state, &account, user.as_deref())
                            .await?;
                    let created = steward::server::manage::tencent_keys::create(
                        &state,
                        steward::server::identity::capabilities::KeyHolder::operator(user_id),
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
                    let (user_id, _) =
                        steward::server::ops::operator::user(&state, &account, user.as_deref())
                            .await?;
                    let created = steward::server::manage::ovh_keys::create_application(
                        &state,
                        steward::server::identity::capabilities::KeyHolder::operator(user_id),
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
        Command::User(UserCommand::List { account }) => {
            let state = open(config).await?;
            let (holder, users) = steward::server::ops::user_rescue::list(&state, &account)
                .await
                .map_err(|e| no_such_user(e, &account))?;
            let users: Vec<serde_json::Value> = users
                .iter()
                .map(|u| {
                    serde_json::json!({
                        "login": u.login,
                        "email": u.email,
                        "group": u.group_name,
                        "privilege": u.role.label(),
                        "disabled": u.disabled,
                        "password_change_required": u.password_change_required,
                        "two_factor": u.totp_enabled,
                        "last_login": u.last_login_at,
                    })
                })
                .collect();
            print_json(&serde_json::json!({
                "account_id": holder.account_code,
                "holder": { "email": holder.email, "usable": holder.usable },
                "users": users,
            }))
        }
        Command::User(UserCommand::Disable2fa { user }) => {
            let state = open(config).await?;
            let done = steward::server::ops::user_rescue::disable_two_factor(&state, &user)
                .await
                .map_err(|e| no_such_user(e, &user))?;
            print_json(&serde_json::json!({ "two_factor_off": done }))
        }
        Command::User(UserCommand::Disable { user }) => {
            let state = open(config).await?;
            let done = steward::server::ops::user_rescue::set_disabled(&state, &user, true)
                .await
                .map_err(|e| no_such_user(e, &user))?;
            print_json(&serde_json::json!({ "disabled": done }))
        }
        Command::User(UserCommand::Enable { user }) => {
            let state = open(config).await?;
            let done = steward::server::ops::user_rescue::set_disabled(&state, &user, false)
                .await
                .map_err(|e| no_such_user(e, &user))?;
            print_json(&serde_json::json!({ "enabled": done }))
        }
        Command::User(UserCommand::ResetPassword {
            user,
            password_stdin: true,
        }) => {
            let password = read_password_line()?;
            let state = open(config).await?;
            let done = steward::server::ops::user_rescue::set_password(&state, &user, password)
                .await
                .map_err(|e| no_such_user(e, &user))?;
            print_json(&serde_json::json!({ "password_set": done }))
        }
        Command::User(UserCommand::ResetPassword {
            user,
            password_stdin: false,
        }) => {
            let state = open(config).await?;
            let link = steward::server::identity::recovery::operator_link(&state, &user)
                .await
                .map_err(|e| no_such_user(e, &user))?;
            print_json(&serde_json::json!({
                "link": link,
                "expires_minutes": state.config.password_reset.as_secs() / 60,
            }))
        }
        Command::User(UserCommand::Unlock { user }) => {
            let state = open(config).await?;
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
        Command::Backup { to } => {
            let backup = steward::server::ops::backup::backup(&config, &to).await?;
            eprintln!(
                "Keep the server key{} with this backup, apart from it: without the key its secrets (two-factor seeds, application secrets) cannot be opened.",
                backup
                    .key_id
                    .as_ref()
                    .map(|id| format!(" (id {id})"))
                    .unwrap_or_default()
            );
            print_json(&serde_json::json!({
                "backup": backup.path,
                "bytes": backup.bytes,
                "key_id": backup.key_id,
            }))
        }
        Command::Restore { from } => {
            let restored = steward::server::ops::backup::restore(&config, &from).await?;
            print_json(&serde_json::json!({
                "restored": restored.database,
                "previous": restored.previous,
            }))
        }
        Command::Key(KeyCommand::Rotate) => {
            let state = open(config).await?;
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
            let state = open(config).await?;
            let (account, login) = match user.split_once('/') {
                Some((account, login)) => (account, Some(login)),
                None => (user.as_str(), None),
            };
            let (user_id, _) = steward::server::ops::operator::user(&state, account, login).await?;
            steward::server::manage::ovh_keys::grant_by_key(
                &state,
                steward::server::identity::capabilities::KeyHolder::operator(user_id),
                key.trim(),
            )
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

fn read_password_line() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        // Typed at a terminal: not echoed.
        return rpassword::prompt_password("Password: ")
            .context("cannot read the password from the terminal");
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
