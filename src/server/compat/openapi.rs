//! `GET /api/openapi.json`: an OpenAPI 3.1 description of the provider-compatible routes, so
//! that a team can see at a glance what Steward answers and how each dialect authenticates.

use axum::Json;
use serde_json::{Value, json};

/// One operation: its summary, security scheme and answers.
fn op(summary: &str, scheme: &str, tag: &str, success: &str) -> Value {
    json!({
        "summary": summary,
        "tags": [tag],
        "security": if scheme == "none" { json!([]) } else { json!([{ scheme: [] }]) },
        "responses": {
            success: { "description": "Success" },
            "400": { "description": "Invalid input, in the dialect's error shape" },
            "401": { "description": "Missing or invalid credentials" },
            "403": { "description": "Not allowed for this caller" },
            "404": { "description": "Not found (or another account's)" },
            "429": { "description": "The account's API rate limit is exceeded" },
        },
    })
}

/// Every documented route: (path, method, summary, security scheme, tag, success status).
pub const ROUTES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/",
        "post",
        "Create a sub-account; its auth_token is returned once",
        "vobizAuth",
        "Vobiz",
        "201",
    ),
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/",
        "get",
        "List sub-accounts (page, size, active_only)",
        "vobizAuth",
        "Vobiz",
        "200",
    ),
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/{id}",
        "get",
        "Get a sub-account",
        "vobizAuth",
        "Vobiz",
        "200",
    ),
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/{id}",
        "put",
        "Update a sub-account",
        "vobizAuth",
        "Vobiz",
        "200",
    ),
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/{id}",
        "delete",
        "Delete a sub-account, its users and credentials",
        "vobizAuth",
        "Vobiz",
        "200",
    ),
    (
        "/iam/clients/create",
        "post",
        "Create a sub-account named by a company no other account has",
        "gcoreApiKey",
        "Gcore",
        "201",
    ),
    (
        "/iam/clients/me",
        "get",
        "The caller's account",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/v2/clients/{clientId}/tokens",
        "post",
        "Create an API token; the token is returned once",
        "gcoreApiKey",
        "Gcore",
        "201",
    ),
    (
        "/iam/v2/clients/{clientId}/tokens",
        "get",
        "List API tokens",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/v2/clients/{clientId}/tokens/{tokenId}",
        "get",
        "Get an API token",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/v2/clients/{clientId}/tokens/{tokenId}",
        "delete",
        "Revoke an API token",
        "gcoreApiKey",
        "Gcore",
        "204",
    ),
    (
        "/iam/users",
        "get",
        "List users (limit, offset)",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/users/{userId}",
        "get",
        "Get a user",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/users/{userId}",
        "patch",
        "Update a user's e-mail and name",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/clients/invite_user",
        "post",
        "Invite a user",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/clients/{clientId}/client-users/{userId}",
        "delete",
        "Remove a user",
        "gcoreApiKey",
        "Gcore",
        "204",
    ),
];

pub async fn document() -> Json<Value> {
    let mut paths = serde_json::Map::new();
    for (path, method, summary, scheme, tag, success) in ROUTES {
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        entry[*method] = op(summary, scheme, tag, success);
    }
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Steward provider-compatible APIs",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The account, sub-account and user APIs of OVHcloud, Tencent Cloud CAM, Gcore and Vobiz, served so that those providers' official clients work against Steward. Request bodies are limited to 64 KiB; every account has a per-minute API rate limit.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "vobizAuth": {
                    "type": "apiKey", "in": "header", "name": "X-Auth-ID",
                    "description": "The main account's auth_id (MA_...) with its token in X-Auth-Token.",
                },
                "ovhApplication": {
                    "type": "apiKey", "in": "header", "name": "X-Ovh-Application",
                    "description": "An OVH application key made on the API keys page.",
                },
                "ovhSignature": {
                    "type": "apiKey", "in": "header", "name": "X-Ovh-Signature",
                    "description": "X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp and X-Ovh-Signature: $1$ + sha1(secret+consumer key+method+URL+body+timestamp).",
                },
                "tencentTc3": {
                    "type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "TC3-HMAC-SHA256 Credential=<SecretId>/<date>/cam/tc3_request, SignedHeaders=content-type;host, Signature=<hex>",
                },
                "gcoreApiKey": {
                    "type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "APIKey <id>_<secret>: a personal API token.",
                },
            },
        },
    }))
}
