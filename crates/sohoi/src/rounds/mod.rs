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

/// The rounds a unit takes part in (with `under`), or every round the caller's grants' units
/// take part in, newest first.
pub async fn list(ctx: &mut Ctx, under: Option<&str>) -> Result<Vec<Round>> {
    let today = ctx.today;
    match under {
        Some(code) => {
            let unit = crate::org::tree::find(ctx, code, today).await?;
            Ok(store::rounds_of(&mut ctx.tx, unit.id, LISTED).await?)
        }
        None => match ctx.access.grants().map(<[_]>::to_vec) {
            None => Ok(store::all_rounds(&mut ctx.tx, LISTED).await?),
            Some(grants) => {
                let mut out: Vec<Round> = Vec::new();
                for g in grants {
                    for r in store::rounds_of(&mut ctx.tx, g.unit_id, LISTED).await? {
                        if !out.iter().any(|o| o.id == r.id) {
                            out.push(r);
                        }
                    }
                }
                out.sort_by_key(|r| std::cmp::Reverse(r.id));
                Ok(out)
            }
        },
    }
}
