//! "Sub-accounts": the list, "Create a sub-account", one sub-account's page (edit, status,
//! KYC, credentials, manage), and the confirmation before deleting one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::sub_accounts::{
    CompleteSubAccountKyc, CreateSubAccount, DeleteSubAccount, ManageSubAccount,
    RotateSubAccountCredentials, SetSubAccountEnabled, SubAccountPage, SubAccountQuery,
    SubAccountView, UpdateSubAccount, get_sub_account, list_sub_accounts,
};
use crate::components::copy::CopyButton;
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};
use crate::components::shell::CurrentUser;
use crate::domain::KycMode;
use crate::domain::sub_account::BUSINESS_TYPES;

#[component]
pub fn SubAccountsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| SubAccountQuery {
            q: p.get("q").unwrap_or_default(),
            page: p.get("page").and_then(|v| v.parse().ok()).unwrap_or(1),
        })
    });
    let page = Resource::new(move || query.get(), list_sub_accounts);
    let deleted = move || params.with(|p| p.get("deleted").is_some());
    view! {
        <Title text="Sub-accounts" />
        <h1>"Sub-accounts"</h1>
        <p class="lead">
            "A sub-account is a separate account for a customer, a team or a department: its own account ID, users and API credentials. Its users cannot see this account or the other sub-accounts."
        </p>
        {move || deleted().then(|| view! { <p class="notice" role="status">"Sub-account deleted."</p> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <SubAccountList page query=query.get_untracked() /> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SubAccountList(page: SubAccountPage, query: SubAccountQuery) -> impl IntoView {
    if page.is_sub_account {
        return view! {
            <p class="notice">"This is a sub-account: sub-accounts cannot have sub-accounts of their own."</p>
        }
        .into_any();
    }
    let previous = (page.page > 1).then(|| {
        SubAccountQuery {
            page: page.page - 1,
            ..query.clone()
        }
        .href()
    });
    let next = (page.page < page.pages).then(|| {
        SubAccountQuery {
            page: page.page + 1,
            ..query.clone()
        }
        .href()
    });
    let rows = page
        .items
        .iter()
        .cloned()
        .map(|s| {
            let href = format!("/sub-accounts/{}", s.id);
            let kyc = view! { <KycBadge sub=s.clone() /> };
            view! {
                <tr>
                    <td class="mono"><A href=href>{s.account_id.clone()}</A></td>
                    <td>{s.name.clone()}</td>
                    <td>{s.description.clone()}</td>
                    <td><StatusBadge enabled=s.enabled /></td>
                    <td>{kyc}</td>
                    <td class="numeric">{s.rate_limit.to_string()}" / min"</td>
                    <td>{s.created.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = page.items.is_empty();
    view! {
        <div class="toolbar">
            <form method="get" action="/sub-accounts" class="search" role="search">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" value=query.q.clone() placeholder="Name, ID or description" />
                <button type="submit" class="secondary">"Search"</button>
            </form>
            {page.can_manage.then(|| view! {
                <A href="/sub-accounts/new" attr:class="button">"Create a sub-account"</A>
            })}
        </div>
        {if empty {
            view! {
                <p class="notice">
                    {if query.q.is_empty() { "No sub-accounts yet." } else { "No sub-account matches this search." }}
                </p>
            }
            .into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="sub-accounts">
                        <thead>
                            <tr>
                                <th scope="col">"ID"</th>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Description"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"KYC"</th>
                                <th scope="col">"Rate limit"</th>
                                <th scope="col">"Created"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
        <nav class="pagination" aria-label="Pages">
            {previous.map(|href| view! { <A href=href attr:rel="prev">"Previous"</A> })}
            <span>{format!("Page {} of {} · {} sub-accounts", page.page, page.pages, page.total)}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">"Next"</A> })}
        </nav>
    }
    .into_any()
}

#[component]
fn StatusBadge(enabled: bool) -> impl IntoView {
    if enabled {
        view! { <span class="status status-ok">"Enabled"</span> }
    } else {
        view! { <span class="status status-disabled">"Disabled"</span> }
    }
}

#[component]
fn KycBadge(sub: SubAccountView) -> impl IntoView {
    let text = if sub.kyc_mode != KycMode::CustomerUse.code() {
        "Personal use"
    } else if sub.kyc_calls_blocked {
        "Customer use · calls blocked until KYC"
    } else {
        "Customer use · KYC complete"
    };
    view! { <span>{text}</span> }
}

/// The fields shared by the create and edit forms, under the names `form[...]`.
#[component]
fn SubAccountFields(
    errors: FormErrors,
    /// The sub-account being edited; `None` for a new one.
    current: Option<SubAccountView>,
) -> impl IntoView {
    let editing = current.is_some();
    let value = |f: fn(&SubAccountView) -> String| current.as_ref().map(f);
    let calls = current.as_ref().is_none_or(|s| s.calls);
    let cdr = current.as_ref().is_none_or(|s| s.cdr);
    let kyc = current.as_ref().map_or_else(
        || KycMode::PersonalUse.code().to_owned(),
        |s| s.kyc_mode.clone(),
    );
    let business = current
        .as_ref()
        .map(|s| s.business_type.clone())
        .unwrap_or_default();
    view! {
        <TextField id="name" name="form[name]" label="Name" required=true maxlength=100
            hint="Unique among this account's sub-accounts."
            initial=value(|s| s.name.clone()).unwrap_or_default() error=errors.field("name") />
        <TextField id="description" name="form[description]" label="Description (optional)" maxlength=255
            initial=value(|s| s.description.clone()).unwrap_or_default() error=errors.field("description") />
        <TextField id="email" name="form[email]" label="Email" input_type="email" autocomplete="off"
            hint="Required for customer use (KYC)."
            initial=value(|s| s.email.clone()).unwrap_or_default() error=errors.field("email") />
        <TextField id="phone" name="form[phone]" label="Phone (optional)" input_type="tel" autocomplete="off"
            hint="International format, such as +33 1 23 45 67 89."
            initial=value(|s| s.phone.clone()).unwrap_or_default() error=errors.field("phone") />
        <TextField id="rate_limit" name="form[rate_limit]" label="Rate limit (API requests per minute)" input_type="number"
            hint="From 1 to 100000."
            initial=value(|s| s.rate_limit.to_string()).unwrap_or_else(|| "1000".to_owned())
            error=errors.field("rate_limit") />
        <fieldset class="field">
            <legend>"Permissions"</legend>
            <label class="check"><input type="checkbox" name="form[calls]" value="on" checked=calls />" Calls"</label>
            <label class="check"><input type="checkbox" name="form[cdr]" value="on" checked=cdr />" Call detail records (CDR)"</label>
        </fieldset>
        {(!editing).then(|| view! {
            <fieldset class="field">
                <legend>"Status"</legend>
                <label class="check"><input type="checkbox" name="form[enabled]" value="on" checked=true />" Enabled"</label>
            </fieldset>
        })}
        <div class="field" class:invalid=move || errors.field("kyc_mode").get().is_some()>
            <label for="kyc_mode">"KYC mode"</label>
            <select id="kyc_mode" name="form[kyc_mode]" aria-describedby="kyc_mode-hint kyc_mode-error">
                {KycMode::ALL.into_iter().map(|m| {
                    let selected = m.code() == kyc;
                    view! { <option value=m.code() selected=selected>{m.label()}</option> }
                }).collect_view()}
            </select>
            <p class="hint" id="kyc_mode-hint">"Customer use blocks calls until an Administrator marks KYC complete."</p>
            <p class="field-error" id="kyc_mode-error" aria-live="polite">{move || errors.field("kyc_mode").get()}</p>
        </div>
        <div class="field" class:invalid=move || errors.field("business_type").get().is_some()>
            <label for="business_type">"Business type (optional)"</label>
            <select id="business_type" name="form[business_type]" aria-describedby="business_type-error">
                <option value="" selected=business.is_empty()>"Not given"</option>
                {BUSINESS_TYPES.into_iter().map(|(code, label)| {
                    let selected = code == business;
                    view! { <option value=code selected=selected>{label}</option> }
                }).collect_view()}
            </select>
            <p class="field-error" id="business_type-error" aria-live="polite">{move || errors.field("business_type").get()}</p>
        </div>
        <TextField id="password" name="form[password]"
            label=if editing { "New password for the sub-account holder (optional)" } else { "Password for the sub-account holder (optional)" }
            input_type="password" autocomplete="new-password"
            hint=if editing { "Leave empty to keep the current one." } else { "Lets the holder log in with the sub-account ID. Leave empty for API use only." }
            error=errors.field("password") />
    }
}

#[component]
pub fn NewSubAccountPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let create = ServerAction::<CreateSubAccount>::new();
    let errors = FormErrors::from_action(create);
    view! {
        <Title text="Create a sub-account" />
        <p class="breadcrumb"><A href="/sub-accounts">"Sub-accounts"</A></p>
        <h1>"Create a sub-account"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let me = current.await.ok().flatten()?;
                Some(if !me.can_manage_users {
                    view! { <p class="alert" role="alert">"Only Administrators can create sub-accounts."</p> }.into_any()
                } else if me.acting.is_some() || me.is_sub_account {
                    view! { <p class="alert" role="alert">"Sub-accounts cannot have sub-accounts of their own."</p> }.into_any()
                } else {
                    view! {
                        <ActionForm action=create attr:class="form wide">
                            <FormAlert message=errors.form() />
                            <SubAccountFields errors current=None />
                            <p class="hint">"Its API credentials are shown once, right after creation."</p>
                            <p class="actions">
                                <button type="submit">"Create sub-account"</button>
                                <A href="/sub-accounts">"Cancel"</A>
                            </p>
                        </ActionForm>
                    }
                    .into_any()
                })
            })}
        </Suspense>
    }
}

fn id_param() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse().ok()).unwrap_or(0)))
}

#[component]
pub fn SubAccountDetailPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let id = id_param();
    let update = ServerAction::<UpdateSubAccount>::new();
    let set_enabled = ServerAction::<SetSubAccountEnabled>::new();
    let kyc = ServerAction::<CompleteSubAccountKyc>::new();
    let sub = Resource::new(
        move || {
            (
                id.get(),
                set_enabled.version().get(),
                kyc.version().get(),
                update.version().get(),
            )
        },
        |(id, ..)| get_sub_account(id),
    );
    let saved = use_query_map();
    let saved = move || saved.with(|p| p.get("saved").is_some());
    view! {
        <Title text="Sub-account" />
        <p class="breadcrumb"><A href="/sub-accounts">"Sub-accounts"</A></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let me = current.await.ok().flatten();
                let manage = me.as_ref().is_some_and(|m| m.can_manage_users);
                match sub.await {
                    Ok(sub) => view! {
                        <h1>{sub.name.clone()} " " <span class="mono subtle">{sub.account_id.clone()}</span></h1>
                        {saved().then(|| view! { <p class="notice" role="status">"Changes saved."</p> })}
                        <Summary sub=sub.clone() />
                        {manage.then(|| view! {
                            <Controls sub=sub.clone() set_enabled kyc />
                            <EditSubAccount sub update />
                        })}
                    }
                    .into_any(),
                    Err(e) => view! { <h1>"Sub-account"</h1> <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Summary(sub: SubAccountView) -> impl IntoView {
    let account_id = sub.account_id.clone();
    view! {
        <section class="card" aria-labelledby="summary-heading">
            <h2 id="summary-heading">"Summary"</h2>
            <dl class="facts">
                <dt>"Account ID"</dt>
                <dd><span class="mono">{account_id.clone()}</span> <CopyButton value=account_id label="Copy account ID" /></dd>
                <dt>"Numeric id"</dt><dd class="mono">{sub.id.to_string()}</dd>
                <dt>"Status"</dt><dd><StatusBadge enabled=sub.enabled /></dd>
                <dt>"KYC"</dt><dd><KycBadge sub=sub.clone() /></dd>
                <dt>"Rate limit"</dt><dd>{sub.rate_limit.to_string()}" API requests per minute"</dd>
                <dt>"Permissions"</dt>
                <dd>{match (sub.calls, sub.cdr) {
                    (true, true) => "Calls, CDR",
                    (true, false) => "Calls",
                    (false, true) => "CDR",
                    (false, false) => "None",
                }}</dd>
                <dt>"Business type"</dt><dd>{if sub.business_type_label.is_empty() { "Not given".to_owned() } else { sub.business_type_label.clone() }}</dd>
                <dt>"Users"</dt><dd>{sub.users.to_string()}</dd>
                <dt>"API auth_id"</dt><dd class="mono">{sub.auth_id.clone().unwrap_or_else(|| "None".to_owned())}</dd>
                <dt>"Credentials issued"</dt><dd>{sub.credentials_issued.clone().unwrap_or_else(|| "Never".to_owned())}</dd>
                <dt>"Created"</dt><dd>{sub.created.clone()}</dd>
                <dt>"Last changed"</dt><dd>{sub.updated.clone()}</dd>
            </dl>
        </section>
    }
}

#[component]
fn Controls(
    sub: SubAccountView,
    set_enabled: ServerAction<SetSubAccountEnabled>,
    kyc: ServerAction<CompleteSubAccountKyc>,
) -> impl IntoView {
    let manage = ServerAction::<ManageSubAccount>::new();
    expect_context::<CurrentUser>().reload_after(manage);
    let rotate = ServerAction::<RotateSubAccountCredentials>::new();
    let errors = [
        FormErrors::from_action(set_enabled),
        FormErrors::from_action(kyc),
        FormErrors::from_action(manage),
        FormErrors::from_action(rotate),
    ];
    let error = Signal::derive(move || errors.iter().find_map(|e| e.any().get()));
    let id = sub.id;
    let (toggle_value, toggle_text, toggle_hint) = if sub.enabled {
        (
            "false",
            "Disable",
            "Its users can no longer log in and its credentials stop working, at once.",
        )
    } else {
        ("true", "Enable", "Its users and credentials work again.")
    };
    view! {
        <section class="card" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Actions"</h2>
            <FormAlert message=error />
            <div class="action-row">
                <ActionForm action=manage>
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit">"Manage this sub-account"</button>
                </ActionForm>
                <p class="hint">"Opens its User management. What you do there is recorded as done by you."</p>
            </div>
            <div class="action-row">
                <ActionForm action=rotate>
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit" class="secondary">"Rotate credentials"</button>
                </ActionForm>
                <p class="hint">"A new token is shown once; the current one stops working at once."</p>
            </div>
            <div class="action-row">
                <ActionForm action=set_enabled>
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="enabled" value=toggle_value />
                    <button type="submit" class="secondary">{toggle_text}</button>
                </ActionForm>
                <p class="hint">{toggle_hint}</p>
            </div>
            {sub.kyc_calls_blocked.then(|| view! {
                <div class="action-row">
                    <ActionForm action=kyc>
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit" class="secondary">"Mark KYC complete"</button>
                    </ActionForm>
                    <p class="hint">"Calls are blocked until KYC is complete."</p>
                </div>
            })}
            <div class="action-row">
                <A href=format!("/sub-accounts/{}/delete", sub.id) attr:class="button danger">"Delete…"</A>
                <p class="hint">"Removes the sub-account, its users and its credentials."</p>
            </div>
        </section>
    }
}

#[component]
fn EditSubAccount(sub: SubAccountView, update: ServerAction<UpdateSubAccount>) -> impl IntoView {
    let errors = FormErrors::from_action(update);
    let id = sub.id.to_string();
    view! {
        <section class="card" aria-labelledby="edit-heading">
            <h2 id="edit-heading">"Edit"</h2>
            <ActionForm action=update attr:class="form wide">
                <FormAlert message=errors.form() />
                <input type="hidden" name="id" value=id />
                <SubAccountFields errors current=Some(sub) />
                <p class="actions"><button type="submit">"Save"</button></p>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn DeleteSubAccountPage() -> impl IntoView {
    let id = id_param();
    let sub = Resource::new(move || id.get(), get_sub_account);
    let delete = ServerAction::<DeleteSubAccount>::new();
    let errors = FormErrors::from_action(delete);
    view! {
        <Title text="Delete sub-account" />
        <p class="breadcrumb"><A href="/sub-accounts">"Sub-accounts"</A></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sub.await {
                    Ok(sub) => view! {
                        <h1>"Delete " {sub.name.clone()} "?"</h1>
                        <p class="alert">
                            "Deleting " <strong>{sub.name.clone()}</strong> " (" <span class="mono">{sub.account_id.clone()}</span>
                            ") is final: its " {sub.users.to_string()} " users and its API credentials stop working at once and cannot be restored."
                        </p>
                        <ActionForm action=delete attr:class="form">
                            <FormAlert message=errors.form() />
                            <input type="hidden" name="id" value=sub.id.to_string() />
                            <TextField id="confirm_name" label="Type the sub-account's name to confirm" autocomplete="off" required=true
                                error=errors.field("confirm_name") />
                            <p class="actions">
                                <button type="submit" class="danger">"Delete sub-account"</button>
                                <A href=format!("/sub-accounts/{}", sub.id)>"Cancel"</A>
                            </p>
                        </ActionForm>
                    }
                    .into_any(),
                    Err(e) => view! { <h1>"Delete sub-account"</h1> <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
