//! Sub-accounts: creating, editing, enabling, disabling, deleting them, and their API
//! credentials. Every function works under a parent account the caller has already been
//! authorized for (an Administrator of it, or the operator at the command line): a sub-account
//! of any other account is simply not found.

use crate::domain::CompanyName;
use crate::domain::credential::{self, AuthIdKind};
use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::domain::event::Outcome;
use crate::domain::sub_account::parse_business_type;
use crate::domain::{AccountId, Description, Email, KycMode, Phone, RateLimit, SubAccountName};
use crate::error::{AppError, FieldErrors};
use crate::i18n::MessageKey;
use crate::server::db;
use crate::server::db::account_store::CreateAccountError;
use crate::server::db::account_store::SubAccountProfile;
use crate::server::db::activity_store::audited;
use crate::server::identity::auth_session::AuthSession;
use crate::server::identity::capabilities::SessionOnly;
use crate::server::identity::capabilities::{AccountAdmin, MainAccountAdmin};
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

pub const NAME_TAKEN: &str = crate::key!("sub.error.name_taken");

pub use super::sub_account_input::SubAccountInput;

/// The checked form.
struct Valid {
    name: SubAccountName,
    profile: SubAccountProfile,
}

/// Checks every field, reporting all problems at once. A new customer-use sub-account starts
/// with calls blocked until KYC is complete.
async fn validate(state: &AppState, input: &SubAccountInput) -> Result<Valid, AppError> {
    let mut errors = FieldErrors::default();
    let name = SubAccountName::parse(&input.name)
        .map_err(|e| errors.add("name", e.key()))
        .ok();
    let description = Description::parse(&input.description)
        .map_err(|e| errors.add("description", e.key()))
        .ok();
    let email = if input.email.trim().is_empty() {
        Some(String::new())
    } else {
        Email::parse(&input.email)
            .map(|e| e.as_str().to_owned())
            .map_err(|e| errors.add("email", e.key()))
            .ok()
    };
    let phone = if input.phone.trim().is_empty() {
        Some(String::new())
    } else {
        Phone::parse(&input.phone)
            .map(|p| p.as_str().to_owned())
            .map_err(|e| errors.add("phone", e.key()))
            .ok()
    };
    let rate_limit = RateLimit::parse(&input.rate_limit)
        .map_err(|e| errors.add("rate_limit", e.key()))
        .ok();
    let kyc_mode = KycMode::parse(&input.kyc_mode)
        .map_err(|e| errors.add("kyc_mode", e.key()))
        .ok();
    if kyc_mode == Some(KycMode::CustomerUse) && email.as_deref() == Some("") {
        errors.add("email", crate::key!("sub.error.kyc_email"));
    }
    let business_type = parse_business_type(&input.business_type)
        .map_err(|e| errors.add("business_type", e.key()))
        .ok();
    if !input.password.is_empty() {
        let context = [input.name.as_str(), input.email.as_str()];
        state
            .check_password(&mut errors, "password", &input.password, &context)
            .await?;
    }
    match (
        name,
        description,
        email,
        phone,
        rate_limit,
        kyc_mode,
        business_type,
    ) {
        (
            Some(name),
            Some(description),
            Some(contact_email),
            Some(phone),
            Some(rate_limit),
            Some(kyc_mode),
            Some(business_type),
        ) if errors.is_empty() => Ok(Valid {
            name,
            profile: SubAccountProfile {
                description: description.as_str().to_owned(),
                contact_email,
                phone,
                rate_limit: i64::from(rate_limit.get()),
                allow_calls: input.calls,
                allow_cdr: input.cdr,
                kyc_mode: kyc_mode.code(),
                kyc_calls_blocked: kyc_mode == KycMode::CustomerUse,
                business_type,
                enabled: input.enabled,
            },
        }),
        _ => {
            errors.into_result()?;
            Err(AppError::field("form", crate::key!("error.correct_form")))
        }
    }
}

/// A new sub-account with its credentials; the token is in clear only here, to be shown once.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: i64,
    pub account_id: AccountId,
    pub name: String,
    pub auth_id: String,
    pub auth_token: String,
}

/// Account credentials just issued; the token is in clear only here, to be shown once.
#[derive(Debug, Clone)]
pub struct Issued {
    pub auth_id: String,
    pub auth_token: String,
}

/// Creates a sub-account of `parent` (a main account: sub-accounts do not nest) with its
/// holder, built-in groups and API credentials, all in one transaction.
pub async fn create(
    state: &AppState,
    admin: MainAccountAdmin<'_>,
    input: SubAccountInput,
) -> Result<Created, AppError> {
    let (who, parent) = (admin.who(), admin.account_pk());
    let event = Event::of(who, parent, Action::SubAccountCreate, input.name.trim());
    audited(&state.db, &event, create_as(state, parent, input, &event)).await
}

async fn create_as(
    state: &AppState,
    parent: i64,
    input: SubAccountInput,
    event: &Event,
) -> Result<Created, AppError> {
    let valid = validate(state, &input).await?;
    let password_hash = holder_password_hash(state, input.password).await?;
    let security_stamp = crate::server::infra::secrets::security_stamp();
    for _ in 0..8 {
        let account_id = crate::server::infra::secrets::account_id();
        let auth_id =
            credential::auth_id(AuthIdKind::SubAccount, crate::server::infra::secrets::pick);
        let auth_token = credential::secret(crate::server::infra::secrets::pick);
        let token_hash = crate::server::infra::secrets::token_hash(&auth_token);
        let new = db::account_store::NewAccount {
            code: account_id.as_str(),
            company: valid.name.as_str(),
            company_key: &valid.name.key(),
            parent_id: Some(parent),
            profile: Some(&valid.profile),
            credentials: Some((&auth_id, &token_hash)),
            holder_email: &valid.profile.contact_email,
            holder_password_hash: &password_hash,
            holder_security_stamp: &security_stamp,
            claims_company: input.claims_company,
        };
        match db::account_store::create(&state.db, event, &new).await {
            Ok(ids) => {
                tracing::info!(parent, sub_account = %account_id, "sub-account created");
                crate::server::identity::email_verification::send_after_change(
                    state,
                    ids.holder_user_id,
                    Some(event),
                )
                .await;
                return Ok(Created {
                    id: ids.account_pk,
                    account_id,
                    name: valid.name.as_str().to_owned(),
                    auth_id,
                    auth_token,
                });
            }
            Err(CreateAccountError::CodeTaken) => continue,
            Err(CreateAccountError::CompanyTaken) => {
                return Err(AppError::field("name", NAME_TAKEN));
            }
            Err(CreateAccountError::Db(e)) => return Err(e.into()),
        }
    }
    Err(crate::server::web::failures::internal(anyhow::anyhow!(
        "no free account ID after 8 draws"
    )))
}

/// The hash for the sub-account holder's password; without one, the hash of a random secret
/// nobody knows, so that the holder cannot log in until a password is set.
async fn holder_password_hash(state: &AppState, password: String) -> Result<String, AppError> {
    let password = if password.is_empty() {
        credential::secret(crate::server::infra::secrets::pick)
    } else {
        password
    };
    Ok(state.hasher.hash(password).await?)
}

pub async fn list(
    state: &AppState,
    parent: i64,
    search: &str,
    enabled_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<db::sub_account_store::SubAccountRow>, i64), AppError> {
    let search = search.trim().to_lowercase();
    let search = (!search.is_empty()).then_some(search.as_str());
    Ok(db::sub_account_store::list(&state.db, parent, search, enabled_only, limit, offset).await?)
}

pub async fn find(
    state: &AppState,
    parent: i64,
    id: i64,
) -> Result<db::sub_account_store::SubAccountRow, AppError> {
    db::sub_account_store::find(&state.db, parent, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Saves the edit form. A new password (optional) replaces the holder's and ends their
/// sessions; changing the KYC mode to customer use blocks calls until KYC is complete.
pub async fn update(
    state: &AppState,
    admin: MainAccountAdmin<'_>,
    id: i64,
    input: SubAccountInput,
) -> Result<(), AppError> {
    let (who, parent) = (admin.who(), admin.account_pk());
    let event = Event::of(who, parent, Action::SubAccountUpdate, input.name.trim());
    audited(
        &state.db,
        &event,
        update_as(state, parent, id, input, &event),
    )
    .await
}

async fn update_as(
    state: &AppState,
    parent: i64,
    id: i64,
    input: SubAccountInput,
    event: &Event,
) -> Result<(), AppError> {
    let current = find(state, parent, id).await?;
    let valid = validate(state, &input).await?;
    let new_hash = if input.password.is_empty() {
        None
    } else {
        Some(state.hasher.hash(input.password).await?)
    };
    match db::sub_account_store::update(
        &state.db,
        event,
        parent,
        id,
        valid.name.as_str(),
        &valid.name.key(),
        &valid.profile,
    )
    .await
    {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound),
        Err(CreateAccountError::CompanyTaken) => return Err(AppError::field("name", NAME_TAKEN)),
        Err(CreateAccountError::CodeTaken) => return Err(AppError::field("name", NAME_TAKEN)),
        Err(CreateAccountError::Db(e)) => return Err(e.into()),
    }
    if let Some(hash) = new_hash {
        // The holder's password is a change of its own, about the holder.
        let reset = event
            .doing(Action::UserPasswordReset)
            .about(current.code.clone());
        db::user_store::set_password(&state.db, &reset, id, current.holder_user_id, &hash, false)
            .await?;
    }
    Ok(())
}

/// Disabling stops the sub-account's logins, sessions and credentials at once (they are
/// checked against the account on every request).
pub async fn set_enabled(
    state: &AppState,
    admin: MainAccountAdmin<'_>,
    id: i64,
    enabled: bool,
) -> Result<(), AppError> {
    let (who, parent) = (admin.who(), admin.account_pk());
    let action = if enabled {
        Action::SubAccountEnable
    } else {
        Action::SubAccountDisable
    };
    let event = Event::of(who, parent, action, format!("#{id}"));
    audited(&state.db, &event, async {
        let event = event.about(find(state, parent, id).await?.name);
        if db::sub_account_store::set_enabled(&state.db, &event, parent, id, enabled).await? {
            tracing::info!(
                parent,
                sub_account = id,
                enabled,
                "sub-account status changed"
            );
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

pub async fn complete_kyc(
    state: &AppState,
    admin: MainAccountAdmin<'_>,
    id: i64,
) -> Result<(), AppError> {
    let (who, parent) = (admin.who(), admin.account_pk());
    let event = Event::of(who, parent, Action::SubAccountKyc, format!("#{id}"));
    audited(&state.db, &event, async {
        let event = event.about(find(state, parent, id).await?.name);
        if db::sub_account_store::complete_kyc(&state.db, &event, parent, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

/// Deletes the sub-account, its users and its credentials, once its name is typed to confirm.
pub async fn delete(
    state: &AppState,
    admin: MainAccountAdmin<'_>,
    id: i64,
    confirm_name: &str,
) -> Result<String, AppError> {
    let (who, parent) = (admin.who(), admin.account_pk());
    let event = Event::of(who, parent, Action::SubAccountDelete, format!("#{id}"));
    audited(
        &state.db,
        &event,
        delete_as(state, parent, id, confirm_name, &event),
    )
    .await
}

async fn delete_as(
    state: &AppState,
    parent: i64,
    id: i64,
    confirm_name: &str,
    event: &Event,
) -> Result<String, AppError> {
    let current = find(state, parent, id).await?;
    let event = event.about(current.name.clone());
    if confirm_name.trim() != current.name {
        return Err(AppError::field(
            "confirm_name",
            crate::key!("sub.error.confirm_name"),
        ));
    }
    if !db::sub_account_store::delete(&state.db, &event, parent, id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(parent, sub_account = id, "sub-account deleted");
    Ok(current.name)
}

/// New credentials for sub-account `id`: the old token stops working at once.
pub async fn rotate_credentials(
    state: &AppState,
    admin: MainAccountAdmin<'_>,
    id: i64,
) -> Result<Issued, AppError> {
    let (who, parent) = (admin.who(), admin.account_pk());
    let event = Event::of(who, parent, Action::CredentialsRotate, format!("#{id}"));
    audited(&state.db, &event, async {
        let current = find(state, parent, id).await?;
        issue_credentials_as(state, id, &event.about(current.name)).await
    })
    .await
}

/// Creates or rotates the API credentials of `account_pk`: its `auth_id` stays, the token is
/// new and the old one stops working with the same statement.
pub async fn issue_credentials(
    state: &AppState,
    admin: AccountAdmin<'_>,
) -> Result<Issued, AppError> {
    let (who, account_pk) = (admin.who(), admin.account_pk());
    let action = match db::account_store::credentials_of(&state.db, account_pk).await? {
        Some(_) => Action::CredentialsRotate,
        None => Action::CredentialsCreate,
    };
    let event = Event::of(who, account_pk, action, "account credentials");
    audited(
        &state.db,
        &event,
        issue_credentials_as(state, account_pk, &event),
    )
    .await
}

async fn issue_credentials_as(
    state: &AppState,
    account_pk: i64,
    event: &Event,
) -> Result<Issued, AppError> {
    let kind = match db::account_store::parent_of(&state.db, account_pk).await? {
        Some(_) => AuthIdKind::SubAccount,
        None => AuthIdKind::MainAccount,
    };
    let event = match db::account_store::holder_of(&state.db, account_pk).await? {
        Some(holder) => {
            let about = NoticeAbout::CredentialCreated(&event.target);
            notices::attach(state, event.clone(), holder, about).await
        }
        None => event.clone(),
    };
    for _ in 0..8 {
        let new_auth_id = credential::auth_id(kind, crate::server::infra::secrets::pick);
        let auth_token = credential::secret(crate::server::infra::secrets::pick);
        let hash = crate::server::infra::secrets::token_hash(&auth_token);
        match db::account_store::issue_credentials(
            &state.db,
            &event,
            account_pk,
            &new_auth_id,
            &hash,
        )
        .await
        {
            Ok(Some(auth_id)) => {
                tracing::info!(account = account_pk, auth_id = %auth_id, "account credentials issued");
                return Ok(Issued {
                    auth_id,
                    auth_token,
                });
            }
            Ok(None) => return Err(AppError::NotFound),
            Err(CreateAccountError::CodeTaken) => continue,
            Err(CreateAccountError::CompanyTaken) => return Err(AppError::NotFound),
            Err(CreateAccountError::Db(e)) => return Err(e.into()),
        }
    }
    Err(crate::server::web::failures::internal(anyhow::anyhow!(
        "no free auth_id after 8 draws"
    )))
}

/// Opens the sub-account `sub` (found in the caller's account) in the caller's browser session:
/// until they go back, the panel shows the sub-account, and what they do there is done by them.
pub async fn start_managing(
    state: &AppState,
    in_session: SessionOnly<'_>,
    session: &AuthSession,
    sub: db::sub_account_store::SubAccountRow,
) -> Result<(), AppError> {
    session.act_in(sub.id).await?;
    let event = Event::by(in_session.caller(), Action::SubAccountManage, sub.name);
    crate::server::db::activity_store::record(&state.db, &event, Outcome::Success, "").await
}

/// Whether another account already has this company name (names are unique across accounts).
pub async fn company_taken(state: &AppState, company: &CompanyName) -> Result<bool, AppError> {
    Ok(db::account_store::company_taken(&state.db, &company.key()).await?)
}
