//! The OpenAPI document, generated from the handlers' annotations so that it cannot drift
//! from the code.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "sohoi API", description = "The register of the Vietnam Women's Union: units, members, reports. \
        Send a user's API token as `Authorization: Bearer sohoi_…`; the program sees and does what she may."),
    paths(
        super::units::me,
        super::units::summary,
        super::units::children,
        super::units::report,
        super::members::list,
        super::members::add,
        super::members::show,
        super::members::edit,
        super::members::transfer,
        super::members::leave,
        super::rounds::forms,
        super::rounds::list,
        super::rounds::open_round,
        super::rounds::show,
        super::rounds::enter,
        super::rounds::submit,
        super::rounds::decide,
        super::rounds::deadlines,
        super::rounds::status,
        super::rounds::review,
        super::rounds::unit_inbox,
    ),
    modifiers(&BearerToken),
    tags((name = "units", description = "The tree, a unit's figures and reports"), (name = "members", description = "The member register"),
        (name = "rounds", description = "Report rounds: forms sent down the tree, answered, reviewed and approved back up"))
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
