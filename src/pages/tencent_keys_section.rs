//! "Tencent Cloud access keys" on the API keys page: the caller's own SecretId/SecretKey pairs
//! for the CAM-compatible API (create, delete). Plain forms: it works without JavaScript.

use leptos::prelude::*;

use crate::api::tencent_key_fns::{
    CreateTencentKey, DeleteTencentKey, TencentKeyView, list_tencent_keys,
};
use crate::components::card::Card;
use crate::components::confirm_form::ConfirmForm;
use crate::components::credential_table::CredentialTable;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::labels::time_or_never;
use crate::i18n::use_lang;

#[component]
pub fn TencentKeysSection() -> impl IntoView {
    let create = ServerAction::<CreateTencentKey>::new();
    let delete = ServerAction::<DeleteTencentKey>::new();
    let keys = Resource::new(move || delete.version().get(), |_| list_tencent_keys());
    let errors = FormErrors::from_action(create);
    let lang = use_lang();
    view! {
        <Card heading_id="tencent-keys-heading" title=lang.t("tencent.title")>
            <p>
                {lang.t("tencent.intro")}" (TC3-HMAC-SHA256, "
                <code>"POST /"</code>
                "). " {lang.t("tencent.acts_as")}
            </p>
            <CredentialTable resource=keys rows={|keys: Vec<TencentKeyView>| keys}
                columns=vec!["SecretId", lang.t("users.col.created"), lang.t("api_keys.last_used")]
                empty=lang.t("tencent.none") removed=("tencent_deleted", lang.t("tencent.deleted"))
                errors=FormErrors::from_action(delete) row=move |key| view! { <KeyRow key delete /> } />
            <ActionForm action=create>
                <FormAlert message=errors.any() />
                <p class="actions"><button type="submit">{lang.t("tencent.create")}</button></p>
                <p class="hint">{lang.t("tencent.create_hint")}</p>
            </ActionForm>
        </Card>
    }
}

#[component]
fn KeyRow(key: TencentKeyView, delete: ServerAction<DeleteTencentKey>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <tr>
            <td>
                <span class="mono">{key.secret_id.clone()}</span>
                {(!key.description.is_empty()).then(|| view! { <br /><span class="hint">{key.description.clone()}</span> })}
                {(!key.active).then(|| view! { " " <span class="badge">{lang.t("tencent.inactive")}</span> })}
            </td>
            <td>{lang.datetime(key.created)}</td>
            <td>{time_or_never(lang, key.last_used)}</td>
            <td>
                <ConfirmForm action=delete id=key.id.to_string() summary=lang.t("common.delete_ellipsis")
                    question=lang.tf("tencent.delete_confirm", &[("id", &key.secret_id)]) submit=lang.t("tencent.delete_submit") />
            </td>
        </tr>
    }
}
