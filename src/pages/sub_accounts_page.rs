//! "Sub-accounts": the list, "Create a sub-account", one sub-account's page (edit, status,
//! KYC, credentials, manage), and the confirmation before deleting one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::sub_account_fns::{
    CompleteSubAccountKyc, CreateSubAccount, DeleteSubAccount, ManageSubAccount,
    RotateSubAccountCredentials, SetSubAccountEnabled, SubAccountPage, SubAccountQuery,
    SubAccountView, UpdateSubAccount, get_sub_account, list_sub_accounts,
};
use crate::components::app_shell::CurrentUser;
use crate::components::copy_button::CopyButton;
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};
use crate::domain::KycMode;
use crate::domain::sub_account::BUSINESS_TYPES;
use crate::i18n::use_lang;
use crate::key;

/// The catalogue key of a business type's name, by its code.
fn business_type_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "individual" => key!("business.individual"),
        "proprietorship" => key!("business.proprietorship"),
        "private_limited" => key!("business.private_limited"),
        "llp" => key!("business.llp"),
        "partnership" => key!("business.partnership"),
        "public_limited" => key!("business.public_limited"),
        "trust" => key!("business.trust"),
        "society" => key!("business.society"),
        "huf" => key!("business.huf"),
        "government" => key!("business.government"),
        _ => return None,
    })
}

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
    let lang = use_lang();
    view! {
        <Title text=lang.t("nav.sub_accounts") />
        <h1>{lang.t("nav.sub_accounts")}</h1>
        <p class="lead">{lang.t("sub.lead")}</p>
        {move || deleted().then(|| view! { <p class="notice" role="status">{lang.t("sub.deleted")}</p> })}
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
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
    let lang = use_lang();
    if page.is_sub_account {
        return view! {
            <p class="notice">{lang.t("sub.is_sub_account")}</p>
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
                    <td class="numeric">{lang.number(s.rate_limit)}" / min"</td>
                    <td>{lang.datetime(s.created)}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = page.items.is_empty();
    view! {
        <div class="toolbar">
            <form method="get" action="/sub-accounts" class="search" role="search">
                <label for="q">{lang.t("users.search")}</label>
                <input id="q" name="q" type="search" value=query.q.clone() placeholder=lang.t("sub.search_placeholder") />
                <button type="submit" class="secondary">{lang.t("users.search")}</button>
            </form>
            {page.can_manage.then(|| view! {
                <A href="/sub-accounts/new" attr:class="button">{lang.t("sub.create.title")}</A>
            })}
        </div>
        {if empty {
            view! {
                <p class="notice">
                    {if query.q.is_empty() { lang.t("sub.empty") } else { lang.t("sub.no_match") }}
                </p>
            }
            .into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="sub-accounts">
                        <thead>
                            <tr>
                                <th scope="col">{lang.t("field.login")}</th>
                                <th scope="col">{lang.t("field.name")}</th>
                                <th scope="col">{lang.t("field.description")}</th>
                                <th scope="col">{lang.t("users.col.status")}</th>
                                <th scope="col">{lang.t("sub.kyc")}</th>
                                <th scope="col">{lang.t("sub.rate_limit")}</th>
                                <th scope="col">{lang.t("users.col.created")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
        <nav class="pagination" aria-label=lang.t("users.pages")>
            {previous.map(|href| view! { <A href=href attr:rel="prev">{lang.t("users.previous")}</A> })}
            <span>
                {lang.tf(
                    "sub.page_of",
                    &[
                        ("page", &lang.number(i64::from(page.page))),
                        ("pages", &lang.number(i64::from(page.pages))),
                        ("total", &lang.number(page.total)),
                    ],
                )}
            </span>
            {next.map(|href| view! { <A href=href attr:rel="next">{lang.t("users.next")}</A> })}
        </nav>
    }
    .into_any()
}

#[component]
fn StatusBadge(enabled: bool) -> impl IntoView {
    let lang = use_lang();
    if enabled {
        view! { <span class="status status-ok">{lang.t("sub.enabled")}</span> }
    } else {
        view! { <span class="status status-disabled">{lang.t("status.disabled")}</span> }
    }
}

#[component]
fn KycBadge(sub: SubAccountView) -> impl IntoView {
    let lang = use_lang();
    let text = if sub.kyc_mode != KycMode::CustomerUse.code() {
        lang.t("sub.kyc.personal")
    } else if sub.kyc_calls_blocked {
        lang.t("sub.kyc.blocked")
    } else {
        lang.t("sub.kyc.complete")
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
    let lang = use_lang();
    view! {
        <TextField id="name" name="form[name]" label=lang.t("field.name") required=true maxlength=100
            hint=lang.t("sub.name_hint")
            initial=value(|s| s.name.clone()).unwrap_or_default() error=errors.field("name") />
        <TextField id="description" name="form[description]" label=lang.t("field.description_optional") maxlength=255
            initial=value(|s| s.description.clone()).unwrap_or_default() error=errors.field("description") />
        <TextField id="email" name="form[email]" label=lang.t("field.email") input_type="email" autocomplete="off"
            hint=lang.t("sub.email_hint")
            initial=value(|s| s.email.clone()).unwrap_or_default() error=errors.field("email") />
        <TextField id="phone" name="form[phone]" label=lang.t("sub.phone") input_type="tel" autocomplete="off"
            hint=lang.t("sub.phone_hint")
            initial=value(|s| s.phone.clone()).unwrap_or_default() error=errors.field("phone") />
        <TextField id="rate_limit" name="form[rate_limit]" label=lang.t("sub.rate_limit_label") input_type="number"
            hint=lang.t("sub.rate_limit_hint")
            initial=value(|s| s.rate_limit.to_string()).unwrap_or_else(|| "1000".to_owned())
            error=errors.field("rate_limit") />
        <fieldset class="field">
            <legend>{lang.t("sub.permissions")}</legend>
            <label class="check"><input type="checkbox" name="form[calls]" value="on" checked=calls />" " {lang.t("sub.calls")}</label>
            <label class="check"><input type="checkbox" name="form[cdr]" value="on" checked=cdr />" " {lang.t("sub.cdr_long")}</label>
        </fieldset>
        {(!editing).then(|| view! {
            <fieldset class="field">
                <legend>{lang.t("users.col.status")}</legend>
                <label class="check"><input type="checkbox" name="form[enabled]" value="on" checked=true />" " {lang.t("sub.enabled")}</label>
            </fieldset>
        })}
        <div class="field" class:invalid=move || errors.field("kyc_mode").get().is_some()>
            <label for="kyc_mode">{lang.t("sub.kyc_mode")}</label>
            <select id="kyc_mode" name="form[kyc_mode]" aria-describedby="kyc_mode-hint kyc_mode-error">
                {KycMode::ALL.into_iter().map(|m| {
                    let selected = m.code() == kyc;
                    view! { <option value=m.code() selected=selected>{lang.t(m.key())}</option> }
                }).collect_view()}
            </select>
            <p class="hint" id="kyc_mode-hint">{lang.t("sub.kyc_mode_hint")}</p>
            <p class="field-error" id="kyc_mode-error" aria-live="polite">{move || errors.field("kyc_mode").get()}</p>
        </div>
        <div class="field" class:invalid=move || errors.field("business_type").get().is_some()>
            <label for="business_type">{lang.t("sub.business_type_optional")}</label>
            <select id="business_type" name="form[business_type]" aria-describedby="business_type-error">
                <option value="" selected=business.is_empty()>{lang.t("sub.not_given")}</option>
                {BUSINESS_TYPES.into_iter().map(|(code, label)| {
                    let selected = code == business;
                    let label = business_type_key(code).map_or(label, |k| lang.t(k));
                    view! { <option value=code selected=selected>{label}</option> }
                }).collect_view()}
            </select>
            <p class="field-error" id="business_type-error" aria-live="polite">{move || errors.field("business_type").get()}</p>
        </div>
        <TextField id="password" name="form[password]"
            label=if editing { lang.t("sub.password_new") } else { lang.t("sub.password") }
            input_type="password" autocomplete="new-password"
            hint=if editing { lang.t("sub.password_keep") } else { lang.t("sub.password_hint") }
            error=errors.field("password") />
    }
}

#[component]
pub fn NewSubAccountPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let create = ServerAction::<CreateSubAccount>::new();
    let errors = FormErrors::from_action(create);
    let lang = use_lang();
    view! {
        <Title text=lang.t("sub.create.title") />
        <p class="breadcrumb"><A href="/sub-accounts">{lang.t("nav.sub_accounts")}</A></p>
        <h1>{lang.t("sub.create.title")}</h1>
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                let me = current.await.ok().flatten()?;
                Some(if !me.can_manage_users {
                    view! { <p class="alert" role="alert">{lang.t("sub.only_admins")}</p> }.into_any()
                } else if me.acting.is_some() || me.is_sub_account {
                    view! { <p class="alert" role="alert">{lang.t("sub.no_nesting")}</p> }.into_any()
                } else {
                    view! {
                        <ActionForm action=create attr:class="form wide">
                            <FormAlert message=errors.form() />
                            <SubAccountFields errors current=None />
                            <p class="hint">{lang.t("sub.create.hint")}</p>
                            <p class="actions">
                                <button type="submit">{lang.t("sub.create.submit")}</button>
                                <A href="/sub-accounts">{lang.t("common.cancel")}</A>
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
    let lang = use_lang();
    view! {
        <Title text=lang.t("sub.title") />
        <p class="breadcrumb"><A href="/sub-accounts">{lang.t("nav.sub_accounts")}</A></p>
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                let me = current.await.ok().flatten();
                let manage = me.as_ref().is_some_and(|m| m.can_manage_users);
                match sub.await {
                    Ok(sub) => view! {
                        <h1>{sub.name.clone()} " " <span class="mono subtle">{sub.account_id.clone()}</span></h1>
                        {saved().then(|| view! { <p class="notice" role="status">{lang.t("sub.saved")}</p> })}
                        <Summary sub=sub.clone() />
                        {manage.then(|| view! {
                            <Controls sub=sub.clone() set_enabled kyc />
                            <EditSubAccount sub update />
                        })}
                    }
                    .into_any(),
                    Err(e) => view! { <h1>{lang.t("sub.title")}</h1> <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Summary(sub: SubAccountView) -> impl IntoView {
    let account_id = sub.account_id.clone();
    let lang = use_lang();
    let business = if sub.business_type.is_empty() {
        lang.t("sub.not_given").to_owned()
    } else {
        business_type_key(&sub.business_type)
            .map_or_else(|| sub.business_type_label.clone(), |k| lang.t(k).to_owned())
    };
    view! {
        <section class="card" aria-labelledby="summary-heading">
            <h2 id="summary-heading">{lang.t("sub.summary")}</h2>
            <dl class="facts">
                <dt>{lang.t("field.account_id")}</dt>
                <dd><span class="mono">{account_id.clone()}</span> <CopyButton value=account_id label=lang.t("common.copy_account_id") /></dd>
                <dt>{lang.t("sub.numeric_id")}</dt><dd class="mono">{sub.id.to_string()}</dd>
                <dt>{lang.t("users.col.status")}</dt><dd><StatusBadge enabled=sub.enabled /></dd>
                <dt>{lang.t("sub.kyc")}</dt><dd><KycBadge sub=sub.clone() /></dd>
                <dt>{lang.t("sub.rate_limit")}</dt><dd>{lang.tf("sub.per_minute", &[("n", &lang.number(sub.rate_limit))])}</dd>
                <dt>{lang.t("sub.permissions")}</dt>
                <dd>{match (sub.calls, sub.cdr) {
                    (true, true) => lang.t("sub.perm.calls_cdr"),
                    (true, false) => lang.t("sub.calls"),
                    (false, true) => lang.t("sub.cdr"),
                    (false, false) => lang.t("sub.perm.none"),
                }}</dd>
                <dt>{lang.t("sub.business_type")}</dt><dd>{business}</dd>
                <dt>{lang.t("groups.users")}</dt><dd>{lang.number(sub.users)}</dd>
                <dt>"API auth_id"</dt><dd class="mono">{sub.auth_id.clone().unwrap_or_else(|| lang.t("sub.perm.none").to_owned())}</dd>
                <dt>{lang.t("sub.credentials_issued")}</dt><dd>{sub.credentials_issued.map_or_else(|| lang.t("users.never").to_owned(), |at| lang.datetime(at))}</dd>
                <dt>{lang.t("users.col.created")}</dt><dd>{lang.datetime(sub.created)}</dd>
                <dt>{lang.t("sub.updated")}</dt><dd>{lang.datetime(sub.updated)}</dd>
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
    let lang = use_lang();
    let (toggle_value, toggle_text, toggle_hint) = if sub.enabled {
        ("false", lang.t("users.disable"), lang.t("sub.disable_hint"))
    } else {
        ("true", lang.t("users.enable"), lang.t("sub.enable_hint"))
    };
    view! {
        <section class="card" aria-labelledby="actions-heading">
            <h2 id="actions-heading">{lang.t("common.actions")}</h2>
            <FormAlert message=error />
            <div class="action-row">
                <ActionForm action=manage>
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit">{lang.t("sub.manage")}</button>
                </ActionForm>
                <p class="hint">{lang.t("sub.manage_hint")}</p>
            </div>
            <div class="action-row">
                <ActionForm action=rotate>
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit" class="secondary">{lang.t("api_keys.account.rotate")}</button>
                </ActionForm>
                <p class="hint">{lang.t("sub.rotate_hint")}</p>
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
                        <button type="submit" class="secondary">{lang.t("sub.kyc_complete")}</button>
                    </ActionForm>
                    <p class="hint">{lang.t("sub.kyc_blocked_hint")}</p>
                </div>
            })}
            <div class="action-row">
                <A href=format!("/sub-accounts/{}/delete", sub.id) attr:class="button danger">{lang.t("common.delete_ellipsis")}</A>
                <p class="hint">{lang.t("sub.delete_hint")}</p>
            </div>
        </section>
    }
}

#[component]
fn EditSubAccount(sub: SubAccountView, update: ServerAction<UpdateSubAccount>) -> impl IntoView {
    let errors = FormErrors::from_action(update);
    let id = sub.id.to_string();
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="edit-heading">
            <h2 id="edit-heading">{lang.t("user_edit.heading")}</h2>
            <ActionForm action=update attr:class="form wide">
                <FormAlert message=errors.form() />
                <input type="hidden" name="id" value=id />
                <SubAccountFields errors current=Some(sub) />
                <p class="actions"><button type="submit">{lang.t("common.save")}</button></p>
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
    let lang = use_lang();
    view! {
        <Title text=lang.t("sub.delete.title") />
        <p class="breadcrumb"><A href="/sub-accounts">{lang.t("nav.sub_accounts")}</A></p>
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match sub.await {
                    Ok(sub) => view! {
                        <h1>{lang.tf("sub.delete.heading", &[("name", &sub.name)])}</h1>
                        <p class="alert">
                            {lang.tf(
                                "sub.delete.warning",
                                &[("name", &sub.name), ("id", &sub.account_id), ("users", &lang.number(sub.users))],
                            )}
                        </p>
                        <ActionForm action=delete attr:class="form">
                            <FormAlert message=errors.form() />
                            <input type="hidden" name="id" value=sub.id.to_string() />
                            <TextField id="confirm_name" label=lang.t("sub.delete.confirm") autocomplete="off" required=true
                                error=errors.field("confirm_name") />
                            <p class="actions">
                                <button type="submit" class="danger">{lang.t("sub.delete.title")}</button>
                                <A href=format!("/sub-accounts/{}", sub.id)>{lang.t("common.cancel")}</A>
                            </p>
                        </ActionForm>
                    }
                    .into_any(),
                    Err(e) => view! { <h1>{lang.t("sub.delete.title")}</h1> <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
