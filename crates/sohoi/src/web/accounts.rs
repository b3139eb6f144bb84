//! The accounts page, for chairs and administrators: the grants of the accounts in their
//! subtrees, a form to make an account, a form to give an account another grant, and a way
//! to take a grant back. A chair gives at most what she holds (no administrators, no tier she
//! lacks); every change is in the audit log.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::pages::{error_page, message_page, render, unavailable};
use super::session::{Posted, Signed, with_csrf};
use crate::auth::password::Password;
use crate::auth::users::{self, GrantRequest, NewAccount, User};
use crate::auth::{Authority, Role, Tier};
use crate::i18n::{Args, Translator, translator};

/// A grant as the page lists it: names, never bare codes.
struct Row {
    username: String,
    display_name: String,
    unit_code: String,
    role: String,
    tiers: String,
    locked_until: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    rows: Vec<Row>,
    roles: Vec<(&'static str, String)>,
    /// The tiers she may give, with their names.
    tiers: Vec<(&'static str, String)>,
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
    identity: Option<String>,
    #[serde(default)]
    ethnicity_religion: Option<String>,
    #[serde(default)]
    party: Option<String>,
    #[serde(default)]
    personnel: Option<String>,
    #[serde(default)]
    support_cases: Option<String>,
    #[serde(default)]
    password: String,
}

impl AccountForm {
    fn tiers(&self) -> Vec<Tier> {
        [
            (Tier::Identity, &self.identity),
            (Tier::EthnicityReligion, &self.ethnicity_religion),
            (Tier::Party, &self.party),
            (Tier::Personnel, &self.personnel),
            (Tier::SupportCases, &self.support_cases),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(t, _)| t)
        .collect()
    }

    /// Whether the box of `tier` was ticked (for the template).
    fn has(&self, tier: &str) -> bool {
        Tier::parse(tier).is_some_and(|t| self.tiers().contains(&t))
    }

    fn blank() -> Self {
        AccountForm {
            role: "viewer".into(),
            ..AccountForm::default()
        }
    }
}

async fn page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    form: AccountForm,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let accounts = match users::accounts(&mut ctx).await {
        Ok(a) => a,
        Err(e) => return error_page(&e, signed.lang),
    };
    let t = translator(signed.lang);
    let rows = accounts
        .iter()
        .map(|a| Row {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            unit_code: a.unit_code.clone(),
            role: match a.role() {
                Some(role) => t.msg(&format!("role-{}", role.as_str())),
                None => a
                    .authorities
                    .split(',')
                    .map(|x| t.msg(&format!("authority-{x}")))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            tiers: a
                .tiers()
                .iter()
                .map(|x| t.msg(&format!("tier-{}", x.as_str())))
                .collect::<Vec<_>>()
                .join(", "),
            locked_until: a.locked_until.clone(),
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .filter(|r| {
            r.authorities()
                .iter()
                .all(|a| signed.access.holds_anywhere(*a))
        })
        .map(|r| (r.as_str(), t.msg(&format!("role-{}", r.as_str()))))
        .collect();
    let tiers = Tier::ALL
        .iter()
        .filter(|x| match x {
            Tier::SupportCases => signed.access.holds_anywhere(Authority::ManageCaseWorkers),
            other => signed.access.holds_tier_anywhere(**other),
        })
        .map(|x| (x.as_str(), t.msg(&format!("tier-{}", x.as_str()))))
        .collect();
    let page = AccountsPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        rows,
        roles,
        tiers,
        form,
        error,
        notice,
    };
    (status, render(&page)).into_response()
}

pub async fn list(State(state): State<AppState>, signed: Signed) -> Response {
    page(
        &state,
        &signed,
        StatusCode::OK,
        AccountForm::blank(),
        None,
        None,
    )
    .await
}

/// What the page shows after a change: the list with a notice, or the form again with the
/// reason (a grant beyond hers is refused outright).
async fn after(
    state: &AppState,
    signed: &Signed,
    form: AccountForm,
    result: crate::error::Result<String>,
) -> Response {
    match result {
        Ok(notice) => {
            page(
                state,
                signed,
                StatusCode::OK,
                AccountForm::blank(),
                None,
                Some(notice),
            )
            .await
        }
        Err(e @ crate::error::Error::Forbidden) => error_page(&e, signed.lang),
        Err(e) => {
            page(
                state,
                signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                Some(e.render(signed.lang)),
                None,
            )
            .await
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    Posted { signed, mut form }: Posted<AccountForm>,
) -> Response {
    let Some(role) = Role::parse(&form.role) else {
        return message_page(StatusCode::BAD_REQUEST, signed.lang, "web-error");
    };
    let password = Password::new(std::mem::take(&mut form.password));
    let tiers = form.tiers();
    let account = NewAccount {
        username: &form.username,
        display_name: &form.display_name,
        unit_code: &form.unit,
        role,
        tiers: &tiers,
    };
    let result = crate::write_ctx!(state.store, signed.access, ctx => users::create(ctx, &account, &password).await);
    let t = translator(signed.lang);
    let result = result.map(|_| {
        t.msg_with(
            "account-created",
            &Args::new().with("username", form.username.clone()),
        )
    });
    after(&state, &signed, form, result).await
}

/// Gives an existing account another grant.
pub async fn grant(
    State(state): State<AppState>,
    Posted { signed, form }: Posted<AccountForm>,
) -> Response {
    let Some(role) = Role::parse(&form.role) else {
        return message_page(StatusCode::BAD_REQUEST, signed.lang, "web-error");
    };
    let request = GrantRequest::role(&form.unit, role, &form.tiers());
    let result = crate::write_ctx!(state.store, signed.access, ctx => users::grant(ctx, &form.username, &request).await);
    let t = translator(signed.lang);
    let args = Args::new()
        .with("username", form.username.clone())
        .with("unit", form.unit.clone());
    let result = result.map(|()| t.msg_with("web-grant-given", &args));
    after(&state, &signed, form, result).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    username: String,
    unit: String,
}

/// Takes back an account's grants at a unit (the page asks first; the audit log keeps it).
pub async fn revoke(
    State(state): State<AppState>,
    Posted { signed, form }: Posted<RevokeForm>,
) -> Response {
    let result = crate::write_ctx!(state.store, signed.access, ctx => users::revoke(ctx, &form.username, &form.unit).await);
    let t = translator(signed.lang);
    let args = Args::new()
        .with("username", form.username.clone())
        .with("unit", form.unit.clone());
    let result = result.map(|_| t.msg_with("web-grant-revoked", &args));
    after(&state, &signed, AccountForm::blank(), result).await
}

with_csrf!(AccountForm, RevokeForm);
