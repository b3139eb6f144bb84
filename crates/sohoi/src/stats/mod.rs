//! Maintained statistics (DESIGN principle 3): counts per (unit, month, measure, dimension,
//! value), written with every ledger event for the event's unit and each of its ancestors at
//! the event's date ("as reported"). Any subtree's stock at any date and flows over any
//! period add up a few cells; nothing scans members.

pub mod batch;
pub mod check;
pub mod effects;
pub mod store;

use std::collections::HashMap;

use time::Date;

use crate::clock::{month_end, month_key, month_start};
use crate::error::Result;
use crate::members::model::{Class, EventKind};
use crate::store::Tx;
use effects::MEMBERS;

/// The units whose statistics an event changes: the event's unit and its ancestors at the
/// event's date — except, for a transfer, the ancestors it shares with the other unit. A
/// move between two branches of one commune is a transfer for the branches, and nothing
/// at all for the commune, the province and the centre.
pub async fn counted_units(
    tx: &mut Tx,
    unit_id: i64,
    other_unit: Option<i64>,
    kind: EventKind,
    on: Date,
) -> Result<Vec<(i64, crate::org::UnitKind)>> {
    let mut units = crate::org::store::ancestors_with_kind(tx, unit_id, on).await?;
    if let (Some(other), EventKind::TransferredIn | EventKind::TransferredOut) = (other_unit, kind)
    {
        let shared = crate::org::store::ancestor_ids(tx, other, on).await?;
        units.retain(|(u, _)| !shared.contains(u));
    }
    Ok(units)
}

/// Writes the statistics of one ledger event, in the event's transaction.
pub async fn record(
    tx: &mut Tx,
    unit_id: i64,
    other_unit: Option<i64>,
    effective_on: Date,
    kind: EventKind,
    class: &Class,
    before: Option<&Class>,
) -> Result<()> {
    let deltas = effects::effects(kind, class, before);
    if deltas.is_empty() {
        return Ok(());
    }
    let units = counted_units(tx, unit_id, other_unit, kind, effective_on).await?;
    store::apply(tx, &units, month_key(effective_on), &deltas).await?;
    Ok(())
}

/// The stock of members of each unit in `units` at the end of `at`, by `dim` value
/// ("all" gives one value, the empty string).
pub async fn stock_at(tx: &mut Tx, units: &[i64], dim: &str, at: Date) -> Result<store::Counts> {
    let mut counts = store::totals(tx, units, dim).await?;
    if at >= crate::clock::today() {
        // Nothing is effective after today: the running totals are the stock.
        return Ok(counts);
    }
    if dim != "all" {
        // Units without monthly breakdowns take their later events out of the totals.
        let kinds = crate::org::store::kinds(tx, units).await?;
        let (big, small): (Vec<i64>, Vec<i64>) = units.iter().partition(|u| {
            kinds
                .get(u)
                .is_some_and(|k| effects::keeps_monthly_breakdowns(*k))
        });
        if !small.is_empty() {
            let later = ledger_cells(tx, &small, MEMBERS, dim, at, crate::store::OPEN_END).await?;
            subtract(&mut counts, later);
        }
        let later = store::sum_cells(tx, &big, MEMBERS, dim, month_key(at) + 1, 999_912).await?;
        subtract(&mut counts, later);
        if at < month_end(at) {
            subtract(
                &mut counts,
                ledger_cells(tx, &big, MEMBERS, dim, at, month_end(at)).await?,
            );
        }
        counts.retain(|_, n| *n != 0);
        return Ok(counts);
    }
    // Everything counted after `at`'s month, taken back out...
    let later = store::sum_cells(tx, units, MEMBERS, dim, month_key(at) + 1, 999_912).await?;
    subtract(&mut counts, later);
    // ...and the days after `at` within its month, from the ledger itself.
    if at < month_end(at) {
        let partial = ledger_cells(tx, units, MEMBERS, dim, at, month_end(at)).await?;
        subtract(&mut counts, partial);
    }
    counts.retain(|_, n| *n != 0);
    Ok(counts)
}

/// The flows of `measure` into or out of each unit in `units` over `from..=to`.
pub async fn flow(
    tx: &mut Tx,
    units: &[i64],
    measure: &str,
    from: Date,
    to: Date,
) -> Result<HashMap<i64, i64>> {
    let mut counts =
        store::sum_cells(tx, units, measure, "all", month_key(from), month_key(to)).await?;
    if from > month_start(from) {
        let day_before = from.previous_day().unwrap_or(from);
        subtract(
            &mut counts,
            ledger_cells(
                tx,
                units,
                measure,
                "all",
                month_start(from).previous_day().unwrap_or(from),
                day_before,
            )
            .await?,
        );
    }
    if to < month_end(to) {
        subtract(
            &mut counts,
            ledger_cells(tx, units, measure, "all", to, month_end(to)).await?,
        );
    }
    Ok(counts.into_iter().map(|((u, _), n)| (u, n)).collect())
}

fn subtract(counts: &mut store::Counts, other: store::Counts) {
    for (key, n) in other {
        *counts.entry(key).or_default() -= n;
    }
}

/// What the ledger events effective in `(after, upto]` under each unit add to one measure and
/// dimension: used only for the days of a month that a date cuts in two.
async fn ledger_cells(
    tx: &mut Tx,
    units: &[i64],
    measure: &str,
    dim: &str,
    after: Date,
    upto: Date,
) -> Result<store::Counts> {
    let mut counts = store::Counts::new();
    // No event is effective after the day it is recorded (the service layer refuses future
    // dates), so the days after today hold nothing to read.
    if after >= crate::clock::today() {
        return Ok(counts);
    }
    for &unit in units {
        for event in crate::members::store::events_under(tx, unit, after, upto).await? {
            // A transfer within `unit`'s subtree is not counted at `unit`.
            if !counted_units(
                tx,
                event.unit_id,
                event.other_unit_id,
                event.kind,
                event.effective_on,
            )
            .await?
            .iter()
            .any(|(u, _)| *u == unit)
            {
                continue;
            }
            for d in effects::effects(event.kind, &event.class, event.before.as_ref()) {
                if d.measure == measure && d.dim == dim {
                    *counts.entry((unit, d.value)).or_default() += d.n;
                }
            }
        }
    }
    Ok(counts)
}

/// Women aged 18+ in each unit's area for `year`, where recorded.
pub async fn population(tx: &mut Tx, units: &[i64], year: i32) -> Result<HashMap<i64, i64>> {
    Ok(store::population(tx, units, year).await?)
}

/// Records the number of women aged 18+ in a unit's area for a year.
pub async fn set_population(tx: &mut Tx, unit: i64, year: i32, women_18_plus: i64) -> Result<()> {
    Ok(store::set_population(tx, unit, year, women_18_plus).await?)
}
