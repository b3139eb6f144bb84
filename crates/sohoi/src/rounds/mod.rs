//! The work side's one cycle, built for report rounds and reused by directives, campaigns,
//! ratings and resources: indicators, forms, rounds sent down the tree, responses submitted
//! and approved back up, completeness, the inbox, locked periods and document numbers.
//!
//! - [`indicator`], [`expr`], [`form`]: what is asked, loaded from a TOML file.
//! - [`open`]: a round goes down the tree; every unit on the way gets a response.
//! - [`response`]: the cycle of one response; [`figures`] what it says.
//! - [`sheet`], [`review`], [`board`], [`inbox`]: the views.
//! - [`workbook`]: a response as a workbook to fill offline, and the filled file read back.
//! - [`lock`]: approved periods lock the member ledger; [`numbering`]: document numbers.

pub mod board;
pub mod document;
pub mod export;
pub mod expr;
pub mod figures;
pub mod form;
pub mod inbox;
pub mod indicator;
pub mod lock;
pub mod model;
pub mod numbering;
pub mod open;
pub mod response;
pub mod review;
pub mod sheet;
mod store;
pub mod workbook;

pub use model::{Progress, Response, Round, Status};

use crate::ctx::Ctx;
use crate::error::Result;

/// The most rounds listed at once.
pub const LISTED: i64 = 500;

/// A round as listed for someone: the round and the unit through which she takes part.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Listed {
    pub round: Round,
    pub unit_code: String,
    pub unit_name: String,
}

/// The rounds a unit takes part in (with `under`), or those the caller's grants' units take
/// part in (the command line's administrator: every round, at its opener), newest first.
pub async fn list(ctx: &mut Ctx, under: Option<&str>) -> Result<Vec<Listed>> {
    let today = ctx.today;
    let units: Vec<(i64, String, String)> = match (under, ctx.access.grants().map(<[_]>::to_vec)) {
        (Some(code), _) => {
            let unit = crate::org::tree::find(ctx, code, today).await?;
            vec![(unit.id, unit.code, unit.name)]
        }
        (None, None) => {
            return Ok(store::all_rounds(&mut ctx.tx, LISTED)
                .await?
                .into_iter()
                .map(|r| Listed {
                    unit_code: r.opener_code.clone(),
                    unit_name: r.opener_name.clone(),
                    round: r,
                })
                .collect());
        }
        (None, Some(grants)) => {
            let mut units = Vec::new();
            for g in grants {
                if let Some(u) = crate::org::store::by_id(&mut ctx.tx, g.unit_id, today).await? {
                    units.push((u.id, u.code, u.name));
                }
            }
            units
        }
    };
    let mut out: Vec<Listed> = Vec::new();
    for (id, code, name) in units {
        for r in store::rounds_of(&mut ctx.tx, id, LISTED).await? {
            if !out.iter().any(|o| o.round.id == r.id) {
                out.push(Listed {
                    round: r,
                    unit_code: code.clone(),
                    unit_name: name.clone(),
                });
            }
        }
    }
    out.sort_by_key(|l| std::cmp::Reverse(l.round.id));
    Ok(out)
}
