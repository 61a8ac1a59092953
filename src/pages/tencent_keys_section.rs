//! "Tencent Cloud access keys" on the API keys page: the caller's own SecretId/SecretKey pairs
//! for the CAM-compatible API (create, delete). Plain forms: it works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::tencent_key_fns::{
    CreateTencentKey, DeleteTencentKey, TencentKeyView, list_tencent_keys,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors};
use crate::i18n::{Lang, use_lang};

#[component]
pub fn TencentKeysSection() -> impl IntoView {
    let create = ServerAction::<CreateTencentKey>::new();
    let delete = ServerAction::<DeleteTencentKey>::new();
    let keys = Resource::new(move || delete.version().get(), |_| list_tencent_keys());
    let errors = FormErrors::from_action(create);
    let delete_errors = FormErrors::from_action(delete);
    let params = use_query_map();
    let deleted = move || params.with(|p| p.get("tencent_deleted").is_some());
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="tencent-keys-heading">
            <h2 id="tencent-keys-heading">{lang.t("tencent.title")}</h2>
            <p>
                {lang.t("tencent.intro")}" (TC3-HMAC-SHA256, "
                <code>"POST /"</code>
                "). " {lang.t("tencent.acts_as")}
            </p>
            {move || deleted().then(|| view! { <p class="notice" role="status">{lang.t("tencent.deleted")}</p> })}
            <FormAlert message=delete_errors.any() />
            <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="notice">{lang.t("tencent.none")}</p> }.into_any()
                        }
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="tokens">
                                    <thead>
                                        <tr>
                                            <th scope="col">"SecretId"</th>
                                            <th scope="col">{lang.t("users.col.created")}</th>
                                            <th scope="col">{lang.t("api_keys.last_used")}</th>
                                            <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|key| view! { <KeyRow key delete lang /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=create>
                <FormAlert message=errors.any() />
                <p class="actions"><button type="submit">{lang.t("tencent.create")}</button></p>
                <p class="hint">{lang.t("tencent.create_hint")}</p>
            </ActionForm>
        </section>
    }
}

#[component]
fn KeyRow(
    key: TencentKeyView,
    delete: ServerAction<DeleteTencentKey>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <tr>
            <td class="mono">{key.secret_id.clone()}</td>
            <td>{lang.datetime(key.created)}</td>
            <td>{key.last_used.map_or_else(|| lang.t("users.never").to_owned(), |at| lang.datetime(at))}</td>
            <td>
                <details class="confirm">
                    <summary>{lang.t("common.delete_ellipsis")}</summary>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=key.id.to_string() />
                        <p>{lang.tf("tencent.delete_confirm", &[("id", &key.secret_id)])}</p>
                        <button type="submit" class="danger">{lang.t("tencent.delete_submit")}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
