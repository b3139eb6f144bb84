//! The JSON API under /api/v1: the same service functions as the pages, for programs. A
//! program acts as the user whose API token it sends (`Authorization: Bearer sohoi_…`),
//! with her access; the OpenAPI document at /api/v1/openapi.json describes every operation.

mod members;
mod openapi;
mod rounds;
mod units;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::extract::rejection::JsonRejection;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AppState, Route};
use crate::auth::Access;
use crate::auth::users::User;
use crate::ctx::Ctx;
use crate::error::Error;
use crate::i18n::Lang;

pub use openapi::document;

pub fn routes() -> Vec<Route> {
    use super::Audience::*;
    vec![
        (
            "/api/v1/openapi.json",
            Public,
            &["GET"],
            get(openapi::serve),
        ),
        ("/api/v1/me", Own, &["GET"], get(units::me)),
        (
            "/api/v1/units/{code}",
            Scoped,
            &["GET"],
            get(units::summary),
        ),
        (
            "/api/v1/units/{code}/children",
            Scoped,
            &["GET"],
            get(units::children),
        ),
        (
            "/api/v1/units/{code}/report",
            Scoped,
            &["GET"],
            get(units::report),
        ),
        (
            "/api/v1/units/{code}/members",
            Scoped,
            &["GET", "POST"],
            get(members::list).post(members::add),
        ),
        (
            "/api/v1/members/{id}",
            Scoped,
            &["GET", "PUT"],
            get(members::show).put(members::edit),
        ),
        (
            "/api/v1/members/{id}/transfer",
            Scoped,
            &["POST"],
            post(members::transfer),
        ),
        (
            "/api/v1/members/{id}/leave",
            Scoped,
            &["POST"],
            post(members::leave),
        ),
        ("/api/v1/forms", Own, &["GET"], get(rounds::forms)),
        (
            "/api/v1/rounds",
            Own,
            &["GET", "POST"],
            get(rounds::list).post(rounds::open_round),
        ),
        (
            "/api/v1/rounds/{round}/units/{code}",
            Scoped,
            &["GET"],
            get(rounds::show),
        ),
        (
            "/api/v1/rounds/{round}/units/{code}/values",
            Scoped,
            &["POST"],
            post(rounds::enter),
        ),
        (
            "/api/v1/rounds/{round}/units/{code}/submit",
            Scoped,
            &["POST"],
            post(rounds::submit),
        ),
        (
            "/api/v1/rounds/{round}/units/{code}/decision",
            Scoped,
            &["POST"],
            post(rounds::decide),
        ),
        (
            "/api/v1/rounds/{round}/units/{code}/deadlines",
            Scoped,
            &["POST"],
            post(rounds::deadlines),
        ),
        (
            "/api/v1/rounds/{round}/units/{code}/status",
            Scoped,
            &["GET"],
            get(rounds::status),
        ),
        (
            "/api/v1/rounds/{round}/units/{code}/review",
            Scoped,
            &["GET"],
            get(rounds::review),
        ),
        (
            "/api/v1/units/{code}/inbox",
            Scoped,
            &["GET"],
            get(rounds::unit_inbox),
        ),
    ]
}

/// A program calling with a user's token: her access and the language of messages
/// (`?lang=`, else `Accept-Language`, else the server's default).
pub struct Caller {
    pub user: User,
    pub access: Access,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Lang::parse(v.get(..2)?));
        let lang = super::session::language(parts, accept.unwrap_or(state.lang));
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let unauthorized = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                crate::i18n::translator(lang).msg("api-unauthorized"),
            )
        };
        let Some(token) = bearer.map(str::trim) else {
            return Err(unauthorized().into_response());
        };
        let mut tx = state
            .store
            .read()
            .await
            .map_err(|_| ApiError::unavailable(lang).into_response())?;
        let user = match crate::auth::tokens::find(&mut tx, token).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err(unauthorized().into_response()),
            Err(e) => return Err(ApiError::from_service(&e, lang).into_response()),
        };
        let access = crate::auth::users::access_for(&mut tx, &user)
            .await
            .map_err(|e| ApiError::from_service(&e, lang).into_response())?;
        Ok(Caller { user, access, lang })
    }
}

/// Every failure answers with this body: a stable `error` code for programs and a
/// `message` for people, in the caller's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    /// not_found, invalid, conflict, forbidden, unauthorized, bad_request, unavailable, internal.
    pub error: &'static str,
    pub message: String,
    /// For invalid input: each field that is wrong, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, error: &'static str, message: String) -> Self {
        ApiError {
            status,
            error,
            message,
            fields: vec![],
        }
    }

    fn unavailable(lang: Lang) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            crate::i18n::translator(lang).msg("web-error"),
        )
    }

    fn from_service(e: &Error, lang: Lang) -> Self {
        let (status, code) = match e {
            e if e.is_contention() => (StatusCode::CONFLICT, "conflict"),
            Error::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            Error::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Error::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            Error::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Error::Db(sqlx::Error::PoolTimedOut) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            Error::Db(_) | Error::File(_) => {
                tracing::error!("api: {e}");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let mut out = Self::new(status, code, e.render(lang));
        if let Error::Invalid { field, .. } = e {
            out.fields.push(FieldError {
                field,
                message: out.message.clone(),
            });
        }
        out
    }

    /// All the field errors of one input at once, as a form shows them.
    fn invalid(errors: &[Error], lang: Lang) -> Self {
        let fields: Vec<FieldError> = errors
            .iter()
            .filter_map(|e| match e {
                Error::Invalid { field, .. } => Some(FieldError {
                    field,
                    message: e.render(lang),
                }),
                _ => None,
            })
            .collect();
        let message = fields
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: "invalid",
            message,
            fields,
        }
    }

    fn bad_body(rejection: &JsonRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            rejection.body_text(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Opens a read snapshot or a write transaction, or answers 503.
async fn read(state: &AppState, caller: &Caller) -> ApiResult<Ctx> {
    Ctx::read(&state.store, caller.access.clone())
        .await
        .map_err(|_| ApiError::unavailable(caller.lang))
}

/// Ends a read: its audited reads are filed, or the answer is "unavailable".
async fn finish(ctx: Ctx, caller: &Caller) -> ApiResult<()> {
    ctx.finish()
        .await
        .map_err(|e| ApiError::from_service(&e, caller.lang))
}

/// The JSON body, or a 400 answer in the API's error shape.
fn body<T>(json: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    json.map(|Json(v)| v).map_err(|r| ApiError::bad_body(&r))
}
