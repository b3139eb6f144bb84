//! The movement report: for a unit and a period, one row per child unit and a total —
//! opening, new, transferred in, transferred out, left, died, closing — from maintained
//! statistics only.

use serde::Serialize;
use time::Date;

use super::period::Period;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::org::{self, Unit};
use crate::stats;
use crate::store::Tx;

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MovementRow {
    pub code: String,
    pub name: String,
    pub opening: i64,
    /// Joined, and restored after leaving.
    pub new: i64,
    pub transferred_in: i64,
    pub transferred_out: i64,
    pub left: i64,
    pub died: i64,
    pub closing: i64,
    /// Members ÷ women aged 18+ in the area, where the unit records that figure for the
    /// year the period ends in.
    pub coverage_rate: Option<f64>,
}

/// Message ids of the report's columns, in order.
pub const COLUMNS: [&str; 10] = [
    "col-code",
    "col-name",
    "col-opening",
    "col-new",
    "col-in",
    "col-out",
    "col-left",
    "col-died",
    "col-closing",
    "col-coverage",
];

impl MovementRow {
    /// The row as people read it, one string per entry of [`COLUMNS`], under `name`.
    pub fn cells(&self, name: &str) -> Vec<String> {
        use crate::text::{number, percent};
        vec![
            self.code.clone(),
            name.to_string(),
            number(self.opening),
            number(self.new),
            number(self.transferred_in),
            number(self.transferred_out),
            number(self.left),
            number(self.died),
            number(self.closing),
            percent(self.coverage_rate),
        ]
    }

    /// opening + new + in − out − left − died = closing.
    pub fn balances(&self) -> bool {
        self.opening + self.new + self.transferred_in - self.transferred_out - self.left - self.died
            == self.closing
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MovementReport {
    pub unit: Unit,
    pub period: Period,
    pub rows: Vec<MovementRow>,
    pub total: MovementRow,
}

impl MovementReport {
    /// The child rows, then the total under `total_name`, as text cells.
    pub fn text_rows(
        &self,
        total_name: &str,
        remainder_name: &str,
    ) -> Vec<(&MovementRow, Vec<String>)> {
        let name = |r: &MovementRow| {
            if r.name == REMAINDER && r.code.is_empty() {
                remainder_name.to_string()
            } else {
                r.name.clone()
            }
        };
        let mut rows: Vec<_> = self.rows.iter().map(|r| (r, r.cells(&name(r)))).collect();
        rows.push((&self.total, self.total.cells(total_name)));
        rows
    }
}

/// Which tree a report's rows follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Structure {
    /// As reported at the time: the units as they stood at the end of the period.
    AtTheTime,
    /// The units as they stood on a given date.
    AsOf(#[serde(with = "crate::org::model::iso_date")] Date),
    /// Restated in today's structure: each of today's units with the history of the units
    /// merged into it (through the lineage), the transfers between them netted out.
    Today,
}

impl Structure {
    /// `at-the-time` (or empty), `today`, or a date.
    pub fn parse(s: &str) -> Option<Structure> {
        match s.trim() {
            "" | "at-the-time" => Some(Structure::AtTheTime),
            "today" => Some(Structure::Today),
            other => crate::clock::parse_date(other).map(Structure::AsOf),
        }
    }
}

/// The report as reported at the time (the tree at the end of the period).
pub async fn movements(ctx: &mut Ctx, unit_code: &str, period: Period) -> Result<MovementReport> {
    movements_in(ctx, unit_code, period, Structure::AtTheTime).await
}

/// The units merged into `unit`, directly or through earlier merges (itself included).
fn merged_into(unit: i64, lineage: &[(i64, i64, String, Date)]) -> Vec<i64> {
    let mut group = vec![unit];
    let mut i = 0;
    while i < group.len() {
        let to = group[i];
        for (from, into, kind, _) in lineage {
            if *into == to && kind == "merge" && !group.contains(from) {
                group.push(*from);
            }
        }
        i += 1;
    }
    group
}

pub async fn movements_in(
    ctx: &mut Ctx,
    unit_code: &str,
    period: Period,
    structure: Structure,
) -> Result<MovementReport> {
    let tree_date = match structure {
        Structure::AtTheTime => period.to,
        Structure::AsOf(d) => d,
        Structure::Today => ctx.today,
    };
    let unit = org::tree::find(ctx, unit_code, tree_date).await?;
    ctx.require(crate::auth::Authority::ViewMembers, unit.id, &unit.code)
        .await?;
    let children = org::tree::children(ctx, &unit, tree_date).await?;
    if structure == Structure::Today {
        return restated(&mut ctx.tx, unit, children, period).await;
    }
    let mut ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    ids.push(unit.id);
    let opening = stats::stock_at(&mut ctx.tx, &ids, "all", period.opening_date()).await?;
    let closing = stats::stock_at(&mut ctx.tx, &ids, "all", period.to).await?;
    let mut flows = std::collections::HashMap::new();
    for measure in stats::effects::FLOWS {
        flows.insert(
            measure,
            stats::flow(&mut ctx.tx, &ids, measure, period.from, period.to).await?,
        );
    }
    let population = stats::population(&mut ctx.tx, &ids, period.to.year()).await?;
    let row = |u: &Unit| {
        let f = |m: &str| {
            flows
                .get(m)
                .and_then(|f| f.get(&u.id))
                .copied()
                .unwrap_or(0)
        };
        let closing = closing.get(&(u.id, String::new())).copied().unwrap_or(0);
        MovementRow {
            code: u.code.clone(),
            name: u.name.clone(),
            opening: opening.get(&(u.id, String::new())).copied().unwrap_or(0),
            new: f("joined") + f("restored"),
            transferred_in: f("transferred_in"),
            transferred_out: f("transferred_out"),
            left: f("left"),
            died: f("died"),
            closing,
            coverage_rate: population
                .get(&u.id)
                .filter(|p| **p > 0)
                .map(|p| closing as f64 / *p as f64),
        }
    };
    let mut rows: Vec<MovementRow> = children.iter().map(row).collect();
    let total = row(&unit);
    if let Some(rest) = remainder(&total, &rows) {
        rows.push(rest);
    }
    Ok(MovementReport {
        unit,
        period,
        rows,
        total,
    })
}

/// What the child rows leave out of the total: members held by the unit itself, and
/// transfers between its own units (which the unit does not count, its stock unchanged).
/// Stocks, new members, leavers and deaths are exact differences; the transfers appear as
/// their net, so that the rows add up to the total and the row balances. `None` when the
/// children account for everything.
fn remainder(total: &MovementRow, rows: &[MovementRow]) -> Option<MovementRow> {
    let sum = |f: fn(&MovementRow) -> i64| f(total) - rows.iter().map(f).sum::<i64>();
    let (opening, new, left, died, closing) = (
        sum(|r| r.opening),
        sum(|r| r.new),
        sum(|r| r.left),
        sum(|r| r.died),
        sum(|r| r.closing),
    );
    let net_in = closing - opening - new + left + died;
    if [opening, new, left, died, closing, net_in]
        .iter()
        .all(|n| *n == 0)
    {
        return None;
    }
    Some(MovementRow {
        code: String::new(),
        name: REMAINDER.into(),
        opening,
        new,
        transferred_in: net_in.max(0),
        transferred_out: (-net_in).max(0),
        left,
        died,
        closing,
        coverage_rate: None,
    })
}

/// Today's units, each with the figures of every unit merged into it; transfers between
/// the units of one group (the merges themselves) are taken out of both columns.
async fn restated(
    tx: &mut Tx,
    unit: Unit,
    children: Vec<Unit>,
    period: Period,
) -> Result<MovementReport> {
    let lineage = org::store::lineage(tx).await?;
    let groups: Vec<(&Unit, Vec<i64>)> = children
        .iter()
        .map(|u| (u, merged_into(u.id, &lineage)))
        .collect();
    let whole = merged_into(unit.id, &lineage);
    let all: Vec<i64> = groups
        .iter()
        .flat_map(|(_, g)| g.iter().copied())
        .chain(whole.iter().copied())
        .collect();
    let figures = Figures {
        opening: stats::stock_at(&mut *tx, &all, "all", period.opening_date()).await?,
        closing: stats::stock_at(&mut *tx, &all, "all", period.to).await?,
        flows: {
            let mut flows = std::collections::HashMap::new();
            for measure in stats::effects::FLOWS {
                flows.insert(
                    measure,
                    stats::flow(&mut *tx, &all, measure, period.from, period.to).await?,
                );
            }
            flows
        },
    };
    let mut rows = Vec::with_capacity(children.len() + 1);
    for (u, group) in &groups {
        rows.push(figures.row(&mut *tx, u, group, period).await?);
    }
    let total = figures.row(&mut *tx, &unit, &whole, period).await?;
    if let Some(rest) = remainder(&total, &rows) {
        rows.push(rest);
    }
    Ok(MovementReport {
        unit,
        period,
        rows,
        total,
    })
}

/// The stocks and flows of every unit a restated report reads.
struct Figures {
    opening: stats::store::Counts,
    closing: stats::store::Counts,
    flows: std::collections::HashMap<&'static str, std::collections::HashMap<i64, i64>>,
}

impl Figures {
    /// The row of `u` with the figures of its whole group, the transfers inside it netted out.
    async fn row(
        &self,
        tx: &mut Tx,
        u: &Unit,
        group: &[i64],
        period: Period,
    ) -> Result<MovementRow> {
        let sum = |m: &str| {
            group
                .iter()
                .map(|g| {
                    self.flows
                        .get(m)
                        .and_then(|f| f.get(g))
                        .copied()
                        .unwrap_or(0)
                })
                .sum::<i64>()
        };
        let stock = |c: &stats::store::Counts| {
            group
                .iter()
                .map(|g| c.get(&(*g, String::new())).copied().unwrap_or(0))
                .sum::<i64>()
        };
        let internal = if group.len() > 1 {
            internal_transfers(&mut *tx, group, period).await?
        } else {
            0
        };
        Ok(MovementRow {
            code: u.code.clone(),
            name: u.name.clone(),
            opening: stock(&self.opening),
            new: sum("joined") + sum("restored"),
            transferred_in: sum("transferred_in") - internal,
            transferred_out: sum("transferred_out") - internal,
            left: sum("left"),
            died: sum("died"),
            closing: stock(&self.closing),
            coverage_rate: None,
        })
    }
}

/// Transfers in the period from one unit of `group` to another (merged units and the unit
/// they went into): each was counted in at one and out at the other, and is no movement of
/// the whole. A move between two branches of one unit is not among them: that unit never
/// counted it.
async fn internal_transfers(tx: &mut Tx, group: &[i64], period: Period) -> Result<i64> {
    Ok(crate::members::store::transfers_between(tx, group, period.from, period.to).await?)
}

/// The name of the remainder row: a message id, translated where the report is shown.
pub const REMAINDER: &str = "report-remainder";
