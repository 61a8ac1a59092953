//! "Activity": the account's activity log, newest first. Administrators see every event of the
//! account and its sub-accounts; others see their own. The filter form is a plain GET form, so
//! a filtered view is a link, and "Download CSV" takes the same filter.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::activity::{ActivityPage, ActivityQuery, EventView, list_activity};
use crate::components::form::ErrorMessage;
use crate::domain::activity::Action;
use crate::error::AppError;

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
    view! {
        <Title text="Activity" />
        <h1>"Activity"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let query = query.get_untracked();
                match events.await {
                    Ok(page) => view! {
                        <Intro everyone=page.everyone />
                        <Filters query=query.clone() everyone=page.everyone error=None />
                        <Events page query />
                    }
                    .into_any(),
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
    let text = if everyone {
        "Everything done in this account and its sub-accounts: who, what, when, from where, and whether it worked."
    } else {
        "What you have done in this account: logins, password and two-factor changes, and your API credentials."
    };
    view! { <p>{text}</p> }
}

#[component]
fn Filters(query: ActivityQuery, everyone: bool, error: Option<AppError>) -> impl IntoView {
    let field_error = move |field: &str| {
        error.as_ref().and_then(|e| e.for_field(field)).map(
            |message| view! { <p class="field-error" id=format!("{field}-error")>{message}</p> },
        )
    };
    let form_error = field_error("form");
    let from_error = field_error("from");
    let to_error = field_error("to");
    let action_error = field_error("action");
    view! {
        <form method="get" action="/activity" class="filters" role="search" aria-label="Filter activity">
            {form_error}
            {everyone.then(|| view! {
                <div class="field">
                    <label for="actor">"Who"</label>
                    <input id="actor" name="actor" type="search" value=query.actor.clone()
                        placeholder="Login, or ACCOUNT-ID/login" />
                </div>
            })}
            <div class="field">
                <label for="action">"Action"</label>
                <select id="action" name="action" aria-describedby="action-error">
                    <option value="" selected=query.action.is_empty()>"Any action"</option>
                    {Action::ALL
                        .iter()
                        .map(|a| view! {
                            <option value=a.code() selected=query.action == a.code()>{a.label()}</option>
                        })
                        .collect_view()}
                </select>
                {action_error}
            </div>
            <div class="field">
                <label for="target">"Target starts with"</label>
                <input id="target" name="target" type="search" value=query.target.clone() />
            </div>
            <div class="field">
                <label for="from">"From"</label>
                <input id="from" name="from" type="date" value=query.from.clone() aria-describedby="from-error" />
                {from_error}
            </div>
            <div class="field">
                <label for="to">"To"</label>
                <input id="to" name="to" type="date" value=query.to.clone() aria-describedby="to-error" />
                {to_error}
            </div>
            <button type="submit">"Filter"</button>
            <A href="/activity">"Clear"</A>
        </form>
    }
}

#[component]
fn Events(page: ActivityPage, query: ActivityQuery) -> impl IntoView {
    let filter = query.to_query_string();
    let csv = if filter.is_empty() {
        "/activity.csv".to_owned()
    } else {
        format!("/activity.csv?{filter}")
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
            "No activity yet."
        } else {
            "No event matches these filters."
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    let own = page.account.clone();
    let rows = page
        .events
        .into_iter()
        .map(|e| view! { <EventRow event=e own=own.clone() /> })
        .collect_view();
    view! {
        <p class="table-actions">
            <a href=csv download="activity.csv" rel="external">"Download CSV"</a>
        </p>
        <div class="table-wrap">
            <table class="activity">
                <caption class="visually-hidden">"Events, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Result"</th>
                        <th scope="col">"From"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pagination" aria-label="Activity pages">
            {first_page.then(|| view! { <a href=first.clone()>"Newest"</a> })}
            {older.map(|href| view! { <a href=href rel="next">"Older events"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn EventRow(event: EventView, own: String) -> impl IntoView {
    let action =
        Action::from_code(&event.action).map_or(event.action.clone(), |a| a.label().to_owned());
    let elsewhere = (event.account != own && !event.account.is_empty())
        .then(|| view! { <span class="muted">" in " {event.account.clone()}</span> });
    let acting = event
        .acting_from
        .clone()
        .map(|home| view! { <span class="muted">" (from " {home} ")"</span> });
    let how = match &event.key_id {
        Some(key) => format!("{} · {key}", event.via),
        None => event.via.clone(),
    };
    let result = if event.success {
        view! { <span class="badge ok">"Success"</span> }.into_any()
    } else {
        view! { <span class="badge warn">"Failure"</span> }.into_any()
    };
    let detail = (!event.detail.is_empty())
        .then(|| view! { <span class="muted">" " {event.detail.clone()}</span> });
    view! {
        <tr>
            <td><time datetime=event.at.to_string()>{event.when.clone()}</time></td>
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
