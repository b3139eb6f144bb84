//! A response's cycle — enter, submit, return, approve, reopen — and the level above's
//! waivers, late-entry windows and deadlines. Every change goes through [`record`]: it
//! appends the event, and for a target unit moves its count in the completeness rows of every
//! response above it, in the same transaction.

use serde::Serialize;
use time::Date;

use super::figures::{self, Counting, Figures};
use super::form::Form;
use super::indicator::{NARRATIVE_LIMIT, Source, Value};
use super::model::{Event, Progress, Response, Round, Status};
use super::store;
use crate::auth::Authority;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::i18n::Args;

/// The longest reason for a return, a reopening, a waiver or a late-entry window.
pub const REASON_LIMIT: usize = 1_000;

/// A response located for the caller: its round, form and state.
pub struct Located {
    pub round: Round,
    pub form: Form,
    pub response: Response,
}

/// The response of `unit_code` in round `round`, if the caller sees that unit.
pub async fn locate(ctx: &mut Ctx, round: i64, unit_code: &str) -> Result<Located> {
    let not_found = || Error::not_found("response", format!("{round}/{unit_code}"));
    let r = store::round(&mut ctx.tx, round)
        .await?
        .ok_or_else(not_found)?;
    let code = crate::org::UnitCode::parse(unit_code).map_err(|_| not_found())?;
    let unit = crate::org::store::by_code(&mut ctx.tx, code.as_str(), ctx.today)
        .await?
        .ok_or_else(not_found)?;
    // Reports are figures about members: reading them takes the authority to see members
    // there (a case worker's grant shows support cases, not reports).
    let today = ctx.today;
    match ctx
        .access
        .require(
            &mut ctx.tx,
            Authority::ViewMembers,
            unit.id,
            today,
            &unit.code,
        )
        .await
    {
        Ok(()) => {}
        Err(Error::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(e),
    }
    let response = store::response(&mut ctx.tx, round, unit.id)
        .await?
        .ok_or_else(not_found)?;
    let form = store::form(&mut ctx.tx, r.form_id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Located {
        round: r,
        form,
        response,
    })
}

/// The response located, and the caller's `authority` over its unit required.
async fn locate_for(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    authority: Authority,
) -> Result<Located> {
    let located = locate(ctx, round, unit).await?;
    let r = &located.response;
    ctx.require(authority, r.unit_id, &r.unit_code).await?;
    Ok(located)
}

fn conflict(message: &'static str, args: Args) -> Error {
    Error::Conflict { message, args }
}

fn date_text(d: Date) -> String {
    crate::clock::vn_date(d)
}

fn reason_of(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("reason", "invalid-required"));
    }
    crate::text::within("reason", reason, REASON_LIMIT)?;
    Ok(reason.to_string())
}

/// Whether the unit may still enter: before the closing date, or inside a late-entry window.
pub fn window_open(response: &Response, today: Date) -> bool {
    response.closes.is_none_or(|c| today <= c) || response.late_until.is_some_and(|l| today <= l)
}

fn ensure_window(response: &Response, today: Date) -> Result<()> {
    if window_open(response, today) {
        return Ok(());
    }
    Err(conflict(
        "conflict-round-closed",
        Args::new().with("date", response.closes.map(date_text).unwrap_or_default()),
    ))
}

/// Refuses a change to a response that is in (submitted or approved).
fn ensure_editable(response: &Response) -> Result<()> {
    match response.status {
        Status::Submitted => Err(conflict("conflict-round-submitted", Args::new())),
        Status::Approved => Err(conflict("conflict-round-approved", Args::new())),
        _ if response.depth == 0 => Err(conflict("conflict-round-opener", Args::new())),
        _ => Ok(()),
    }
}

/// Writes `after` (which was `before`), appends `event`, and moves the target's count in the
/// completeness rows above it. The one door of a response's changes.
async fn record(ctx: &mut Ctx, before: &Response, after: &Response, event: Event) -> Result<()> {
    store::append_event(&mut ctx.tx, &event).await?;
    save(ctx, before, after).await
}

/// Writes `after` (which was `before`) and moves the target's count in the completeness rows
/// above it; the events are the caller's (`record` appends one, `enter` one per value).
async fn save(ctx: &mut Ctx, before: &Response, after: &Response) -> Result<()> {
    if !store::update_response(&mut ctx.tx, after).await? {
        return Err(conflict("conflict-stale", Args::new()));
    }
    if after.is_target.0 {
        let delta = Progress::change(&Progress::of(before), &Progress::of(after));
        if !delta.is_zero() {
            let above = ancestors(ctx, after).await?;
            store::add_progress(&mut ctx.tx, after.round_id, &above, &delta).await?;
        }
    }
    Ok(())
}

/// The units of the responses above `r` in its round, nearest first (one lock order for all
/// writers: from the bottom up).
async fn ancestors(ctx: &mut Ctx, r: &Response) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    let mut parent = r.parent_unit_id;
    while let Some(unit) = parent {
        out.push(unit);
        parent = store::response(&mut ctx.tx, r.round_id, unit)
            .await?
            .and_then(|p| p.parent_unit_id);
    }
    Ok(out)
}

fn event(ctx: &Ctx, r: &Response, kind: &str) -> Event {
    Event {
        response_id: r.id,
        kind: kind.to_string(),
        indicator: None,
        old_value: None,
        new_value: None,
        reason: None,
        actor: ctx.actor().to_string(),
        at: crate::clock::now_text(),
    }
}

/// The key of a narrative section's text among a response's values.
pub fn narrative_key(index: usize) -> String {
    format!("narrative:{}", index + 1)
}

/// Enters values (indicator code or `narrative:N` → typed text; an empty text clears it).
/// Computed figures are not entered. Returns how many values changed.
pub async fn enter(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    entries: &[(String, String)],
) -> Result<usize> {
    let Located { form, response, .. } =
        locate_for(ctx, round, unit, Authority::SubmitReports).await?;
    ensure_editable(&response)?;
    ensure_window(&response, ctx.today)?;
    let current = store::values(&mut ctx.tx, response.id).await?;
    let mut changed = 0;
    for (key, typed) in entries {
        let new = if let Some(n) = key.strip_prefix("narrative:") {
            let index: usize = n.parse().unwrap_or(0);
            if index == 0 || index > form.definition.narrative.len() {
                return Err(unknown_indicator(key));
            }
            crate::text::within("narrative", typed.trim(), NARRATIVE_LIMIT)?;
            Some(typed.trim().to_string()).filter(|s| !s.is_empty())
        } else {
            let indicator = form.indicator(key).ok_or_else(|| unknown_indicator(key))?;
            if indicator.source != Source::Entered {
                return Err(Error::Invalid {
                    field: "value",
                    message: "invalid-round-not-entered",
                    args: Args::new().with("value", indicator.name.clone()),
                });
            }
            if typed.trim().is_empty() {
                None
            } else {
                Some(
                    Value::parse(indicator.measure, typed)
                        .map_err(|e| name_field(e, &indicator.name))?
                        .store(),
                )
            }
        };
        let old = current.get(key).cloned();
        if old == new {
            continue;
        }
        store::set_value(&mut ctx.tx, response.id, key, new.as_deref()).await?;
        let mut e = event(ctx, &response, "entered");
        e.indicator = Some(key.clone());
        e.old_value = old;
        e.new_value = new;
        store::append_event(&mut ctx.tx, &e).await?;
        changed += 1;
    }
    if changed > 0 {
        let mut after = response.clone();
        if after.status == Status::NotStarted {
            after.status = Status::Draft;
        }
        if after.approved_once.0 {
            after.changed_after_approval += changed as i64;
        }
        save(ctx, &response, &after).await?;
    }
    Ok(changed)
}

fn unknown_indicator(key: &str) -> Error {
    Error::Invalid {
        field: "indicator",
        message: "invalid-round-indicator",
        args: Args::new().with("value", crate::text::cut(key, 40).into_owned()),
    }
}

/// Puts the indicator's name in a value's error, so that "Số hộ nghèo được giúp đỡ: phải là
/// số nguyên" says which row is wrong.
fn name_field(e: Error, name: &str) -> Error {
    match e {
        Error::Invalid { message, args, .. } => Error::Invalid {
            field: "row",
            message: match message {
                "invalid-number" => "invalid-row-number",
                "invalid-yes-no" => "invalid-row-yes-no",
                "invalid-too-long" => "invalid-row-too-long",
                _ => "invalid-row-whole-number",
            },
            args: args.with("indicator", name.to_string()),
        },
        other => other,
    }
}

/// Submits the response to the level above: its children must be approved (or waived), its
/// figures must pass the form's rules; the figures are then frozen as submitted.
pub async fn submit(ctx: &mut Ctx, round: i64, unit: &str) -> Result<Submitted> {
    let Located {
        round,
        form,
        response,
    } = locate_for(ctx, round, unit, Authority::SubmitReports).await?;
    ensure_editable(&response)?;
    ensure_window(&response, ctx.today)?;
    if !response.is_target.0 {
        let waiting: Vec<String> = store::children(&mut ctx.tx, round.id, response.unit_id)
            .await?
            .into_iter()
            .filter(|c| !c.waived.0 && c.status != Status::Approved)
            .map(|c| c.unit_name)
            .collect();
        if !waiting.is_empty() {
            return Err(conflict(
                "conflict-round-children",
                Args::new()
                    .num("count", waiting.len() as f64)
                    .with("units", list_names(&waiting)),
            ));
        }
    }
    let figures = figures::live(&mut ctx.tx, &round, &form, &response, Counting::Approved).await?;
    let previous = previous(ctx, &round, &form, response.unit_id).await?;
    let findings = figures::findings(
        &form,
        &figures,
        previous.as_ref().map(|p| &p.1),
        &|_| false,
        crate::i18n::Lang::Vi,
    );
    if let Some(error) = findings.iter().find(|f| !f.warning) {
        return Err(conflict(
            "conflict-round-rule",
            Args::new().with("rule", error.message.clone()),
        ));
    }
    let mut stored = figures::to_store(&figures);
    for (key, value) in store::values(&mut ctx.tx, response.id).await? {
        if key.starts_with("narrative:") {
            stored.push((key, value));
        }
    }
    store::replace_figures(&mut ctx.tx, response.id, &stored).await?;
    let mut after = response.clone();
    after.status = Status::Submitted;
    after.submitted_on = Some(ctx.today);
    after.late.0 = ctx.today > response.due;
    after.reason = None;
    let e = event(ctx, &response, "submitted");
    record(ctx, &response, &after, e).await?;
    Ok(Submitted {
        late: after.late.0,
        warnings: findings.into_iter().map(|f| f.message).collect(),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    /// Submitted after the due date.
    pub late: bool,
    /// Warnings of the form's rules (they do not block).
    pub warnings: Vec<String>,
}

fn list_names(names: &[String]) -> String {
    let mut shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    if names.len() > 5 {
        shown.push("…");
    }
    shown.join(", ")
}

/// The previous period's submitted figures of the same form for the unit.
pub async fn previous(
    ctx: &mut Ctx,
    round: &Round,
    form: &Form,
    unit: i64,
) -> Result<Option<(String, Figures)>> {
    Ok(
        store::previous_figures(&mut ctx.tx, &form.code, unit, round.period_from)
            .await?
            .map(|(period, stored)| (period, figures::frozen(form, Some(&stored)))),
    )
}

/// Returns a submitted response to its unit with a reason.
pub async fn send_back(ctx: &mut Ctx, round: i64, unit: &str, reason: &str) -> Result<()> {
    let reason = reason_of(reason)?;
    let Located { response, .. } = locate_for(ctx, round, unit, Authority::ApproveReports).await?;
    if response.status != Status::Submitted {
        return Err(conflict("conflict-round-not-submitted", Args::new()));
    }
    let mut after = response.clone();
    after.status = Status::Returned;
    after.reason = Some(reason.clone());
    let mut e = event(ctx, &response, "returned");
    e.reason = Some(reason);
    record(ctx, &response, &after, e).await
}

/// Approves a submitted response: it is final, and a form computed from the ledger locks
/// the unit's period in the member ledger.
pub async fn approve(ctx: &mut Ctx, round: i64, unit: &str) -> Result<()> {
    let Located {
        round,
        form,
        response,
    } = locate_for(ctx, round, unit, Authority::ApproveReports).await?;
    if response.status != Status::Submitted {
        return Err(conflict("conflict-round-not-submitted", Args::new()));
    }
    if form.reads_ledger() {
        lock_province(ctx, response.unit_id).await?;
    }
    let mut after = response.clone();
    after.status = Status::Approved;
    after.approved_once.0 = true;
    let e = event(ctx, &response, "approved");
    record(ctx, &response, &after, e).await?;
    super::document::assign_number(ctx, &round, &response).await?;
    if form.reads_ledger() {
        store::add_lock(&mut ctx.tx, &response, &round).await?;
    }
    Ok(())
}

/// Takes the ledger's lock of the unit's province before a period lock is added or lifted, so
/// that a membership event cannot check the lock and write while the lock changes under it.
async fn lock_province(ctx: &mut Ctx, unit: i64) -> Result<()> {
    if let Some(province) = crate::org::store::province_of(&mut ctx.tx, unit).await? {
        crate::store::lock_provinces(&mut ctx.tx, &[province]).await?;
    }
    Ok(())
}

/// Reopens an approved response with a reason: it goes back to its unit, its period lock is
/// lifted, and every response above it that was in goes back too (what they reported
/// included it).
pub async fn reopen(ctx: &mut Ctx, round: i64, unit: &str, reason: &str) -> Result<usize> {
    let reason = reason_of(reason)?;
    let Located { response, .. } = locate_for(ctx, round, unit, Authority::ApproveReports).await?;
    if response.status != Status::Approved {
        return Err(conflict("conflict-round-not-approved", Args::new()));
    }
    lock_province(ctx, response.unit_id).await?;
    let mut reopened = 0;
    let mut current = Some(response);
    while let Some(r) = current {
        if r.depth == 0 || !r.status.is_in() {
            break;
        }
        let mut after = r.clone();
        after.status = Status::Returned;
        after.reason = Some(reason.clone());
        let mut e = event(ctx, &r, "reopened");
        e.reason = Some(reason.clone());
        record(ctx, &r, &after, e).await?;
        store::remove_lock(&mut ctx.tx, r.id).await?;
        reopened += 1;
        current = match r.parent_unit_id {
            Some(p) => store::response(&mut ctx.tx, r.round_id, p).await?,
            None => None,
        };
    }
    Ok(reopened)
}

/// Waives a child that will not report, with a reason shown in the report: its parent may
/// then submit without it.
pub async fn waive(ctx: &mut Ctx, round: i64, unit: &str, reason: &str) -> Result<()> {
    let reason = reason_of(reason)?;
    let Located { response, .. } = locate_for(ctx, round, unit, Authority::ApproveReports).await?;
    if response.status.is_in() || response.waived.0 {
        return Err(conflict("conflict-round-not-missing", Args::new()));
    }
    let mut after = response.clone();
    after.waived.0 = true;
    after.reason = Some(reason.clone());
    let mut e = event(ctx, &response, "waived");
    e.reason = Some(reason);
    record(ctx, &response, &after, e).await
}

/// Opens a late-entry window for one unit after the closing date.
pub async fn grant_late(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    until: Date,
    reason: &str,
) -> Result<()> {
    let reason = reason_of(reason)?;
    let Located { response, .. } = locate_for(ctx, round, unit, Authority::ApproveReports).await?;
    if until < ctx.today {
        return Err(Error::invalid("until", "invalid-round-late-past"));
    }
    let mut after = response.clone();
    after.late_until = Some(until);
    let mut e = event(ctx, &response, "late_granted");
    e.new_value = Some(until.to_string());
    e.reason = Some(reason);
    record(ctx, &response, &after, e).await
}

/// A unit sets earlier deadlines for its part of a round (never later than its own).
pub async fn set_deadlines(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    due: Date,
    closes: Option<Date>,
) -> Result<u64> {
    let Located {
        round, response, ..
    } = locate_for(ctx, round, unit, Authority::IssueDirectives).await?;
    if due > response.due
        || closes.is_some_and(|c| c < due || response.closes.is_some_and(|own| c > own))
    {
        return Err(Error::Invalid {
            field: "due",
            message: "invalid-round-deadline-later",
            args: Args::new().with("date", date_text(response.due)),
        });
    }
    let closes = closes.or(response.closes);
    let moved = store::set_deadlines_under(
        &mut ctx.tx,
        round.id,
        response.unit_id,
        due,
        closes,
        ctx.today,
    )
    .await?;
    let mut e = event(ctx, &response, "deadlines");
    e.new_value = Some(format!(
        "{due} {}",
        closes.map(|c| c.to_string()).unwrap_or_default()
    ));
    store::append_event(&mut ctx.tx, &e).await?;
    Ok(moved)
}
