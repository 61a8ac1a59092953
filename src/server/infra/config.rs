//! Steward's configuration: environment variables, each with a matching command-line flag.

use clap::{Args, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::domain::password_policy::DEFAULT_MIN_SCORE;
use crate::domain::throttle_policy::ThrottlePolicy;
use crate::server::infra::client_limits::ClientLimitConfig;
use crate::server::infra::hashing::QueueBound;
pub use crate::server::infra::mail_config::MailConfig;
use crate::server::infra::public_url::PublicUrl;
use crate::server::infra::trusted_proxies::{ProxyHeader, TrustedProxies};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignupMode {
    /// Anyone who can reach the server may create a main account.
    Open,
    /// The sign-up page is off; accounts are made with `steward account create`.
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricsMode {
    /// `GET /metrics` answers in the Prometheus text format.
    On,
    /// `/metrics` is not routed.
    Off,
}

/// Whether a user may grant an OVHcloud consumer key to an application of another top-level
/// account (the application could then act as them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OvhCrossAccount {
    /// Only applications of the user's own top-level account or of its sub-accounts.
    Deny,
    /// Applications of any account.
    Allow,
}

/// Flags shared by every subcommand (`serve`, `migrate`, `account create`).
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Database URL: `sqlite://PATH` (the default, in the data directory) or `postgres://...`.
    #[arg(
        long,
        env = "STEWARD_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,

    /// A file holding the database URL (a systemd credential, a container secret).
    #[arg(long, env = "STEWARD_DATABASE_URL_FILE", global = true)]
    pub database_url_file: Option<PathBuf>,

    /// The most database connections this server opens (default: 8 on SQLite, 16 on
    /// PostgreSQL). Servers sharing one PostgreSQL must stay, together, under its
    /// `max_connections`.
    #[arg(long, env = "STEWARD_DATABASE_MAX_CONNECTIONS",
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub database_max_connections: Option<u32>,

    /// The origin people reach the panel at, such as `https://panel.example.com`, when a
    /// reverse proxy is in front: the cross-site check, the API signatures and the links
    /// Steward hands out use it instead of the `Host` header.
    #[arg(long, env = "STEWARD_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// The reverse proxies whose forwarding header is believed, as addresses or CIDR ranges
    /// separated by commas (e.g. `127.0.0.1/32,::1`). Elsewhere the socket's address stands.
    #[arg(long, env = "STEWARD_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,

    /// The header the trusted proxies write the client's address in.
    #[arg(
        long,
        env = "STEWARD_PROXY_HEADER",
        value_enum,
        default_value = "x-forwarded-for",
        global = true
    )]
    pub proxy_header: ProxyHeader,

    /// The folder with the panel's styles and scripts (`pkg/`). Default: `site` beside the
    /// executable when it exists (a release archive), else `LEPTOS_SITE_ROOT` or `target/site`.
    #[arg(long, env = "STEWARD_SITE_DIR", global = true)]
    pub site_dir: Option<PathBuf>,

    /// Where the SQLite database and the generated server key live.
    #[arg(long, env = "STEWARD_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Address to listen on.
    #[arg(
        long = "addr",
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub site_addr: SocketAddr,

    /// Mark the session cookie `Secure` (and name it `__Host-steward`). Turn off only to serve
    /// plain http, e.g. on localhost without a TLS proxy in front.
    #[arg(long, env = "STEWARD_COOKIE_SECURE", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub cookie_secure: bool,

    /// Whether the public sign-up page creates accounts.
    #[arg(
        long,
        env = "STEWARD_SIGNUP",
        value_enum,
        default_value = "open",
        global = true
    )]
    pub signup: SignupMode,

    /// The key that encrypts secrets at rest, as 64 hex digits. When absent, it is read from
    /// `DATA_DIR/server.key`, which is generated on first start. Servers sharing one PostgreSQL
    /// database must share this key.
    #[arg(
        long,
        env = "STEWARD_SERVER_KEY",
        hide_env_values = true,
        global = true
    )]
    pub server_key: Option<String>,

    /// A file holding the server key (a systemd credential, a container secret).
    #[arg(long, env = "STEWARD_SERVER_KEY_FILE", global = true)]
    pub server_key_file: Option<PathBuf>,

    /// Minutes without a request after which a session ends.
    #[arg(
        long,
        env = "STEWARD_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub session_idle_minutes: u32,

    /// Hours after login after which a session ends whatever its activity.
    #[arg(
        long,
        env = "STEWARD_SESSION_MAX_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_max_hours: u32,

    /// Failed logins in a row that cost nothing; after them each attempt waits 1 s, 2 s, 4 s…
    #[arg(
        long,
        env = "STEWARD_LOGIN_FREE_ATTEMPTS",
        default_value_t = 5,
        global = true
    )]
    pub login_free_attempts: u32,

    /// Failed logins in a row after which a login is locked.
    #[arg(
        long,
        env = "STEWARD_LOGIN_LOCK_AFTER",
        default_value_t = 20,
        global = true
    )]
    pub login_lock_after: u32,

    /// How long a locked login stays locked after its last failure.
    #[arg(
        long,
        env = "STEWARD_LOGIN_LOCK_MINUTES",
        default_value_t = 15,
        global = true
    )]
    pub login_lock_minutes: u64,

    /// Password checks (logins, hashing of new passwords) waiting for a core, past which new
    /// ones are refused with 503 and `Retry-After` instead of queueing without bound.
    #[arg(long, env = "STEWARD_HASH_QUEUE", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub hash_queue: u32,

    /// The longest a password check waits for a core before it is refused (seconds).
    #[arg(long, env = "STEWARD_HASH_WAIT_SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub hash_wait_seconds: u64,

    /// Logins and login codes one client address may send per minute (0: no limit).
    #[arg(
        long,
        env = "STEWARD_CLIENT_LOGINS_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub client_logins_per_minute: u32,

    /// Sign-ups one client address may send per hour (0: no limit).
    #[arg(
        long,
        env = "STEWARD_CLIENT_SIGNUPS_PER_HOUR",
        default_value_t = 10,
        global = true
    )]
    pub client_signups_per_hour: u32,

    /// Password-strength checks (sent while a password is typed) one client address may
    /// send per minute (0: no limit).
    #[arg(
        long,
        env = "STEWARD_CLIENT_PASSWORD_CHECKS_PER_MINUTE",
        default_value_t = 120,
        global = true
    )]
    pub client_password_checks_per_minute: u32,

    /// The zxcvbn score (0 to 4) a new password must reach.
    #[arg(long, env = "STEWARD_PASSWORD_MIN_SCORE", default_value_t = DEFAULT_MIN_SCORE,
          value_parser = clap::value_parser!(u8).range(0..=4), global = true)]
    pub password_min_score: u8,

    /// How many days the activity log keeps events; older ones are pruned in the background.
    #[arg(long, env = "STEWARD_ACTIVITY_RETENTION_DAYS", default_value_t = 365,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub activity_retention_days: u32,
    /// Whether `GET /metrics` serves Prometheus metrics.
    #[arg(
        long,
        env = "STEWARD_METRICS",
        value_enum,
        default_value = "off",
        global = true
    )]
    pub metrics: MetricsMode,

    /// A bearer token `/metrics` then requires (`Authorization: Bearer TOKEN`); without it,
    /// anyone who reaches the server may read the metrics.
    #[arg(
        long,
        env = "STEWARD_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub metrics_token: Option<String>,

    /// A file holding the metrics token.
    #[arg(long, env = "STEWARD_METRICS_TOKEN_FILE", global = true)]
    pub metrics_token_file: Option<PathBuf>,

    /// The SMTP server that carries Steward's mail: `smtp://HOST:PORT` (plain, for a relay on
    /// this host), `smtp+starttls://` (STARTTLS required) or `smtps://` (TLS from the start),
    /// with `USER:PASSWORD@` when it asks for them. Without it mail is off.
    #[arg(long, env = "STEWARD_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// A file holding the SMTP URL.
    #[arg(long, env = "STEWARD_SMTP_URL_FILE", global = true)]
    pub smtp_url_file: Option<PathBuf>,

    /// The sender of Steward's mail, such as `Steward <panel@example.com>`.
    #[arg(long, env = "STEWARD_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// Seconds before a mail the SMTP server did not take is tried again; each further failure
    /// doubles the wait (at most an hour).
    #[arg(long, env = "STEWARD_MAIL_RETRY_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub mail_retry_seconds: u64,

    /// Minutes a link to choose a new password stays valid.
    #[arg(long, env = "STEWARD_PASSWORD_RESET_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(5..=1440), global = true)]
    pub password_reset_minutes: u32,

    /// Whether users may grant OVHcloud consumer keys to applications of other top-level
    /// accounts (`deny`: only their own top-level account's and its sub-accounts').
    #[arg(
        long,
        env = "STEWARD_OVH_CROSS_ACCOUNT",
        value_enum,
        default_value = "deny",
        global = true
    )]
    pub ovh_cross_account: OvhCrossAccount,
}

/// The configuration a running Steward works with, resolved from [`ConfigArgs`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Outgoing mail; `None`: mail is off.
    pub mail: Option<MailConfig>,
    pub password_reset: Duration,
    pub database_url: String,
    pub database_max_connections: Option<u32>,
    pub public_url: Option<PublicUrl>,
    pub trusted_proxies: TrustedProxies,
    pub site_dir: Option<PathBuf>,
    pub data_dir: PathBuf,
    pub site_addr: SocketAddr,
    pub cookie_secure: bool,
    pub signup: SignupMode,
    pub server_key: Option<String>,
    pub session_idle: Duration,
    pub session_max: Duration,
    pub password_min_score: u8,
    pub throttle: ThrottlePolicy,
    pub hash_queue: QueueBound,
    pub client_limits: ClientLimitConfig,
    pub activity_retention_days: u32,
    pub metrics: MetricsMode,
    /// The SHA-256 of `STEWARD_METRICS_TOKEN` (see `secrets::token_hash`): the token itself is
    /// not kept, so no `Debug` of the configuration can show it.
    pub metrics_token_hash: Option<String>,
    pub ovh_cross_account: OvhCrossAccount,
}

impl TryFrom<ConfigArgs> for Config {
    type Error = anyhow::Error;

    fn try_from(args: ConfigArgs) -> anyhow::Result<Self> {
        let database_url = crate::server::infra::files::secret_setting(
            "STEWARD_DATABASE_URL",
            args.database_url,
            args.database_url_file.as_deref(),
        )?
        .unwrap_or_else(|| format!("sqlite://{}", args.data_dir.join("steward.db").display()));
        let server_key = crate::server::infra::files::secret_setting(
            "STEWARD_SERVER_KEY",
            args.server_key,
            args.server_key_file.as_deref(),
        )?;
        let metrics_token = crate::server::infra::files::secret_setting(
            "STEWARD_METRICS_TOKEN",
            args.metrics_token,
            args.metrics_token_file.as_deref(),
        )?;
        let smtp_url = crate::server::infra::files::secret_setting(
            "STEWARD_SMTP_URL",
            args.smtp_url,
            args.smtp_url_file.as_deref(),
        )?
        .filter(|url| !url.trim().is_empty());
        let mail = match (smtp_url, args.mail_from) {
            (None, _) => None,
            (Some(_), None) => {
                anyhow::bail!("STEWARD_MAIL_FROM is required with STEWARD_SMTP_URL")
            }
            (Some(url), Some(from)) => {
                from.parse::<lettre::message::Mailbox>().map_err(|_| {
                    anyhow::anyhow!(
                        "STEWARD_MAIL_FROM must be an address such as Steward <panel@example.com>"
                    )
                })?;
                Some(MailConfig {
                    transport_url: crate::server::infra::mail_config::lettre_url(&url)?,
                    from,
                    retry_after: Duration::from_secs(args.mail_retry_seconds),
                })
            }
        };
        let public_url = args
            .public_url
            .filter(|url| !url.trim().is_empty())
            .map(|url| PublicUrl::parse(&url))
            .transpose()
            .map_err(anyhow::Error::msg)?;
        let trusted_proxies = TrustedProxies::parse(
            args.trusted_proxies.as_deref().unwrap_or(""),
            args.proxy_header,
        )
        .map_err(anyhow::Error::msg)?;
        Ok(Self {
            mail,
            password_reset: Duration::from_secs(u64::from(args.password_reset_minutes) * 60),
            database_url,
            database_max_connections: args.database_max_connections,
            public_url,
            trusted_proxies,
            site_dir: args.site_dir,
            data_dir: args.data_dir,
            site_addr: args.site_addr,
            cookie_secure: args.cookie_secure,
            signup: args.signup,
            server_key,
            session_idle: Duration::from_secs(u64::from(args.session_idle_minutes.max(1)) * 60),
            session_max: Duration::from_secs(u64::from(args.session_max_hours.max(1)) * 3600),
            password_min_score: args.password_min_score,
            throttle: ThrottlePolicy {
                free_attempts: args.login_free_attempts,
                lock_after: args.login_lock_after.max(args.login_free_attempts),
                lock_for: Duration::from_secs(args.login_lock_minutes * 60),
                ..ThrottlePolicy::default()
            },
            hash_queue: QueueBound {
                max_waiting: usize::try_from(args.hash_queue).unwrap_or(usize::MAX),
                max_wait: Duration::from_secs(args.hash_wait_seconds),
            },
            client_limits: ClientLimitConfig {
                logins_per_minute: args.client_logins_per_minute,
                signups_per_hour: args.client_signups_per_hour,
                password_checks_per_minute: args.client_password_checks_per_minute,
            },
            activity_retention_days: args.activity_retention_days,
            metrics: args.metrics,
            // An empty token would be one anybody can send.
            metrics_token_hash: metrics_token
                .filter(|t| !t.is_empty())
                .map(|t| crate::server::infra::secrets::token_hash(&t)),
            ovh_cross_account: args.ovh_cross_account,
        })
    }
}

impl Config {
    /// A configuration for tests and tools: the given database, everything else default.
    pub fn for_database(database_url: impl Into<String>, data_dir: PathBuf) -> Self {
        Self {
            mail: None,
            password_reset: Duration::from_secs(30 * 60),
            database_url: database_url.into(),
            database_max_connections: None,
            public_url: None,
            trusted_proxies: TrustedProxies::default(),
            site_dir: None,
            data_dir,
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            cookie_secure: false,
            signup: SignupMode::Open,
            server_key: None,
            session_idle: Duration::from_secs(30 * 60),
            session_max: Duration::from_secs(12 * 3600),
            password_min_score: DEFAULT_MIN_SCORE,
            throttle: ThrottlePolicy::default(),
            hash_queue: QueueBound::default(),
            // Tests about the per-client limits set their own; the rest call from one address
            // far more often than a person would.
            client_limits: ClientLimitConfig::unlimited(),
            activity_retention_days: 365,
            metrics: MetricsMode::Off,
            metrics_token_hash: None,
            ovh_cross_account: OvhCrossAccount::Deny,
        }
    }

    /// The origin links in pages and mail start with: the public URL, else the address
    /// Steward listens on.
    pub fn link_base(&self) -> String {
        self.public_url.as_ref().map_or_else(
            || format!("http://{}", self.site_addr),
            crate::server::infra::public_url::PublicUrl::origin,
        )
    }

    pub fn session_cookie_name(&self) -> &'static str {
        // `__Host-` makes the browser refuse the cookie unless it is Secure, host-only and
        // path `/`, so it cannot be planted by a sibling domain.
        if self.cookie_secure {
            "__Host-steward"
        } else {
            "steward"
        }
    }
}
