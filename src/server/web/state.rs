//! What every request handler and server function can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use std::sync::Arc;

use crate::domain::password_policy::{PasswordFeedback, PasswordPolicy};
use crate::error::{AppError, FieldErrors};
use crate::server::db::Db;
use crate::server::infra::client_limits::ClientLimits;
use crate::server::infra::config::Config;
use crate::server::infra::crypto::ServerKey;
use crate::server::infra::hashing::PasswordHasher;
use crate::server::web::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub server_key: ServerKey,
    pub hasher: PasswordHasher,
    pub leptos_options: LeptosOptions,
    pub metrics: Arc<Metrics>,
    pub client_limits: Arc<ClientLimits>,
    /// Wakes the mail worker when a mail is queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// Opens and migrates the database and loads the server key: everything `serve`, `migrate`
    /// and `account create` share. Fails rather than run on a half-ready database.
    pub async fn open(config: Config, leptos_options: LeptosOptions) -> anyhow::Result<Self> {
        use anyhow::Context;
        let db = Db::connect_with(&config.database_url, config.database_max_connections).await?;
        db.migrate()
            .await
            .context("database migration failed; the server will not start")?;
        let server_key = ServerKey::load_or_create(config.server_key.as_deref(), &config.data_dir)?;
        crate::server::db::sealed::check_server_key(
            &db,
            |sealed, context| server_key.decrypt(sealed, context),
            |clear, context| server_key.encrypt(clear, context),
        )
        .await?;
        let client_limits = Arc::new(ClientLimits::new(&config.client_limits));
        ClientLimits::spawn_pruning(Arc::downgrade(&client_limits));
        Ok(Self {
            db,
            hasher: PasswordHasher::bounded(config.hash_queue)?,
            config: Arc::new(config),
            server_key,
            leptos_options,
            metrics: Arc::default(),
            client_limits,
            mail_wake: Arc::default(),
        })
    }

    /// Judges a new password against the policy, off the async workers and in the hashing
    /// queue's bound: the strength checker is CPU work a stranger can ask for.
    pub async fn judge_password(
        &self,
        password: &str,
        context: &[&str],
    ) -> Result<PasswordFeedback, AppError> {
        let policy = self.password_policy();
        let password = password.to_owned();
        let context: Vec<String> = context.iter().map(|c| (*c).to_owned()).collect();
        Ok(self
            .hasher
            .run_cpu(move || {
                let context: Vec<&str> = context.iter().map(String::as_str).collect();
                policy.evaluate(&password, &context)
            })
            .await?)
    }

    /// The one place a new password meets the policy: every reason it falls short is noted
    /// beside `field`. `context` holds what the password must not be built from (names,
    /// addresses).
    pub async fn check_password(
        &self,
        errors: &mut FieldErrors,
        field: &str,
        password: &str,
        context: &[&str],
    ) -> Result<(), AppError> {
        let verdict = self.judge_password(password, context).await?;
        if !verdict.acceptable {
            for reason in verdict.reasons {
                errors.add(field, reason);
            }
        }
        Ok(())
    }

    pub fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy {
            min_score: self.config.password_min_score,
        }
    }
}

/// The state, from inside a server function.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        crate::server::web::failures::internal(anyhow::anyhow!("AppState missing from context"))
    })
}
