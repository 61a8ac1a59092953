//! "User management": the account's delegated users, searchable, filterable, sortable and paged
//! on the server. Administrators get the controls that change them; None and User read only.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth::Me;
use crate::api::users::{
    EndUserSessions, GroupView, PER_PAGE, SetUserDisabled, TurnOffUserTwoFactor, UserPage,
    UserQuery, UserView, list_groups, list_users,
};
use crate::components::copy::CopyButton;
use crate::components::form::{ErrorMessage, FormAlert, FormErrors};
use crate::components::shell::CurrentUser;

/// The columns the table sorts by, with their query-string names.
const SORTABLE: [(&str, &str); 7] = [
    ("login", "Login ID"),
    ("email", "Email"),
    ("privilege", "Privilege"),
    ("status", "Status"),
    ("created", "Created"),
    ("password_changed", "Password last changed"),
    ("last_login", "Last login"),
];

/// The actions a row's menu posts; after any of them the list loads again.
#[derive(Clone, Copy)]
struct RowActions {
    set_disabled: ServerAction<SetUserDisabled>,
    end_sessions: ServerAction<EndUserSessions>,
    turn_off_two_factor: ServerAction<TurnOffUserTwoFactor>,
}

impl RowActions {
    fn new() -> Self {
        Self {
            set_disabled: ServerAction::new(),
            end_sessions: ServerAction::new(),
            turn_off_two_factor: ServerAction::new(),
        }
    }

    /// Changes each time one of them completes.
    fn versions(self) -> (usize, usize, usize) {
        (
            self.set_disabled.version().get(),
            self.end_sessions.version().get(),
            self.turn_off_two_factor.version().get(),
        )
    }

    /// The last error of any of them, as one message.
    fn errors(self) -> Signal<Option<String>> {
        let all = [
            FormErrors::from_action(self.set_disabled),
            FormErrors::from_action(self.end_sessions),
            FormErrors::from_action(self.turn_off_two_factor),
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
    let flash = move || {
        params.with(|p| {
            [
                ("added", "added"),
                ("updated", "updated"),
                ("removed", "removed"),
            ]
            .into_iter()
            .find_map(|(key, verb)| p.get(key).map(|login| format!("User {login} {verb}.")))
        })
    };
    let action_errors = actions.errors();
    view! {
        <Title text="User management" />
        <h1>"User management"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    view! {
        <section class="card intro" aria-labelledby="account-heading">
            <h2 id="account-heading">"Account ID "
                <span class="mono">{account_id.clone()}</span>
                " "
                <CopyButton value=account_id.clone() label="Copy account ID" />
            </h2>
            <p>
                "Users log in with the account ID, a slash and their login, for example "
                <span class="mono">{example}</span>
                ". The account holder, " <span class="mono">{account_id}</span>
                ", is always an Administrator."
            </p>
            {me.can_manage_users.then(|| view! {
                <p class="actions">
                    <A href="/users/new" attr:class="button">"Add a user"</A>
                    <A href="/users/bulk" attr:class="button secondary">"Add several users"</A>
                    <A href="/users/groups" attr:class="button secondary">"Groups"</A>
                </p>
            })}
            {(!me.can_manage_users).then(|| view! {
                <p class="hint">
                    "Your privilege lets you read this page; only Administrators change users. "
                    <A href="/users/groups">"See the groups"</A>
                </p>
            })}
        </section>
    }
}

/// The search and filter form: a plain GET form, so it works without JavaScript.
#[component]
fn Filters(query: UserQuery, groups: Vec<GroupView>) -> impl IntoView {
    let statuses = [
        ("", "Any status"),
        ("OK", "Active"),
        ("DISABLED", "Disabled"),
        ("PASSWORD_CHANGE_REQUIRED", "Password change required"),
    ];
    view! {
        <form method="get" action="/users" class="filters" role="search" aria-label="Filter users">
            <div class="field">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" value=query.q.clone() placeholder="Login, email or description" />
            </div>
            <div class="field">
                <label for="group">"Privilege"</label>
                <select id="group" name="group">
                    <option value="" selected=query.group.is_empty()>"Any privilege"</option>
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
                <label for="status">"Status"</label>
                <select id="status" name="status">
                    {statuses
                        .into_iter()
                        .map(|(value, text)| view! { <option value=value selected=query.status == value>{text}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="per_page">"Per page"</label>
                <select id="per_page" name="per_page">
                    {PER_PAGE
                        .into_iter()
                        .map(|n| view! { <option value=n.to_string() selected=query.per_page == n>{n.to_string()}</option> })
                        .collect_view()}
                </select>
            </div>
            <input type="hidden" name="sort" value=query.sort.clone() />
            <input type="hidden" name="dir" value=query.dir.clone() />
            <button type="submit">"Apply"</button>
        </form>
    }
}

#[component]
fn UserTable(page: UserPage, query: UserQuery, me: Me, actions: RowActions) -> impl IntoView {
    if page.users.is_empty() {
        let text = if query.q.is_empty() && query.group.is_empty() && query.status.is_empty() {
            "No users yet."
        } else {
            "No user matches these filters."
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
            view! { <th scope="col" aria-sort=aria_sort><A href=href>{title}{arrow}</A></th> }
        })
        .collect_view();
    let manage = me.can_manage_users;
    let rows = page
        .users
        .into_iter()
        .map(|user| view! { <UserRow user manage actions /> })
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
                <caption class="visually-hidden">"Users of this account"</caption>
                <thead>
                    <tr>
                        {headers}
                        <th scope="col">"Description"</th>
                        <th scope="col">"2FA"</th>
                        {manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pagination" aria-label="Pages">
            {previous.map(|href| view! { <A href=href attr:rel="prev">"Previous"</A> })}
            <span>{format!("Page {} of {} · {} users", page.page, page.pages, page.total)}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">"Next"</A> })}
        </nav>
    }
    .into_any()
}

#[component]
fn UserRow(user: UserView, manage: bool, actions: RowActions) -> impl IntoView {
    let menu = manage.then(|| {
        let login = user.login.clone();
        let edit_href = format!("/users/{login}/edit");
        let reset_href = format!("/users/{login}/reset-password");
        let remove_href = format!("/users/{login}/remove");
        let login_for_toggle = login.clone();
        let login_for_sessions = login.clone();
        let disabled = user.status == "DISABLED";
        let toggle_text = if disabled { "Enable" } else { "Disable" };
        let toggle_value = if disabled { "false" } else { "true" };
        view! {
            <td class="row-menu">
                <details>
                    <summary aria-label=format!("Actions for {}", user.login)>"…"</summary>
                    <ul role="list">
                        <li><A href=edit_href>"Edit"</A></li>
                        {(!user.is_me).then(|| view! {
                            <li>
                                <ActionForm action=actions.set_disabled>
                                    <input type="hidden" name="login" value=login_for_toggle />
                                    <input type="hidden" name="disabled" value=toggle_value />
                                    <button type="submit" class="link">{toggle_text}</button>
                                </ActionForm>
                            </li>
                            <li><A href=reset_href>"Reset password"</A></li>
                            <li>
                                <ActionForm action=actions.end_sessions>
                                    <input type="hidden" name="login" value=login_for_sessions />
                                    <button type="submit" class="link">"End sessions"</button>
                                </ActionForm>
                            </li>
                            {user.totp_enabled.then(|| view! {
                                <li>
                                    <ActionForm action=actions.turn_off_two_factor>
                                        <input type="hidden" name="login" value=login />
                                        <button type="submit" class="link">"Turn off 2FA"</button>
                                    </ActionForm>
                                </li>
                            })}
                            <li><A href=remove_href attr:class="danger">"Remove"</A></li>
                        })}
                    </ul>
                </details>
            </td>
        }
        .into_any()
    });
    view! {
        <tr>
            <td class="mono">{user.login_id.clone()}</td>
            <td>{user.email.clone()}</td>
            <td>{format!("{} ({})", user.group, user.role)}</td>
            <td><span class=format!("status status-{}", user.status.to_lowercase())>{user.status_label.clone()}</span></td>
            <td>{user.created.clone()}</td>
            <td>{user.password_changed.clone()}</td>
            <td>{user.last_login.clone().unwrap_or_else(|| "Never".to_owned())}</td>
            <td>{user.description.clone()}</td>
            <td>{if user.totp_enabled { "On" } else { "Off" }}</td>
            {menu}
        </tr>
    }
    .into_any()
}
