//! What a caller may do, handed out as proofs, the way lldap's access control does it: without
//! the privilege there is no handle at all, and each privileged service asks for the one it
//! needs. A proof is made only here, from a checked [`Caller`] (or, for the operator at the
//! server's command line, by the `ops` code that looked the account up).

use std::marker::PhantomData;

use crate::error::AppError;
use crate::server::identity::caller::{Caller, Via};
use crate::server::identity::events::Who;

/// Proof that the caller may manage the users and groups of the account they work in.
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a>(&'a Caller);

impl<'a> Admin<'a> {
    pub fn caller(&self) -> &'a Caller {
        self.0
    }

    /// The same Administrator, for their account's own API credentials.
    pub fn of_account(&self) -> AccountAdmin<'a> {
        AccountProof::by(self.0)
    }

    /// The same Administrator, to manage `user_id`'s credentials (a user the service found in
    /// the Administrator's account).
    pub fn key_holder(&self, user_id: i64) -> KeyHolder<'a> {
        KeyHolder {
            who: Who::Caller(self.0),
            user_id,
        }
    }
}

/// Proof that whoever acts holds `Scope` over the account `account_pk`: an Administrator of
/// it, or the operator at the command line. Each scope is its own type, so a proof for one does
/// not open the other.
#[derive(Debug, Clone, Copy)]
pub struct AccountProof<'a, Scope> {
    who: Who<'a>,
    account_pk: i64,
    scope: PhantomData<Scope>,
}

/// The scope of an account's own API credentials.
#[derive(Debug, Clone, Copy)]
pub struct Credentials;

/// The scope of a main account's sub-accounts (sub-accounts do not nest).
#[derive(Debug, Clone, Copy)]
pub struct SubAccounts;

/// Proof that whoever acts may manage an account's own API credentials.
pub type AccountAdmin<'a> = AccountProof<'a, Credentials>;

/// Proof that whoever acts may manage a main account's sub-accounts.
pub type MainAccountAdmin<'a> = AccountProof<'a, SubAccounts>;

impl<'a, Scope> AccountProof<'a, Scope> {
    fn by(caller: &'a Caller) -> Self {
        Self {
            who: Who::Caller(caller),
            account_pk: caller.account_pk(),
            scope: PhantomData,
        }
    }

    /// The operator at the server's command line, for `account_pk`, which the command looked
    /// up (and, for sub-accounts, checked is a main account).
    pub fn operator(account_pk: i64) -> Self {
        Self {
            who: Who::CommandLine,
            account_pk,
            scope: PhantomData,
        }
    }

    pub fn who(&self) -> Who<'a> {
        self.who
    }

    /// The account the proof is about.
    pub fn account_pk(&self) -> i64 {
        self.account_pk
    }
}

/// Proof that the caller came with a logged-in browser session, not with an API credential:
/// for what a credential must never do (change the password, switch accounts, mint a key with
/// the user's whole role).
#[derive(Debug, Clone, Copy)]
pub struct SessionOnly<'a>(&'a Caller);

impl<'a> SessionOnly<'a> {
    pub fn caller(&self) -> &'a Caller {
        self.0
    }

    /// The caller, to manage their own provider keys.
    pub fn key_holder(&self) -> KeyHolder<'a> {
        KeyHolder {
            who: Who::Caller(self.0),
            user_id: self.0.user_id(),
        }
    }
}

/// Proof that whoever acts may create and delete `user_id`'s provider keys: the user in a
/// browser session, an Administrator of their account, or the operator.
#[derive(Debug, Clone, Copy)]
pub struct KeyHolder<'a> {
    who: Who<'a>,
    user_id: i64,
}

impl<'a> KeyHolder<'a> {
    /// The operator at the server's command line, for `user_id`, whom the command looked up.
    pub fn operator(user_id: i64) -> Self {
        Self {
            who: Who::CommandLine,
            user_id,
        }
    }

    pub fn who(&self) -> Who<'a> {
        self.who
    }

    /// The user whose keys these are.
    pub fn user_id(&self) -> i64 {
        self.user_id
    }
}

impl Caller {
    /// The user-management capability, or `Forbidden`.
    pub fn admin(&self) -> Result<Admin<'_>, AppError> {
        if self.role().can_manage_users() {
            Ok(Admin(self))
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The sub-account-management capability, or `Forbidden`: an Administrator of a main
    /// account, working in it (not in one of its sub-accounts).
    pub fn main_account_admin(&self) -> Result<MainAccountAdmin<'_>, AppError> {
        self.admin()?;
        if self.parent_pk().is_some() {
            return Err(AppError::Forbidden);
        }
        Ok(AccountProof::by(self))
    }

    /// [`Caller::main_account_admin`] for acting on one existing sub-account: to the
    /// Administrator of a sub-account, which has none, every sub-account is `NotFound` (its
    /// siblings are not even acknowledged).
    pub fn main_account_admin_for_existing(&self) -> Result<MainAccountAdmin<'_>, AppError> {
        self.admin()?;
        if self.parent_pk().is_some() {
            return Err(AppError::NotFound);
        }
        self.main_account_admin()
    }

    /// The caller, to manage their own credentials (anyone may).
    pub fn own_keys(&self) -> KeyHolder<'_> {
        KeyHolder {
            who: Who::Caller(self),
            user_id: self.user_id(),
        }
    }

    /// `user_id`'s credentials: the caller's own, or, for an Administrator, those of a user
    /// of their account that the service found there.
    pub fn keys_of(&self, user_id: i64) -> Result<KeyHolder<'_>, AppError> {
        if user_id == self.user_id() {
            Ok(self.own_keys())
        } else {
            Ok(self.admin()?.key_holder(user_id))
        }
    }

    /// The browser-session capability, or `Forbidden` for a caller with an API credential.
    pub fn in_session(&self) -> Result<SessionOnly<'_>, AppError> {
        if self.via() == Via::Session {
            Ok(SessionOnly(self))
        } else {
            Err(AppError::Forbidden)
        }
    }
}
