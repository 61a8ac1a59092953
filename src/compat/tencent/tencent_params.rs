//! The request: its action, version and parameters, read the way CAM reads them.

use super::*;

// The request: action, version, parameters.

/// The actions served, each with the parameters it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    AddUser,
    GetUser,
    ListUsers,
    UpdateUser,
    DeleteUser,
    CreateGroup,
    ListGroups,
    AddUserToGroup,
    AttachUserPolicy,
    AttachGroupPolicy,
    ListPolicies,
    CreateAccessKey,
    ListAccessKeys,
    UpdateAccessKey,
    DeleteAccessKey,
}

impl Action {
    pub(super) const ALL: [Action; 15] = [
        Self::AddUser,
        Self::GetUser,
        Self::ListUsers,
        Self::UpdateUser,
        Self::DeleteUser,
        Self::CreateGroup,
        Self::ListGroups,
        Self::AddUserToGroup,
        Self::AttachUserPolicy,
        Self::AttachGroupPolicy,
        Self::ListPolicies,
        Self::CreateAccessKey,
        Self::ListAccessKeys,
        Self::UpdateAccessKey,
        Self::DeleteAccessKey,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::AddUser => "AddUser",
            Self::GetUser => "GetUser",
            Self::ListUsers => "ListUsers",
            Self::UpdateUser => "UpdateUser",
            Self::DeleteUser => "DeleteUser",
            Self::CreateGroup => "CreateGroup",
            Self::ListGroups => "ListGroups",
            Self::AddUserToGroup => "AddUserToGroup",
            Self::AttachUserPolicy => "AttachUserPolicy",
            Self::AttachGroupPolicy => "AttachGroupPolicy",
            Self::ListPolicies => "ListPolicies",
            Self::CreateAccessKey => "CreateAccessKey",
            Self::ListAccessKeys => "ListAccessKeys",
            Self::UpdateAccessKey => "UpdateAccessKey",
            Self::DeleteAccessKey => "DeleteAccessKey",
        }
    }

    /// The request parameters, as the SDK's models name them.
    pub(super) fn parameters(self) -> &'static [&'static str] {
        const USER: &[&str] = &[
            "Name",
            "Remark",
            "ConsoleLogin",
            "UseApi",
            "Password",
            "NeedResetPassword",
            "PhoneNum",
            "CountryCode",
            "Email",
        ];
        match self {
            Self::AddUser => USER,
            Self::UpdateUser => &[
                "Name",
                "Remark",
                "ConsoleLogin",
                "Password",
                "NeedResetPassword",
                "PhoneNum",
                "CountryCode",
                "Email",
            ],
            Self::GetUser => &["Name"],
            Self::ListUsers => &[],
            Self::DeleteUser => &["Name", "Force"],
            Self::CreateGroup => &["GroupName", "Remark"],
            Self::ListGroups => &["Page", "Rp", "Keyword"],
            Self::AddUserToGroup => &["Info"],
            Self::AttachUserPolicy => &["PolicyId", "AttachUin"],
            Self::AttachGroupPolicy => &["PolicyId", "AttachGroupId"],
            Self::ListPolicies => &["Rp", "Page", "Scope", "Keyword"],
            Self::CreateAccessKey => &["TargetUin", "Description"],
            Self::ListAccessKeys => &["TargetUin"],
            Self::UpdateAccessKey => &["AccessKeyId", "Status", "TargetUin"],
            Self::DeleteAccessKey => &["AccessKeyId", "TargetUin"],
        }
    }

    pub(super) async fn run(self, state: &AppState, caller: &Caller, params: &Params) -> Answer {
        match self {
            Self::AddUser => add_user(state, caller, params).await,
            Self::GetUser => get_user(state, caller, params).await,
            Self::ListUsers => list_users(state, caller).await,
            Self::UpdateUser => update_user(state, caller, params).await,
            Self::DeleteUser => delete_user(state, caller, params).await,
            Self::CreateGroup => create_group(state, caller, params).await,
            Self::ListGroups => list_groups(state, caller, params).await,
            Self::AddUserToGroup => add_user_to_group(state, caller, params).await,
            Self::AttachUserPolicy => attach_user_policy(state, caller, params).await,
            Self::AttachGroupPolicy => attach_group_policy(state, caller, params).await,
            Self::ListPolicies => list_policies(caller, params),
            Self::CreateAccessKey => create_access_key(state, caller, params).await,
            Self::ListAccessKeys => list_access_keys(state, caller, params).await,
            Self::UpdateAccessKey => update_access_key(state, caller, params).await,
            Self::DeleteAccessKey => delete_access_key(state, caller, params).await,
        }
    }
}

/// The action in `X-TC-Action`, for the version in `X-TC-Version`.
pub(super) fn action(headers: &HeaderMap) -> Result<Action, Refusal> {
    let version = header_text(headers, "x-tc-version").ok_or_else(|| {
        refuse(
            code::MISSING_PARAMETER,
            "The X-TC-Version header is missing.",
        )
    })?;
    if version != VERSION {
        return Err(refuse(
            code::NO_SUCH_VERSION,
            format!("Steward serves version {VERSION} of the CAM API."),
        ));
    }
    let name = header_text(headers, "x-tc-action").ok_or_else(|| {
        refuse(
            code::MISSING_PARAMETER,
            "The X-TC-Action header is missing.",
        )
    })?;
    Action::ALL
        .into_iter()
        .find(|a| a.name() == name)
        .ok_or_else(|| {
            let served: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
            refuse(
                code::INVALID_ACTION,
                format!(
                    "{} is not an action Steward serves. It serves {}.",
                    shown(name, "The action"),
                    served.join(", ")
                ),
            )
        })
}

/// A name the client sent, repeated in a message only when it is plainly a name.
pub(super) fn shown(name: &str, otherwise: &str) -> String {
    if (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        name.to_owned()
    } else {
        otherwise.to_owned()
    }
}

/// The action's parameters: a JSON object with only the names the action takes, read with
/// the types CAM gives them. Errors name the parameter, never its value.
#[derive(Debug)]
pub(super) struct Params(Map<String, Value>);

impl Params {
    pub(super) fn parse(body: &[u8], known: &[&str]) -> Result<Self, Refusal> {
        let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            kit::json_body(Ok(Bytes::copy_from_slice(body)))
                .map_err(|bad| refuse(code::INVALID_PARAMETER, bad.message))?
        };
        Self::object(value, known, "The body")
    }

    /// `value` as parameters, itself (`what`) an object of the `known` names.
    pub(super) fn object(value: Value, known: &[&str], what: &str) -> Result<Self, Refusal> {
        let Value::Object(map) = value else {
            return Err(refuse(
                code::INVALID_PARAMETER,
                format!("{what} must be a JSON object of parameters."),
            ));
        };
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            let list = if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            };
            return Err(refuse(
                code::UNKNOWN_PARAMETER,
                format!(
                    "{} is not a parameter here. The parameters are: {list}.",
                    shown(unknown, "A parameter")
                ),
            ));
        }
        Ok(Self(map))
    }

    pub(super) fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub(super) fn text(&self, name: &str) -> Result<Option<&str>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(refuse(
                code::INVALID_PARAMETER,
                format!("{name} must be a string."),
            )),
        }
    }

    pub(super) fn int(&self, name: &str) -> Result<Option<i64>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                refuse(
                    code::INVALID_PARAMETER,
                    format!("{name} must be an integer."),
                )
            }),
        }
    }

    /// CAM's 0 / 1 switches.
    pub(super) fn flag(&self, name: &str) -> Result<Option<bool>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                _ => Err(refuse(
                    code::INVALID_PARAMETER,
                    format!("{name} must be 0 or 1."),
                )),
            },
        }
    }

    pub(super) fn list(&self, name: &str) -> Result<Option<&Vec<Value>>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(refuse(
                code::INVALID_PARAMETER,
                format!("{name} must be an array."),
            )),
        }
    }

    pub(super) fn required<T>(name: &str, value: Option<T>) -> Result<T, Refusal> {
        value.ok_or_else(|| {
            refuse(
                code::MISSING_PARAMETER,
                format!("The parameter {name} is missing."),
            )
        })
    }

    pub(super) fn required_text(&self, name: &str) -> Result<&str, Refusal> {
        Self::required(name, self.text(name)?)
    }

    pub(super) fn required_int(&self, name: &str) -> Result<i64, Refusal> {
        Self::required(name, self.int(name)?)
    }

    /// `Page` and `Rp` (rows per page): whole numbers from 1, `Rp` at most `max_rows`.
    pub(super) fn page(&self, default_rows: i64, max_rows: i64) -> Result<(usize, usize), Refusal> {
        let page = self.int("Page")?.unwrap_or(1);
        let rows = self.int("Rp")?.unwrap_or(default_rows);
        if page < 1 || !(1..=max_rows).contains(&rows) {
            return Err(refuse(
                code::PARAM_ERROR,
                format!("Page is a whole number from 1, and Rp from 1 to {max_rows}."),
            ));
        }
        let page = usize::try_from(page).unwrap_or(usize::MAX);
        let rows = usize::try_from(rows).unwrap_or(1);
        Ok((page.saturating_sub(1).saturating_mul(rows), rows))
    }
}
