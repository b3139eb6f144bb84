//! Report rounds through the API: forms, rounds, a unit's response and its cycle,
//! completeness, the review screen and the inbox — the same service functions as the pages.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Caller, body, finish, read};
use crate::rounds::{self, board, form, inbox, open, response, review, sheet};
use crate::web::AppState;

fn service(caller: &Caller) -> impl Fn(crate::error::Error) -> ApiError + '_ {
    move |e| ApiError::from_service(&e, caller.lang)
}

fn date(text: &str, field: &'static str, caller: &Caller) -> ApiResult<time::Date> {
    crate::clock::parse_date(text).ok_or_else(|| {
        ApiError::from_service(
            &crate::error::Error::invalid(field, "invalid-date"),
            caller.lang,
        )
    })
}

/// The latest version of every form.
#[utoipa::path(get, path = "/api/v1/forms", tag = "rounds", security(("token" = [])),
    responses((status = 200, body = Vec<form::Form>), (status = 401, body = ApiError)))]
pub async fn forms(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<form::Form>>> {
    let mut ctx = read(&state, &caller).await?;
    let forms = form::list(&mut ctx).await.map_err(service(&caller))?;
    finish(ctx, &caller).await?;
    Ok(Json(forms))
}

/// The rounds the caller's units take part in, newest first.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds", security(("token" = [])),
    responses((status = 200, body = Vec<rounds::Listed>), (status = 401, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<rounds::Listed>>> {
    let mut ctx = read(&state, &caller).await?;
    let listed = rounds::list(&mut ctx, None)
        .await
        .map_err(service(&caller))?;
    finish(ctx, &caller).await?;
    Ok(Json(listed))
}

#[derive(Deserialize, ToSchema)]
pub struct OpenRound {
    /// The form's code (its latest version is sent).
    pub form: String,
    /// 2026-H1, 2026, 2026-Q3…
    pub period: String,
    /// The opening unit.
    pub under: String,
    /// province, commune, branch or group.
    pub to: String,
    /// yyyy-mm-dd or dd/mm/yyyy: submitted by this day is on time.
    pub due: String,
    /// After this day entry is locked.
    pub close: Option<String>,
    /// Computed figures are taken at this day (default the period's last day).
    pub cutoff: Option<String>,
}

/// Opens a round: the form goes down the tree to every unit of the kind.
#[utoipa::path(post, path = "/api/v1/rounds", tag = "rounds", security(("token" = [])), request_body = OpenRound,
    responses((status = 201, body = open::Opened), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn open_round(
    State(state): State<AppState>,
    caller: Caller,
    json: Result<Json<OpenRound>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<open::Opened>)> {
    let request = body(json)?;
    let to = crate::org::UnitKind::parse(request.to.trim()).ok_or_else(|| {
        ApiError::from_service(
            &crate::error::Error::invalid("round_to", "invalid-round-kind"),
            caller.lang,
        )
    })?;
    let due = date(&request.due, "due", &caller)?;
    let closes = request
        .close
        .as_deref()
        .map(|c| date(c, "closes", &caller))
        .transpose()?;
    let cutoff = request
        .cutoff
        .as_deref()
        .map(|c| date(c, "cutoff", &caller))
        .transpose()?;
    let open_request = open::OpenRequest {
        form: &request.form,
        period: &request.period,
        under: &request.under,
        to,
        cutoff,
        due,
        closes,
    };
    crate::write_ctx!(state.store, caller.access, ctx => open::open(ctx, &open_request).await)
        .map(|o| (StatusCode::CREATED, Json(o)))
        .map_err(service(&caller))
}

/// A unit's response: every row with its value and source, status, findings and history.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/units/{code}", tag = "rounds", security(("token" = [])),
    params(("round" = i64, Path), ("code" = String, Path)),
    responses((status = 200, body = sheet::Sheet), (status = 404, body = ApiError)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, code)): Path<(i64, String)>,
) -> ApiResult<Json<sheet::Sheet>> {
    let mut ctx = read(&state, &caller).await?;
    let s = sheet::show(&mut ctx, round, &code, caller.lang)
        .await
        .map_err(service(&caller))?;
    finish(ctx, &caller).await?;
    Ok(Json(s))
}

#[derive(Deserialize, ToSchema)]
pub struct Entries {
    /// Indicator code (or `narrative:N`) → value as typed; an empty value clears it.
    pub values: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct Changed {
    pub changed: usize,
}

/// Enters values of the unit's own rows.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/units/{code}/values", tag = "rounds", security(("token" = [])),
    params(("round" = i64, Path), ("code" = String, Path)), request_body = Entries,
    responses((status = 200, body = Changed), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn enter(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, code)): Path<(i64, String)>,
    json: Result<Json<Entries>, JsonRejection>,
) -> ApiResult<Json<Changed>> {
    let entries: Vec<(String, String)> = body(json)?.values.into_iter().collect();
    if entries.len() > 1_000 {
        return Err(ApiError::from_service(
            &crate::error::Error::invalid("value", "invalid-form-rows"),
            caller.lang,
        ));
    }
    crate::write_ctx!(state.store, caller.access, ctx => response::enter(ctx, round, &code, &entries).await)
        .map(|changed| Json(Changed { changed }))
        .map_err(service(&caller))
}

/// Submits the unit's response to the level above.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/units/{code}/submit", tag = "rounds", security(("token" = [])),
    params(("round" = i64, Path), ("code" = String, Path)),
    responses((status = 200, body = response::Submitted), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, code)): Path<(i64, String)>,
) -> ApiResult<Json<response::Submitted>> {
    crate::write_ctx!(state.store, caller.access, ctx => response::submit(ctx, round, &code).await)
        .map(Json)
        .map_err(service(&caller))
}

#[derive(Deserialize, ToSchema)]
pub struct Decision {
    /// return, approve, reopen, waive or late.
    pub action: String,
    /// Required to return, reopen, waive or grant a late-entry window.
    #[serde(default)]
    pub reason: String,
    /// For `late`: the last day of the window (yyyy-mm-dd or dd/mm/yyyy).
    pub until: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub status: rounds::Status,
}

/// The level above decides on a child's response: return (with a reason), approve, reopen
/// (with a reason), waive (with a reason) or grant a late-entry window.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/units/{code}/decision", tag = "rounds", security(("token" = [])),
    params(("round" = i64, Path), ("code" = String, Path)), request_body = Decision,
    responses((status = 200, body = Done), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, code)): Path<(i64, String)>,
    json: Result<Json<Decision>, JsonRejection>,
) -> ApiResult<Json<Done>> {
    let d = body(json)?;
    let until = match (d.action.as_str(), d.until.as_deref()) {
        ("late", Some(u)) => Some(date(u, "until", &caller)?),
        ("late", None) => {
            return Err(ApiError::from_service(
                &crate::error::Error::invalid("until", "invalid-required"),
                caller.lang,
            ));
        }
        _ => None,
    };
    crate::write_ctx!(state.store, caller.access, ctx => {
        match d.action.as_str() {
            "return" => response::send_back(ctx, round, &code, &d.reason).await,
            "approve" => response::approve(ctx, round, &code).await,
            "reopen" => response::reopen(ctx, round, &code, &d.reason).await.map(|_| ()),
            "waive" => response::waive(ctx, round, &code, &d.reason).await,
            "late" => response::grant_late(ctx, round, &code, until.unwrap_or(ctx.today), &d.reason).await,
            _ => Err(crate::error::Error::invalid("action", "invalid-code")),
        }?;
        Ok(response::locate(ctx, round, &code).await?.response.status)
    })
    .map(|status| Json(Done { status }))
    .map_err(service(&caller))
}

/// Completeness under a unit: expected, on time, late, missing, returned, approved, per child.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/units/{code}/status", tag = "rounds", security(("token" = [])),
    params(("round" = i64, Path), ("code" = String, Path)),
    responses((status = 200, body = board::Board), (status = 404, body = ApiError)))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, code)): Path<(i64, String)>,
) -> ApiResult<Json<board::Board>> {
    let mut ctx = read(&state, &caller).await?;
    let b = board::board(&mut ctx, round, &code)
        .await
        .map_err(service(&caller))?;
    finish(ctx, &caller).await?;
    Ok(Json(b))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Count submitted reports too, not only approved ones.
    #[serde(default)]
    all_submitted: bool,
}

/// The review screen: each child's figures side by side with the total, the previous
/// period, the register's figures and each child's findings.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/units/{code}/review", tag = "rounds", security(("token" = [])),
    params(("round" = i64, Path), ("code" = String, Path), ReviewQuery),
    responses((status = 200, body = review::Review), (status = 404, body = ApiError)))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, code)): Path<(i64, String)>,
    Query(q): Query<ReviewQuery>,
) -> ApiResult<Json<review::Review>> {
    let mut ctx = read(&state, &caller).await?;
    let r = review::review(&mut ctx, round, &code, q.all_submitted, caller.lang)
        .await
        .map_err(service(&caller))?;
    finish(ctx, &caller).await?;
    Ok(Json(r))
}

/// What a unit must do: rounds to answer, children's reports to review.
#[utoipa::path(get, path = "/api/v1/units/{code}/inbox", tag = "rounds", security(("token" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = inbox::Inbox), (status = 404, body = ApiError)))]
pub async fn unit_inbox(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<inbox::Inbox>> {
    let mut ctx = read(&state, &caller).await?;
    let i = inbox::inbox(&mut ctx, &code)
        .await
        .map_err(service(&caller))?;
    finish(ctx, &caller).await?;
    Ok(Json(i))
}

#[derive(Deserialize, ToSchema)]
pub struct Deadlines {
    /// yyyy-mm-dd or dd/mm/yyyy: the due date of every response under the unit.
    pub due: String,
    /// The closing date under the unit (default: the unit's own).
    pub close: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Moved {
    /// Responses under the unit whose dates were set.
    pub moved: u64,
}

/// A unit sets earlier deadlines for its part of a round (never later than its own).
#[utoipa::path(post, path = "/api/v1/rounds/{round}/units/{code}/deadlines", tag = "rounds", security(("token" = [])),
    params(("round" = i64, Path), ("code" = String, Path)), request_body = Deadlines,
    responses((status = 200, body = Moved), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn deadlines(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, code)): Path<(i64, String)>,
    json: Result<Json<Deadlines>, JsonRejection>,
) -> ApiResult<Json<Moved>> {
    let d = body(json)?;
    let due = date(&d.due, "due", &caller)?;
    let close = d
        .close
        .as_deref()
        .map(|c| date(c, "closes", &caller))
        .transpose()?;
    crate::write_ctx!(state.store, caller.access, ctx => response::set_deadlines(ctx, round, &code, due, close).await)
        .map(|moved| Json(Moved { moved }))
        .map_err(service(&caller))
}
