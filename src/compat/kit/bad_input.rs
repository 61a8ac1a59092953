//! Test support: the bad input the compatible APIs must refuse calmly. Bodies are arbitrary
//! bytes, or JSON that is almost right, with a secret planted in the values; whatever a body
//! type makes of them, [`check_body`] demands `Ok` or a [`BadBody`] that says what is wrong
//! without repeating anything the body contained.

use axum::body::Bytes;
use axum::http::StatusCode;
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::compat::kit::BadBody;
use crate::compat::kit::json_body;

/// Planted in bodies: it must never come back in an error message. The dash keeps it from
/// being taken for a parameter name, which messages may repeat.
pub fn secret() -> impl Strategy<Value = String> {
    "s3cret-[a-zA-Z0-9]{10}"
}

/// A JSON value of any shape, with `secret` among its strings and the field `names` the
/// dialect knows among its keys, so that some bodies come close to valid ones.
pub fn json_value(secret: String, names: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        proptest::sample::select(names).prop_map(str::to_owned),
        "[a-zA-Z_]{0,12}",
        any::<String>(),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        Just(Value::String(secret)),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A request body: arbitrary bytes, or the JSON text of a value cut short or damaged.
pub fn body(names: &'static [&'static str]) -> impl Strategy<Value = (String, Vec<u8>)> {
    secret().prop_flat_map(move |secret| {
        let bytes = prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..256),
            json_value(secret.clone(), names).prop_map(|v| v.to_string().into_bytes()),
            (
                json_value(secret.clone(), names),
                any::<prop::sample::Index>()
            )
                .prop_map(|(v, cut)| {
                    let mut text = v.to_string().into_bytes();
                    text.truncate(cut.index(text.len() + 1));
                    text
                }),
            (
                json_value(secret.clone(), names),
                any::<prop::sample::Index>(),
                any::<u8>()
            )
                .prop_map(|(v, at, byte)| {
                    let mut text = v.to_string().into_bytes();
                    let at = at.index(text.len() + 1);
                    text.insert(at, byte);
                    text
                }),
        ];
        (Just(secret), bytes)
    })
}

/// The only messages `json_body` gives, with their numbers left out.
const MESSAGES: [&str; 3] = [
    "Invalid request: a field is missing or has the wrong type (line , column ).",
    "Invalid request: the body ends too early (line , column ).",
    "Invalid request: the body is not valid JSON (line , column ).",
];

/// `bytes` as a body of type `T`: accepted, or refused with a 400 and one of the fixed messages.
pub fn check_body<T: serde::de::DeserializeOwned>(
    secret: &str,
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    check_refusal(
        secret,
        json_body::<T>(Ok(Bytes::copy_from_slice(bytes))).err(),
    )
}

/// A refusal, if any, is a 400 with one of `json_body`'s messages and never holds `secret`.
pub fn check_refusal(secret: &str, refusal: Option<BadBody>) -> Result<(), TestCaseError> {
    let Some(BadBody { status, message }) = refusal else {
        return Ok(());
    };
    prop_assert_eq!(status, StatusCode::BAD_REQUEST);
    check_message(secret, &message)?;
    let without_numbers: String = message.chars().filter(|c| !c.is_ascii_digit()).collect();
    prop_assert!(
        MESSAGES.contains(&without_numbers.as_str()),
        "unexpected message {:?}",
        message
    );
    Ok(())
}

/// An error message never repeats the planted secret.
pub fn check_message(secret: &str, message: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !message.contains(secret),
        "the message repeats the body: {:?}",
        message
    );
    Ok(())
}
