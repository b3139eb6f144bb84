//! SQL over the statistics tables.

use std::collections::HashMap;

use super::effects::{CellDelta, MEMBERS, kept_monthly};
use crate::on_engine;
use crate::org::UnitKind;
use crate::org::store::sql as tree;
use crate::store::Tx;

/// Rows per multi-row statement: well under both engines' limits on bound parameters.
const CHUNK: usize = 2000;

/// Adds `deltas` to the monthly cells each unit in `units` keeps for `month`, and the stock
/// deltas to the running totals: two statements, whatever the number of cells.
///
/// Rows are written in primary-key order, as [`super::batch::Batch`] writes them: every writer
/// locks the cells it shares with others (the central union's, a province's) in one order,
/// so that two writers wait for each other at most once, never in a cycle.
pub async fn apply(
    tx: &mut Tx,
    units: &[(i64, UnitKind)],
    month: i32,
    deltas: &[CellDelta],
) -> Result<(), sqlx::Error> {
    let mut cells: Vec<(i64, UnitKind, &CellDelta)> = units
        .iter()
        .flat_map(|(u, k)| deltas.iter().map(move |d| (*u, *k, d)))
        .collect();
    cells.sort_by(|a, b| {
        (a.0, a.2.measure, a.2.dim, &a.2.value).cmp(&(b.0, b.2.measure, b.2.dim, &b.2.value))
    });
    add_cells(
        tx,
        cells
            .iter()
            .filter(|(_, k, d)| kept_monthly(d, *k))
            .map(|(u, _, d)| (*u, month, d.measure, d.dim, d.value.as_str(), d.n)),
    )
    .await?;
    add_totals(
        tx,
        cells
            .iter()
            .filter(|(_, _, d)| d.measure == MEMBERS)
            .map(|(u, _, d)| (*u, d.measure, d.dim, d.value.as_str(), d.n)),
    )
    .await
}

/// Adds to cells, creating those that do not exist. Keys must not repeat within a call
/// (PostgreSQL refuses to update one row twice in one statement). Rows travel as one JSON
/// parameter per chunk, which both engines unpack natively: far cheaper than binding six
/// values a row.
pub async fn add_cells<'a>(
    tx: &mut Tx,
    cells: impl Iterator<Item = (i64, i32, &'a str, &'a str, &'a str, i64)>,
) -> Result<(), sqlx::Error> {
    let cells: Vec<_> = cells.collect();
    for chunk in cells.chunks(CHUNK) {
        let json = serde_json::to_string(chunk).map_err(|e| sqlx::Error::Encode(e.into()))?;
        match &mut *tx {
            Tx::Sqlite(c) => {
                sqlx::query(
                    "insert into stat_cells (unit_id, month, measure, dim, value, n) \
                     select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 from json_each($1) where true \
                     on conflict (unit_id, measure, dim, value, month) do update set n = stat_cells.n + excluded.n",
                )
                .bind(json)
                .execute(&mut **c)
                .await?;
            }
            Tx::Postgres(c) => {
                sqlx::query(
                    "insert into stat_cells (unit_id, month, measure, dim, value, n) \
                     select (e ->> 0)::bigint, (e ->> 1)::int, e ->> 2, e ->> 3, e ->> 4, (e ->> 5)::bigint \
                     from jsonb_array_elements($1::jsonb) e \
                     on conflict (unit_id, measure, dim, value, month) do update set n = stat_cells.n + excluded.n",
                )
                .bind(json)
                .execute(&mut **c)
                .await?;
            }
        }
    }
    Ok(())
}

pub async fn add_totals<'a>(
    tx: &mut Tx,
    totals: impl Iterator<Item = (i64, &'a str, &'a str, &'a str, i64)>,
) -> Result<(), sqlx::Error> {
    let totals: Vec<_> = totals.collect();
    for chunk in totals.chunks(CHUNK) {
        let json = serde_json::to_string(chunk).map_err(|e| sqlx::Error::Encode(e.into()))?;
        match &mut *tx {
            Tx::Sqlite(c) => {
                sqlx::query(
                    "insert into stat_totals (unit_id, measure, dim, value, n) \
                     select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 from json_each($1) where true \
                     on conflict (unit_id, measure, dim, value) do update set n = stat_totals.n + excluded.n",
                )
                .bind(json)
                .execute(&mut **c)
                .await?;
            }
            Tx::Postgres(c) => {
                sqlx::query(
                    "insert into stat_totals (unit_id, measure, dim, value, n) \
                     select (e ->> 0)::bigint, e ->> 1, e ->> 2, e ->> 3, (e ->> 4)::bigint from jsonb_array_elements($1::jsonb) e \
                     on conflict (unit_id, measure, dim, value) do update set n = stat_totals.n + excluded.n",
                )
                .bind(json)
                .execute(&mut **c)
                .await?;
            }
        }
    }
    Ok(())
}

/// (unit, dimension value) → count.
pub type Counts = HashMap<(i64, String), i64>;

fn unit_list(units: &[i64]) -> String {
    // Unit ids are integers from our own tables, never user text.
    units
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The running totals of the stock for `units` in one dimension.
pub async fn totals(tx: &mut Tx, units: &[i64], dim: &str) -> Result<Counts, sqlx::Error> {
    if units.is_empty() {
        return Ok(Counts::new());
    }
    let sql = format!(
        "select unit_id, value, n from stat_totals where unit_id in ({}) and measure = $1 and dim = $2 and n <> 0",
        unit_list(units)
    );
    let rows: Vec<(i64, String, i64)> = on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(MEMBERS).bind(dim).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().map(|(u, v, n)| ((u, v), n)).collect())
}

/// Every running total of the stock of one unit, by dimension: a dashboard's figures in
/// one statement.
pub async fn unit_totals(tx: &mut Tx, unit: i64) -> Result<HashMap<String, Counts>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> = on_engine!(tx, c => sqlx::query_as(
        "select dim, value, n from stat_totals where unit_id = $1 and measure = $2 and n <> 0")
        .bind(unit).bind(MEMBERS).fetch_all(&mut **c).await)?;
    let mut out: HashMap<String, Counts> = HashMap::new();
    for (dim, value, n) in rows {
        out.entry(dim).or_default().insert((unit, value), n);
    }
    Ok(out)
}

/// Sums of cells of `measure` for `units` over the months `from..=to` (`yyyymm`).
pub async fn sum_cells(
    tx: &mut Tx,
    units: &[i64],
    measure: &str,
    dim: &str,
    from: i32,
    to: i32,
) -> Result<Counts, sqlx::Error> {
    if units.is_empty() || from > to {
        return Ok(Counts::new());
    }
    let sql = format!(
        "select unit_id, value, cast(sum(n) as bigint) from stat_cells \
         where unit_id in ({}) and measure = $1 and dim = $2 and month between $3 and $4 group by unit_id, value",
        unit_list(units)
    );
    let rows: Vec<(i64, String, i64)> = on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(measure).bind(dim).bind(from).bind(to).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().map(|(u, v, n)| ((u, v), n)).collect())
}

/// Which units a `sohoi check` pass compares: those ever under one province, or those
/// never under any province (the centre).
#[derive(Clone, Copy, Debug)]
pub enum Part {
    Province(i64),
    AboveProvinces,
}

impl Part {
    fn filter(self) -> String {
        match self {
            Part::Province(p) => format!("unit_id in ({})", tree::ever_under(&p.to_string())),
            Part::AboveProvinces => format!("unit_id not in ({})", tree::ever_under_a_province()),
        }
    }
}

pub type CellKey = (i64, i32, String, String, String);
pub type TotalKey = (i64, String, String, String);

/// The nonzero cells of one part of the tree.
pub async fn cells_of(tx: &mut Tx, part: Part) -> Result<HashMap<CellKey, i64>, sqlx::Error> {
    let sql = format!(
        "select unit_id, month, measure, dim, value, n from stat_cells where n <> 0 and {}",
        part.filter()
    );
    let rows: Vec<(i64, i32, String, String, String, i64)> =
        on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(|(u, m, me, d, v, n)| ((u, m, me, d, v), n))
        .collect())
}

pub async fn totals_of(tx: &mut Tx, part: Part) -> Result<HashMap<TotalKey, i64>, sqlx::Error> {
    let sql = format!(
        "select unit_id, measure, dim, value, n from stat_totals where n <> 0 and {}",
        part.filter()
    );
    let rows: Vec<(i64, String, String, String, i64)> =
        on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(|(u, me, d, v, n)| ((u, me, d, v), n))
        .collect())
}

/// Empties both tables (before a bulk rebuild).
pub async fn clear(tx: &mut Tx) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => {
        sqlx::query("delete from stat_cells").execute(&mut **c).await?;
        sqlx::query("delete from stat_totals").execute(&mut **c).await?;
        Ok(())
    })
}

pub async fn population(
    tx: &mut Tx,
    units: &[i64],
    year: i32,
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    if units.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "select unit_id, women_18_plus from unit_population where year = $1 and unit_id in ({})",
        unit_list(units)
    );
    let rows: Vec<(i64, i64)> = on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(year).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().collect())
}

pub async fn set_population(
    tx: &mut Tx,
    unit: i64,
    year: i32,
    women_18_plus: i64,
) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query(
        "insert into unit_population (unit_id, year, women_18_plus) values ($1, $2, $3) \
         on conflict (unit_id, year) do update set women_18_plus = excluded.women_18_plus")
        .bind(unit).bind(year).bind(women_18_plus).execute(&mut **c).await.map(|_| ()))?;
    Ok(())
}

/// The sum of the figures recorded for the children of `unit` (today's children).
pub async fn population_sum_of_children(
    tx: &mut Tx,
    unit: i64,
    year: i32,
) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "select cast(coalesce(sum(p.women_18_plus), 0) as bigint) from unit_population p \
         where p.unit_id in ({}) and p.year = $2",
        tree::children_ever("$1")
    );
    on_engine!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(unit).bind(year).fetch_one(&mut **c).await)
}
