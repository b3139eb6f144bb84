//! Restructuring the tree: create, rename, merge, split and dissolve units, each on an
//! effective date, in the caller's one transaction (a preview is the same work rolled back).
//!
//! Members never move silently: a unit's members are transferred with ledger events
//! ("transferred out" at the old unit, "transferred in" at the new, effective on the day)
//! and their statistics, so that every report across the date balances and `sohoi check`
//! recomputes the same figures. Old units end the day after the effective date, so that
//! on the day itself both ends of each transfer exist; lineage rows say which old unit
//! became which new one.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;
use time::{Date, Duration};

use super::{Unit, UnitKind, store};
use crate::auth::{Scope, audit};
use crate::error::{Error, Result};
use crate::i18n::Args;
use crate::members::ledger::Bulk;
use crate::members::model::EventKind;
use crate::members::store::{self as members_store, BulkEvent};
use crate::store::Tx;

/// What a restructuring did (or, previewed, would do).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Impact {
    /// Units that end (the day after the effective date).
    pub closed: Vec<String>,
    /// Units created: (code, name, parent code).
    pub created: Vec<(String, String, String)>,
    /// Active members transferred.
    pub members_moved: u64,
    /// (old code, new code).
    pub lineage: Vec<(String, String)>,
    /// Members of each unit concerned, before and after, at the effective date.
    pub members_before: Vec<(String, i64)>,
    pub members_after: Vec<(String, i64)>,
}

impl Impact {
    fn absorb(&mut self, other: Impact) {
        self.closed.extend(other.closed);
        self.created.extend(other.created);
        self.members_moved += other.members_moved;
        self.lineage.extend(other.lineage);
    }
}

fn day_after(d: Date) -> Date {
    d.checked_add(Duration::days(1)).unwrap_or(d)
}

/// A unit the caller manages, existing on `on` (a unit merged away or dissolved earlier
/// cannot take part).
async fn managed(tx: &mut Tx, scope: &Scope, code: &str, on: Date) -> Result<Unit> {
    let unit = super::tree::find(tx, scope, code, on).await?;
    scope.ensure_manage(tx, unit.id, on, &unit.code).await?;
    if unit.valid_from > on || unit.valid_to != crate::store::OPEN_END {
        return Err(Error::invalid("unit", "invalid-unit-closed"));
    }
    Ok(unit)
}

fn check_date(on: Date) -> Result<()> {
    if on > crate::clock::today() {
        return Err(Error::invalid("effective_on", "invalid-future-date"));
    }
    Ok(())
}

/// Creates a unit under `parent_code` from `on`.
pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    parent_code: &str,
    code: Option<&str>,
    name: &str,
    kind: UnitKind,
    on: Date,
) -> Result<Impact> {
    check_date(on)?;
    let parent = managed(tx, scope, parent_code, on).await?;
    let name = crate::text::clean(name);
    if name.chars().count() < 2 {
        return Err(Error::invalid("name", "invalid-unit-name"));
    }
    let code = match code {
        Some(c) => super::UnitCode::parse(c).map_err(|_| Error::invalid("code", "invalid-unit-code"))?.to_string(),
        None => store::next_child_code(tx, &parent.code).await?,
    };
    if store::by_code(tx, &code, on).await?.is_some() {
        return Err(Error::Conflict { message: "conflict-unit-code", args: Args::new().with("code", code) });
    }
    let id = store::insert(
        tx,
        &store::NewUnit {
            id: None,
            code: &code,
            kind,
            name: &name,
            admin_type: None,
            parent: Some(parent.id),
            province: None,
            valid_from: on,
        },
    )
    .await?;
    audit::record(tx, scope.actor(), "unit.create", Some(id), Some(&code), Some(&name)).await?;
    Ok(Impact { created: vec![(code, name, parent.code)], ..Impact::default() })
}

/// A new name from `on`; the old name stays in the unit's history.
pub async fn rename(tx: &mut Tx, scope: &Scope, code: &str, name: &str, on: Date) -> Result<Impact> {
    check_date(on)?;
    let unit = managed(tx, scope, code, on).await?;
    let name = crate::text::clean(name);
    if name.chars().count() < 2 {
        return Err(Error::invalid("name", "invalid-unit-name"));
    }
    store::rename(tx, unit.id, &name, on).await?;
    store::add_lineage(tx, unit.id, unit.id, "rename", on, scope.actor()).await?;
    audit::record(tx, scope.actor(), "unit.rename", Some(unit.id), Some(&unit.code), Some(&format!("{} → {name}", unit.name))).await?;
    Ok(Impact { lineage: vec![(unit.code.clone(), unit.code)], ..Impact::default() })
}

/// Transfers every active member of `from` to `to` on `on`, in bulk: two ledger events each
/// and their statistics, counted as the live path counts a transfer.
async fn transfer_all(tx: &mut Tx, scope: &Scope, from: &Unit, to: &Unit, on: Date) -> Result<u64> {
    if members_store::moved_after(tx, from.id, on).await? > 0 {
        return Err(Error::Invalid {
            field: "effective_on",
            message: "invalid-restructure-after-movements",
            args: Args::new().with("unit", from.code.clone()),
        });
    }
    let members = members_store::active_in_unit(tx, from.id).await?;
    if members.is_empty() {
        return Ok(0);
    }
    let out_units = crate::stats::counted_units(tx, from.id, Some(to.id), EventKind::TransferredOut, on).await?;
    let in_units = crate::stats::counted_units(tx, to.id, Some(from.id), EventKind::TransferredIn, on).await?;
    let chain = store::ancestors_with_kind(tx, to.id, on).await?;
    let province = chain.iter().find(|(_, k)| *k == UnitKind::Province).map_or(to.id, |(id, _)| *id);
    let from_chain = store::ancestors_with_kind(tx, from.id, on).await?;
    let from_province = from_chain.iter().find(|(_, k)| *k == UnitKind::Province).map_or(from.id, |(id, _)| *id);
    let ids = members_store::reserve_ids(tx, "member_events", members.len() * 2).await?;
    let mut events = Vec::with_capacity(members.len() * 2);
    for ((member, class), pair) in members.iter().zip(ids.chunks(2)) {
        events.push(BulkEvent {
            id: pair[0],
            province_id: from_province,
            member_id: *member,
            kind: EventKind::TransferredOut,
            effective_on: on,
            unit_id: from.id,
            other_unit_id: Some(to.id),
            class: class.clone(),
        });
        events.push(BulkEvent {
            id: pair[1],
            province_id: province,
            member_id: *member,
            kind: EventKind::TransferredIn,
            effective_on: on,
            unit_id: to.id,
            other_unit_id: Some(from.id),
            class: class.clone(),
        });
    }
    let mut ledger = Bulk::new(scope.actor());
    ledger.append(tx, &events, |e| Cow::Borrowed(if e.kind == EventKind::TransferredOut { &out_units } else { &in_units })).await?;
    let moved = members_store::move_active(tx, from.id, to.id, province).await?;
    ledger.finish(tx, None).await?;
    Ok(moved)
}

/// A unit ends the day after `on`: nothing in its history may come later.
async fn refuse_later_history(tx: &mut Tx, unit: &Unit, on: Date) -> Result<()> {
    // The merge's own transfers are effective `on`, not after.
    if store::events_after_under(tx, unit.id, on).await? > 0 {
        return Err(Error::Invalid {
            field: "effective_on",
            message: "invalid-restructure-after-movements",
            args: Args::new().with("unit", unit.code.clone()),
        });
    }
    Ok(())
}

/// A new unit under `parent` from `on`, of the kind and name of `old` (which it succeeds),
/// with the next free code; listed in the impact.
async fn successor_under(tx: &mut Tx, old: &Unit, parent: &Unit, on: Date, impact: &mut Impact) -> Result<Unit> {
    let code = store::next_child_code(tx, &parent.code).await?;
    let new = store::NewUnit {
        id: None,
        code: &code,
        kind: old.kind,
        name: &old.name,
        admin_type: old.admin_type.as_deref(),
        parent: Some(parent.id),
        province: None,
        valid_from: on,
    };
    store::insert(tx, &new).await?;
    impact.created.push((code.clone(), old.name.clone(), parent.code.clone()));
    store::by_code(tx, &code, on).await?.ok_or_else(|| Error::not_found("unit", code))
}

/// Moves `unit`'s members and child units under `target` on `on` and ends `unit`: each
/// child goes to `target`'s child of the same name (folded), or to a new one created for it.
fn relocate<'a>(
    tx: &'a mut Tx,
    scope: &'a Scope,
    unit: &'a Unit,
    target: &'a Unit,
    on: Date,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Impact>> + Send + 'a>> {
    Box::pin(async move {
        let mut impact = Impact::default();
        let existing: HashMap<String, Unit> = store::descendants(tx, target.id, on, 1)
            .await?
            .into_iter()
            .filter(|u| u.id != target.id && u.valid_to == crate::store::OPEN_END)
            .map(|u| (crate::text::fold(&u.name), u))
            .collect();
        let children: Vec<Unit> = store::descendants(tx, unit.id, on, 1).await?.into_iter().filter(|u| u.id != unit.id).collect();
        for child in children {
            let successor = match existing.get(&crate::text::fold(&child.name)) {
                Some(u) => u.clone(),
                None => successor_under(tx, &child, target, on, &mut impact).await?,
            };
            impact.absorb(relocate(tx, scope, &child, &successor, on).await?);
        }
        impact.members_moved += transfer_all(tx, scope, unit, target, on).await?;
        refuse_later_history(tx, unit, on).await?;
        store::close_subtree(tx, unit.id, day_after(on)).await?;
        store::add_lineage(tx, unit.id, target.id, "merge", on, scope.actor()).await?;
        impact.closed.push(unit.code.clone());
        impact.lineage.push((unit.code.clone(), target.code.clone()));
        Ok(impact)
    })
}

async fn members_at(tx: &mut Tx, unit: &Unit, on: Date) -> Result<i64> {
    Ok(crate::stats::stock_at(tx, &[unit.id], "all", on).await?.values().sum())
}

/// Merges `sources` into `target` on `on`: their branches join the target's branches of the
/// same name (or become new branches of it), their members are transferred, and they end.
pub async fn merge(tx: &mut Tx, scope: &Scope, sources: &[String], target: &str, on: Date) -> Result<Impact> {
    check_date(on)?;
    let target = managed(tx, scope, target, on).await?;
    let mut impact = Impact::default();
    let mut units = Vec::new();
    for code in sources {
        let unit = managed(tx, scope, code, on).await?;
        if unit.id == target.id || unit.kind != target.kind {
            return Err(Error::invalid("unit", "invalid-merge-kinds"));
        }
        units.push(unit);
    }
    for u in units.iter().chain(std::iter::once(&target)) {
        impact.members_before.push((u.code.clone(), members_at(tx, u, on).await?));
    }
    for unit in &units {
        impact.absorb(relocate(tx, scope, unit, &target, on).await?);
    }
    for u in units.iter().chain(std::iter::once(&target)) {
        impact.members_after.push((u.code.clone(), members_at(tx, u, day_after(on).min(crate::clock::today())).await?));
    }
    let detail = format!("{} → {}: {} members", sources.join(", "), target.code, impact.members_moved);
    audit::record(tx, scope.actor(), "unit.merge", Some(target.id), Some(&target.code), Some(&detail)).await?;
    Ok(impact)
}

/// Splits `source` on `on`: each of its branches goes to the unit the assignment names
/// (branch code → new parent code); the source ends if nothing is left in it.
pub async fn split(tx: &mut Tx, scope: &Scope, source: &str, assignments: &[(String, String)], on: Date) -> Result<Impact> {
    check_date(on)?;
    let source = managed(tx, scope, source, on).await?;
    let mut impact = Impact::default();
    for (branch, parent) in assignments {
        let branch = managed(tx, scope, branch, on).await?;
        let parent = managed(tx, scope, parent, on).await?;
        if !store::is_within(tx, branch.id, source.id, on).await? {
            return Err(Error::invalid("unit", "invalid-split-branch"));
        }
        let successor = successor_under(tx, &branch, &parent, on, &mut impact).await?;
        let mut part = relocate(tx, scope, &branch, &successor, on).await?;
        // The branch goes on as the new one: say "split", not "merge".
        part.lineage.retain(|(from, _)| *from != branch.code);
        store::add_lineage(tx, source.id, successor.id, "split", on, scope.actor()).await?;
        impact.lineage.push((source.code.clone(), successor.code.clone()));
        impact.absorb(part);
    }
    if members_at(tx, &source, day_after(on).min(crate::clock::today())).await? == 0
        && store::descendants(tx, source.id, day_after(on), 1).await?.iter().all(|u| u.id == source.id)
        && store::events_after_under(tx, source.id, on).await? == 0
    {
        store::close_subtree(tx, source.id, day_after(on)).await?;
        impact.closed.push(source.code.clone());
    }
    audit::record(tx, scope.actor(), "unit.split", Some(source.id), Some(&source.code), Some(&format!("{} parts", assignments.len())))
        .await?;
    Ok(impact)
}

/// Ends a unit that has no members left (its whole subtree).
pub async fn dissolve(tx: &mut Tx, scope: &Scope, code: &str, on: Date) -> Result<Impact> {
    check_date(on)?;
    let unit = managed(tx, scope, code, on).await?;
    if members_at(tx, &unit, on).await? != 0 {
        return Err(Error::invalid("unit", "invalid-dissolve-not-empty"));
    }
    refuse_later_history(tx, &unit, on).await?;
    store::close_subtree(tx, unit.id, day_after(on)).await?;
    audit::record(tx, scope.actor(), "unit.dissolve", Some(unit.id), Some(&unit.code), None).await?;
    Ok(Impact { closed: vec![unit.code], ..Impact::default() })
}

/// A restructuring plan: `old code,new code,effective date` lines (a header line is
/// allowed); every group of old codes with one new code is a merge into it.
pub fn parse_plan(text: &str) -> Result<Vec<(Date, String, Vec<String>)>> {
    let mut groups: Vec<(Date, String, Vec<String>)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let [old, new, date] = fields.as_slice() else {
            return Err(Error::Invalid { field: "plan", message: "invalid-plan-line", args: Args::new().num("line", (i + 1) as f64) });
        };
        let Some(date) = crate::clock::parse_date(date) else {
            if i == 0 {
                continue; // a header line
            }
            return Err(Error::Invalid { field: "plan", message: "invalid-plan-line", args: Args::new().num("line", (i + 1) as f64) });
        };
        if old == new {
            continue;
        }
        match groups.iter_mut().find(|(d, n, _)| *d == date && n == new) {
            Some((_, _, olds)) => olds.push(old.to_string()),
            None => groups.push((date, new.to_string(), vec![old.to_string()])),
        }
    }
    Ok(groups)
}

/// Applies a whole plan in the caller's transaction.
pub async fn apply_plan(tx: &mut Tx, scope: &Scope, plan: &[(Date, String, Vec<String>)]) -> Result<Impact> {
    let mut impact = Impact::default();
    for (date, target, sources) in plan {
        let part = merge(tx, scope, sources, target, *date).await?;
        impact.members_before.extend(part.members_before.clone());
        impact.members_after.extend(part.members_after.clone());
        impact.absorb(part);
    }
    Ok(impact)
}
