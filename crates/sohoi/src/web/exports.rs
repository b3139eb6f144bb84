//! Downloads: the member list as shown (same search and filters) and the movement report as
//! .xlsx, and the blank import template.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::members::ListQuery;
use super::pages::{error_page, message_page, unavailable};
use super::reports::ReportQuery;
use super::session::Signed;
use crate::excel;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook download named `name`.xlsx.
pub fn workbook(bytes: Vec<u8>, name: &str) -> Response {
    attachment(bytes, XLSX, &format!("{name}.xlsx"))
}

/// A file to save, named `file_name`.
pub fn attachment(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

fn refused(e: &crate::error::Error, signed: &Signed) -> Response {
    match e {
        crate::error::Error::Invalid { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, e.render(signed.lang)).into_response()
        }
        _ => error_page(e, signed.lang),
    }
}

pub async fn members(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let filter = match q.filter(crate::clock::today()) {
        Ok(f) => f,
        Err(e) => return refused(&e, &signed),
    };
    // A snapshot: the export's audit entry is filed after it, in its own short write, so that a
    // long export never holds the write lock.
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    match excel::members_workbook(&mut ctx, &code, &q.q, &filter, signed.lang).await {
        Ok(bytes) => match ctx.finish().await {
            Ok(()) => workbook(bytes, &format!("hoi-vien-{}", code.to_lowercase())),
            Err(_) => unavailable(),
        },
        Err(e) => refused(&e, &signed),
    }
}

pub async fn report(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let text = q
        .period
        .unwrap_or_else(|| crate::clock::today().year().to_string());
    let Some(period) = crate::reports::Period::parse(&text) else {
        return message_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            signed.lang,
            "invalid-period",
        );
    };
    let Some(structure) =
        crate::reports::movements::Structure::parse(q.structure.as_deref().unwrap_or(""))
    else {
        return message_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            signed.lang,
            "invalid-structure",
        );
    };
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let report =
        match crate::reports::movements::movements_in(&mut ctx, &code, period, structure).await {
            Ok(r) => r,
            Err(e) => return refused(&e, &signed),
        };
    match excel::report_workbook(&report, signed.lang) {
        Ok(bytes) => workbook(bytes, &format!("bien-dong-{}-{text}", code.to_lowercase())),
        Err(e) => refused(&e, &signed),
    }
}

pub async fn template(signed: Signed) -> Response {
    match excel::template_workbook(signed.lang) {
        Ok(bytes) => workbook(bytes, "mau-danh-sach-hoi-vien"),
        Err(e) => refused(&e, &signed),
    }
}
