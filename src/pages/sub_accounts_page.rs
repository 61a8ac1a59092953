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
use crate::components::app_shell::{CurrentUser, WithCurrentUser};
use crate::components::async_content::AsyncContent;
use crate::components::breadcrumb::Breadcrumb;
use crate::components::card::Card;
use crate::components::copy_button::CopyButton;
use crate::components::data_table::DataTable;
use crate::components::form_action::FormAction;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::labels::time_or_never;
use crate::components::pagination::Pagination;
use crate::components::query_notice::QueryNotice;
use crate::components::select_field::{Choice, SelectField};
use crate::components::text_field::TextField;
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
    let lang = use_lang();
    view! {
        <Title text=lang.t("nav.sub_accounts") />
        <h1>{lang.t("nav.sub_accounts")}</h1>
        <p class="lead">{lang.t("sub.lead")}</p>
        <QueryNotice param="deleted" text=lang.t("sub.deleted") />
        <AsyncContent resource=page let:page>
            <SubAccountList page query=query.get_untracked() />
        </AsyncContent>
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
    let empty = if query.q.is_empty() {
        lang.t("sub.empty")
    } else {
        lang.t("sub.no_match")
    };
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
        <DataTable
            class="sub-accounts"
            columns=vec![
                lang.t("field.login"),
                lang.t("field.name"),
                lang.t("field.description"),
                lang.t("users.col.status"),
                lang.t("sub.kyc"),
                lang.t("sub.rate_limit"),
                lang.t("users.col.created"),
            ]
            empty
            rows=page.items
            row=|sub| view! { <SubAccountRow sub /> }
        />
        <Pagination page=page.page pages=page.pages total=page.total summary=key!("sub.page_of")
            href=move |n| SubAccountQuery { page: n, ..query.clone() }.href() />
    }
    .into_any()
}

/// A sub-account in the list, its login linking to its page.
#[component]
fn SubAccountRow(sub: SubAccountView) -> impl IntoView {
    let lang = use_lang();
    let href = format!("/sub-accounts/{}", sub.id);
    let kyc = view! { <KycBadge sub=sub.clone() /> };
    view! {
        <tr>
            <td class="mono"><A href=href>{sub.account_id.clone()}</A></td>
            <td>{sub.name.clone()}</td>
            <td>{sub.description.clone()}</td>
            <td><StatusBadge enabled=sub.enabled /></td>
            <td>{kyc}</td>
            <td class="numeric">{lang.number(sub.rate_limit)}" / min"</td>
            <td>{lang.datetime(sub.created)}</td>
        </tr>
    }
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
    let kyc_modes = KycMode::ALL
        .into_iter()
        .map(|m| Choice::new(m.code(), lang.t(m.key()), m.code() == kyc))
        .collect();
    let not_given = Choice::new("", lang.t("sub.not_given"), business.is_empty());
    let business_types = std::iter::once(not_given)
        .chain(BUSINESS_TYPES.into_iter().map(|(code, label)| {
            let label = business_type_key(code).map_or(label, |k| lang.t(k));
            Choice::new(code, label, code == business)
        }))
        .collect();
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
        <SelectField id="kyc_mode" name="form[kyc_mode]" label=lang.t("sub.kyc_mode") choices=kyc_modes
            hint=lang.t("sub.kyc_mode_hint") error=errors.field("kyc_mode") />
        <SelectField id="business_type" name="form[business_type]" label=lang.t("sub.business_type_optional")
            choices=business_types error=errors.field("business_type") />
        <TextField id="password" name="form[password]"
            label=if editing { lang.t("sub.password_new") } else { lang.t("sub.password") }
            input_type="password" autocomplete="new-password"
            hint=if editing { lang.t("sub.password_keep") } else { lang.t("sub.password_hint") }
            error=errors.field("password") />
    }
}

#[component]
pub fn NewSubAccountPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("sub.create.title") />
        <Breadcrumb href="/sub-accounts" text=lang.t("nav.sub_accounts") />
        <h1>{lang.t("sub.create.title")}</h1>
        <WithCurrentUser let:me>
            {if !me.can_manage_users {
                view! { <p class="alert" role="alert">{lang.t("sub.only_admins")}</p> }.into_any()
            } else if me.acting.is_some() || me.is_sub_account {
                view! { <p class="alert" role="alert">{lang.t("sub.no_nesting")}</p> }.into_any()
            } else {
                view! { <NewSubAccountForm /> }.into_any()
            }}
        </WithCurrentUser>
    }
}

/// The form that creates a sub-account; its credentials are shown once afterwards.
#[component]
fn NewSubAccountForm() -> impl IntoView {
    let create = ServerAction::<CreateSubAccount>::new();
    let errors = FormErrors::from_action(create);
    let lang = use_lang();
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
}

fn id_param() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse().ok()).unwrap_or(0)))
}

#[component]
pub fn SubAccountDetailPage() -> impl IntoView {
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
    let lang = use_lang();
    view! {
        <Title text=lang.t("sub.title") />
        <Breadcrumb href="/sub-accounts" text=lang.t("nav.sub_accounts") />
        <AsyncContent resource=sub error_heading=lang.t("sub.title") let:sub>
            <h1>{sub.name.clone()} " " <span class="mono subtle">{sub.account_id.clone()}</span></h1>
            <QueryNotice param="saved" text=lang.t("sub.saved") />
            <Summary sub=sub.clone() />
            <WithCurrentUser let:me>
                {me.can_manage_users.then(|| view! {
                    <Controls sub=sub.clone() set_enabled kyc />
                    <EditSubAccount sub=sub.clone() update />
                })}
            </WithCurrentUser>
        </AsyncContent>
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
        <Card heading_id="summary-heading" title=lang.t("sub.summary")>
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
                <dt>{lang.t("sub.credentials_issued")}</dt><dd>{time_or_never(lang, sub.credentials_issued)}</dd>
                <dt>{lang.t("users.col.created")}</dt><dd>{lang.datetime(sub.created)}</dd>
                <dt>{lang.t("sub.updated")}</dt><dd>{lang.datetime(sub.updated)}</dd>
            </dl>
        </Card>
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
    let error = FormErrors::first_of([
        FormErrors::from_action(set_enabled),
        FormErrors::from_action(kyc),
        FormErrors::from_action(manage),
        FormErrors::from_action(rotate),
    ]);
    let id = sub.id;
    let lang = use_lang();
    let (toggle_value, toggle_text, toggle_hint) = if sub.enabled {
        ("false", lang.t("users.disable"), lang.t("sub.disable_hint"))
    } else {
        ("true", lang.t("users.enable"), lang.t("sub.enable_hint"))
    };
    view! {
        <Card heading_id="actions-heading" title=lang.t("common.actions")>
            <FormAlert message=error />
            <ActionRow action=manage id primary=true text=lang.t("sub.manage") hint=lang.t("sub.manage_hint") />
            <ActionRow action=rotate id text=lang.t("api_keys.account.rotate") hint=lang.t("sub.rotate_hint") />
            <ActionRow action=set_enabled id extra=("enabled", toggle_value) text=toggle_text hint=toggle_hint />
            {sub.kyc_calls_blocked.then(|| view! {
                <ActionRow action=kyc id text=lang.t("sub.kyc_complete") hint=lang.t("sub.kyc_blocked_hint") />
            })}
            <div class="action-row">
                <A href=format!("/sub-accounts/{}/delete", sub.id) attr:class="button danger">{lang.t("common.delete_ellipsis")}</A>
                <p class="hint">{lang.t("sub.delete_hint")}</p>
            </div>
        </Card>
    }
}

/// One of a sub-account's actions: a button that posts its `id` (and `extra`, a field and its
/// value) to `action`, and what it does beside it.
#[component]
fn ActionRow<A: FormAction>(
    action: ServerAction<A>,
    id: i64,
    text: &'static str,
    hint: &'static str,
    /// The page's main action, not drawn as a secondary one.
    #[prop(optional)]
    primary: bool,
    #[prop(optional)] extra: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="action-row">
            <ActionForm action>
                <input type="hidden" name="id" value=id.to_string() />
                {extra.map(|(name, value)| view! { <input type="hidden" name=name value=value /> })}
                <button type="submit" class=(!primary).then_some("secondary")>{text}</button>
            </ActionForm>
            <p class="hint">{hint}</p>
        </div>
    }
}

#[component]
fn EditSubAccount(sub: SubAccountView, update: ServerAction<UpdateSubAccount>) -> impl IntoView {
    let errors = FormErrors::from_action(update);
    let id = sub.id.to_string();
    let lang = use_lang();
    view! {
        <Card heading_id="edit-heading" title=lang.t("user_edit.heading")>
            <ActionForm action=update attr:class="form wide">
                <FormAlert message=errors.form() />
                <input type="hidden" name="id" value=id />
                <SubAccountFields errors current=Some(sub) />
                <p class="actions"><button type="submit">{lang.t("common.save")}</button></p>
            </ActionForm>
        </Card>
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
        <Breadcrumb href="/sub-accounts" text=lang.t("nav.sub_accounts") />
        <AsyncContent resource=sub error_heading=lang.t("sub.delete.title") let:sub>
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
        </AsyncContent>
    }
}
