//! Secrets shown exactly once: generated passwords of new users, temporary passwords,
//! two-factor recovery codes, account API credentials and personal API tokens.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub login_id: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// The row of the form, from 1.
    pub row: usize,
    pub login: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Revealed {
    NewUsers {
        created: Vec<Credential>,
        refused: Vec<Refused>,
    },
    PasswordReset {
        credential: Credential,
    },
    /// Two-factor recovery codes, each usable once in place of a code.
    RecoveryCodes {
        codes: Vec<String>,
    },
    /// An account's API credentials, new or rotated.
    AccountCredentials(AccountCredentials),
    /// A personal API token.
    ApiToken {
        id: i64,
        name: String,
        token: String,
    },
    /// A Tencent Cloud CAM access key.
    TencentAccessKey {
        secret_id: String,
        secret_key: String,
    },
    /// An OVHcloud application: its key and secret.
    OvhApplication {
        application_key: String,
        application_secret: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCredentials {
    /// The sub-account's numeric id, for a sub-account (its detail page links back).
    pub sub_account: Option<i64>,
    pub account_id: String,
    pub name: String,
    pub auth_id: String,
    pub auth_token: String,
    /// True when the account itself was just created (a new sub-account).
    pub new_account: bool,
}

/// The secret stashed under `id`, the first time it is asked for; `None` ever after.
#[server(endpoint = "take_reveal")]
pub async fn take_reveal(id: String) -> Result<Option<Revealed>, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::reveals::take(&state, &caller, &id).await
}
