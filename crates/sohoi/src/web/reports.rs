//! The movement report page: a unit's opening, new, transferred, left, died and closing
//! members for a period, per child unit, in the tree at the time, on a date, or today's.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::pages::{error_page, render, unavailable};
use super::session::Signed;
use crate::auth::users::User;
use crate::i18n::{Args, Translator, translator};

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    unit_code: String,
    unit_name: String,
    period: String,
    /// The tree the rows follow, as typed (empty: at the time).
    structure: String,
    error: Option<String>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Deserialize)]
pub struct ReportQuery {
    pub period: Option<String>,
    /// at-the-time (default), a date, or today.
    pub structure: Option<String>,
}

/// The movement report of a unit, with each row's balance shown.
pub async fn report(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let t = translator(signed.lang);
    let period_text = q
        .period
        .unwrap_or_else(|| crate::clock::today().year().to_string());
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let unit = match crate::org::tree::find(&mut ctx, &code, crate::clock::today()).await {
        Ok(u) => u,
        Err(e) => return error_page(&e, signed.lang),
    };
    let header = crate::reports::movements::COLUMNS
        .iter()
        .chain(["col-balance"].iter())
        .map(|h| t.msg(h))
        .collect();
    let mut page = ReportPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        period: period_text.clone(),
        structure: String::new(),
        error: None,
        header,
        rows: vec![],
    };
    let Some(period) = crate::reports::Period::parse(&period_text) else {
        page.error = Some(t.msg_with("period-unknown", &Args::new().with("value", period_text)));
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
    };
    let structure_text = q.structure.clone().unwrap_or_default();
    page.structure = structure_text.clone();
    let Some(structure) = crate::reports::movements::Structure::parse(&structure_text) else {
        page.error = Some(t.msg_with(
            "structure-unknown",
            &Args::new().with("value", structure_text),
        ));
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
    };
    let report =
        match crate::reports::movements::movements_in(&mut ctx, &code, period, structure).await {
            Ok(r) => r,
            Err(e) => return error_page(&e, signed.lang),
        };
    page.rows = report
        .text_rows(
            &t.msg("col-total"),
            &t.msg(crate::reports::movements::REMAINDER),
        )
        .into_iter()
        .map(|(row, mut cells)| {
            cells.push(t.msg(if row.balances() {
                "web-balanced"
            } else {
                "web-unbalanced"
            }));
            cells
        })
        .collect();
    render(&page)
}
