//! The restructuring page of a unit, for chairs and administrators: rename it, merge it
//! into another unit, split off a branch, or dissolve it — each previewed first (the same
//! work, rolled back), then applied in one transaction.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::pages::{Right, message_page, render, unavailable, unit_for};
use super::session::{Posted, Signed, with_csrf};
use crate::auth::users::User;
use crate::i18n::{Translator, translator};
use crate::org::restructure::{self, Impact};

#[derive(Template)]
#[template(path = "restructure.html")]
struct RestructurePage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    unit_code: String,
    unit_name: String,
    today: String,
    form: RestructureForm,
    error: Option<String>,
    impact: Option<Impact>,
    applied: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RestructureForm {
    #[serde(default)]
    csrf: String,
    /// rename, merge, split, dissolve.
    #[serde(default)]
    action: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    date: String,
    /// Present when the officer confirms after the preview.
    #[serde(default)]
    apply: Option<String>,
}

async fn page(
    state: &AppState,
    signed: &Signed,
    code: &str,
    form: RestructureForm,
    outcome: Option<Result<Impact, String>>,
    applied: bool,
) -> Response {
    let today = crate::clock::today();
    let unit = match unit_for(state, signed, code, Right::Restructure).await {
        Ok(u) => u,
        Err(response) => return response,
    };
    let (impact, error) = match outcome {
        Some(Ok(i)) => (Some(i), None),
        Some(Err(m)) => (None, Some(m)),
        None => (None, None),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RestructurePage {
        lang: signed.lang.code(),
        t: translator(signed.lang),
        user: &signed.user,
        csrf: &signed.csrf,
        unit_code: unit.code,
        unit_name: unit.name,
        today: crate::clock::vn_date(today),
        form,
        error,
        impact,
        applied,
    };
    (status, render(&page)).into_response()
}

pub async fn form(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Response {
    page(
        &state,
        &signed,
        &code,
        RestructureForm::default(),
        None,
        false,
    )
    .await
}

pub async fn act(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Posted { signed, form }: Posted<RestructureForm>,
) -> Response {
    let Some(on) = crate::clock::parse_date(&form.date) else {
        let message =
            crate::error::Error::invalid("effective_on", "invalid-date").render(signed.lang);
        return page(&state, &signed, &code, form, Some(Err(message)), false).await;
    };
    let Ok(mut ctx) = crate::ctx::Ctx::write(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    // A unit merged away or dissolved ends: afterwards the page shows where things went.
    let parent = crate::org::tree::find(&mut ctx, &code, crate::clock::today())
        .await
        .ok()
        .and_then(|u| u.parent_code);
    let after = match form.action.as_str() {
        "merge" => form.target.trim().to_string(),
        "dissolve" => parent.unwrap_or_else(|| code.clone()),
        _ => code.clone(),
    };
    let result = match form.action.as_str() {
        "rename" => restructure::rename(&mut ctx, &code, &form.name, on).await,
        "merge" => {
            restructure::merge(
                &mut ctx,
                std::slice::from_ref(&code),
                form.target.trim(),
                on,
            )
            .await
        }
        "split" => {
            restructure::split(
                &mut ctx,
                &code,
                &[(
                    form.branch.trim().to_string(),
                    form.target.trim().to_string(),
                )],
                on,
            )
            .await
        }
        "dissolve" => restructure::dissolve(&mut ctx, &code, on).await,
        _ => return message_page(StatusCode::BAD_REQUEST, signed.lang, "web-error"),
    };
    let apply = form.apply.is_some();
    match result {
        Ok(impact) if apply => match ctx.finish().await {
            Ok(()) => {
                page(
                    &state,
                    &signed,
                    &after,
                    RestructureForm::default(),
                    Some(Ok(impact)),
                    true,
                )
                .await
            }
            Err(_) => unavailable(),
        },
        Ok(impact) => {
            drop(ctx);
            page(&state, &signed, &code, form, Some(Ok(impact)), false).await
        }
        Err(e) => {
            drop(ctx);
            page(
                &state,
                &signed,
                &code,
                form,
                Some(Err(e.render(signed.lang))),
                false,
            )
            .await
        }
    }
}

with_csrf!(RestructureForm);
