//! The caller's own account and API credentials: `GET /me` (the first call of every python-ovh
//! example), `POST /auth/logout`, and `/me/api/credential` and `/me/api/application`, which list
//! what the panel's API keys page shows.

use super::*;
use axum::extract::Query;

/// `GET /me`: the account as OVHcloud's `nichandle.Nichandle` shows it. Steward knows the
/// account ID (the "NIC handle"), the company and the caller's address and language; the
/// postal fields OVHcloud keeps are `null`.
pub(super) async fn me(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let language = match db::language_store::get(&state.db, caller.user_id())
        .await?
        .as_deref()
    {
        Some("fr") => "fr_FR",
        _ => "en_GB",
    };
    let company = caller.company();
    ok(json!({
        "nichandle": caller.account_id().to_string(),
        "customerCode": caller.account_id().to_string(),
        "email": caller.email(),
        "firstname": company,
        "name": company,
        "organisation": company,
        "legalform": "corporation",
        "state": "complete",
        "language": language,
        "kycValidated": Value::Null,
        "ovhCompany": "ovh",
        "ovhSubsidiary": Value::Null,
        "currency": Value::Null,
        "country": Value::Null,
        "address": Value::Null,
        "area": Value::Null,
        "city": Value::Null,
        "zip": Value::Null,
        "phone": Value::Null,
        "fax": Value::Null,
        "vat": Value::Null,
        "spareEmail": Value::Null,
    }))
}

/// `POST /auth/logout`: the consumer key the call is signed with stops working.
pub(super) async fn logout(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _, key) = authenticate_with_key(&state, &req).await?;
    service::revoke_consumer_key(&state, caller.own_keys(), key.id).await?;
    done()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct CredentialFilter {
    application_id: Option<i64>,
    status: Option<String>,
}

/// `api.Credential`'s status of a key (what `?status=` filters on).
fn status(row: &db::ovh_key_store::ConsumerKeyRow) -> &'static str {
    if row.granted {
        "validated"
    } else {
        "pendingValidation"
    }
}

/// `GET /me/api/credential[?applicationId=&status=]`: the ids of the consumer keys granted by
/// the caller or requested by the caller's applications.
pub(super) async fn list_credentials(
    State(state): State<AppState>,
    Query(filter): Query<CredentialFilter>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let ids: Vec<i64> = db::ovh_key_store::list_consumer_keys(&state.db, caller.user_id())
        .await?
        .iter()
        .filter(|k| filter.application_id.is_none_or(|a| a == k.application_id))
        .filter(|k| filter.status.as_deref().is_none_or(|s| s == status(k)))
        .map(|k| k.id)
        .collect();
    ok(json!(ids))
}

/// One of the caller's consumer keys, by id.
async fn credential(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<db::ovh_key_store::ConsumerKeyRow, Refusal> {
    let id: i64 = id.parse().map_err(|_| Refusal::from(AppError::NotFound))?;
    db::ovh_key_store::list_consumer_keys(&state.db, caller.user_id())
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| AppError::NotFound.into())
}

/// `GET /me/api/credential/{id}`: OVHcloud's `api.Credential`.
pub(super) async fn get_credential(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let key = credential(&state, &caller, &id).await?;
    let rules = service::rules_from(&key.access_rules);
    ok(credential_json(&CredentialView {
        id: key.id,
        application_id: key.application_id,
        rules: &rules,
        created_at: key.created_at,
        last_used_at: key.last_used_at,
        validated: key.granted,
        allowed_ips: key.allowed_ips.as_deref(),
    }))
}

/// `DELETE /me/api/credential/{id}`: revokes the key (and those minted through it).
pub(super) async fn delete_credential(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let key = credential(&state, &caller, &id).await?;
    service::revoke_consumer_key(&state, caller.own_keys(), key.id).await?;
    done()
}

fn application_json(row: &db::ovh_key_store::ApplicationRow) -> Value {
    json!({
        "applicationId": row.id,
        "applicationKey": row.application_key,
        "name": row.name,
        "description": row.description,
        "status": "active",
    })
}

/// `GET /me/api/credential/{id}/application`: the application that requested the key.
pub(super) async fn credential_application(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let key = credential(&state, &caller, &id).await?;
    let app = db::ovh_key_store::application(&state.db, key.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    ok(application_json(&app))
}

/// `GET /me/api/application`: the ids of the caller's applications.
pub(super) async fn list_applications(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let ids: Vec<i64> = db::ovh_key_store::list_applications(&state.db, caller.user_id())
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    ok(json!(ids))
}

/// One of the caller's applications, by id.
async fn own_application(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<db::ovh_key_store::ApplicationRow, Refusal> {
    let id: i64 = id.parse().map_err(|_| Refusal::from(AppError::NotFound))?;
    db::ovh_key_store::list_applications(&state.db, caller.user_id())
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| AppError::NotFound.into())
}

/// `GET /me/api/application/{id}`: OVHcloud's `auth.ApiApplication` (never the secret).
pub(super) async fn get_application(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    ok(application_json(
        &own_application(&state, &caller, &id).await?,
    ))
}

/// `DELETE /me/api/application/{id}`: deletes the application and every key it requested.
pub(super) async fn delete_application(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let app = own_application(&state, &caller, &id).await?;
    service::delete_application(&state, caller.own_keys(), app.id).await?;
    done()
}
