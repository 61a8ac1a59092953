//! A new-password field that shows the policy's verdict while the password is typed, using the
//! same check the server applies on submit.

use leptos::prelude::*;
use std::time::Duration;

use super::form::TextField;
use crate::api::auth::CheckPassword;

#[component]
pub fn NewPasswordField(
    id: &'static str,
    label: &'static str,
    /// What the form knows about the owner (company, e-mail, login): words the password must
    /// not contain.
    #[prop(into)]
    context: Signal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let check = ServerAction::<CheckPassword>::new();
    let latest = StoredValue::new(0u64);
    // Checks run 250 ms after the last keystroke, not on every one.
    let on_input = Callback::new(move |value: String| {
        typed.set(value);
        latest.update_value(|n| *n += 1);
        let mine = latest.get_value();
        set_timeout(
            move || {
                let password = typed.get_untracked();
                if latest.get_value() == mine && !password.is_empty() {
                    check.dispatch(CheckPassword {
                        password,
                        context: context.get_untracked(),
                    });
                }
            },
            Duration::from_millis(250),
        );
    });
    let feedback = move || {
        if typed.get().is_empty() {
            return None;
        }
        check.value().get().and_then(Result::ok)
    };
    view! {
        <TextField
            id=id
            label=label
            input_type="password"
            autocomplete="new-password"
            hint="At least 8 characters. Long passphrases are best; no special characters are required."
            required=true
            error=error
            on_input=on_input
        />
        <div class="password-feedback" aria-live="polite">
            {move || {
                feedback()
                    .map(|f| {
                        let verdict = if f.acceptable { "Strong enough." } else { "Not accepted yet:" };
                        view! {
                            <p class="strength" class:ok=f.acceptable>
                                <meter min="0" max="4" value=f.score aria-label="Password strength"></meter>
                                " " {verdict}
                            </p>
                        }
                    })
            }}
            <ul data-testid="password-feedback">
                {move || {
                    feedback()
                        .map(|f| f.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view())
                }}
            </ul>
        </div>
    }
}
