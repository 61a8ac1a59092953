//! The client's users: list, read, update, invite, delete.

use super::*;

#[derive(Debug, Deserialize)]
pub(super) struct Page {
    pub(super) limit: Option<String>,
    pub(super) offset: Option<String>,
}

pub(super) async fn list_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(page): Query<Page>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let number = |v: Option<&str>, default: i64, min: i64| -> Result<i64, Refusal> {
        match v.map(str::trim) {
            None | Some("") => Ok(default),
            Some(v) => v.parse::<i64>().ok().filter(|n| *n >= min).ok_or_else(|| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    "limit and offset are whole numbers.",
                )
            }),
        }
    };
    let limit = number(page.limit.as_deref(), 100, 1)?.min(1000);
    let offset = number(page.offset.as_deref(), 0, 0)?;
    let (rows, count) =
        crate::server::manage::directory::members(&state, &caller, limit, offset).await?;
    Ok(axum::Json(json!({
        "count": count,
        "results": rows.iter().map(|r| user_json(r, &caller)).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// User `user_id` of the caller's account.
pub(super) async fn member(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
) -> Result<db::member_store::MemberRow, Refusal> {
    let not_found = || refuse(StatusCode::NOT_FOUND, "User not found.");
    let id: i64 = user_id.parse().map_err(|_| not_found())?;
    crate::server::manage::directory::member(state, caller, id)
        .await?
        .ok_or_else(not_found)
}

pub(super) async fn get_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let row = member(&state, &caller, &user_id).await?;
    Ok(axum::Json(user_json(&row, &caller)).into_response())
}

/// `GET /iam/users/me`: the user the API token belongs to (the example of Gcore's token docs).
pub(super) async fn get_me(State(state): State<AppState>, headers: HeaderMap) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let row = member(&state, &caller, &caller.user_id().to_string()).await?;
    Ok(axum::Json(user_json(&row, &caller)).into_response())
}

/// The languages a user may choose: Steward speaks English and French (Gcore's list is
/// de, en, ru, zh and az).
const LANGUAGES: &[&str] = &["en", "fr"];

/// The fields of `PATCH /iam/users/{id}` Steward cannot keep, refused in Gcore's 400 shape
/// rather than dropped: a phone number (Steward keeps none), a sign-in method other than the
/// password, a language it does not speak.
fn unsupported(body: &UpdateUserBody) -> Option<Refusal> {
    let mut errors = serde_json::Map::new();
    if body.phone.as_deref().is_some_and(|p| !p.trim().is_empty()) {
        errors.insert(
            "phone".into(),
            json!(["Steward keeps no phone number for users: send null or leave it out."]),
        );
    }
    if let Some(lang) = &body.lang
        && !LANGUAGES.contains(&lang.as_str())
    {
        errors.insert(
            "lang".into(),
            json!([format!(
                "\"{lang}\" is not a language of this panel: en or fr."
            )]),
        );
    }
    if body
        .auth_types
        .as_ref()
        .is_some_and(|types| types.iter().any(|t| t != "password"))
    {
        errors.insert(
            "auth_types".into(),
            json!(["Users sign in with a password here: auth_types can only be [\"password\"]."]),
        );
    }
    (!errors.is_empty()).then_some(Refusal::Fields(
        StatusCode::BAD_REQUEST,
        Value::Object(errors),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct UpdateUserBody {
    pub(super) email: Option<String>,
    pub(super) name: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) lang: Option<String>,
    pub(super) auth_types: Option<Vec<String>>,
}

/// `PATCH /iam/users/{id}`: e-mail and name (kept as the description), through the same
/// service as the panel's edit form, and the language; what Steward cannot keep is refused
/// (see [`unsupported`]). The holder is changed only in the panel.
pub(super) async fn update_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let body: UpdateUserBody = parse_body(body)?;
    let admin = caller.admin()?;
    let row = member(&state, &caller, &user_id).await?;
    let Some(login) = row.login.clone() else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "The account holder is changed only in the panel.",
        ));
    };
    if let Some(refusal) = unsupported(&body) {
        return Err(refusal);
    }
    let email = body.email.unwrap_or_else(|| row.email.clone());
    let description = body.name.unwrap_or_else(|| row.description.clone());
    let group = users::find(&state, &caller, &login).await?.group_name;
    users::update_user(&state, admin, &login, &email, &group, &description).await?;
    if let Some(lang) = body.lang.as_deref() {
        db::language_store::set(&state.db, row.id, lang).await?;
    }
    let row = member(&state, &caller, &user_id).await?;
    Ok(axum::Json(user_json(&row, &caller)).into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct InviteBody {
    pub(super) client_id: Option<i64>,
    pub(super) email: Option<String>,
    #[serde(default)]
    pub(super) user_role: RoleBody,
    #[serde(default)]
    pub(super) name: Option<String>,
}

/// The login an invited user gets: their e-mail's local part, in login characters.
pub(super) fn login_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or_default();
    let login: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(24)
        .collect();
    if login.is_empty() {
        "user".to_owned()
    } else {
        login
    }
}

/// `POST /iam/clients/invite_user`: adds a user and mails them an invitation to choose their
/// password. Without mail, the user gets a generated password nobody sees and a required
/// change; an Administrator hands them a password with "Reset password" in the panel.
pub(super) async fn invite_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let body: InviteBody = parse_body(body)?;
    let admin = caller.admin()?;
    if body.client_id != Some(caller.account_pk()) {
        return Err(refuse(StatusCode::NOT_FOUND, "Client not found."));
    }
    let role = role_from(&body.user_role)?;
    let email = body.email.unwrap_or_default();
    let base = login_from_email(&email);
    let invite = state.config.mail.is_some();
    // A taken login gets a numbered one: `jo`, then `jo2`, `jo3`...
    for n in 1..=20 {
        let login = if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        let input = users::NewUserInput {
            login: &login,
            email: &email,
            group: role.built_in_group(),
            description: body.name.as_deref().unwrap_or_default(),
            password: users::generate_password(),
            require_change: true,
            invite,
            email_optional: false,
        };
        match users::create_user(&state, admin, input).await {
            Ok(created) => {
                let row = users::find(&state, &caller, &created.login).await?;
                return Ok(axum::Json(json!({ "status": "ok", "user_id": row.id })).into_response());
            }
            Err(e) if e.conflict().is_some() && n < 20 => {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(refuse(
        StatusCode::CONFLICT,
        "No free login for this e-mail address.",
    ))
}

pub(super) async fn delete_user(
    State(state): State<AppState>,
    Path((client_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    own_client(&caller, &client_id)?;
    let admin = caller.admin()?;
    let row = member(&state, &caller, &user_id).await?;
    let Some(login) = row.login else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "The account holder cannot be removed.",
        ));
    };
    users::remove_user(&state, admin, &login).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
