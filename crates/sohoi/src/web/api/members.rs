//! Members through the API: list and search, add (with the duplicate warning), read,
//! correct, transfer and end a membership.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Caller, body, finish, read};
use crate::error::Error;
use crate::members::Member;
use crate::members::input::RawMember;
use crate::members::service::{self, Ending, MemberView, Page, Similar};
use crate::web::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words of a name, with or without diacritics; the whole subtree is searched.
    q: Option<String>,
    /// active (default), left, died, or all.
    status: Option<String>,
    /// A segment code: intellectual, entrepreneur, influencer, worker, farmer, and (with the
    /// sensitive grant) ethnic_minority, religious.
    segment: Option<String>,
    /// An age band: 18-30, 31-45, 46-60, 61-75, 76+.
    age: Option<String>,
    page: Option<i64>,
    /// 1 to 500; 50 if absent.
    per_page: Option<i64>,
}

/// The members under a unit, in Vietnamese name order, a page at a time; or those whose
/// name matches `q`.
#[utoipa::path(get, path = "/api/v1/units/{code}/members", tag = "members", security(("token" = [])),
    params(("code" = String, Path, description = "Unit code"), ListQuery),
    responses((status = 200, body = Page), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Page>> {
    let fail = |e: Error| ApiError::from_service(&e, caller.lang);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let filter = service::filter(
        q.status.as_deref(),
        q.segment.as_deref(),
        q.age.as_deref(),
        crate::clock::today(),
    )
    .map_err(fail)?;
    let mut ctx = read(&state, &caller).await?;
    match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(words) => {
            let found = service::search(&mut ctx, words, Some(&code), per_page)
                .await
                .map_err(fail)?;
            Ok(Json(Page {
                total: found.len() as i64,
                page: 1,
                per_page,
                members: found,
            }))
        }
        None => service::list(&mut ctx, &code, &filter, q.page.unwrap_or(1), per_page)
            .await
            .map(Json)
            .map_err(fail),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewMember {
    pub member: RawMember,
    /// Save even though a possible duplicate was found.
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PossibleDuplicates {
    pub error: &'static str,
    pub message: String,
    pub similar: Vec<Similar>,
}

/// Adds a member to a unit. If someone with the same name and birth year is already in the
/// commune, nothing is saved and 409 lists her; send again with `confirm: true` to save.
#[utoipa::path(post, path = "/api/v1/units/{code}/members", tag = "members", security(("token" = [])),
    params(("code" = String, Path, description = "Unit code")), request_body = NewMember,
    responses((status = 201, body = Created), (status = 409, body = PossibleDuplicates), (status = 422, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    json: Result<Json<NewMember>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), axum::response::Response> {
    use axum::response::IntoResponse;
    let new = body(json).map_err(IntoResponse::into_response)?;
    let fail = |e: Error| ApiError::from_service(&e, caller.lang).into_response();
    let input = new
        .member
        .parse(crate::clock::today())
        .map_err(|errors| ApiError::invalid(&errors, caller.lang).into_response())?;
    let outcome = crate::write_ctx!(state.store, caller.access, ctx => {
        let similar = if new.confirm { vec![] } else { service::possible_duplicates(ctx, &code, &input).await? };
        if similar.is_empty() { service::add(ctx, &code, input.clone()).await.map(Ok) } else { Ok(Err(similar)) }
    })
    .map_err(fail)?;
    match outcome {
        Ok(added) => Ok((StatusCode::CREATED, Json(Created { id: added.id }))),
        Err(similar) => {
            let message = crate::i18n::translator(caller.lang).msg("web-similar-title");
            Err((
                StatusCode::CONFLICT,
                Json(PossibleDuplicates {
                    error: "possible_duplicate",
                    message,
                    similar,
                }),
            )
                .into_response())
        }
    }
}

/// A member's record and ledger. Sensitive fields are blank without the grant; reading
/// them is written to the audit log.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", security(("token" = [])),
    params(("id" = i64, Path, description = "Member id")),
    responses((status = 200, body = MemberView), (status = 404, body = ApiError)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<MemberView>> {
    // A snapshot: the audit entry of a sensitive read is filed after it, in its own write.
    let mut ctx = read(&state, &caller).await?;
    let view = service::show(&mut ctx, id)
        .await
        .map_err(|e| ApiError::from_service(&e, caller.lang))?;
    finish(ctx, &caller).await?;
    Ok(Json(view))
}

#[derive(Deserialize, ToSchema)]
pub struct Correction {
    /// The `version` of the record the correction was made from; a save over a newer
    /// save answers 409.
    pub version: i32,
    pub member: RawMember,
}

/// Corrects a member's record (a "corrected" event in her ledger holds what changed).
#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "members", security(("token" = [])),
    params(("id" = i64, Path, description = "Member id")), request_body = Correction,
    responses((status = 200, body = Member), (status = 409, body = ApiError), (status = 422, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    json: Result<Json<Correction>, JsonRejection>,
) -> ApiResult<Json<Member>> {
    let correction = body(json)?;
    let today = crate::clock::today();
    let outcome = crate::write_ctx!(state.store, caller.access, ctx => {
        // The join date and sex change through their own ledger events: left blank, they stay.
        let stored = service::current(ctx, id).await?;
        let mut raw = correction.member.clone();
        if raw.joined_on.trim().is_empty() {
            raw.joined_on = stored.joined_on.map(crate::clock::vn_date).unwrap_or_default();
        }
        if raw.sex.trim().is_empty() {
            raw.sex = stored.sex.as_str().into();
        }
        match raw.parse(today) {
            Ok(input) => {
                service::edit(ctx, id, correction.version, input, today).await?;
                service::current(ctx, id).await.map(Ok)
            }
            Err(errors) => Ok(Err(errors)),
        }
    })
    .map_err(|e| ApiError::from_service(&e, caller.lang))?;
    outcome
        .map(Json)
        .map_err(|errors| ApiError::invalid(&errors, caller.lang))
}

#[derive(Deserialize, ToSchema)]
pub struct TransferRequest {
    pub version: i32,
    /// The code of the unit she moves to.
    pub to: String,
    /// yyyy-mm-dd or dd/mm/yyyy.
    pub date: String,
    pub note: Option<String>,
}

/// Transfers a member to another unit. The destination may lie outside the caller's reach
/// (a commune sends a member on to wherever she moves): the answer is then the record as
/// the transfer left it, and the member leaves the caller's view.
#[utoipa::path(post, path = "/api/v1/members/{id}/transfer", tag = "members", security(("token" = [])),
    params(("id" = i64, Path, description = "Member id")), request_body = TransferRequest,
    responses((status = 200, body = Member), (status = 409, body = ApiError), (status = 422, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    json: Result<Json<TransferRequest>, JsonRejection>,
) -> ApiResult<Json<Member>> {
    let request = body(json)?;
    let date = effective_date(&request.date, &caller)?;
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    crate::write_ctx!(state.store, caller.access, ctx => service::transfer(ctx, id, request.version, &request.to, date, note).await)
        .map(Json)
        .map_err(|e| ApiError::from_service(&e, caller.lang))
}

#[derive(Deserialize, ToSchema)]
pub struct LeaveRequest {
    pub version: i32,
    pub date: String,
    /// She died (rather than left the Union).
    #[serde(default)]
    pub died: bool,
    pub note: Option<String>,
}

/// Ends a membership: she left the Union, or died.
#[utoipa::path(post, path = "/api/v1/members/{id}/leave", tag = "members", security(("token" = [])),
    params(("id" = i64, Path, description = "Member id")), request_body = LeaveRequest,
    responses((status = 200, body = Member), (status = 409, body = ApiError), (status = 422, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn leave(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    json: Result<Json<LeaveRequest>, JsonRejection>,
) -> ApiResult<Json<Member>> {
    let request = body(json)?;
    let date = effective_date(&request.date, &caller)?;
    let how = if request.died {
        Ending::Died
    } else {
        Ending::Left
    };
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    crate::write_ctx!(state.store, caller.access, ctx => {
        service::end(ctx, id, request.version, how, date, note).await?;
        service::current(ctx, id).await
    })
    .map(Json)
    .map_err(|e| ApiError::from_service(&e, caller.lang))
}

fn effective_date(text: &str, caller: &Caller) -> ApiResult<time::Date> {
    crate::clock::parse_date(text).ok_or_else(|| {
        ApiError::from_service(&Error::invalid("effective_on", "invalid-date"), caller.lang)
    })
}
