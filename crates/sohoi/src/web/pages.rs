//! Page handlers: each parses input, calls service functions with the caller's scope and
//! renders a template. Text comes from the translation files.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::AppState;
use super::session::{
    self, CSRF_COOKIE, ClientAddr, LANG_COOKIE, Posted, SESSION_COOKIE, Signed, with_csrf,
};
use super::throttle::Throttle;
use crate::auth::password::Password;
use crate::auth::sessions::{random_token, same_token};
use crate::auth::users::{self, SignInError, User};
use crate::error::Error;
use crate::i18n::{Args, Lang, Translator, translator};

pub fn unavailable() -> Response {
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub fn message_page(status: StatusCode, lang: Lang, id: &str) -> Response {
    let t = translator(lang);
    let html = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/static/app.css\"><main><h1>{}</h1><p><a href=\"/\">Sổ Hội</a></p></main></html>",
        lang.code(),
        askama::filters::escape(t.msg(id), askama::filters::Html)
            .map(|e| e.to_string())
            .unwrap_or_default()
    );
    (status, Html(html)).into_response()
}

/// What a service error looks like to a person.
pub fn error_page(e: &Error, lang: Lang) -> Response {
    match e {
        Error::NotFound { .. } => message_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Error::Forbidden => message_page(StatusCode::FORBIDDEN, lang, "error-forbidden"),
        e if e.is_contention() => message_page(StatusCode::CONFLICT, lang, "conflict-busy"),
        other => {
            tracing::error!("{other}");
            message_page(StatusCode::INTERNAL_SERVER_ERROR, lang, "web-error")
        }
    }
}

/// Any address that is not a page: the not-found page, in the visitor's language.
pub async fn not_found(State(state): State<AppState>, parts: Parts) -> Response {
    message_page(
        StatusCode::NOT_FOUND,
        session::language(&parts, state.lang),
        "web-not-found",
    )
}

/// The tiers the signed-in user holds at a unit (none if the database cannot say).
pub async fn tiers_at(state: &AppState, signed: &Signed, unit: i64) -> crate::auth::Tiers {
    let Ok(mut tx) = state.store.read().await else {
        return Default::default();
    };
    signed
        .access
        .tiers_at(&mut tx, unit, crate::clock::today())
        .await
        .unwrap_or_default()
}

/// What a page needs the caller to be allowed to do at its unit.
pub enum Right {
    /// Change members (officers and above).
    Edit,
    /// Restructure the tree (chairs and administrators).
    Restructure,
}

/// The unit `code` as it stands today, if the caller holds `right` there; otherwise the page
/// that says why (not found outside her scope, forbidden within it).
pub async fn unit_for(
    state: &AppState,
    signed: &Signed,
    code: &str,
    right: Right,
) -> Result<crate::org::Unit, Response> {
    let today = crate::clock::today();
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return Err(unavailable());
    };
    let unit = crate::org::tree::find(&mut ctx, code, today)
        .await
        .map_err(|e| error_page(&e, signed.lang))?;
    let authority = match right {
        Right::Edit => crate::auth::Authority::EditMembers,
        Right::Restructure => crate::auth::Authority::Restructure,
    };
    let allowed = ctx.require(authority, unit.id, &unit.code).await;
    allowed.map_err(|e| error_page(&e, signed.lang))?;
    Ok(unit)
}

pub async fn health(State(state): State<AppState>) -> Response {
    let ok = match state.store.read().await {
        Ok(mut tx) => crate::org::store::max_id(&mut tx).await.is_ok(),
        Err(_) => false,
    };
    let engine = match state.store.engine() {
        crate::store::Engine::Sqlite => "sqlite",
        crate::store::Engine::Postgres => "postgres",
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(serde_json::json!({ "status": if ok { "ok" } else { "unavailable" }, "engine": engine }))).into_response()
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // The one response without personal data, and the one worth caching on a phone.
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    csrf: String,
    username: String,
    error: Option<String>,
}

/// The sign-in form. Before a session exists, CSRF is checked by a cookie that the form
/// must repeat (double submit).
pub async fn signin_form(State(state): State<AppState>, parts: Parts) -> Response {
    let lang = session::language(&parts, state.lang);
    let jar = CookieJar::from_headers(&parts.headers);
    let csrf = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_else(random_token);
    let secure = session::secure(&parts);
    let jar = jar
        .add(session::cookie(CSRF_COOKIE, csrf.clone(), secure))
        .add(session::cookie(LANG_COOKIE, lang.code().into(), secure));
    let page = SigninPage {
        lang: lang.code(),
        t: translator(lang),
        csrf,
        username: String::new(),
        error: None,
    };
    (jar, render(&page)).into_response()
}

#[derive(Deserialize)]
pub struct SigninForm {
    csrf: String,
    username: String,
    password: String,
}

pub async fn signin(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    parts: Parts,
    Form(form): Form<SigninForm>,
) -> Response {
    let lang = session::language(&parts, state.lang);
    let t = translator(lang);
    let jar = CookieJar::from_headers(&parts.headers);
    let cookie_csrf = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if cookie_csrf.is_empty() || !same_token(&cookie_csrf, &form.csrf) {
        return message_page(StatusCode::FORBIDDEN, lang, "web-csrf");
    }
    let keys = Throttle::keys(&form.username, &address);
    let refuse = |status: StatusCode, message: String| {
        let page = SigninPage {
            lang: lang.code(),
            t,
            csrf: cookie_csrf.clone(),
            username: form.username.chars().take(100).collect(),
            error: Some(message),
        };
        (status, render(&page)).into_response()
    };
    // Too many failures lately, for this name or from this address: wait, whether or not the
    // name exists. Nothing is checked, so nothing is logged.
    if let Some(wait) = state.throttle.wait(&keys, std::time::Instant::now()) {
        let seconds = Args::new().num("seconds", wait.as_secs_f64().ceil());
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            t.msg_with("web-signin-wait", &seconds),
        );
    }
    let outcome = users::sign_in(
        &state.store,
        &form.username,
        Password::new(form.password.clone()),
        &address,
    )
    .await;
    match outcome {
        Ok(user) => {
            state.throttle.succeeded(&keys[0]);
            let Ok(mut tx) = state.store.begin().await else {
                return unavailable();
            };
            let Ok((token, _csrf)) = crate::auth::sessions::open(&mut tx, &user).await else {
                return unavailable();
            };
            if tx.commit().await.is_err() {
                return unavailable();
            }
            let jar = jar
                .add(session::cookie(
                    SESSION_COOKIE,
                    token,
                    session::secure(&parts),
                ))
                .remove(CSRF_COOKIE);
            (jar, Redirect::to("/")).into_response()
        }
        Err(SignInError::Invalid) => {
            state.throttle.failed(&keys, std::time::Instant::now());
            refuse(StatusCode::UNAUTHORIZED, t.msg("web-signin-invalid"))
        }
        Err(SignInError::Db(_)) => unavailable(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn signout(
    State(state): State<AppState>,
    parts: Parts,
    Posted { signed: _, form: _ }: Posted<CsrfForm>,
) -> Response {
    let jar = CookieJar::from_headers(&parts.headers);
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        state.sessions.forget(&token);
        let Ok(mut tx) = state.store.begin().await else {
            return unavailable();
        };
        if crate::auth::sessions::close(&mut tx, &token).await.is_err()
            || tx.commit().await.is_err()
        {
            return unavailable();
        }
    }
    (
        jar.remove(axum_extra::extract::cookie::Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/signin"),
    )
        .into_response()
}

/// Signs the user out of every session, here and on every other device.
pub async fn signout_everywhere(
    State(state): State<AppState>,
    parts: Parts,
    Posted { signed, form: _ }: Posted<CsrfForm>,
) -> Response {
    state.sessions.forget_user(signed.user.id);
    let Ok(mut tx) = state.store.begin().await else {
        return unavailable();
    };
    let closed = crate::auth::sessions::close_all(&mut tx, signed.user.id, None).await;
    let actor = format!("user:{}", signed.user.username);
    let audited = crate::auth::audit::record(
        &mut tx,
        &actor,
        "signout.everywhere",
        None,
        Some(&signed.user.username),
        None,
    )
    .await;
    if closed.is_err() || audited.is_err() || tx.commit().await.is_err() {
        return unavailable();
    }
    let jar = CookieJar::from_headers(&parts.headers);
    (
        jar.remove(axum_extra::extract::cookie::Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/signin"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    error: Option<String>,
    done: bool,
}

pub async fn password_form(signed: Signed) -> Response {
    let page = PasswordPage {
        lang: signed.lang.code(),
        t: translator(signed.lang),
        user: &signed.user,
        csrf: &signed.csrf,
        error: None,
        done: false,
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Posted { signed, form }: Posted<PasswordForm>,
) -> Response {
    let Ok(mut tx) = state.store.begin().await else {
        return unavailable();
    };
    let result = users::change_password(
        &mut tx,
        &signed.user,
        &Password::new(form.current),
        &Password::new(form.new),
        Some(&signed.token),
    )
    .await;
    let (status, error, done) = match result {
        Ok(()) => {
            if tx.commit().await.is_err() {
                return unavailable();
            }
            // Her other sessions ended with the old password; none lingers in the cache.
            state.sessions.forget_user(signed.user.id);
            (StatusCode::OK, None, true)
        }
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(e.render(signed.lang)),
            false,
        ),
    };
    let page = PasswordPage {
        lang: signed.lang.code(),
        t: translator(signed.lang),
        user: &signed.user,
        csrf: &signed.csrf,
        error,
        done,
    };
    (status, render(&page)).into_response()
}

/// The home page is the page of the user's own unit.
pub async fn home(State(state): State<AppState>, signed: Signed) -> Response {
    let Ok(mut tx) = state.store.read().await else {
        return unavailable();
    };
    match users::grants_of(&mut tx, &signed.user).await {
        Ok(grants) => match grants.first() {
            Some(grant) => Redirect::to(&format!("/units/{}", grant.unit_code)).into_response(),
            None => message_page(StatusCode::OK, signed.lang, "web-no-role"),
        },
        Err(e) => error_page(&e, signed.lang),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    /// (time, actor, action, unit, subject, detail, address), as people read them.
    entries: Vec<[String; 7]>,
    older: Option<i64>,
}

/// An audit entry's time as officers write it: 27/11/2026 12:33:49.
fn audit_time(at: &str) -> String {
    match (at.get(0..4), at.get(5..7), at.get(8..10), at.get(11..19)) {
        (Some(y), Some(m), Some(d), Some(hms)) => format!("{d}/{m}/{y} {hms}"),
        _ => at.to_string(),
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

/// The audit log of the subtrees the user manages (chairs and administrators only).
pub async fn audit_log(
    State(state): State<AppState>,
    signed: Signed,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> Response {
    const PER_PAGE: i64 = 100;
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let entries = match crate::auth::audit::list(&mut ctx, q.before, PER_PAGE).await {
        Ok(e) => e,
        Err(e) => return error_page(&e, signed.lang),
    };
    let older = (entries.len() as i64 == PER_PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let t = translator(signed.lang);
    let entries = entries
        .into_iter()
        .map(|e| {
            let id = format!("audit-{}", e.action.replace('.', "-"));
            let action = if t.has(&id) {
                t.msg(&id)
            } else {
                e.action.clone()
            };
            let actor = e
                .actor
                .strip_prefix("user:")
                .unwrap_or(&e.actor)
                .to_string();
            let opt = |v: Option<String>| v.unwrap_or_default();
            [
                audit_time(&e.at),
                actor,
                action,
                opt(e.unit_code),
                opt(e.subject),
                opt(e.detail),
                opt(e.address),
            ]
        })
        .collect();
    render(&AuditPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        entries,
        older,
    })
}

#[derive(Template)]
#[template(path = "units_search.html")]
struct UnitSearchPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    query: String,
    found: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
pub struct UnitQuery {
    #[serde(default)]
    q: String,
}

/// Units whose name contains the query, ignoring diacritics, within the user's scope.
pub async fn find_units(
    State(state): State<AppState>,
    signed: Signed,
    axum::extract::Query(query): axum::extract::Query<UnitQuery>,
) -> Response {
    let t = translator(signed.lang);
    let found = if query.q.trim().is_empty() {
        vec![]
    } else {
        let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
            return unavailable();
        };
        match crate::org::tree::search(&mut ctx, &query.q, crate::clock::today(), 50).await {
            Ok(units) => units
                .into_iter()
                .map(|u| (u.code, u.name, t.msg(&format!("kind-{}", u.kind.as_str()))))
                .collect(),
            Err(e) => return error_page(&e, signed.lang),
        }
    };
    render(&UnitSearchPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        query: query.q,
        found,
    })
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    unit: crate::org::Unit,
    path: Vec<crate::org::Unit>,
    members: String,
    new_this_year: String,
    coverage: String,
    breakdowns: Vec<Breakdown>,
    children_title: String,
    children: Vec<(String, String, String)>,
    /// Members held by the unit itself (not by any child unit).
    direct: Option<String>,
    /// She may restructure this unit (chairs and administrators).
    can_manage: bool,
}

/// A breakdown on the dashboard: (dimension, title, rows of label and count).
type Breakdown = (&'static str, String, Vec<(String, String)>);

/// The breakdowns a dashboard shows, each as a table and a chart.
const DASHBOARD_DIMS: [&str; 6] = [
    "age_band",
    "kinh_minority",
    "education",
    "occupation",
    "religion",
    "segment",
];

/// A breakdown's rows as people read them: age bands in order, other values largest first.
fn breakdown(
    t: &Translator,
    summary: &crate::reports::summary::Summary,
    dim: &str,
) -> Option<Vec<(String, i64)>> {
    let values = summary.breakdowns.get(dim)?;
    let mut rows: Vec<(&String, &i64)> = values.iter().collect();
    if dim != "age_band" {
        rows.sort_by(|a, b| b.1.cmp(a.1));
    }
    Some(
        rows.into_iter()
            .map(|(v, n)| (crate::members::codes::label(t, dim, v), *n))
            .collect(),
    )
}

#[derive(Deserialize)]
pub struct ChartQuery {
    /// One of the dashboard's breakdowns; the age bands if absent.
    dim: Option<String>,
}

/// One breakdown of a unit's dashboard as an SVG bar chart (an image, so that the page's
/// content security policy stays strict).
pub async fn unit_chart(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Query(q): Query<ChartQuery>,
) -> Response {
    let t = translator(signed.lang);
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let summary =
        match crate::reports::summary::summary(&mut ctx, &code, crate::clock::today()).await {
            Ok(s) => s,
            Err(e) => return error_page(&e, signed.lang),
        };
    let dim = q.dim.unwrap_or_else(|| "age_band".into());
    // A dimension the caller may not see is absent from her summary: not found, like any other.
    let Some(rows) = DASHBOARD_DIMS
        .contains(&dim.as_str())
        .then(|| breakdown(t, &summary, &dim))
        .flatten()
    else {
        return message_page(StatusCode::NOT_FOUND, signed.lang, "web-not-found");
    };
    match crate::reports::chart::bars(&t.msg(&format!("dim-{dim}")), &rows) {
        Ok(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "private, max-age=60"),
            ],
            svg,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("chart: {e}");
            message_page(StatusCode::INTERNAL_SERVER_ERROR, signed.lang, "web-error")
        }
    }
}

/// A unit's dashboard: its figures, breakdowns and child units ranked by members.
pub async fn unit_page(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Response {
    let t = translator(signed.lang);
    let today = crate::clock::today();
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let summary = match crate::reports::summary::summary(&mut ctx, &code, today).await {
        Ok(s) => s,
        Err(e) => return error_page(&e, signed.lang),
    };
    let (path, children) = match (
        crate::org::tree::path(&mut ctx, &summary.unit, today).await,
        crate::org::tree::children(&mut ctx, &summary.unit, today).await,
    ) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return error_page(&e, signed.lang),
    };
    let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let counts = match crate::stats::stock_at(&mut ctx.tx, &ids, "all", today).await {
        Ok(c) => c,
        Err(e) => return error_page(&e, signed.lang),
    };
    let mut ranked: Vec<(i64, &crate::org::Unit)> = children
        .iter()
        .map(|c| (counts.get(&(c.id, String::new())).copied().unwrap_or(0), c))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
    // Members held by the unit itself, so that the rows add up to the unit's figure.
    let direct = summary.members - ranked.iter().map(|(n, _)| n).sum::<i64>();
    let number = crate::text::number;
    let breakdowns = DASHBOARD_DIMS
        .iter()
        .filter_map(|dim| breakdown(t, &summary, dim).map(|rows| (*dim, rows)))
        .map(|(dim, rows)| {
            let rows = rows
                .into_iter()
                .map(|(label, n)| (label, number(n)))
                .collect();
            (dim, t.msg(&format!("dim-{dim}")), rows)
        })
        .collect();
    let page = UnitPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        path,
        members: number(summary.members),
        new_this_year: number(summary.new_this_year),
        coverage: crate::text::percent(summary.coverage_rate),
        breakdowns,
        children_title: t.msg_with(
            "web-children",
            &Args::new().num("count", children.len() as f64),
        ),
        children: ranked
            .into_iter()
            .map(|(n, c)| (c.code.clone(), c.name.clone(), number(n)))
            .collect(),
        direct: (direct != 0 && !children.is_empty()).then(|| number(direct)),
        can_manage: ctx
            .access
            .may(
                &mut ctx.tx,
                crate::auth::Authority::Restructure,
                summary.unit.id,
                today,
            )
            .await
            .unwrap_or(false),
        unit: summary.unit,
    };
    render(&page)
}

with_csrf!(CsrfForm, PasswordForm);
