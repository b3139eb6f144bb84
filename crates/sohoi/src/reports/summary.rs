//! A unit's figures at a date: members, breakdowns, new this year, coverage rate.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::auth::{Authority, Tier};
use crate::ctx::Ctx;
use crate::error::Result;
use crate::members::codes::KINH;
use crate::org::{self, Unit};
use crate::stats;
use crate::store::Tx;

/// Age bands as the Union reports them.
pub const AGE_BANDS: [(&str, i32, i32); 5] = [
    ("18-30", 18, 30),
    ("31-45", 31, 45),
    ("46-60", 46, 60),
    ("61-75", 61, 75),
    ("76+", 76, i32::MAX),
];

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub unit: Unit,
    #[serde(with = "crate::org::model::iso_date")]
    pub as_of: Date,
    pub members: i64,
    pub new_this_year: i64,
    pub coverage_rate: Option<f64>,
    /// dimension → value → count. Sensitive dimensions only for callers who may see them.
    pub breakdowns: BTreeMap<String, BTreeMap<String, i64>>,
}

const DIMS: [&str; 7] = [
    "kind",
    "ethnicity",
    "religion",
    "education",
    "occupation",
    "party",
    "segment",
];
/// Breakdowns that need a tier over the unit's whole subtree.
const TIERED_DIMS: [(&str, Tier); 3] = [
    ("ethnicity", Tier::EthnicityReligion),
    ("religion", Tier::EthnicityReligion),
    ("party", Tier::Party),
];

/// The stock of one dimension: from today's totals when read, else at the date.
async fn stock(
    tx: &mut Tx,
    ids: &[i64],
    dim: &str,
    as_of: Date,
    current: &Option<std::collections::HashMap<String, stats::store::Counts>>,
) -> Result<stats::store::Counts> {
    match current {
        Some(all) => Ok(all.get(dim).cloned().unwrap_or_default()),
        None => stats::stock_at(tx, ids, dim, as_of).await,
    }
}

/// A unit's figures at `as_of`. A breakdown of sensitive data (ethnicity, religion, Party)
/// and the segments derived from it appear only to a caller who holds its tier over the whole
/// unit: a count is personal data when the unit is small.
pub async fn summary(ctx: &mut Ctx, unit_code: &str, as_of: Date) -> Result<Summary> {
    let unit = org::tree::find(ctx, unit_code, as_of).await?;
    ctx.require(Authority::ViewMembers, unit.id, &unit.code)
        .await?;
    let ids = [unit.id];
    let mut withheld = Vec::new();
    for (dim, tier) in TIERED_DIMS {
        if !ctx
            .access
            .tier_over(&mut ctx.tx, tier, unit.id, ctx.today)
            .await?
        {
            withheld.push(dim);
        }
    }
    // Today's figures are the running totals, read in one statement.
    let current = if as_of >= ctx.today {
        Some(stats::store::unit_totals(&mut ctx.tx, unit.id).await?)
    } else {
        None
    };
    let members = stock(&mut ctx.tx, &ids, "all", as_of, &current)
        .await?
        .values()
        .sum();
    let year_start = Date::from_ordinal_date(as_of.year(), 1).unwrap_or(as_of);
    let new_this_year = stats::flow(&mut ctx.tx, &ids, "joined", year_start, as_of)
        .await?
        .values()
        .sum();
    let mut breakdowns = BTreeMap::new();
    for dim in DIMS {
        if withheld.contains(&dim) {
            continue;
        }
        let counts = stock(&mut ctx.tx, &ids, dim, as_of, &current).await?;
        breakdowns.insert(
            dim.to_string(),
            counts
                .into_iter()
                .map(|((_, v), n)| (v, n))
                .collect::<BTreeMap<_, _>>(),
        );
    }
    if withheld.contains(&"ethnicity")
        && let Some(segments) = breakdowns.get_mut("segment")
    {
        segments.retain(|segment, _| {
            !crate::members::model::DERIVED_SEGMENTS.contains(&segment.as_str())
        });
    }
    if let Some(ethnicity) = breakdowns.get("ethnicity") {
        let kinh = ethnicity.get(KINH).copied().unwrap_or(0);
        let unknown = ethnicity.get("unknown").copied().unwrap_or(0);
        let minorities = ethnicity.values().sum::<i64>() - kinh - unknown;
        breakdowns.insert(
            "kinh_minority".into(),
            BTreeMap::from([
                ("kinh".into(), kinh),
                ("minority".into(), minorities),
                ("unknown".into(), unknown),
            ]),
        );
    }
    let births = stock(&mut ctx.tx, &ids, "birth_year", as_of, &current).await?;
    let mut ages: BTreeMap<String, i64> = BTreeMap::new();
    for ((_, year), n) in births {
        let band = match year.parse::<i32>() {
            // The age reached during the year of `as_of`: birth years are all the stock holds.
            Ok(y) => AGE_BANDS
                .iter()
                .find(|(_, lo, hi)| (*lo..=*hi).contains(&(as_of.year() - y)))
                .map_or("other", |b| b.0),
            Err(_) => "unknown",
        };
        *ages.entry(band.to_string()).or_default() += n;
    }
    breakdowns.insert("age_band".into(), ages);
    let population = stats::population(&mut ctx.tx, &ids, as_of.year()).await?;
    let coverage_rate = population
        .get(&unit.id)
        .filter(|p| **p > 0)
        .map(|p| members as f64 / *p as f64);
    Ok(Summary {
        unit,
        as_of,
        members,
        new_this_year,
        coverage_rate,
        breakdowns,
    })
}
