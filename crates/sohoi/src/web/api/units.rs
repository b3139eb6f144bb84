//! Units through the API: who am I, a unit's figures, its children, its movement report.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Caller, read};
use crate::org::Unit;
use crate::reports::movements::MovementReport;
use crate::reports::summary::Summary;
use crate::web::AppState;

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    /// Her grants: what she may do at which unit, and which sensitive data she may read there.
    pub grants: Vec<GrantAt>,
}

#[derive(Serialize, ToSchema)]
pub struct GrantAt {
    pub unit_code: String,
    pub unit_name: String,
    /// The role the authorities make (viewer, officer, chair, admin, case_worker), if any.
    pub role: Option<String>,
    pub authorities: Vec<String>,
    /// identity, ethnicity_religion, party, personnel, support_cases.
    pub tiers: Vec<String>,
    /// subtree (the unit and everything under it) or unit (the unit alone).
    pub reach: String,
}

/// The caller: her account and grants.
#[utoipa::path(get, path = "/api/v1/me", tag = "units", security(("token" = [])),
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Me>> {
    let mut tx = state
        .store
        .read()
        .await
        .map_err(|_| ApiError::unavailable(caller.lang))?;
    let grants = crate::auth::users::grants_of(&mut tx, &caller.user)
        .await
        .map_err(|e| ApiError::from_service(&e, caller.lang))?;
    Ok(Json(Me {
        username: caller.user.username,
        display_name: caller.user.display_name,
        grants: grants
            .into_iter()
            .map(|g| GrantAt {
                unit_code: g.unit_code,
                unit_name: g.unit_name,
                role: g.role.map(|r| r.as_str().to_string()),
                authorities: g
                    .authorities
                    .iter()
                    .map(|a| a.as_str().to_string())
                    .collect(),
                tiers: g.tiers.iter().map(|t| t.as_str().to_string()).collect(),
                reach: g.reach.as_str().to_string(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The date of the figures (yyyy-mm-dd or dd/mm/yyyy); today if absent.
    as_of: Option<String>,
}

/// A unit's figures at a date: members, new this year, coverage rate, breakdowns.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units", security(("token" = [])),
    params(("code" = String, Path, description = "Unit code, e.g. 01 or 00004"), AsOf),
    responses((status = 200, body = Summary), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<AsOf>,
) -> ApiResult<Json<Summary>> {
    let as_of = match q.as_of.as_deref() {
        None => crate::clock::today(),
        Some(text) => crate::clock::parse_date(text).ok_or_else(|| {
            ApiError::from_service(
                &crate::error::Error::invalid("as_of", "invalid-date"),
                caller.lang,
            )
        })?,
    };
    let mut ctx = read(&state, &caller).await?;
    let summary = crate::reports::summary::summary(&mut ctx, &code, as_of).await;
    summary
        .map(Json)
        .map_err(|e| ApiError::from_service(&e, caller.lang))
}

/// The unit's direct children today.
#[utoipa::path(get, path = "/api/v1/units/{code}/children", tag = "units", security(("token" = [])),
    params(("code" = String, Path, description = "Unit code")),
    responses((status = 200, body = [Unit]), (status = 404, body = ApiError)))]
pub async fn children(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<Unit>>> {
    let today = crate::clock::today();
    let mut ctx = read(&state, &caller).await?;
    let fail = |e: crate::error::Error| ApiError::from_service(&e, caller.lang);
    let unit = crate::org::tree::find(&mut ctx, &code, today)
        .await
        .map_err(fail)?;
    crate::org::tree::children(&mut ctx, &unit, today)
        .await
        .map(Json)
        .map_err(fail)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// 2025, 2025-H1, 2025-Q3, 2025-07 or FROM..TO; this year if absent.
    period: Option<String>,
    /// The tree the rows follow: at-the-time (default), a date (yyyy-mm-dd), or today
    /// (restated through the lineage of merged units).
    structure: Option<String>,
}

/// The movement report of a unit for a period: one row per child unit and a total.
#[utoipa::path(get, path = "/api/v1/units/{code}/report", tag = "units", security(("token" = [])),
    params(("code" = String, Path, description = "Unit code"), PeriodQuery),
    responses((status = 200, body = MovementReport), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<MovementReport>> {
    let text = q
        .period
        .unwrap_or_else(|| crate::clock::today().year().to_string());
    let period = crate::reports::Period::parse(&text).ok_or_else(|| {
        ApiError::from_service(
            &crate::error::Error::invalid("period", "invalid-period"),
            caller.lang,
        )
    })?;
    let structure =
        crate::reports::movements::Structure::parse(q.structure.as_deref().unwrap_or(""))
            .ok_or_else(|| {
                ApiError::from_service(
                    &crate::error::Error::invalid("structure", "invalid-structure"),
                    caller.lang,
                )
            })?;
    let mut ctx = read(&state, &caller).await?;
    let report = crate::reports::movements::movements_in(&mut ctx, &code, period, structure).await;
    report
        .map(Json)
        .map_err(|e| ApiError::from_service(&e, caller.lang))
}
