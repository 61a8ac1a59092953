//! "Activity": the account's activity log, newest first. Administrators see every event of the
//! account and its sub-accounts; others see their own. The filter form is a plain GET form, so
//! a filtered view is a link, and "Download CSV" takes the same filter (with a byte order mark
//! for spreadsheets, on the second link).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::activity_fns::{ActivityPage, ActivityQuery, EventView, list_activity};
use crate::components::data_table::DataTable;
use crate::components::error_message::ErrorMessage;
use crate::components::loading::Loading;
use crate::domain::actions::Action;
use crate::error::AppError;
use crate::i18n::use_lang;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| ActivityQuery {
            actor: p.get("actor").unwrap_or_default(),
            action: p.get("action").unwrap_or_default(),
            target: p.get("target").unwrap_or_default(),
            from: p.get("from").unwrap_or_default(),
            to: p.get("to").unwrap_or_default(),
            after: p.get("after").unwrap_or_default(),
        })
    });
    let events = Resource::new(move || query.get(), list_activity);
    let lang = use_lang();
    view! {
        <Title text=lang.t("activity.title") />
        <h1>{lang.t("activity.title")}</h1>
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let query = query.get_untracked();
                match events.await {
                    Ok(page) => {
                        let everyone = page.everyone;
                        view! {
                        <Intro everyone=page.everyone />
                        <Filters query=query.clone() everyone=page.everyone error=None />
                        <Events page query />
                        {everyone.then(|| view! { <crate::pages::mail_section::OutgoingMail /> })}
                        }
                        .into_any()
                    }
                    Err(error @ AppError::Invalid(_)) => view! {
                        <Filters query everyone=true error=Some(error) />
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Intro(everyone: bool) -> impl IntoView {
    let lang = use_lang();
    let text = if everyone {
        lang.t("activity.intro.everyone")
    } else {
        lang.t("activity.intro.own")
    };
    view! { <p>{text}</p> }
}

#[component]
fn Filters(query: ActivityQuery, everyone: bool, error: Option<AppError>) -> impl IntoView {
    let lang = use_lang();
    let field_error = move |field: &str| {
        error.as_ref().and_then(|e| e.for_field(field, lang)).map(
            |message| view! { <p class="field-error" id=format!("{field}-error")>{message}</p> },
        )
    };
    let form_error = field_error("form");
    let from_error = field_error("from");
    let to_error = field_error("to");
    let action_error = field_error("action");
    view! {
        <form method="get" action="/activity" class="filters" role="search" aria-label=lang.t("activity.filter_label")>
            {form_error}
            {everyone.then(|| view! {
                <div class="field">
                    <label for="actor">{lang.t("activity.who")}</label>
                    <input id="actor" name="actor" type="search" value=query.actor.clone()
                        placeholder=lang.t("activity.who_placeholder") />
                </div>
            })}
            <div class="field">
                <label for="action">{lang.t("activity.action")}</label>
                <select id="action" name="action" aria-describedby="action-error">
                    <option value="" selected=query.action.is_empty()>{lang.t("activity.any_action")}</option>
                    {Action::ALL
                        .iter()
                        .map(|a| view! {
                            <option value=a.code() selected=query.action == a.code()>{lang.t(a.label_key())}</option>
                        })
                        .collect_view()}
                </select>
                {action_error}
            </div>
            <div class="field">
                <label for="target">{lang.t("activity.target_prefix")}</label>
                <input id="target" name="target" type="search" value=query.target.clone() />
            </div>
            <div class="field">
                <label for="from">{lang.t("activity.from")}</label>
                <input id="from" name="from" type="date" value=query.from.clone() aria-describedby="from-error" />
                {from_error}
            </div>
            <div class="field">
                <label for="to">{lang.t("activity.to")}</label>
                <input id="to" name="to" type="date" value=query.to.clone() aria-describedby="to-error" />
                {to_error}
            </div>
            <button type="submit">{lang.t("activity.filter")}</button>
            <A href="/activity">{lang.t("activity.clear")}</A>
        </form>
    }
}

#[component]
fn Events(page: ActivityPage, query: ActivityQuery) -> impl IntoView {
    let lang = use_lang();
    let filter = query.to_query_string();
    let csv = if filter.is_empty() {
        "/activity.csv".to_owned()
    } else {
        format!("/activity.csv?{filter}")
    };
    // The same file with a byte order mark, without which spreadsheets misread accents.
    let csv_for_spreadsheets = if filter.is_empty() {
        "/activity.csv?bom=1".to_owned()
    } else {
        format!("/activity.csv?{filter}&bom=1")
    };
    let first_page = !query.after.is_empty();
    let first = if filter.is_empty() {
        "/activity".to_owned()
    } else {
        format!("/activity?{filter}")
    };
    let older = page.next.clone().map(|after| {
        let join = if filter.is_empty() { "" } else { "&" };
        format!("/activity?{filter}{join}after={after}")
    });
    if page.events.is_empty() {
        let text = if filter.is_empty() {
            lang.t("activity.empty")
        } else {
            lang.t("activity.no_match")
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    let own = page.account.clone();
    view! {
        <p class="table-actions">
            <a href=csv download="activity.csv" rel="external">{lang.t("activity.download")}</a>
            " "
            <a href=csv_for_spreadsheets download="activity.csv" rel="external">{lang.t("activity.download_spreadsheet")}</a>
        </p>
        <DataTable
            class="activity"
            caption=lang.t("activity.caption")
            columns=vec![
                lang.t("activity.when"),
                lang.t("activity.who"),
                lang.t("activity.action"),
                lang.t("activity.target"),
                lang.t("activity.result"),
                lang.t("activity.origin"),
            ]
            rows=page.events
            row=move |event| view! { <EventRow event own=own.clone() /> }
        />
        <nav class="pagination" aria-label=lang.t("activity.pages")>
            {first_page.then(|| view! { <a href=first.clone()>{lang.t("activity.newest")}</a> })}
            {older.map(|href| view! { <a href=href rel="next">{lang.t("activity.older")}</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn EventRow(event: EventView, own: String) -> impl IntoView {
    let lang = use_lang();
    let action = Action::from_code(&event.action)
        .map_or(event.action.clone(), |a| lang.t(a.label_key()).to_owned());
    let elsewhere = (event.account != own && !event.account.is_empty()).then(|| {
        let text = lang.tf("activity.in_account", &[("account", &event.account)]);
        view! { <span class="muted">" " {text}</span> }
    });
    let acting = event.acting_from.clone().map(|home| {
        let text = lang.tf("activity.acting_from", &[("account", &home)]);
        view! { <span class="muted">" " {text}</span> }
    });
    let how = match &event.key_id {
        Some(key) => format!("{} · {key}", event.via),
        None => event.via.clone(),
    };
    let result = if event.success {
        view! { <span class="badge ok">{lang.t("activity.success")}</span> }.into_any()
    } else {
        view! { <span class="badge warn">{lang.t("activity.failure")}</span> }.into_any()
    };
    let detail = (!event.detail.is_empty())
        .then(|| view! { <span class="muted">" " {event.detail.clone()}</span> });
    view! {
        <tr>
            <td><time datetime=event.at.to_string()>{lang.datetime(event.at)}</time></td>
            <td>
                <span class="mono">{event.actor.clone()}</span>
                {acting}
                <br />
                <span class="muted">{how}</span>
            </td>
            <td>{action}{elsewhere}</td>
            <td class="mono">{event.target.clone()}</td>
            <td>{result}{detail}</td>
            <td>{event.ip.clone()}<br /><span class="muted">{event.client.clone()}</span></td>
        </tr>
    }
}
