//! Opening a round: the form goes from a unit to every unit of the target kind below it,
//! and every unit between gets its own response to aggregate, review and approve.

use std::collections::HashMap;

use serde::Serialize;
use time::Date;

use super::model::Round;
use super::store::{self, NewResponse};
use crate::auth::Authority;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::i18n::Args;
use crate::org::UnitKind;
use crate::reports::Period;

pub struct OpenRequest<'a> {
    pub form: &'a str,
    pub period: &'a str,
    pub under: &'a str,
    pub to: UnitKind,
    /// Computed figures are taken at this day; default the period's last day.
    pub cutoff: Option<Date>,
    pub due: Date,
    pub closes: Option<Date>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Opened {
    pub round: i64,
    /// Responses created: the opener's, every unit's between, and the targets'.
    pub responses: usize,
    pub targets: usize,
}

/// The level of a kind in the tree, for how deep a round reaches.
fn level(kind: UnitKind) -> i64 {
    match kind {
        UnitKind::Central => 0,
        UnitKind::Province => 1,
        UnitKind::Commune => 2,
        UnitKind::Branch | UnitKind::Agency => 3,
        UnitKind::Group => 4,
    }
}

pub async fn open(ctx: &mut Ctx, request: &OpenRequest<'_>) -> Result<Opened> {
    let today = ctx.today;
    let opener = crate::org::tree::find(ctx, request.under, today).await?;
    ctx.require(Authority::IssueDirectives, opener.id, &opener.code)
        .await?;
    let form = super::form::latest(ctx, request.form).await?;
    if !form.definition.reporters.contains(&request.to) {
        return Err(Error::Invalid {
            field: "round_to",
            message: "invalid-round-kind",
            args: Args::new().with("kind", request.to.as_str()),
        });
    }
    let depth = level(request.to) - level(opener.kind);
    if depth < 1 {
        return Err(Error::invalid("round_to", "invalid-round-below"));
    }
    let period =
        Period::parse(request.period).ok_or_else(|| Error::invalid("period", "invalid-period"))?;
    let cutoff = request.cutoff.unwrap_or(period.to);
    if cutoff < period.from {
        return Err(Error::invalid("cutoff", "invalid-round-cutoff"));
    }
    if let Some(closes) = request.closes
        && closes < request.due
    {
        return Err(Error::invalid("closes", "invalid-round-closes"));
    }
    let mut round = Round {
        id: 0,
        form_id: form.id,
        form_code: form.code.clone(),
        form_version: form.version,
        form_name: form.definition.name.clone(),
        period: request.period.trim().to_ascii_uppercase(),
        period_from: period.from,
        period_to: period.to,
        opener_id: opener.id,
        opener_code: opener.code.clone(),
        opener_name: opener.name.clone(),
        target_kind: request.to.as_str().to_string(),
        cutoff,
        due: request.due,
        closes: request.closes,
        opened_by: ctx.actor().to_string(),
        opened_at: crate::clock::now_text(),
    };
    // The tree as it stands today, one level deeper than the kinds alone say: a branch of an
    // agency's union sits one level lower than a commune's.
    let below = crate::org::store::tree_below(&mut ctx.tx, opener.id, today, depth + 1).await?;
    let parent_of: HashMap<i64, (i64, i64)> = below
        .iter()
        .map(|(id, parent, _, d)| (*id, (*parent, *d)))
        .collect();
    // Every unit on the path from a target up to the opener takes part; each counts the
    // targets under it.
    let mut expected: HashMap<i64, i64> = HashMap::new();
    let mut targets = 0usize;
    for (id, _, kind, _) in &below {
        if kind != request.to.as_str() {
            continue;
        }
        targets += 1;
        let mut at = *id;
        while let Some((parent, _)) = parent_of.get(&at) {
            *expected.entry(*parent).or_default() += 1;
            at = *parent;
        }
    }
    if targets == 0 {
        return Err(Error::invalid("round_to", "invalid-round-no-targets"));
    }
    round.id = store::insert_round(&mut ctx.tx, &round).await?;
    let mut responses = vec![NewResponse {
        unit_id: opener.id,
        parent_unit_id: None,
        depth: 0,
        is_target: false,
    }];
    for (id, parent, kind, d) in &below {
        let is_target = kind == request.to.as_str();
        if is_target || expected.contains_key(id) {
            responses.push(NewResponse {
                unit_id: *id,
                parent_unit_id: Some(*parent),
                depth: *d,
                is_target,
            });
        }
    }
    store::insert_responses(&mut ctx.tx, &round, &responses).await?;
    let ids = store::response_ids(&mut ctx.tx, round.id).await?;
    let progress: Vec<(i64, i64)> = expected
        .iter()
        .filter_map(|(unit, n)| ids.get(unit).map(|id| (*id, *n)))
        .collect();
    store::insert_progress(&mut ctx.tx, &progress).await?;
    if responses.len() > 1_000 {
        store::refresh_statistics(&mut ctx.tx).await?;
    }
    crate::auth::audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "round.open",
        Some(opener.id),
        Some(&format!("round:{}", round.id)),
        Some(&format!(
            "form={} version={} period={} to={} targets={targets}",
            form.code,
            form.version,
            round.period,
            request.to.as_str()
        )),
    )
    .await?;
    Ok(Opened {
        round: round.id,
        responses: responses.len(),
        targets,
    })
}
