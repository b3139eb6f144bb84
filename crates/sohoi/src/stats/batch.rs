//! Statistics of many events added up in memory and written once: for bulk loads (the
//! demo, an Excel import), with the same effect function as the live path, so that a
//! batch and the same events recorded one by one leave identical statistics.

use std::collections::HashMap;

use time::Date;

use super::effects::{self, MEMBERS};
use crate::clock::month_key;
use crate::members::model::{Class, EventKind};
use crate::org::UnitKind;
use crate::store::Tx;

#[derive(Default)]
pub struct Batch {
    cells: HashMap<(i64, i32, &'static str, &'static str, String), i64>,
    totals: HashMap<(i64, &'static str, &'static str, String), i64>,
}

impl Batch {
    /// Counts one event at each of `units` (the units that count it, with their kinds).
    pub fn add(
        &mut self,
        units: &[(i64, UnitKind)],
        kind: EventKind,
        class: &Class,
        effective_on: Date,
    ) {
        for d in effects::effects(kind, class, None) {
            for &(u, unit_kind) in units {
                if effects::kept_monthly(&d, unit_kind) {
                    *self
                        .cells
                        .entry((
                            u,
                            month_key(effective_on),
                            d.measure,
                            d.dim,
                            d.value.clone(),
                        ))
                        .or_default() += d.n;
                }
                if d.measure == MEMBERS {
                    *self
                        .totals
                        .entry((u, d.measure, d.dim, d.value.clone()))
                        .or_default() += d.n;
                }
            }
        }
    }

    /// Writes in primary-key order, so that the B-trees grow at their ends instead of
    /// being written all over.
    pub async fn write(self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        let mut cells: Vec<_> = self.cells.iter().filter(|(_, n)| **n != 0).collect();
        cells.sort_by(|a, b| {
            (a.0.0, a.0.2, a.0.3, &a.0.4, a.0.1).cmp(&(b.0.0, b.0.2, b.0.3, &b.0.4, b.0.1))
        });
        super::store::add_cells(
            tx,
            cells
                .into_iter()
                .map(|((u, m, me, d, v), n)| (*u, *m, *me, *d, v.as_str(), *n)),
        )
        .await?;
        let mut totals: Vec<_> = self.totals.iter().filter(|(_, n)| **n != 0).collect();
        totals.sort();
        super::store::add_totals(
            tx,
            totals
                .into_iter()
                .map(|((u, me, d, v), n)| (*u, *me, *d, v.as_str(), *n)),
        )
        .await?;
        Ok(())
    }
}
