//! What a server function must be for a plain form to post to it, said once for the
//! components that take an action.

use leptos::server_fn::client::browser::BrowserClient;
use leptos::server_fn::codec::{Json, PostUrl};
use leptos::server_fn::{Http, ServerFn};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Declares a trait that stands for `bounds` and is implemented by every type meeting them
/// (stable Rust has no trait aliases), so that the bounds are written once.
macro_rules! trait_alias {
    ($(#[$meta:meta])* $vis:vis trait $name:ident = $($bounds:tt)+) => {
        $(#[$meta])*
        $vis trait $name: $($bounds)+ {}
        impl<T: $($bounds)+> $name for T {}
    };
}

trait_alias! {
    /// A server function an `ActionForm` can post (URL-encoded, as a browser without
    /// JavaScript does) and whose errors are an [`AppError`]: every `#[server]` function of
    /// Steward.
    pub trait FormAction = DeserializeOwned
        + ServerFn<
            Protocol = Http<PostUrl, Json>,
            Error = AppError,
            Client = BrowserClient,
            Output: Clone + Send + Sync + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
}
