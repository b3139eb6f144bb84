//! Completeness (expected, on time, late, missing, returned, approved) for any unit of a
//! round, per child, from the counters kept with every change — never counted by scanning.

use serde::Serialize;

use super::model::{Progress, Response, Round};
use super::response::{Located, locate};
use super::store;
use crate::ctx::Ctx;
use crate::error::Result;

/// The most names of missing units listed on a board (the export has them all).
pub const MISSING_SHOWN: i64 = 200;
/// The most missing units an export lists (every commune of the country fits).
pub const MISSING_EXPORTED: i64 = 100_000;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub round: Round,
    pub unit: Response,
    /// The targets under the unit (for a target itself: itself).
    pub progress: Progress,
    pub children: Vec<ChildRow>,
    /// Targets under the unit still missing, by name (at most [`MISSING_SHOWN`]).
    pub missing: Vec<Response>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChildRow {
    pub response: Response,
    /// The targets under this child (for a target: itself).
    pub progress: Progress,
}

pub async fn board(ctx: &mut Ctx, round: i64, unit: &str) -> Result<Board> {
    board_listing(ctx, round, unit, MISSING_SHOWN).await
}

/// The board with up to `missing_limit` missing units named (the overdue export asks for
/// all of them).
pub async fn board_listing(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    missing_limit: i64,
) -> Result<Board> {
    let Located {
        round, response, ..
    } = locate(ctx, round, unit).await?;
    let progress = own_progress(ctx, &response).await?;
    let children = store::children(&mut ctx.tx, round.id, response.unit_id).await?;
    let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let mut counters = store::progress_of(&mut ctx.tx, &ids).await?;
    let children = children
        .into_iter()
        .map(|c| ChildRow {
            progress: counters
                .remove(&c.id)
                .unwrap_or_else(|| target_progress(&c)),
            response: c,
        })
        .collect();
    let missing = if response.is_target.0 {
        Vec::new()
    } else if response.depth == 0 {
        store::missing_in_round(&mut ctx.tx, round.id, missing_limit).await?
    } else {
        store::missing_under(
            &mut ctx.tx,
            round.id,
            response.unit_id,
            ctx.today,
            missing_limit,
        )
        .await?
    };
    Ok(Board {
        round,
        unit: response,
        progress,
        children,
        missing,
    })
}

async fn own_progress(ctx: &mut Ctx, r: &Response) -> Result<Progress> {
    Ok(match store::progress(&mut ctx.tx, r.id).await? {
        Some(p) => p,
        None => target_progress(r),
    })
}

/// A target's own completeness: one expected, in its bucket.
fn target_progress(r: &Response) -> Progress {
    let mut p = Progress::of(r);
    p.expected = 1;
    p
}
