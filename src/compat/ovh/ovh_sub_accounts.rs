//! Sub-accounts (/me/subAccount) and the consumer keys an Administrator makes for one.

use super::*;

/// A sub-account id from the path: a number, else not found.
pub(super) fn sub_id(id: &str) -> Result<i64, Refusal> {
    id.parse().map_err(|_| AppError::NotFound.into())
}

pub(super) async fn list_sub_accounts(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    ok(json!(
        crate::server::manage::directory::sub_account_ids(&state, &caller).await?
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SubAccountBody {
    pub(super) description: Option<String>,
}

/// `POST /me/subAccount {description}`: a sub-account named after its description, or a
/// generated name when the description is empty or another sub-account has that name.
pub(super) async fn create_sub_account(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: SubAccountBody = req.json()?;
    let admin = caller.main_account_admin()?;
    let description = body.description.unwrap_or_default();
    let wanted = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut names = Vec::new();
    if !wanted.is_empty() && crate::domain::SubAccountName::parse(&wanted).is_ok() {
        names.push(wanted);
    }
    for _ in 0..5 {
        names.push(format!(
            "Sub-account {}",
            crate::server::infra::secrets::random_hex(4)
        ));
    }
    let last = names.len() - 1;
    for (i, name) in names.into_iter().enumerate() {
        let input = SubAccountInput {
            name,
            description: description.clone(),
            calls: true,
            cdr: true,
            enabled: true,
            ..Default::default()
        };
        match sub_accounts::create(&state, admin, input).await {
            Ok(created) => return ok(json!(created.id)),
            Err(e) if i < last && e.conflict().is_some() => {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(refuse(
        StatusCode::CONFLICT,
        "ALREADY_EXISTS",
        "No free sub-account name.",
    ))
}

pub(super) async fn get_sub_account(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let row = sub_accounts::find(&state, caller.account_pk(), sub_id(&id)?).await?;
    ok(json!({
        "id": row.id,
        "description": row.description,
        "creationDate": rfc3339(row.created_at),
    }))
}

/// `PUT /me/subAccount/{id} {description}`: the description is all OVHcloud lets change.
pub(super) async fn update_sub_account(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: SubAccountBody = req.json()?;
    let admin = caller.main_account_admin()?;
    let row = sub_accounts::find(&state, caller.account_pk(), sub_id(&id)?).await?;
    let mut input = SubAccountInput::from_row(&row);
    input.description = body.description.unwrap_or_default();
    sub_accounts::update(&state, admin, row.id, input).await?;
    done()
}

/// `POST /me/subAccount/{id}/createConsumerKey`: a consumer key of the calling application,
/// valid at once, acting as the sub-account's holder with every method on every path, for as
/// long as the key it was minted through works.
pub(super) async fn create_consumer_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, application) = authenticate(&state, &req).await?;
    let Via::OvhConsumerKey(through) = caller.via() else {
        return Err(invalid_credential());
    };
    let parent = caller.admin()?.caller().account_pk();
    let row = sub_accounts::find(&state, parent, sub_id(&id)?).await?;
    let target = format!("{} through consumer key {through}", row.code);
    let event = Event::by(&caller, Action::OvhConsumerKeyGrant, target);
    let key = service::create_validated_key(
        &state,
        &event,
        &application,
        through,
        row.holder_user_id,
        &service::everything(),
    )
    .await?;
    ok(json!({ "consumerKey": key }))
}
