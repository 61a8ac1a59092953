//! Permanent API tokens: create, list, read, delete.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ClientUserBody {
    pub(super) role: RoleBody,
}

#[derive(Debug, Deserialize)]
pub(super) struct CreateTokenBody {
    #[serde(default)]
    pub(super) client_user: ClientUserBody,
    #[serde(default)]
    pub(super) exp_date: Option<String>,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) description: Option<String>,
}

/// An RFC 3339 time (`2026-12-31T23:59:59Z`; fractions and `+hh:mm` offsets allowed) as Unix
/// seconds.
pub(super) fn parse_time(input: &str) -> Result<i64, &'static str> {
    pub(super) const MESSAGE: &str =
        "Give exp_date as an RFC 3339 time, such as 2026-12-31T23:59:59Z, or null.";
    let input = input.trim();
    let (date, rest) = input.split_once(['T', 't', ' ']).ok_or(MESSAGE)?;
    let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => return Err(MESSAGE),
    };
    let number = |s: &str| s.parse::<u8>().map_err(|_| MESSAGE);
    let mut d = date.splitn(3, '-');
    let (Some(y), Some(m), Some(day)) = (d.next(), d.next(), d.next()) else {
        return Err(MESSAGE);
    };
    let year: i32 = y.parse().map_err(|_| MESSAGE)?;
    let month = time::Month::try_from(number(m)?).map_err(|_| MESSAGE)?;
    let date = time::Date::from_calendar_date(year, month, number(day)?).map_err(|_| MESSAGE)?;
    let clock = clock.split('.').next().unwrap_or_default();
    let mut c = clock.splitn(3, ':');
    let (Some(h), Some(mi), Some(se)) = (c.next(), c.next(), c.next()) else {
        return Err(MESSAGE);
    };
    let at = date
        .with_hms(number(h)?, number(mi)?, number(se)?)
        .map_err(|_| MESSAGE)?
        .assume_utc()
        .unix_timestamp();
    let shift = match offset {
        "Z" | "z" => 0,
        _ => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let (oh, om) = offset[1..].split_once(':').ok_or(MESSAGE)?;
            sign * (i64::from(number(oh)?) * 3600 + i64::from(number(om)?) * 60)
        }
    };
    Ok(at - shift)
}

pub(super) async fn create_token(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    own_client(&caller, &client_id)?;
    let body: CreateTokenBody = parse_body(body)?;
    let role = role_from(&body.client_user.role)?;
    let expires_at = body.exp_date.as_deref().map(parse_time).transpose();
    let input = NewTokenInput {
        name: body.name,
        description: body.description.unwrap_or_default(),
        role: role.code().to_owned(),
        expires: String::new(),
        allowed_ips: String::new(),
    };
    let created =
        api_tokens::create_expiring(&state, caller.own_keys(), caller.role(), input, expires_at)
            .await?;
    let row = crate::server::manage::directory::account_token(&state, &caller, created.id)
        .await?
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, "Not found."))?;
    let mut answer = token_json(&row, &caller);
    answer["token"] = json!(created.token);
    Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
}

/// Administrators see every token of the account; others their own.
pub(super) fn token_scope(caller: &Caller) -> Option<i64> {
    (!caller.role().can_manage_users()).then_some(caller.user_id())
}

pub(super) async fn list_tokens(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    own_client(&caller, &client_id)?;
    let rows =
        crate::server::manage::directory::account_tokens(&state, &caller, token_scope(&caller))
            .await?;
    let items: Vec<Value> = rows.iter().map(|r| token_json(r, &caller)).collect();
    Ok(axum::Json(items).into_response())
}

/// The caller, and token `token_id` of client `client_id` (the caller's own account) as the
/// caller may see it.
pub(super) async fn visible_token(
    state: &AppState,
    headers: &HeaderMap,
    client_id: &str,
    token_id: &str,
) -> Result<(Caller, db::api_token_store::AccountTokenRow), Refusal> {
    let caller = authenticate(state, headers).await?;
    own_client(&caller, client_id)?;
    let not_found = || refuse(StatusCode::NOT_FOUND, "API token not found.");
    let id: i64 = token_id.parse().map_err(|_| not_found())?;
    let row = crate::server::manage::directory::account_token(state, &caller, id)
        .await?
        .filter(|row| token_scope(&caller).is_none_or(|user| user == row.user_id))
        .ok_or_else(not_found)?;
    Ok((caller, row))
}

pub(super) async fn get_token(
    State(state): State<AppState>,
    Path((client_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let (caller, row) = visible_token(&state, &headers, &client_id, &token_id).await?;
    Ok(axum::Json(token_json(&row, &caller)).into_response())
}

pub(super) async fn delete_token(
    State(state): State<AppState>,
    Path((client_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let (caller, row) = visible_token(&state, &headers, &client_id, &token_id).await?;
    api_tokens::revoke(&state, caller.keys_of(row.user_id)?, row.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
