//! `sohoi check`: recomputes every maintained statistic from the ledger and names each
//! difference. It works a province at a time, so that its memory follows the largest
//! province rather than the country.

use std::collections::{BTreeSet, HashMap, HashSet};

use time::Date;

use super::effects::{self, MEMBERS};
use super::store::{CellKey, Part, TotalKey};
use crate::clock::month_key;
use crate::error::Result;
use crate::members::model::EventKind;
use crate::org::UnitKind;
use crate::store::Tx;

/// One statistic that disagrees with the ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    pub unit_id: i64,
    /// `None` for the running total.
    pub month: Option<i32>,
    pub measure: String,
    pub dim: String,
    pub value: String,
    pub stored: i64,
    pub recomputed: i64,
}

/// What the statistics should hold according to (part of) the ledger.
#[derive(Default)]
pub struct Recomputed {
    pub cells: HashMap<CellKey, i64>,
    pub totals: HashMap<TotalKey, i64>,
}

impl Recomputed {
    fn add(&mut self, unit: i64, kind: UnitKind, month: i32, d: &effects::CellDelta) {
        if effects::kept_monthly(d, kind) {
            *self
                .cells
                .entry((unit, month, d.measure.into(), d.dim.into(), d.value.clone()))
                .or_default() += d.n;
        }
        if d.measure == MEMBERS {
            *self
                .totals
                .entry((unit, d.measure.into(), d.dim.into(), d.value.clone()))
                .or_default() += d.n;
        }
    }

    fn drain_units(&mut self, keep: impl Fn(i64) -> bool) -> Recomputed {
        Recomputed {
            cells: self.cells.extract_if(|k, _| !keep(k.0)).collect(),
            totals: self.totals.extract_if(|k, _| !keep(k.0)).collect(),
        }
    }
}

/// Adds up the effects of one province's events at the units that held each event's unit
/// at its date.
async fn recompute_province(tx: &mut Tx, province: i64, into: &mut Recomputed) -> Result<()> {
    // (unit, other unit of a transfer, date) → the units the event counts at.
    type Key = (i64, Option<i64>, bool, Date);
    let mut ancestors: HashMap<Key, Vec<(i64, UnitKind)>> = HashMap::new();
    let mut after = 0;
    loop {
        let page = crate::members::store::events_page(tx, province, after, 20_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for e in page {
            let transfer = matches!(e.kind, EventKind::TransferredIn | EventKind::TransferredOut);
            let key = (
                e.unit_id,
                e.other_unit_id.filter(|_| transfer),
                transfer,
                e.effective_on,
            );
            if let std::collections::hash_map::Entry::Vacant(slot) = ancestors.entry(key) {
                slot.insert(
                    super::counted_units(tx, e.unit_id, e.other_unit_id, e.kind, e.effective_on)
                        .await?,
                );
            }
            for d in effects::effects(e.kind, &e.class, e.before.as_ref()) {
                for &(u, kind) in &ancestors[&key] {
                    into.add(u, kind, month_key(e.effective_on), &d);
                }
            }
        }
    }
    Ok(())
}

/// Every difference between the stored statistics and a recomputation from the ledger.
pub async fn check(tx: &mut Tx) -> Result<Vec<Difference>> {
    let mut diffs = Vec::new();
    // Cells of units above the provinces gather the effects of every province.
    let mut above = Recomputed::default();
    for province in crate::members::store::event_provinces(tx).await? {
        let inside: HashSet<i64> = crate::org::store::units_ever_under(tx, province)
            .await?
            .into_iter()
            .collect();
        let mut recomputed = Recomputed::default();
        recompute_province(tx, province, &mut recomputed).await?;
        let outside = recomputed.drain_units(|u| inside.contains(&u));
        merge_into(&mut above, outside);
        compare(tx, Part::Province(province), recomputed, &mut diffs).await?;
    }
    compare(tx, Part::AboveProvinces, above, &mut diffs).await?;
    Ok(diffs)
}

fn merge_into(into: &mut Recomputed, from: Recomputed) {
    for (k, n) in from.cells {
        *into.cells.entry(k).or_default() += n;
    }
    for (k, n) in from.totals {
        *into.totals.entry(k).or_default() += n;
    }
}

async fn compare(
    tx: &mut Tx,
    part: Part,
    mut expected: Recomputed,
    diffs: &mut Vec<Difference>,
) -> Result<()> {
    expected.cells.retain(|_, n| *n != 0);
    expected.totals.retain(|_, n| *n != 0);
    let cells = super::store::cells_of(tx, part).await?;
    let keys: BTreeSet<&CellKey> = expected.cells.keys().chain(cells.keys()).collect();
    for key in keys {
        let (stored, recomputed) = (
            cells.get(key).copied().unwrap_or(0),
            expected.cells.get(key).copied().unwrap_or(0),
        );
        if stored != recomputed {
            let (unit_id, month, measure, dim, value) = key.clone();
            diffs.push(Difference {
                unit_id,
                month: Some(month),
                measure,
                dim,
                value,
                stored,
                recomputed,
            });
        }
    }
    let totals = super::store::totals_of(tx, part).await?;
    let keys: BTreeSet<&TotalKey> = expected.totals.keys().chain(totals.keys()).collect();
    for key in keys {
        let (stored, recomputed) = (
            totals.get(key).copied().unwrap_or(0),
            expected.totals.get(key).copied().unwrap_or(0),
        );
        if stored != recomputed {
            let (unit_id, measure, dim, value) = key.clone();
            diffs.push(Difference {
                unit_id,
                month: None,
                measure,
                dim,
                value,
                stored,
                recomputed,
            });
        }
    }
    Ok(())
}
