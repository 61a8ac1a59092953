//! "Outgoing mail", below the Activity log for Administrators: each mail the account's users were
//! sent, whether the SMTP server took it, and its answer when it did not.

use leptos::prelude::*;

use crate::api::mail_fns::{MailView, list_mail};
use crate::components::async_content::AsyncContent;
use crate::components::data_table::DataTable;
use crate::i18n::use_lang;

#[component]
pub fn OutgoingMail() -> impl IntoView {
    let mail = Resource::new(|| (), |_| list_mail());
    let lang = use_lang();
    view! {
        <section aria-labelledby="mail-heading">
            <h2 id="mail-heading">{lang.t("mail.list.heading")}</h2>
            <AsyncContent resource=mail let:mail>
                {match mail {
                    None => view! { <p class="notice">{lang.t("mail.list.off")}</p> }.into_any(),
                    Some(rows) => view! {
                        <DataTable
                            class="mail"
                            caption=lang.t("mail.list.heading")
                            columns=vec![
                                lang.t("mail.list.queued"),
                                lang.t("mail.list.to"),
                                lang.t("mail.list.subject"),
                                lang.t("mail.list.state"),
                            ]
                            rows
                            row=|mail| view! { <MailRow mail /> }
                            empty=lang.t("mail.list.none")
                        />
                    }
                    .into_any(),
                }}
            </AsyncContent>
        </section>
    }
}

#[component]
fn MailRow(mail: MailView) -> impl IntoView {
    let lang = use_lang();
    let state = match mail.state.as_str() {
        "sent" => lang.t("mail.state.sent"),
        "failed" => lang.t("mail.state.failed"),
        _ => lang.t("mail.state.queued"),
    };
    let attempts = lang.tf("mail.list.attempts", &[("n", &mail.attempts.to_string())]);
    view! {
        <tr>
            <td>{lang.datetime(mail.created)}</td>
            <td>{mail.recipient}</td>
            <td>{mail.subject}</td>
            <td>
                {state}
                {mail.sent.map(|at| view! { <br /><span class="muted">{lang.datetime(at)}</span> })}
                {(mail.attempts > 0 && mail.sent.is_none()).then(|| view! { <br /><span class="muted">{attempts.clone()}</span> })}
                {mail.last_error.map(|error| view! { <br /><code class="muted">{error}</code> })}
            </td>
        </tr>
    }
}
