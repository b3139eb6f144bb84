//! Member pages: the list of a unit (paging, Vietnamese order, search), a member's record
//! and ledger with transfer and leave actions, the add form that warns of duplicates, and
//! the movement report.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::pages::{Right, error_page, render, unavailable, unit_for};
use super::session::{Posted, Signed, with_csrf};
use crate::auth::users::User;
use crate::auth::{Authority, Tier};
use crate::i18n::{Args, Translator, translator};
use crate::members::codes;
use crate::members::codes::label as value_label;
use crate::members::input::RawMember;
use crate::members::service::{self, Ending, Similar};

const PER_PAGE: i64 = 50;

/// A member as a list row shows her.
struct MemberRow {
    id: i64,
    name: String,
    birth: String,
    unit: String,
    status: String,
}

/// A ledger event as a member's page shows it.
struct HistoryRow {
    date: String,
    event: String,
    unit: String,
    by: String,
}

#[derive(Template)]
#[template(path = "members.html")]
struct ListPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    unit: crate::org::Unit,
    query: String,
    /// The filters as (field, label, options: value, text, selected).
    filters: Vec<(&'static str, String, SelectOptions)>,
    /// The filters as an address query, to carry through paging.
    filter_query: String,
    /// The search and filters, for the export of this very list.
    export_query: String,
    summary: String,
    error: Option<String>,
    notice: Option<String>,
    can_add: bool,
    rows: Vec<MemberRow>,
    previous: Option<i64>,
    next: Option<i64>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    page: Option<i64>,
    status: Option<String>,
    segment: Option<String>,
    age: Option<String>,
    /// A member just transferred out of the caller's reach.
    moved: Option<i64>,
}

impl ListQuery {
    pub fn filter(&self, today: time::Date) -> crate::error::Result<crate::members::ListFilter> {
        service::filter(
            self.status.as_deref(),
            self.segment.as_deref(),
            self.age.as_deref(),
            today,
        )
    }

    fn filter_query(&self) -> String {
        [
            ("status", &self.status),
            ("segment", &self.segment),
            ("age", &self.age),
        ]
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("&{k}={}", crate::text::url_encode(v)))
        })
        .collect()
    }
}

/// The filter selects of a member list; the two sensitive segments only for callers with the grant.
fn list_filters(
    t: &Translator,
    q: &ListQuery,
    sensitive: bool,
) -> Vec<(&'static str, String, SelectOptions)> {
    let option = |value: &str, text: String, current: &Option<String>| {
        (value.to_string(), text, current.as_deref() == Some(value))
    };
    let statuses = ["active", "left", "died", "all"]
        .iter()
        .map(|s| {
            option(
                s,
                if *s == "all" {
                    t.msg("web-all")
                } else {
                    t.msg(&format!("status-{s}"))
                },
                &q.status,
            )
        })
        .collect();
    let segments = codes::SEGMENTS
        .iter()
        .filter(|s| sensitive || !crate::members::model::DERIVED_SEGMENTS.contains(s))
        .map(|s| option(s, t.msg(&format!("segment-{s}")), &q.segment))
        .collect();
    let ages = crate::reports::summary::AGE_BANDS
        .iter()
        .map(|(band, _, _)| option(band, band.to_string(), &q.age))
        .collect();
    vec![
        ("status", t.msg("field-status"), statuses),
        ("segment", t.msg("field-segments"), segments),
        ("age", t.msg("dim-age_band"), ages),
    ]
}

pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let t = translator(signed.lang);
    let today = crate::clock::today();
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let unit = match crate::org::tree::find(&mut ctx, &code, today).await {
        Ok(u) => u,
        Err(e) => return error_page(&e, signed.lang),
    };
    let page = query.page.unwrap_or(1).max(1);
    let mut error = None;
    let notice = query.moved.map(|_| t.msg("web-transferred-away"));
    let outcome = if query.q.trim().is_empty() {
        let listed = match query.filter(today) {
            Ok(filter) => service::list(&mut ctx, &code, &filter, page, PER_PAGE).await,
            Err(e) => Err(e),
        };
        listed.map(|p| {
            let pages = (p.total + PER_PAGE - 1) / PER_PAGE;
            let summary = t.msg_with(
                "web-members-summary",
                &Args::new()
                    .num("page", p.page as f64)
                    .num("total", p.total as f64),
            );
            (
                p.members,
                summary,
                (page > 1).then_some(page - 1),
                (page < pages).then_some(page + 1),
            )
        })
    } else {
        service::search(&mut ctx, &query.q, Some(&code), PER_PAGE)
            .await
            .map(|found| {
                let summary = t.msg_with(
                    "web-search-summary",
                    &Args::new()
                        .num("count", found.len() as f64)
                        .with("query", query.q.clone()),
                );
                (found, summary, None, None)
            })
    };
    let (members, summary, previous, next) = match outcome {
        Ok(listed) => listed,
        Err(e @ crate::error::Error::Invalid { .. }) => {
            error = Some(e.render(signed.lang));
            (vec![], String::new(), None, None)
        }
        Err(e) => return error_page(&e, signed.lang),
    };
    let can_add = ctx
        .access
        .may(&mut ctx.tx, Authority::EditMembers, unit.id, today)
        .await
        .unwrap_or(false);
    let rows = members
        .into_iter()
        .map(|m| MemberRow {
            id: m.id,
            name: m.full_name,
            birth: m.birth.map(|b| b.display()).unwrap_or_default(),
            unit: m.unit_name,
            status: t.msg(&format!("status-{}", m.status.as_str())),
        })
        .collect();
    let page = ListPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        filters: list_filters(
            t,
            &query,
            signed.access.holds_tier_anywhere(Tier::EthnicityReligion),
        ),
        filter_query: query.filter_query(),
        export_query: format!(
            "q={}{}",
            crate::text::url_encode(&query.q),
            query.filter_query()
        ),
        unit,
        query: query.q,
        summary,
        error,
        notice,
        can_add,
        rows,
        previous,
        next,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    id: i64,
    version: i32,
    name: String,
    unit_code: String,
    unit_name: String,
    fields: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    can_edit: bool,
    active: bool,
    today: String,
    error: Option<String>,
    notice: Option<String>,
}

async fn member_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let t = translator(signed.lang);
    // A snapshot: the audit entry of a sensitive read is filed after it, in its own write.
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let view = match service::show(&mut ctx, id).await {
        Ok(v) => v,
        Err(e) => return error_page(&e, signed.lang),
    };
    let today = ctx.today;
    let m = &view.member;
    let can_edit = ctx
        .access
        .may(&mut ctx.tx, Authority::EditMembers, m.unit_id, today)
        .await
        .unwrap_or(false);
    let tiers = ctx
        .access
        .tiers_at(&mut ctx.tx, m.unit_id, today)
        .await
        .unwrap_or_default();
    if let Err(e) = ctx.finish().await {
        return error_page(&e, signed.lang);
    }
    let label = |dim: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| value_label(t, dim, v))
            .unwrap_or_default()
    };
    let mut fields = vec![
        (
            t.msg("field-status"),
            t.msg(&format!("status-{}", m.status.as_str())),
        ),
        (
            t.msg("field-unit"),
            format!("{} ({})", m.unit_name, m.unit_code),
        ),
        (
            t.msg("field-birth_date"),
            m.birth.map(|b| b.display()).unwrap_or_default(),
        ),
        (t.msg("field-phone"), m.phone.clone().unwrap_or_default()),
        (
            t.msg("field-address"),
            m.address.clone().unwrap_or_default(),
        ),
        (t.msg("field-education"), label("education", &m.education)),
        (
            t.msg("field-qualification"),
            label("qualification", &m.qualification),
        ),
        (
            t.msg("field-occupation"),
            label("occupation", &m.occupation),
        ),
        (
            t.msg("field-card_number"),
            m.card_number.clone().unwrap_or_default(),
        ),
        (
            t.msg("field-joined_on"),
            m.joined_on.map(crate::clock::vn_date).unwrap_or_default(),
        ),
    ];
    // Each sensitive field only with its own tier at her unit.
    if tiers.has(Tier::Identity) {
        fields.push((
            t.msg("field-national_id"),
            m.national_id.clone().unwrap_or_default(),
        ));
    }
    if tiers.has(Tier::EthnicityReligion) {
        fields.push((t.msg("field-ethnicity"), label("ethnicity", &m.ethnicity)));
        fields.push((t.msg("field-religion"), label("religion", &m.religion)));
    }
    if tiers.has(Tier::Party) {
        fields.push((
            t.msg("field-party_member"),
            t.msg(if m.party_member == Some(true) {
                "party-yes"
            } else {
                "party-no"
            }),
        ));
    }
    let history = view
        .history
        .iter()
        .map(|e| {
            let unit = e
                .other_unit_code
                .as_ref()
                .map_or_else(|| e.unit_code.clone(), |o| format!("{} ↔ {o}", e.unit_code));
            HistoryRow {
                date: crate::clock::vn_date(e.effective_on),
                event: t.msg(&format!("event-{}", e.kind.as_str())),
                unit,
                by: e.recorded_by.clone(),
            }
        })
        .collect();
    let page = MemberPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        id,
        version: m.version,
        name: m.full_name.clone(),
        unit_code: m.unit_code.clone(),
        unit_name: m.unit_name.clone(),
        fields,
        history,
        can_edit,
        active: m.status == crate::members::Status::Active,
        today: crate::clock::vn_date(today),
        error,
        notice,
    };
    (status, render(&page)).into_response()
}

pub async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i64>) -> Response {
    member_page(&state, &signed, id, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub struct TransferForm {
    csrf: String,
    version: i32,
    to: String,
    date: String,
}

/// The date every action on a member carries (its CSRF token is checked by [`Posted`]).
async fn action_date(
    state: &AppState,
    signed: &Signed,
    id: i64,
    date: &str,
) -> Result<time::Date, Response> {
    match crate::clock::parse_date(date) {
        Some(date) => Ok(date),
        None => {
            let message =
                crate::error::Error::invalid("effective_on", "invalid-date").render(signed.lang);
            Err(member_page(
                state,
                signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                None,
            )
            .await)
        }
    }
}

/// What a person sees after an action on a member: her page again, or the reason it was
/// refused (in the page's error box, or as 404/403 when she is out of reach).
async fn action_outcome(
    state: &AppState,
    signed: &Signed,
    id: i64,
    result: crate::error::Result<()>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/members/{id}")).into_response(),
        Err(
            e @ (crate::error::Error::NotFound { what: "member", .. }
            | crate::error::Error::Forbidden),
        ) => error_page(&e, signed.lang),
        Err(e) => {
            member_page(
                state,
                signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.render(signed.lang)),
                None,
            )
            .await
        }
    }
}

pub async fn transfer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { signed, form }: Posted<TransferForm>,
) -> Response {
    let date = match action_date(&state, &signed, id, &form.date).await {
        Ok(date) => date,
        Err(response) => return response,
    };
    let outcome = crate::write_ctx!(state.store, signed.access, ctx => {
        let from = service::current(ctx, id).await?.unit_code;
        service::transfer(ctx, id, form.version, &form.to, date, None).await?;
        let visible = service::current(ctx, id).await.is_ok();
        Ok((from, visible))
    });
    match outcome {
        // Sent on to a unit outside the officer's reach, her page is no longer the
        // officer's to see: the answer is the list she came from, saying the transfer was made.
        Ok((from, false)) => {
            Redirect::to(&format!("/units/{from}/members?moved={id}")).into_response()
        }
        Ok(_) => action_outcome(&state, &signed, id, Ok(())).await,
        Err(e) => action_outcome(&state, &signed, id, Err(e)).await,
    }
}

#[derive(Deserialize)]
pub struct LeaveForm {
    csrf: String,
    version: i32,
    date: String,
    #[serde(default)]
    died: bool,
    #[serde(default)]
    note: String,
}

pub async fn leave(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { signed, form }: Posted<LeaveForm>,
) -> Response {
    let date = match action_date(&state, &signed, id, &form.date).await {
        Ok(date) => date,
        Err(response) => return response,
    };
    let how = if form.died {
        Ending::Died
    } else {
        Ending::Left
    };
    let note = Some(form.note.trim()).filter(|n| !n.is_empty());
    let result = crate::write_ctx!(state.store, signed.access, ctx => service::end(ctx, id, form.version, how, date, note).await);
    action_outcome(&state, &signed, id, result).await
}

type SelectOptions = Vec<(String, String, bool)>;

#[derive(Template)]
#[template(path = "member_form.html")]
struct FormPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    unit_code: String,
    unit_name: String,
    /// What the form does: add a member to `unit_code`, or correct member `id`.
    mode: FormMode,
    raw: RawMember,
    selects: Vec<(&'static str, String, SelectOptions)>,
    /// Whether the national ID, ethnicity and religion are shown (and so can be changed).
    sensitive: bool,
    errors: Vec<String>,
    similar: Vec<Similar>,
}

#[derive(Clone, Copy)]
enum FormMode {
    Add,
    Edit { id: i64, version: i32 },
}

fn selects(
    t: &Translator,
    raw: &RawMember,
    sensitive: bool,
) -> Vec<(&'static str, String, SelectOptions)> {
    let list = |dim: &str, values: &[&str], current: &str| -> SelectOptions {
        values
            .iter()
            .map(|v| (v.to_string(), value_label(t, dim, v), *v == current))
            .collect()
    };
    let ethnicities = codes::ETHNICITIES
        .iter()
        .map(|(c, n)| (c.to_string(), n.to_string(), *c == raw.ethnicity))
        .collect();
    let mut selects = vec![
        ("ethnicity", t.msg("field-ethnicity"), ethnicities),
        (
            "religion",
            t.msg("field-religion"),
            list("religion", &codes::RELIGIONS, &raw.religion),
        ),
        (
            "education",
            t.msg("field-education"),
            list("education", &codes::EDUCATION, &raw.education),
        ),
        (
            "qualification",
            t.msg("field-qualification"),
            list("qualification", &codes::QUALIFICATIONS, &raw.qualification),
        ),
        (
            "occupation",
            t.msg("field-occupation"),
            list("occupation", &codes::OCCUPATIONS, &raw.occupation),
        ),
    ];
    if !sensitive {
        selects.retain(|(field, _, _)| !matches!(*field, "ethnicity" | "religion"));
    }
    selects
}

/// The add or edit form of a member of unit `code`, for a caller who may edit there.
#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    signed: &Signed,
    code: &str,
    mode: FormMode,
    raw: RawMember,
    errors: Vec<String>,
    similar: Vec<Similar>,
    status: StatusCode,
) -> Response {
    let t = translator(signed.lang);
    let unit = match unit_for(state, signed, code, Right::Edit).await {
        Ok(u) => u,
        Err(response) => return response,
    };
    // Whoever adds a member records what she knows; only a caller with the grant sees (and
    // so corrects) the sensitive fields of a stored record.
    let sensitive = matches!(mode, FormMode::Add)
        || super::pages::tiers_at(state, signed, unit.id)
            .await
            .all_member();
    let page = FormPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        unit_code: unit.code,
        unit_name: unit.name,
        mode,
        selects: selects(t, &raw, sensitive),
        raw,
        sensitive,
        errors,
        similar,
    };
    (status, render(&page)).into_response()
}

pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Response {
    form_page(
        &state,
        &signed,
        &code,
        FormMode::Add,
        RawMember::default(),
        vec![],
        vec![],
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf: String,
    #[serde(default)]
    confirm: bool,
    #[serde(flatten)]
    raw: RawMember,
}

/// Adds a member; a possible duplicate is shown first and saved only once confirmed.
pub async fn add(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Posted { signed, form }: Posted<AddForm>,
) -> Response {
    let input = match form.raw.parse(crate::clock::today()) {
        Ok(input) => input,
        Err(errors) => {
            let errors = errors.iter().map(|e| e.render(signed.lang)).collect();
            return form_page(
                &state,
                &signed,
                &code,
                FormMode::Add,
                form.raw,
                errors,
                vec![],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let Ok(mut ctx) = crate::ctx::Ctx::write(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    if !form.confirm {
        match service::possible_duplicates(&mut ctx, &code, &input).await {
            Ok(similar) if !similar.is_empty() => {
                drop(ctx);
                return form_page(
                    &state,
                    &signed,
                    &code,
                    FormMode::Add,
                    form.raw,
                    vec![],
                    similar,
                    StatusCode::OK,
                )
                .await;
            }
            Ok(_) => {}
            Err(e) => return error_page(&e, signed.lang),
        }
    }
    let result = service::add(&mut ctx, &code, input).await;
    match result {
        Ok(added) => match ctx.finish().await {
            Ok(()) => Redirect::to(&format!("/members/{}", added.id)).into_response(),
            Err(_) => unavailable(),
        },
        Err(e @ (crate::error::Error::NotFound { .. } | crate::error::Error::Forbidden)) => {
            error_page(&e, signed.lang)
        }
        Err(e) => {
            drop(ctx);
            form_page(
                &state,
                &signed,
                &code,
                FormMode::Add,
                form.raw,
                vec![e.render(signed.lang)],
                vec![],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The edit form of a member, filled with her record as the caller may see it.
pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Response {
    let member = match current(&state, &signed, id, true).await {
        Ok(m) => m,
        Err(response) => return response,
    };
    let mode = FormMode::Edit {
        id,
        version: member.version,
    };
    form_page(
        &state,
        &signed,
        &member.unit_code,
        mode,
        RawMember::from_member(&member),
        vec![],
        vec![],
        StatusCode::OK,
    )
    .await
}

/// The member as the caller may see her; `shown` when the page shows her fields (reading
/// sensitive fields is audited).
async fn current(
    state: &AppState,
    signed: &Signed,
    id: i64,
    shown: bool,
) -> Result<crate::members::Member, Response> {
    let Ok(mut ctx) = crate::ctx::Ctx::read(&state.store, signed.access.clone()).await else {
        return Err(unavailable());
    };
    let member = if shown {
        service::show(&mut ctx, id).await.map(|view| view.member)
    } else {
        service::current(&mut ctx, id).await
    };
    let member = member.map_err(|e| error_page(&e, signed.lang))?;
    ctx.finish()
        .await
        .map_err(|e| error_page(&e, signed.lang))?;
    Ok(member)
}

#[derive(Deserialize)]
pub struct EditForm {
    csrf: String,
    version: i32,
    #[serde(flatten)]
    raw: RawMember,
}

/// Saves a correction; a stale version (someone saved in between) is refused with a message
/// and the form keeps what was typed.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { signed, form }: Posted<EditForm>,
) -> Response {
    let member = match current(&state, &signed, id, false).await {
        Ok(m) => m,
        Err(response) => return response,
    };
    // The form does not carry these: sex, membership and Party change through their own
    // actions, and the political-theory level and the segments are not on the form. An edit
    // changes only what the form sent; they keep their stored values.
    let mut raw = form.raw;
    raw.political_theory = member.political_theory.clone().unwrap_or_default();
    raw.segments = member.segments.join(",");
    raw.sex = member.sex.as_str().into();
    raw.honorary = member.honorary;
    raw.party_member = member.party_member.unwrap_or(false);
    raw.joined_on = member
        .joined_on
        .map(crate::clock::vn_date)
        .unwrap_or_default();
    let mode = FormMode::Edit {
        id,
        version: form.version,
    };
    let today = crate::clock::today();
    let input = match raw.parse(today) {
        Ok(input) => input,
        Err(errors) => {
            let errors = errors.iter().map(|e| e.render(signed.lang)).collect();
            return form_page(
                &state,
                &signed,
                &member.unit_code,
                mode,
                raw,
                errors,
                vec![],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let Ok(mut ctx) = crate::ctx::Ctx::write(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    match service::edit(&mut ctx, id, form.version, input, today).await {
        Ok(_) => match ctx.finish().await {
            Ok(()) => Redirect::to(&format!("/members/{id}")).into_response(),
            Err(_) => unavailable(),
        },
        Err(e @ (crate::error::Error::NotFound { .. } | crate::error::Error::Forbidden)) => {
            error_page(&e, signed.lang)
        }
        Err(e) => {
            drop(ctx);
            let errors = vec![e.render(signed.lang)];
            form_page(
                &state,
                &signed,
                &member.unit_code,
                mode,
                raw,
                errors,
                vec![],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

with_csrf!(TransferForm, LeaveForm, AddForm, EditForm);
