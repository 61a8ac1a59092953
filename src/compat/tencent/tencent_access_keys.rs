//! The access-key actions: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey.
//! A key belongs to a user of the account (`TargetUin`, else the caller): users manage their
//! own keys, Administrators anyone's. As in CAM, a user holds at most two keys, and an
//! inactive key signs nothing until it is made active again.

use super::*;
use crate::server::identity::capabilities::KeyHolder;

/// CAM's limit of access keys per user.
const KEYS_PER_USER: i64 = 2;

/// Whose keys the call is about: `TargetUin`'s (an Administrator's call, unless it is the
/// caller), else the caller's own.
async fn holder<'a>(
    state: &AppState,
    caller: &'a Caller,
    p: &Params,
) -> Result<KeyHolder<'a>, Refusal> {
    match p.int("TargetUin")? {
        Some(uin) if uin != caller.user_id() => {
            let user = user_by_id(state, caller, uin).await?;
            Ok(admin(caller)?.key_holder(user.id))
        }
        _ => Ok(caller.own_keys()),
    }
}

fn status(active: bool) -> &'static str {
    if active { "Active" } else { "Inactive" }
}

/// The key `AccessKeyId` of the holder.
async fn key_of(
    state: &AppState,
    holder: &KeyHolder<'_>,
    p: &Params,
) -> Result<db::tencent_key_store::KeyRow, Refusal> {
    let secret_id = p.required_text("AccessKeyId")?;
    tencent_keys::list(state, holder.user_id())
        .await?
        .into_iter()
        .find(|k| k.secret_id == secret_id)
        .ok_or_else(|| refuse(code::SECRET_NOT_EXIST, "This user has no such access key."))
}

pub(super) async fn create_access_key(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let holder = holder(state, caller, p).await?;
    let description = p.text("Description")?.unwrap_or_default();
    if description.chars().count() > 1024 || description.chars().any(char::is_control) {
        return Err(refuse(
            code::PARAM_ERROR,
            "Description: at most 1024 characters, on one line.",
        ));
    }
    let key = tencent_keys::create_limited(state, holder, description, KEYS_PER_USER)
        .await?
        .ok_or_else(|| {
            refuse(
                code::KEY_OVER_LIMIT,
                "Each user holds at most two access keys: delete one first.",
            )
        })?;
    Ok(json!({
        "AccessKey": {
            "AccessKeyId": key.secret_id,
            "SecretAccessKey": key.secret_key,
            "Status": status(true),
            "CreateTime": cam_time(db::now()),
            "Description": description,
        }
    }))
}

pub(super) async fn list_access_keys(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let holder = holder(state, caller, p).await?;
    let keys: Vec<Value> = tencent_keys::list(state, holder.user_id())
        .await?
        .iter()
        .map(|k| {
            json!({
                "AccessKeyId": k.secret_id,
                "Status": status(k.active),
                "CreateTime": cam_time(k.created_at),
                "Description": k.description,
            })
        })
        .collect();
    Ok(json!({ "AccessKeys": keys }))
}

pub(super) async fn update_access_key(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let holder = holder(state, caller, p).await?;
    let active = match p.required_text("Status")? {
        "Active" => true,
        "Inactive" => false,
        _ => {
            return Err(refuse(code::PARAM_ERROR, "Status: Active or Inactive."));
        }
    };
    let key = key_of(state, &holder, p).await?;
    tencent_keys::set_active(state, holder, key.id, active).await?;
    Ok(json!({}))
}

pub(super) async fn delete_access_key(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let holder = holder(state, caller, p).await?;
    let key = key_of(state, &holder, p).await?;
    tencent_keys::delete(state, holder, key.id).await?;
    Ok(json!({}))
}
