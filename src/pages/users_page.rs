//! "User management": the account's delegated users, searchable, filterable, sortable and paged
//! on the server. Administrators get the controls that change them; None and User read only.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth_fns::Me;
use crate::api::invitation_fns::{ResendInvitation, RevokeInvitation};
use crate::api::user_fns::{
    EndUserSessions, GroupView, PER_PAGE, SetUserDisabled, TurnOffUserTwoFactor, UnlockUser,
    UserPage, UserQuery, UserView, list_groups, list_users,
};
use crate::components::app_shell::CurrentUser;
use crate::components::copy_button::CopyButton;
use crate::components::data_table::DataTable;
use crate::components::error_message::ErrorMessage;
use crate::components::form_action::FormAction;
use crate::components::form_errors::FormAlert;
use crate::components::form_errors::FormErrors;
use crate::components::labels::{role_text, time_or_never};
use crate::components::loading::Loading;
use crate::components::pagination::Pagination;
use crate::components::select_field::{Choice, SelectField};
use crate::domain::privilege::UserStatus;
use crate::i18n::{Lang, use_lang};
use crate::key;

/// The columns the table sorts by, with their query-string names and titles' keys.
const SORTABLE: [(&str, &str); 7] = [
    ("login", key!("users.col.login")),
    ("email", key!("field.email")),
    ("privilege", key!("field.privilege")),
    ("status", key!("users.col.status")),
    ("created", key!("users.col.created")),
    ("password_changed", key!("users.col.password_changed")),
    ("last_login", key!("users.col.last_login")),
];

/// The actions a row's menu posts; after any of them the list loads again.
#[derive(Clone, Copy)]
struct RowActions {
    set_disabled: ServerAction<SetUserDisabled>,
    end_sessions: ServerAction<EndUserSessions>,
    turn_off_two_factor: ServerAction<TurnOffUserTwoFactor>,
    unlock: ServerAction<UnlockUser>,
    resend_invitation: ServerAction<ResendInvitation>,
    revoke_invitation: ServerAction<RevokeInvitation>,
}

impl RowActions {
    fn new() -> Self {
        Self {
            set_disabled: ServerAction::new(),
            end_sessions: ServerAction::new(),
            turn_off_two_factor: ServerAction::new(),
            unlock: ServerAction::new(),
            resend_invitation: ServerAction::new(),
            revoke_invitation: ServerAction::new(),
        }
    }

    /// Changes each time one of them completes.
    fn versions(self) -> [usize; 6] {
        [
            self.set_disabled.version().get(),
            self.end_sessions.version().get(),
            self.turn_off_two_factor.version().get(),
            self.unlock.version().get(),
            self.resend_invitation.version().get(),
            self.revoke_invitation.version().get(),
        ]
    }

    /// The last error of any of them, as one message.
    fn errors(self) -> Signal<Option<String>> {
        FormErrors::first_of([
            FormErrors::from_action(self.set_disabled),
            FormErrors::from_action(self.end_sessions),
            FormErrors::from_action(self.turn_off_two_factor),
            FormErrors::from_action(self.unlock),
            FormErrors::from_action(self.resend_invitation),
            FormErrors::from_action(self.revoke_invitation),
        ])
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| UserQuery {
            q: p.get("q").unwrap_or_default(),
            group: p.get("group").unwrap_or_default(),
            status: p.get("status").unwrap_or_default(),
            sort: p.get("sort").unwrap_or_default(),
            dir: p.get("dir").unwrap_or_default(),
            page: p.get("page").and_then(|v| v.parse().ok()).unwrap_or(1),
            per_page: p
                .get("per_page")
                .and_then(|v| v.parse().ok())
                .unwrap_or(PER_PAGE[0]),
        })
    });
    let actions = RowActions::new();
    let users = Resource::new(
        move || (query.get(), actions.versions()),
        |(q, _)| list_users(q),
    );
    let groups = Resource::new(|| (), |_| list_groups());
    let lang = use_lang();
    let flash = move || {
        params.with(|p| {
            [
                ("added", key!("users.flash.added")),
                ("invited", key!("users.flash.invited")),
                ("details_sent", key!("users.flash.details_sent")),
                ("updated", key!("users.flash.updated")),
                ("removed", key!("users.flash.removed")),
            ]
            .into_iter()
            // Only a login this page could have been sent: the address is anybody's to write.
            .find_map(|(key, text)| {
                p.get(key)
                    .filter(|login| {
                        crate::domain::LoginName::parse(login).is_ok_and(|l| l.as_str() == login)
                    })
                    .map(|login| lang.tf(text, &[("login", &login)]))
            })
        })
    };
    let action_errors = actions.errors();
    view! {
        <Title text=lang.t("nav.users") />
        <h1>{lang.t("nav.users")}</h1>
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let me = current.await.ok().flatten()?;
                let groups = groups.await.unwrap_or_default();
                let page = users.await;
                Some(view! {
                    <Intro me=me.clone() />
                    {flash().map(|text| view! { <p class="notice" role="status">{text}</p> })}
                    <FormAlert message=action_errors />
                    <Filters query=query.get_untracked() groups=groups.clone() />
                    {match page {
                        Ok(page) => view! {
                            <UserTable page query=query.get_untracked() me actions />
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    }}
                })
            })}
        </Suspense>
    }
}

#[component]
fn Intro(me: Me) -> impl IntoView {
    let account_id = me.account_id.to_string();
    let example = format!("{account_id}/john.smith");
    let lang = use_lang();
    view! {
        <section class="card intro" aria-labelledby="account-heading">
            <h2 id="account-heading">{lang.t("field.account_id")}" "
                <span class="mono">{account_id.clone()}</span>
                " "
                <CopyButton value=account_id.clone() label=lang.t("common.copy_account_id") />
            </h2>
            <p>
                {lang.t("users.intro.example")}" "
                <span class="mono">{example}</span>
                {lang.t("users.intro.holder")}" " <span class="mono">{account_id}</span>
                {lang.t("users.intro.always_admin")}
            </p>
            {me.can_manage_users.then(|| view! {
                <p class="actions">
                    <A href="/users/new" attr:class="button">{lang.t("users.add")}</A>
                    <A href="/users/bulk" attr:class="button secondary">{lang.t("users.add_several")}</A>
                    <A href="/users/groups" attr:class="button secondary">{lang.t("groups.title")}</A>
                </p>
            })}
            {(!me.can_manage_users).then(|| view! {
                <p class="hint">
                    {lang.t("users.read_only")}" "
                    <A href="/users/groups">{lang.t("users.see_groups")}</A>
                </p>
            })}
        </section>
    }
}

/// The search and filter form: a plain GET form, so it works without JavaScript.
#[component]
fn Filters(query: UserQuery, groups: Vec<GroupView>) -> impl IntoView {
    let lang = use_lang();
    let statuses = [
        ("", lang.t("users.status.any")),
        ("OK", lang.t("status.ok")),
        ("DISABLED", lang.t("status.disabled")),
        (
            "PASSWORD_CHANGE_REQUIRED",
            lang.t("status.password_change_required"),
        ),
        ("INVITED", lang.t("users.status.invited")),
        ("EXPIRED", lang.t("users.status.expired")),
    ]
    .into_iter()
    .map(|(value, text)| Choice::new(value, text, query.status == value))
    .collect();
    let any_group = Choice::new("", lang.t("users.any_privilege"), query.group.is_empty());
    let groups = std::iter::once(any_group)
        .chain(groups.into_iter().map(|g| {
            let selected = g.name.eq_ignore_ascii_case(&query.group);
            Choice::new(g.name.clone(), g.name, selected)
        }))
        .collect();
    let per_page = PER_PAGE
        .into_iter()
        .map(|n| Choice::new(n.to_string(), n.to_string(), query.per_page == n))
        .collect();
    view! {
        <form method="get" action="/users" class="filters" role="search" aria-label=lang.t("users.filter_label")>
            <div class="field">
                <label for="q">{lang.t("users.search")}</label>
                <input id="q" name="q" type="search" value=query.q.clone() placeholder=lang.t("users.search_placeholder") />
            </div>
            <SelectField id="group" label=lang.t("field.privilege") choices=groups />
            <SelectField id="status" label=lang.t("users.col.status") choices=statuses />
            <SelectField id="per_page" label=lang.t("users.per_page") choices=per_page />
            <input type="hidden" name="sort" value=query.sort.clone() />
            <input type="hidden" name="dir" value=query.dir.clone() />
            <button type="submit">{lang.t("users.apply")}</button>
        </form>
    }
}

#[component]
fn UserTable(page: UserPage, query: UserQuery, me: Me, actions: RowActions) -> impl IntoView {
    let lang = use_lang();
    if page.users.is_empty() {
        let text = if query.q.is_empty() && query.group.is_empty() && query.status.is_empty() {
            lang.t("users.empty")
        } else {
            lang.t("users.no_match")
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    let current_sort = if query.sort.is_empty() {
        "login".to_owned()
    } else {
        query.sort.clone()
    };
    let descending = query.dir == "desc";
    let headers = SORTABLE
        .into_iter()
        .map(|(key, title)| {
            let active = current_sort == key;
            let next_dir = if active && !descending { "desc" } else { "asc" };
            let href = UserQuery {
                sort: key.to_owned(),
                dir: next_dir.to_owned(),
                page: 1,
                ..query.clone()
            }
            .href();
            let aria_sort = active.then_some(if descending {
                "descending"
            } else {
                "ascending"
            });
            let arrow = if active {
                if descending { " ▼" } else { " ▲" }
            } else {
                ""
            };
            view! { <th scope="col" aria-sort=aria_sort><A href=href>{lang.t(title)}{arrow}</A></th> }
        })
        .collect_view();
    let manage = me.can_manage_users;
    view! {
        <DataTable
            class="users"
            caption=lang.t("users.caption")
            leading=headers.into_any()
            columns=vec![lang.t("field.description"), lang.t("users.col.two_factor")]
            actions=manage
            rows=page.users
            row=move |user| view! { <UserRow user manage actions lang /> }
        />
        <Pagination page=page.page pages=page.pages total=page.total summary=key!("users.page_of")
            href=move |n| UserQuery { page: n, ..query.clone() }.href() />
    }
    .into_any()
}

#[component]
fn UserRow(user: UserView, manage: bool, actions: RowActions, lang: Lang) -> impl IntoView {
    let menu = manage.then(|| {
        let login = user.login.clone();
        let disabled = user.status == "DISABLED";
        let toggle_text = if disabled { lang.t("users.enable") } else { lang.t("users.disable") };
        let toggle_value = if disabled { "false" } else { "true" };
        let unlock = user.locked_until.is_some().then(|| {
            view! { <MenuAction action=actions.unlock login=login.clone() text=lang.t("users.unlock") /> }
        });
        let turn_off_two_factor = user.totp_enabled.then(|| {
            view! { <MenuAction action=actions.turn_off_two_factor login=login.clone() text=lang.t("users.turn_off_two_factor") /> }
        });
        let invitation = user.invited.then(|| {
            view! {
                <MenuAction action=actions.resend_invitation login=login.clone() text=lang.t("users.resend_invitation") />
                <MenuAction action=actions.revoke_invitation login=login.clone() text=lang.t("users.revoke_invitation") />
            }
        });
        view! {
            <td class="row-menu">
                <details>
                    <summary aria-label=lang.tf("users.actions_for", &[("login", &user.login)])>"…"</summary>
                    <ul role="list">
                        <li><A href=format!("/users/{login}/edit")>{lang.t("common.edit")}</A></li>
                        {(!user.is_me).then(|| view! {
                            {invitation}
                            <MenuAction action=actions.set_disabled login=login.clone() text=toggle_text extra=("disabled", toggle_value) />
                            {unlock}
                            <li><A href=format!("/users/{login}/reset-password")>{lang.t("users.reset_password")}</A></li>
                            <MenuAction action=actions.end_sessions login=login.clone() text=lang.t("users.end_sessions") />
                            {turn_off_two_factor}
                            <li><A href=format!("/users/{login}/remove") attr:class="danger">{lang.t("users.remove")}</A></li>
                        })}
                    </ul>
                </details>
            </td>
        }
        .into_any()
    });
    let status_text = UserStatus::parse(&user.status)
        .map_or(user.status_label.as_str(), |s| lang.t(s.key()))
        .to_owned();
    view! {
        <tr>
            <td class="mono">{user.login_id.clone()}</td>
            <td>
                {user.email.clone()}
                " "
                {if user.email_verified {
                    view! { <span class="status status-ok">{lang.t("email.verified")}</span> }
                } else {
                    view! { <span class="status status-unverified">{lang.t("email.unverified")}</span> }
                }}
            </td>
            <td>{format!("{} ({})", user.group, role_text(lang, &user.role))}</td>
            <td>
                <span class=format!("status status-{}", user.status.to_lowercase())>{status_text}</span>
                {user.expired.then(|| view! { " " <span class="status status-locked">{lang.t("users.expired")}</span> })}
                {user.invited.then(|| {
                    let (class, text) = if user.invitation_expired {
                        ("status status-locked", lang.t("users.invitation_expired"))
                    } else {
                        ("status status-unverified", lang.t("users.invitation_pending"))
                    };
                    view! { " " <span class=class>{text}</span> }
                })}
                {user.locked_until.map(|until| view! {
                    " "
                    <span class="status status-locked" title=lang.tf("users.locked_hint", &[("time", &lang.datetime(until))])>
                        {lang.t("users.locked")}
                    </span>
                })}
            </td>
            <td>{lang.datetime(user.created)}</td>
            <td>{lang.datetime(user.password_changed)}</td>
            <td>{time_or_never(lang, user.last_login)}</td>
            <td>{user.description.clone()}</td>
            <td>{if user.totp_enabled { lang.t("common.on") } else { lang.t("common.off") }}</td>
            {menu}
        </tr>
    }
    .into_any()
}

/// An item of a row's menu that posts the user's login (and `extra`, a field and its value) to
/// `action`: a plain form, so it works without JavaScript.
#[component]
fn MenuAction<A: FormAction>(
    action: ServerAction<A>,
    login: String,
    text: &'static str,
    #[prop(optional)] extra: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <li>
            <ActionForm action>
                <input type="hidden" name="login" value=login />
                {extra.map(|(name, value)| view! { <input type="hidden" name=name value=value /> })}
                <button type="submit" class="link">{text}</button>
            </ActionForm>
        </li>
    }
}
