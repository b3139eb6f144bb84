//! The inbox (việc cần làm): each unit's one page of what it must do. Report rounds give two
//! kinds of item — rounds to answer, children's reports to review; later modules add theirs.

use std::collections::HashMap;

use serde::Serialize;
use time::Date;

use super::model::{Response, Round, Status};
use super::store;
use crate::ctx::Ctx;
use crate::error::Result;

/// The most items of each kind shown.
const ITEMS: i64 = 200;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unit_code: String,
    pub unit_name: String,
    pub to_answer: Vec<Item>,
    pub to_review: Vec<Item>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Item {
    pub round: Round,
    pub response: Response,
    /// Past the due date and not in.
    pub overdue: bool,
    /// Entry is no longer possible without a late-entry window.
    pub locked: bool,
}

pub async fn inbox(ctx: &mut Ctx, unit: &str) -> Result<Inbox> {
    let today = ctx.today;
    let unit = crate::org::tree::find(ctx, unit, today).await?;
    ctx.require(crate::auth::Authority::ViewMembers, unit.id, &unit.code)
        .await?;
    // Many children's reports share one round: each round is read once.
    let mut rounds = HashMap::new();
    let mut to_answer = Vec::new();
    for response in store::to_answer(&mut ctx.tx, unit.id, ITEMS).await? {
        to_answer.push(item(ctx, &mut rounds, response, today).await?);
    }
    let mut to_review = Vec::new();
    for response in store::to_review(&mut ctx.tx, unit.id, ITEMS).await? {
        to_review.push(item(ctx, &mut rounds, response, today).await?);
    }
    Ok(Inbox {
        unit_code: unit.code,
        unit_name: unit.name,
        to_answer,
        to_review,
    })
}

async fn item(
    ctx: &mut Ctx,
    rounds: &mut HashMap<i64, Round>,
    response: Response,
    today: Date,
) -> Result<Item> {
    let round = match rounds.get(&response.round_id) {
        Some(r) => r.clone(),
        None => {
            let r = store::round(&mut ctx.tx, response.round_id)
                .await?
                .ok_or_else(|| {
                    crate::error::Error::not_found("round", response.round_id.to_string())
                })?;
            rounds.insert(r.id, r.clone());
            r
        }
    };
    Ok(Item {
        overdue: today > response.due && response.status != Status::Submitted,
        locked: !super::response::window_open(&response, today),
        round,
        response,
    })
}
