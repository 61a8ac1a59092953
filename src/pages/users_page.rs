//! "User management": the account's delegated users, searchable, filterable, sortable and paged
//! on the server. Administrators get the controls that change them; None and User read only.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth_fns::Me;
use crate::api::user_fns::{
    EndUserSessions, GroupView, PER_PAGE, SetUserDisabled, TurnOffUserTwoFactor, UnlockUser,
    UserPage, UserQuery, UserView, list_groups, list_users,
};
use crate::components::app_shell::CurrentUser;
use crate::components::copy_button::CopyButton;
use crate::components::form::role_text;
use crate::components::form::{ErrorMessage, FormAlert, FormErrors};
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
}

impl RowActions {
    fn new() -> Self {
        Self {
            set_disabled: ServerAction::new(),
            end_sessions: ServerAction::new(),
            turn_off_two_factor: ServerAction::new(),
            unlock: ServerAction::new(),
        }
    }

    /// Changes each time one of them completes.
    fn versions(self) -> (usize, usize, usize, usize) {
        (
            self.set_disabled.version().get(),
            self.end_sessions.version().get(),
            self.turn_off_two_factor.version().get(),
            self.unlock.version().get(),
        )
    }

    /// The last error of any of them, as one message.
    fn errors(self) -> Signal<Option<String>> {
        let all = [
            FormErrors::from_action(self.set_disabled),
            FormErrors::from_action(self.end_sessions),
            FormErrors::from_action(self.turn_off_two_factor),
            FormErrors::from_action(self.unlock),
        ];
        Signal::derive(move || all.iter().find_map(|e| e.any().get()))
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
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
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
    ];
    view! {
        <form method="get" action="/users" class="filters" role="search" aria-label=lang.t("users.filter_label")>
            <div class="field">
                <label for="q">{lang.t("users.search")}</label>
                <input id="q" name="q" type="search" value=query.q.clone() placeholder=lang.t("users.search_placeholder") />
            </div>
            <div class="field">
                <label for="group">{lang.t("field.privilege")}</label>
                <select id="group" name="group">
                    <option value="" selected=query.group.is_empty()>{lang.t("users.any_privilege")}</option>
                    {groups
                        .into_iter()
                        .map(|g| {
                            let selected = g.name.eq_ignore_ascii_case(&query.group);
                            view! { <option value=g.name.clone() selected=selected>{g.name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="status">{lang.t("users.col.status")}</label>
                <select id="status" name="status">
                    {statuses
                        .into_iter()
                        .map(|(value, text)| view! { <option value=value selected=query.status == value>{text}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="per_page">{lang.t("users.per_page")}</label>
                <select id="per_page" name="per_page">
                    {PER_PAGE
                        .into_iter()
                        .map(|n| view! { <option value=n.to_string() selected=query.per_page == n>{n.to_string()}</option> })
                        .collect_view()}
                </select>
            </div>
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
    let rows = page
        .users
        .into_iter()
        .map(|user| view! { <UserRow user manage actions lang /> })
        .collect_view();
    let previous = (page.page > 1).then(|| {
        UserQuery {
            page: page.page - 1,
            ..query.clone()
        }
        .href()
    });
    let next = (page.page < page.pages).then(|| {
        UserQuery {
            page: page.page + 1,
            ..query.clone()
        }
        .href()
    });
    view! {
        <div class="table-wrap">
            <table class="users">
                <caption class="visually-hidden">{lang.t("users.caption")}</caption>
                <thead>
                    <tr>
                        {headers}
                        <th scope="col">{lang.t("field.description")}</th>
                        <th scope="col">{lang.t("users.col.two_factor")}</th>
                        {manage.then(|| view! { <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pagination" aria-label=lang.t("users.pages")>
            {previous.map(|href| view! { <A href=href attr:rel="prev">{lang.t("users.previous")}</A> })}
            <span>
                {lang.tf(
                    "users.page_of",
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
fn UserRow(user: UserView, manage: bool, actions: RowActions, lang: Lang) -> impl IntoView {
    let menu = manage.then(|| {
        let login = user.login.clone();
        let edit_href = format!("/users/{login}/edit");
        let reset_href = format!("/users/{login}/reset-password");
        let remove_href = format!("/users/{login}/remove");
        let login_for_toggle = login.clone();
        let login_for_sessions = login.clone();
        let login_for_unlock = login.clone();
        let locked = user.locked_until.is_some();
        let disabled = user.status == "DISABLED";
        let toggle_text = if disabled { lang.t("users.enable") } else { lang.t("users.disable") };
        let toggle_value = if disabled { "false" } else { "true" };
        view! {
            <td class="row-menu">
                <details>
                    <summary aria-label=lang.tf("users.actions_for", &[("login", &user.login)])>"…"</summary>
                    <ul role="list">
                        <li><A href=edit_href>{lang.t("common.edit")}</A></li>
                        {(!user.is_me).then(|| view! {
                            <li>
                                <ActionForm action=actions.set_disabled>
                                    <input type="hidden" name="login" value=login_for_toggle />
                                    <input type="hidden" name="disabled" value=toggle_value />
                                    <button type="submit" class="link">{toggle_text}</button>
                                </ActionForm>
                            </li>
                            {locked.then(|| view! {
                                <li>
                                    <ActionForm action=actions.unlock>
                                        <input type="hidden" name="login" value=login_for_unlock />
                                        <button type="submit" class="link">{lang.t("users.unlock")}</button>
                                    </ActionForm>
                                </li>
                            })}
                            <li><A href=reset_href>{lang.t("users.reset_password")}</A></li>
                            <li>
                                <ActionForm action=actions.end_sessions>
                                    <input type="hidden" name="login" value=login_for_sessions />
                                    <button type="submit" class="link">{lang.t("users.end_sessions")}</button>
                                </ActionForm>
                            </li>
                            {user.totp_enabled.then(|| view! {
                                <li>
                                    <ActionForm action=actions.turn_off_two_factor>
                                        <input type="hidden" name="login" value=login />
                                        <button type="submit" class="link">{lang.t("users.turn_off_two_factor")}</button>
                                    </ActionForm>
                                </li>
                            })}
                            <li><A href=remove_href attr:class="danger">{lang.t("users.remove")}</A></li>
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
            <td>{user.email.clone()}</td>
            <td>{format!("{} ({})", user.group, role_text(lang, &user.role))}</td>
            <td>
                <span class=format!("status status-{}", user.status.to_lowercase())>{status_text}</span>
                {user.locked_until.map(|until| view! {
                    " "
                    <span class="status status-locked" title=lang.tf("users.locked_hint", &[("time", &lang.datetime(until))])>
                        {lang.t("users.locked")}
                    </span>
                })}
            </td>
            <td>{lang.datetime(user.created)}</td>
            <td>{lang.datetime(user.password_changed)}</td>
            <td>{user.last_login.map_or_else(|| lang.t("users.never").to_owned(), |at| lang.datetime(at))}</td>
            <td>{user.description.clone()}</td>
            <td>{if user.totp_enabled { lang.t("common.on") } else { lang.t("common.off") }}</td>
            {menu}
        </tr>
    }
    .into_any()
}
