//! The API tokens page: a user makes tokens for her programs (each shown once) and revokes
//! them. A token acts with her roles, so it is hers alone to manage.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::pages::{render, unavailable};
use super::session::{Posted, Signed, with_csrf};
use crate::auth::tokens::{self, Token};
use crate::auth::users::User;
use crate::i18n::{Translator, translator};

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    tokens: Vec<Token>,
    name: String,
    /// A token just made: the only time it is shown.
    created: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    name: String,
    created: Option<String>,
    error: Option<String>,
) -> Response {
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let Ok(tokens) = tokens::list(&mut ctx.tx, &signed.user).await else {
        return unavailable();
    };
    let t = translator(signed.lang);
    let page = TokensPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        tokens,
        name,
        created,
        error,
    };
    (status, render(&page)).into_response()
}

pub async fn list(State(state): State<AppState>, signed: Signed) -> Response {
    page(&state, &signed, StatusCode::OK, String::new(), None, None).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    #[serde(default)]
    name: String,
    /// The id of a token to revoke; absent to make a new one.
    revoke: Option<i64>,
}

pub async fn change(
    State(state): State<AppState>,
    Posted { signed, form }: Posted<TokenForm>,
) -> Response {
    let Ok(mut ctx) = crate::ctx::Ctx::write(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let outcome = match form.revoke {
        Some(id) => tokens::revoke(&mut ctx.tx, &signed.user, id)
            .await
            .map(|()| None),
        None => tokens::create(&mut ctx.tx, &signed.user, &form.name)
            .await
            .map(|(_, token)| Some(token)),
    };
    match outcome {
        Ok(created) => {
            if ctx.finish().await.is_err() {
                return unavailable();
            }
            page(
                &state,
                &signed,
                StatusCode::OK,
                String::new(),
                created,
                None,
            )
            .await
        }
        Err(e) => {
            drop(ctx);
            page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.name,
                None,
                Some(e.render(signed.lang)),
            )
            .await
        }
    }
}

with_csrf!(TokenForm);
