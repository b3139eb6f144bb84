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
use crate::auth::{Authority, audit};
use crate::ctx::Ctx;
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

/// A unit the caller may restructure, existing on `on` (a unit merged away or dissolved
/// earlier cannot take part). Its province's write lock is taken first, so that nothing is
/// added to the unit between this check and the restructuring.
async fn managed(ctx: &mut Ctx, code: &str, on: Date) -> Result<Unit> {
    let unit = super::tree::find(ctx, code, on).await?;
    ctx.require(Authority::Restructure, unit.id, &unit.code)
        .await?;
    let province = store::ancestors_with_kind(&mut ctx.tx, unit.id, on)
        .await?
        .into_iter()
        .find(|(_, k)| *k == UnitKind::Province);
    crate::store::lock_provinces(
        &mut ctx.tx,
        &province.map(|(id, _)| vec![id]).unwrap_or_default(),
    )
    .await?;
    if unit.valid_from > on || unit.valid_to != crate::store::OPEN_END {
        return Err(Error::invalid("unit", "invalid-unit-closed"));
    }
    Ok(unit)
}

fn check_date(ctx: &Ctx, on: Date) -> Result<()> {
    if on > ctx.today {
        return Err(Error::invalid("effective_on", "invalid-future-date"));
    }
    Ok(())
}

/// Creates a unit under `parent_code` from `on`.
pub async fn create(
    ctx: &mut Ctx,
    parent_code: &str,
    code: Option<&str>,
    name: &str,
    kind: UnitKind,
    on: Date,
) -> Result<Impact> {
    check_date(ctx, on)?;
    let parent = managed(ctx, parent_code, on).await?;
    let name = crate::text::clean(name);
    crate::text::within("name", &name, crate::text::limits::UNIT_NAME)?;
    if name.chars().count() < 2 {
        return Err(Error::invalid("name", "invalid-unit-name"));
    }
    let code = match code {
        Some(c) => super::UnitCode::parse(c)
            .map_err(|_| Error::invalid("code", "invalid-unit-code"))?
            .to_string(),
        None => store::next_child_code(&mut ctx.tx, &parent.code).await?,
    };
    if store::by_code(&mut ctx.tx, &code, on).await?.is_some() {
        return Err(Error::Conflict {
            message: "conflict-unit-code",
            args: Args::new().with("code", code),
        });
    }
    let id = store::insert(
        &mut ctx.tx,
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
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "unit.create",
        Some(id),
        Some(&code),
        Some(&name),
    )
    .await?;
    Ok(Impact {
        created: vec![(code, name, parent.code)],
        ..Impact::default()
    })
}

/// A new name from `on`; the old name stays in the unit's history.
pub async fn rename(ctx: &mut Ctx, code: &str, name: &str, on: Date) -> Result<Impact> {
    check_date(ctx, on)?;
    let unit = managed(ctx, code, on).await?;
    let name = crate::text::clean(name);
    crate::text::within("name", &name, crate::text::limits::UNIT_NAME)?;
    if name.chars().count() < 2 {
        return Err(Error::invalid("name", "invalid-unit-name"));
    }
    store::rename(&mut ctx.tx, unit.id, &name, on).await?;
    store::add_lineage(
        &mut ctx.tx,
        unit.id,
        unit.id,
        "rename",
        on,
        ctx.access.actor(),
    )
    .await?;
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "unit.rename",
        Some(unit.id),
        Some(&unit.code),
        Some(&format!("{} → {name}", unit.name)),
    )
    .await?;
    Ok(Impact {
        lineage: vec![(unit.code.clone(), unit.code)],
        ..Impact::default()
    })
}

/// Transfers every active member of `from` to `to` on `on`, in bulk: two ledger events each
/// and their statistics, counted as the live path counts a transfer.
async fn transfer_all(ctx: &mut Ctx, from: &Unit, to: &Unit, on: Date) -> Result<u64> {
    if members_store::moved_after(&mut ctx.tx, from.id, on).await? > 0 {
        return Err(Error::Invalid {
            field: "effective_on",
            message: "invalid-restructure-after-movements",
            args: Args::new().with("unit", from.code.clone()),
        });
    }
    let members = members_store::active_in_unit(&mut ctx.tx, from.id).await?;
    if members.is_empty() {
        return Ok(0);
    }
    let out_units = crate::stats::counted_units(
        &mut ctx.tx,
        from.id,
        Some(to.id),
        EventKind::TransferredOut,
        on,
    )
    .await?;
    let in_units = crate::stats::counted_units(
        &mut ctx.tx,
        to.id,
        Some(from.id),
        EventKind::TransferredIn,
        on,
    )
    .await?;
    let chain = store::ancestors_with_kind(&mut ctx.tx, to.id, on).await?;
    let province = chain
        .iter()
        .find(|(_, k)| *k == UnitKind::Province)
        .map_or(to.id, |(id, _)| *id);
    let from_chain = store::ancestors_with_kind(&mut ctx.tx, from.id, on).await?;
    let from_province = from_chain
        .iter()
        .find(|(_, k)| *k == UnitKind::Province)
        .map_or(from.id, |(id, _)| *id);
    let ids = members_store::reserve_ids(&mut ctx.tx, "member_events", members.len() * 2).await?;
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
    let mut ledger = Bulk::new(ctx.access.actor());
    ledger
        .append(&mut ctx.tx, &events, |e| {
            Cow::Borrowed(if e.kind == EventKind::TransferredOut {
                &out_units
            } else {
                &in_units
            })
        })
        .await?;
    let moved = members_store::move_active(&mut ctx.tx, from.id, to.id, province).await?;
    ledger.finish(&mut ctx.tx, None).await?;
    Ok(moved)
}

/// A unit ends the day after `on`: nothing in its history may come later.
async fn refuse_later_history(tx: &mut Tx, unit: &Unit, on: Date) -> Result<()> {
    // The merge's own transfers are effective `on`, not after.
    if members_store::events_after_under(tx, unit.id, on).await? > 0 {
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
async fn successor_under(
    tx: &mut Tx,
    old: &Unit,
    parent: &Unit,
    on: Date,
    impact: &mut Impact,
) -> Result<Unit> {
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
    impact
        .created
        .push((code.clone(), old.name.clone(), parent.code.clone()));
    store::by_code(tx, &code, on)
        .await?
        .ok_or_else(|| Error::not_found("unit", code))
}

/// Moves `unit`'s members and child units under `target` on `on` and ends `unit`: each
/// child goes to `target`'s child of the same name (folded), or to a new one created for it.
fn relocate<'a>(
    ctx: &'a mut Ctx,
    unit: &'a Unit,
    target: &'a Unit,
    on: Date,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Impact>> + Send + 'a>> {
    Box::pin(async move {
        let mut impact = Impact::default();
        let existing: HashMap<String, Unit> = store::descendants(&mut ctx.tx, target.id, on, 1)
            .await?
            .into_iter()
            .filter(|u| u.id != target.id && u.valid_to == crate::store::OPEN_END)
            .map(|u| (crate::text::fold(&u.name), u))
            .collect();
        let children: Vec<Unit> = store::descendants(&mut ctx.tx, unit.id, on, 1)
            .await?
            .into_iter()
            .filter(|u| u.id != unit.id)
            .collect();
        for child in children {
            let successor = match existing.get(&crate::text::fold(&child.name)) {
                Some(u) => u.clone(),
                None => successor_under(&mut ctx.tx, &child, target, on, &mut impact).await?,
            };
            impact.absorb(relocate(ctx, &child, &successor, on).await?);
        }
        impact.members_moved += transfer_all(ctx, unit, target, on).await?;
        refuse_later_history(&mut ctx.tx, unit, on).await?;
        store::close_subtree(&mut ctx.tx, unit.id, day_after(on)).await?;
        store::add_lineage(
            &mut ctx.tx,
            unit.id,
            target.id,
            "merge",
            on,
            ctx.access.actor(),
        )
        .await?;
        impact.closed.push(unit.code.clone());
        impact
            .lineage
            .push((unit.code.clone(), target.code.clone()));
        Ok(impact)
    })
}

async fn members_at(tx: &mut Tx, unit: &Unit, on: Date) -> Result<i64> {
    Ok(crate::stats::stock_at(tx, &[unit.id], "all", on)
        .await?
        .values()
        .sum())
}

/// Merges `sources` into `target` on `on`: their branches join the target's branches of the
/// same name (or become new branches of it), their members are transferred, and they end.
pub async fn merge(ctx: &mut Ctx, sources: &[String], target: &str, on: Date) -> Result<Impact> {
    check_date(ctx, on)?;
    let target = managed(ctx, target, on).await?;
    let mut impact = Impact::default();
    let mut units = Vec::new();
    for code in sources {
        let unit = managed(ctx, code, on).await?;
        if unit.id == target.id || unit.kind != target.kind {
            return Err(Error::invalid("unit", "invalid-merge-kinds"));
        }
        units.push(unit);
    }
    for u in units.iter().chain(std::iter::once(&target)) {
        impact
            .members_before
            .push((u.code.clone(), members_at(&mut ctx.tx, u, on).await?));
    }
    for unit in &units {
        impact.absorb(relocate(ctx, unit, &target, on).await?);
    }
    for u in units.iter().chain(std::iter::once(&target)) {
        let after = day_after(on).min(ctx.today);
        impact
            .members_after
            .push((u.code.clone(), members_at(&mut ctx.tx, u, after).await?));
    }
    let detail = format!(
        "{} → {}: {} members",
        sources.join(", "),
        target.code,
        impact.members_moved
    );
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "unit.merge",
        Some(target.id),
        Some(&target.code),
        Some(&detail),
    )
    .await?;
    Ok(impact)
}

/// Splits `source` on `on`: each of its branches goes to the unit the assignment names
/// (branch code → new parent code); the source ends if nothing is left in it.
pub async fn split(
    ctx: &mut Ctx,
    source: &str,
    assignments: &[(String, String)],
    on: Date,
) -> Result<Impact> {
    check_date(ctx, on)?;
    let source = managed(ctx, source, on).await?;
    let mut impact = Impact::default();
    for (branch, parent) in assignments {
        let branch = managed(ctx, branch, on).await?;
        let parent = managed(ctx, parent, on).await?;
        if !store::is_within(&mut ctx.tx, branch.id, source.id, on).await? {
            return Err(Error::invalid("unit", "invalid-split-branch"));
        }
        let successor = successor_under(&mut ctx.tx, &branch, &parent, on, &mut impact).await?;
        let mut part = relocate(ctx, &branch, &successor, on).await?;
        // The branch goes on as the new one: say "split", not "merge".
        part.lineage.retain(|(from, _)| *from != branch.code);
        store::add_lineage(
            &mut ctx.tx,
            source.id,
            successor.id,
            "split",
            on,
            ctx.access.actor(),
        )
        .await?;
        impact
            .lineage
            .push((source.code.clone(), successor.code.clone()));
        impact.absorb(part);
    }
    let after = day_after(on).min(ctx.today);
    if members_at(&mut ctx.tx, &source, after).await? == 0
        && store::descendants(&mut ctx.tx, source.id, day_after(on), 1)
            .await?
            .iter()
            .all(|u| u.id == source.id)
        && members_store::events_after_under(&mut ctx.tx, source.id, on).await? == 0
    {
        store::close_subtree(&mut ctx.tx, source.id, day_after(on)).await?;
        impact.closed.push(source.code.clone());
    }
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "unit.split",
        Some(source.id),
        Some(&source.code),
        Some(&format!("{} parts", assignments.len())),
    )
    .await?;
    Ok(impact)
}

/// Ends a unit that has no members left (its whole subtree).
pub async fn dissolve(ctx: &mut Ctx, code: &str, on: Date) -> Result<Impact> {
    check_date(ctx, on)?;
    let unit = managed(ctx, code, on).await?;
    if members_at(&mut ctx.tx, &unit, on).await? != 0 {
        return Err(Error::invalid("unit", "invalid-dissolve-not-empty"));
    }
    refuse_later_history(&mut ctx.tx, &unit, on).await?;
    store::close_subtree(&mut ctx.tx, unit.id, day_after(on)).await?;
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "unit.dissolve",
        Some(unit.id),
        Some(&unit.code),
        None,
    )
    .await?;
    Ok(Impact {
        closed: vec![unit.code],
        ..Impact::default()
    })
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
            return Err(Error::Invalid {
                field: "plan",
                message: "invalid-plan-line",
                args: Args::new().num("line", (i + 1) as f64),
            });
        };
        let Some(date) = crate::clock::parse_date(date) else {
            if i == 0 {
                continue; // a header line
            }
            return Err(Error::Invalid {
                field: "plan",
                message: "invalid-plan-line",
                args: Args::new().num("line", (i + 1) as f64),
            });
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
pub async fn apply_plan(ctx: &mut Ctx, plan: &[(Date, String, Vec<String>)]) -> Result<Impact> {
    let mut impact = Impact::default();
    for (date, target, sources) in plan {
        let part = merge(ctx, sources, target, *date).await?;
        impact.members_before.extend(part.members_before.clone());
        impact.members_after.extend(part.members_after.clone());
        impact.absorb(part);
    }
    Ok(impact)
}
