//! Secrets shown exactly once: generated passwords of new users, temporary passwords, and
//! two-factor recovery codes.

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
}

/// The secret stashed under `id`, the first time it is asked for; `None` ever after.
#[server(endpoint = "take_reveal")]
pub async fn take_reveal(id: String) -> Result<Option<Revealed>, AppError> {
    let (state, caller) = crate::server::state::authenticate().await?;
    crate::server::reveal::take(&state, &caller, &id).await
}
