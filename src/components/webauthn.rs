//! The browser's half of a WebAuthn ceremony: the options the server sent (JSON) go to
//! `navigator.credentials.create` or `get` through `PublicKeyCredential.parse…OptionsFromJSON`,
//! and the credential comes back as JSON (`toJSON`). Called by name through `js-sys` rather than
//! with webauthn-rs's browser types, which would add about 50 KB (gzip) to the bundle for the
//! same two calls. Only ever called from event handlers, so only after hydration.

use crate::error::AppError;

/// Why a key gave no answer, as the user should hear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFailure {
    /// Cancelled, timed out, or no key matched (the browser does not tell these apart).
    Cancelled,
    /// This key is registered already.
    AlreadyRegistered,
    /// This browser or this address cannot use keys.
    Unsupported,
}

impl KeyFailure {
    /// The error shown beside the form.
    pub fn error(self) -> AppError {
        let key = match self {
            Self::Cancelled => crate::key!("security.keys.error.cancelled"),
            Self::AlreadyRegistered => crate::key!("security.keys.error.registered"),
            Self::Unsupported => crate::key!("security.keys.error.unsupported"),
        };
        AppError::field("form", key)
    }
}

/// Registers a new credential with `options` (`CreationChallengeResponse` as JSON).
pub async fn create(options: &str) -> Result<String, KeyFailure> {
    ceremony("create", "parseCreationOptionsFromJSON", options).await
}

/// Asks a key to sign in with `options` (`RequestChallengeResponse` as JSON).
pub async fn get(options: &str) -> Result<String, KeyFailure> {
    ceremony("get", "parseRequestOptionsFromJSON", options).await
}

/// The current value of the input `id` on the page (empty if there is none).
pub fn field_value(id: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|input| js_sys::Reflect::get(&input, &JsValue::from_str("value")).ok())
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        String::new()
    }
}

/// Loads `path` as a new page (after a login or a change the whole frame must see).
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

#[cfg(feature = "hydrate")]
async fn ceremony(method: &str, parse: &str, options: &str) -> Result<String, KeyFailure> {
    use js_sys::{Function, JSON, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let unsupported = |_| KeyFailure::Unsupported;
    let window = web_sys::window().ok_or(KeyFailure::Unsupported)?;
    let class =
        Reflect::get(&window, &JsValue::from_str("PublicKeyCredential")).map_err(unsupported)?;
    let parse: Function = Reflect::get(&class, &JsValue::from_str(parse))
        .map_err(unsupported)?
        .dyn_into()
        .map_err(unsupported)?;
    let options = JSON::parse(options).map_err(unsupported)?;
    let public_key =
        Reflect::get(&options, &JsValue::from_str("publicKey")).map_err(unsupported)?;
    let parsed = parse.call1(&class, &public_key).map_err(unsupported)?;
    let request = Object::new();
    Reflect::set(&request, &JsValue::from_str("publicKey"), &parsed).map_err(unsupported)?;
    let credentials = Reflect::get(&window.navigator(), &JsValue::from_str("credentials"))
        .map_err(unsupported)?;
    let call: Function = Reflect::get(&credentials, &JsValue::from_str(method))
        .map_err(unsupported)?
        .dyn_into()
        .map_err(unsupported)?;
    let promise: Promise = call
        .call1(&credentials, &request)
        .map_err(failure)?
        .dyn_into()
        .map_err(unsupported)?;
    let credential = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(failure)?;
    JSON::stringify(&credential)
        .ok()
        .and_then(|json| json.as_string())
        .ok_or(KeyFailure::Unsupported)
}

#[cfg(feature = "hydrate")]
fn failure(error: wasm_bindgen::JsValue) -> KeyFailure {
    let name = js_sys::Reflect::get(&error, &wasm_bindgen::JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "InvalidStateError" => KeyFailure::AlreadyRegistered,
        "NotAllowedError" | "AbortError" => KeyFailure::Cancelled,
        _ => KeyFailure::Unsupported,
    }
}

#[cfg(not(feature = "hydrate"))]
async fn ceremony(_method: &str, _parse: &str, _options: &str) -> Result<String, KeyFailure> {
    Err(KeyFailure::Unsupported)
}

/// Runs a ceremony started by a click: `work` asks the server for options, the key for its
/// answer, and the server again, which names the page to load next. While it runs, `busy` holds
/// (a second click does nothing); a failure lands in `error`, beside the form.
pub fn run<F>(
    busy: leptos::prelude::RwSignal<bool>,
    error: leptos::prelude::RwSignal<Option<AppError>>,
    work: F,
) where
    F: Future<Output = Result<String, AppError>> + 'static,
{
    use leptos::prelude::{GetUntracked, Set};
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    error.set(None);
    leptos::task::spawn_local(async move {
        match work.await {
            Ok(next) => go_to(&next),
            Err(e) => {
                error.set(Some(e));
                busy.set(false);
            }
        }
    });
}
