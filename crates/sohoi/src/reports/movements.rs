//! The movement report: for a unit and a period, one row per child unit and a total —
//! opening, new, transferred in, transferred out, left, died, closing — from maintained
//! statistics only.

use serde::Serialize;

use super::period::Period;
use crate::auth::Scope;
use crate::error::Result;
use crate::org::{self, Unit};
use crate::stats;
use crate::store::Tx;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
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
pub const COLUMNS: [&str; 10] =
    ["col-code", "col-name", "col-opening", "col-new", "col-in", "col-out", "col-left", "col-died", "col-closing", "col-coverage"];

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
        self.opening + self.new + self.transferred_in - self.transferred_out - self.left - self.died == self.closing
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
    pub fn text_rows(&self, total_name: &str, remainder_name: &str) -> Vec<(&MovementRow, Vec<String>)> {
        let name = |r: &MovementRow| if r.name == REMAINDER && r.code.is_empty() { remainder_name.to_string() } else { r.name.clone() };
        let mut rows: Vec<_> = self.rows.iter().map(|r| (r, r.cells(&name(r)))).collect();
        rows.push((&self.total, self.total.cells(total_name)));
        rows
    }
}

pub async fn movements(tx: &mut Tx, scope: &Scope, unit_code: &str, period: Period) -> Result<MovementReport> {
    let unit = org::tree::find(tx, scope, unit_code, period.to).await?;
    let children = org::tree::children(tx, scope, &unit, period.to).await?;
    let mut ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    ids.push(unit.id);
    let opening = stats::stock_at(tx, &ids, "all", period.opening_date()).await?;
    let closing = stats::stock_at(tx, &ids, "all", period.to).await?;
    let mut flows = std::collections::HashMap::new();
    for measure in stats::effects::FLOWS {
        flows.insert(measure, stats::flow(tx, &ids, measure, period.from, period.to).await?);
    }
    let population = stats::population(tx, &ids, period.to.year()).await?;
    let row = |u: &Unit| {
        let f = |m: &str| flows.get(m).and_then(|f| f.get(&u.id)).copied().unwrap_or(0);
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
            coverage_rate: population.get(&u.id).filter(|p| **p > 0).map(|p| closing as f64 / *p as f64),
        }
    };
    let mut rows: Vec<MovementRow> = children.iter().map(row).collect();
    let total = row(&unit);
    if let Some(rest) = remainder(&total, &rows) {
        rows.push(rest);
    }
    Ok(MovementReport { unit, period, rows, total })
}

/// What the child rows leave out of the total: members held by the unit itself, and
/// transfers between its own units (which the unit does not count, its stock unchanged).
/// Stocks, new members, leavers and deaths are exact differences; the transfers appear as
/// their net, so that the rows add up to the total and the row balances. `None` when the
/// children account for everything.
fn remainder(total: &MovementRow, rows: &[MovementRow]) -> Option<MovementRow> {
    let sum = |f: fn(&MovementRow) -> i64| f(total) - rows.iter().map(f).sum::<i64>();
    let (opening, new, left, died, closing) = (sum(|r| r.opening), sum(|r| r.new), sum(|r| r.left), sum(|r| r.died), sum(|r| r.closing));
    let net_in = closing - opening - new + left + died;
    if [opening, new, left, died, closing, net_in].iter().all(|n| *n == 0) {
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

/// The name of the remainder row: a message id, translated where the report is shown.
pub const REMAINDER: &str = "report-remainder";
