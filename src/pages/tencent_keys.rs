//! "Tencent Cloud access keys" on the API keys page: the caller's own SecretId/SecretKey pairs
//! for the CAM-compatible API (create, delete). Plain forms: it works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::tencent_keys::{
    CreateTencentKey, DeleteTencentKey, TencentKeyView, list_tencent_keys,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors};

#[component]
pub fn TencentKeysSection() -> impl IntoView {
    let create = ServerAction::<CreateTencentKey>::new();
    let delete = ServerAction::<DeleteTencentKey>::new();
    let keys = Resource::new(move || delete.version().get(), |_| list_tencent_keys());
    let errors = FormErrors::from_action(create);
    let delete_errors = FormErrors::from_action(delete);
    let params = use_query_map();
    let deleted = move || params.with(|p| p.get("tencent_deleted").is_some());
    view! {
        <section class="card" aria-labelledby="tencent-keys-heading">
            <h2 id="tencent-keys-heading">"Tencent Cloud access keys"</h2>
            <p>
                "A SecretId and SecretKey for Tencent Cloud's CAM clients (TC3-HMAC-SHA256, "
                <code>"POST /"</code>
                "). A key acts as you, with your privilege. Disabling or removing your user, or changing your password or privilege, ends all your keys."
            </p>
            {move || deleted().then(|| view! { <p class="notice" role="status">"Access key deleted."</p> })}
            <FormAlert message=delete_errors.any() />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="notice">"You have no access keys."</p> }.into_any()
                        }
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="tokens">
                                    <thead>
                                        <tr>
                                            <th scope="col">"SecretId"</th>
                                            <th scope="col">"Created"</th>
                                            <th scope="col">"Last used"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|key| view! { <KeyRow key delete /> }).collect_view()}
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
                <p class="actions"><button type="submit">"Create access key"</button></p>
                <p class="hint">"The SecretKey is shown once, on the next page."</p>
            </ActionForm>
        </section>
    }
}

#[component]
fn KeyRow(key: TencentKeyView, delete: ServerAction<DeleteTencentKey>) -> impl IntoView {
    view! {
        <tr>
            <td class="mono">{key.secret_id.clone()}</td>
            <td>{key.created.clone()}</td>
            <td>{key.last_used.clone().unwrap_or_else(|| "Never".to_owned())}</td>
            <td>
                <details class="confirm">
                    <summary>"Delete…"</summary>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=key.id.to_string() />
                        <p>{format!("Delete {}? Clients using it stop working at once.", key.secret_id)}</p>
                        <button type="submit" class="danger">"Delete access key"</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
