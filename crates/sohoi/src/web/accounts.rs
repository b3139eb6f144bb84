//! The accounts page, for chairs and administrators: the accounts of their subtrees, and a
//! form to make one. A chair gives at most what she holds (no administrators, no sensitive
//! grant she lacks); every account made is in the audit log.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::pages::{error_page, message_page, render, unavailable};
use super::session::Signed;
use crate::auth::password::Password;
use crate::auth::sessions::same_token;
use crate::auth::users::{self, Account, NewAccount, Role, User};
use crate::i18n::{Args, Translator, translator};

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    accounts: Vec<Account>,
    roles: Vec<(&'static str, String)>,
    may_grant_sensitive: bool,
    form: AccountForm,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    sensitive: Option<String>,
    #[serde(default)]
    password: String,
}

async fn page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    form: AccountForm,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let Ok(mut tx) = state.store.read().await else { return unavailable() };
    let accounts = match users::accounts(&mut tx, &signed.scope).await {
        Ok(a) => a,
        Err(e) => return error_page(&e, signed.lang),
    };
    let t = translator(signed.lang);
    let roles = Role::ALL
        .iter()
        .filter(|r| **r != Role::Admin || signed.scope.grants_admin())
        .map(|r| (r.as_str(), t.msg(&format!("role-{}", r.as_str()))))
        .collect();
    let page = AccountsPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        accounts,
        roles,
        may_grant_sensitive: signed.scope.sees_sensitive(),
        form,
        error,
        notice,
    };
    (status, render(&page)).into_response()
}

pub async fn list(State(state): State<AppState>, signed: Signed) -> Response {
    page(&state, &signed, StatusCode::OK, AccountForm { role: "viewer".into(), ..AccountForm::default() }, None, None).await
}

pub async fn create(State(state): State<AppState>, signed: Signed, Form(mut form): Form<AccountForm>) -> Response {
    if !same_token(&signed.csrf, &form.csrf) {
        return message_page(StatusCode::FORBIDDEN, signed.lang, "web-csrf");
    }
    let Some(role) = Role::parse(&form.role) else { return message_page(StatusCode::BAD_REQUEST, signed.lang, "web-error") };
    let account = NewAccount {
        username: &form.username,
        display_name: &form.display_name,
        unit_code: &form.unit,
        role,
        sensitive: form.sensitive.is_some(),
    };
    let Ok(mut tx) = state.store.begin().await else { return unavailable() };
    let result = users::create(&mut tx, &signed.scope, &account, &Password::new(std::mem::take(&mut form.password))).await;
    match result {
        Ok(_) => match tx.commit().await {
            Ok(()) => {
                let notice = translator(signed.lang).msg_with("cli-user-added", &Args::new().with("username", form.username.clone()));
                page(&state, &signed, StatusCode::OK, AccountForm { role: "viewer".into(), ..AccountForm::default() }, None, Some(notice))
                    .await
            }
            Err(_) => unavailable(),
        },
        // Not a unit she manages, or more than she may give: refused like any other write.
        Err(e @ crate::error::Error::Forbidden) => error_page(&e, signed.lang),
        Err(e) => {
            drop(tx);
            page(&state, &signed, StatusCode::UNPROCESSABLE_ENTITY, form, Some(e.render(signed.lang)), None).await
        }
    }
}
