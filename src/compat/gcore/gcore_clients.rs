//! Clients (Gcore's accounts): creating one as a sub-account, and /iam/clients/me.

use super::*;

#[derive(Debug, Deserialize)]
pub(super) struct CreateClientBody {
    pub(super) company: Option<String>,
}

/// `POST /iam/clients/create {company}`: a sub-account of the caller's account, named by a
/// company name no other account has.
pub(super) async fn create_client(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let body: CreateClientBody = parse_body(body)?;
    let admin = caller.main_account_admin()?;
    let company = CompanyName::parse(body.company.as_deref().unwrap_or_default()).map_err(|e| {
        Refusal::Fields(
            StatusCode::BAD_REQUEST,
            json!({ "company": [e.to_string()] }),
        )
    })?;
    let taken = || {
        Refusal::Fields(
            StatusCode::BAD_REQUEST,
            json!({ "company": [COMPANY_TAKEN] }),
        )
    };
    // Names of accounts made elsewhere (sign-up, the panel) are found here; two clients created
    // at once with one name are told apart by the claim `create` inserts with the account.
    if sub_accounts::company_taken(&state, &company).await? {
        return Err(taken());
    }
    let input = SubAccountInput {
        name: company.as_str().to_owned(),
        calls: true,
        cdr: true,
        enabled: true,
        claims_company: true,
        ..Default::default()
    };
    match sub_accounts::create(&state, admin, input).await {
        Ok(created) => Ok((
            StatusCode::CREATED,
            axum::Json(json!({ "id": created.id, "company": created.name })),
        )
            .into_response()),
        Err(e) if e.conflict().is_some() => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /iam/clients/me`: the caller's account.
pub(super) async fn me(State(state): State<AppState>, headers: HeaderMap) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let (members, _) = crate::server::manage::directory::members(&state, &caller, 100, 0).await?;
    let has_admin = members
        .iter()
        .any(|m| !m.disabled && member_role(m) == Role::Administrator);
    Ok(axum::Json(json!({
        "id": caller.account_pk(),
        "bill_type": "prepay",
        "capabilities": [],
        "companyName": caller.company(),
        "currentUser": caller.user_id(),
        "deleted": false,
        "email": caller.email(),
        "entryBaseDomain": Value::Null,
        "freeFeatures": {},
        "paidFeatures": {},
        "serviceStatuses": {},
        "has_active_admin": has_admin,
        "is_test": false,
        "name": caller.company(),
        "status": "active",
        "custom_id": caller.account_id().to_string(),
        "users": members.iter().map(|m| user_json(m, &caller)).collect::<Vec<_>>(),
    }))
    .into_response())
}
