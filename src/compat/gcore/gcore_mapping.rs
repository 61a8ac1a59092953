//! How Steward's roles, users and tokens look to Gcore's clients.

use super::*;

/// Gcore's role object for a Steward role.
pub(super) fn role_json(role: Role) -> Value {
    match role {
        Role::Administrator => json!({ "id": 1, "name": "Administrators" }),
        Role::User => json!({ "id": 5, "name": "Engineers" }),
        Role::None => json!({ "id": 2, "name": "Users" }),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RoleBody {
    pub(super) id: Option<i64>,
    pub(super) name: Option<String>,
}

/// The Steward role for Gcore's role object (by id, else by name).
pub(super) fn role_from(body: &RoleBody) -> Result<Role, Refusal> {
    let by_id = match body.id {
        Some(1) => Some(Role::Administrator),
        Some(5) => Some(Role::User),
        Some(2) => Some(Role::None),
        Some(_) => None,
        None => match body.name.as_deref() {
            Some("Administrators") => Some(Role::Administrator),
            Some("Engineers") => Some(Role::User),
            Some("Users") => Some(Role::None),
            _ => None,
        },
    };
    by_id.ok_or_else(|| {
        Refusal::Fields(
            StatusCode::BAD_REQUEST,
            json!({ "role": ["Use the role Administrators (1), Engineers (5) or Users (2)."] }),
        )
    })
}

pub(super) fn member_role(row: &db::member_store::MemberRow) -> Role {
    Role::of_member(row.is_holder, row.role)
}

pub(super) fn user_json(row: &db::member_store::MemberRow, caller: &Caller) -> Value {
    let role = member_role(row);
    json!({
        "id": row.id,
        // Gcore activates a user when they confirm their address.
        "activated": row.email_verified,
        "auth_types": ["password"],
        "client": caller.account_pk(),
        "client_and_roles": [{
            "client_company_name": caller.company(),
            "client_id": caller.account_pk(),
            "user_id": row.id,
            "user_roles": [role_json(role)["name"].clone()],
        }],
        "company": caller.company(),
        "deleted": false,
        "email": row.email,
        "groups": [role_json(role)],
        "is_active": !row.disabled,
        "lang": row.language.as_deref().unwrap_or("en"),
        "name": if row.description.is_empty() { Value::Null } else { json!(row.description) },
        "phone": Value::Null,
        "reseller": 0,
        "sso_auth": false,
        "two_fa": row.totp_enabled,
        "user_type": "common",
        "login": row.login.as_deref().map_or_else(|| caller.account_id().to_string(), |l| format!("{}/{l}", caller.account_id())),
    })
}

pub(super) fn token_json(row: &db::api_token_store::AccountTokenRow, caller: &Caller) -> Value {
    let now = db::now();
    json!({
        "id": row.id,
        "name": row.name,
        "description": if row.description.is_empty() { Value::Null } else { json!(row.description) },
        "created": rfc3339(row.created_at),
        "deleted": false,
        "exp_date": row.expires_at.map(rfc3339),
        "expired": row.expires_at.is_some_and(|at| at <= now),
        "last_usage": rfc3339(row.last_used_at.unwrap_or(row.created_at)),
        "client_user": {
            "client_id": caller.account_pk(),
            "deleted": false,
            "role": role_json(row.role),
            "user_email": row.email,
            "user_id": row.user_id,
            "user_name": row.login.clone().unwrap_or_else(|| caller.account_id().to_string()),
        },
    })
}
