//! A response's figures: what the unit entered, what the maintained statistics and the tree
//! give at the cut-off date, the sums of its children's reports, and formulas over those —
//! live while the response is open, and as submitted once it is in.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::expr;
use super::form::Form;
use super::indicator::{Computed, Indicator, Module, Rule, Source, Value};
use super::model::{Response, Round, Status};
use super::store;
use crate::error::Result;
use crate::store::Tx;

/// Where a figure came from, for the person reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Entered,
    Computed,
    Module,
    /// The sum of the children's reports (plus the unit's own entry, if any).
    Children,
    Formula,
    /// As the unit submitted it (frozen).
    Submitted,
}

/// Which children's reports a sum counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counting {
    /// Approved reports only (what a submission freezes).
    Approved,
    /// Everything submitted, approved or not (a reviewer's provisional view).
    Submitted,
}

#[derive(Clone, Debug)]
pub struct Figure {
    pub value: Option<Value>,
    pub origin: Origin,
}

/// Indicator code → figure.
pub type Figures = BTreeMap<String, Figure>;

/// The figures of `response`: as submitted when it is in, otherwise computed now.
pub async fn of(
    tx: &mut Tx,
    round: &Round,
    form: &Form,
    response: &Response,
    counting: Counting,
) -> Result<Figures> {
    if response.status.is_in() {
        let stored = store::figures(tx, &[response.id]).await?;
        return Ok(frozen(form, stored.get(&response.id)));
    }
    live(tx, round, form, response, counting).await
}

/// Figures stored at submission, read back for the form's indicators.
pub fn frozen(form: &Form, stored: Option<&HashMap<String, String>>) -> Figures {
    form.definition
        .indicators
        .iter()
        .map(|i| {
            let value = stored
                .and_then(|s| s.get(&i.code))
                .map(|v| Value::load(i.measure, v));
            (
                i.code.clone(),
                Figure {
                    value,
                    origin: Origin::Submitted,
                },
            )
        })
        .collect()
}

/// The figures as they stand now: own entries, computed and module figures at the cut-off
/// (for a target unit) or the children's sums (for a unit above), then formulas.
pub async fn live(
    tx: &mut Tx,
    round: &Round,
    form: &Form,
    response: &Response,
    counting: Counting,
) -> Result<Figures> {
    let own = store::values(tx, response.id).await?;
    let children = if response.is_target.0 {
        Vec::new()
    } else {
        store::children(tx, round.id, response.unit_id)
            .await?
            .into_iter()
            .filter(|c| !c.waived.0 && counted(c.status, counting))
            .map(|c| c.id)
            .collect()
    };
    let child_figures = store::figures(tx, &children).await?;
    let mut figures = Figures::new();
    for indicator in &form.definition.indicators {
        let entered = own
            .get(&indicator.code)
            .map(|v| Value::load(indicator.measure, v));
        let children_sum = || -> Option<i64> {
            let mut any = false;
            let mut sum = 0i64;
            for f in child_figures.values() {
                if let Some(v) = f.get(&indicator.code) {
                    any = true;
                    sum += v.parse::<i64>().unwrap_or(0);
                }
            }
            any.then_some(sum)
        };
        let figure = match (&indicator.source, indicator.rule) {
            (Source::Formula, _) => continue,
            (Source::Entered, Rule::Sum) if !response.is_target.0 => {
                let own = match entered {
                    Some(Value::Count(n)) => Some(n),
                    _ => None,
                };
                let sum = match (own, children_sum()) {
                    (None, None) => None,
                    (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
                };
                Figure {
                    value: sum.map(Value::Count),
                    origin: Origin::Children,
                }
            }
            (Source::Entered, _) => Figure {
                value: entered,
                origin: Origin::Entered,
            },
            (_, _) if !response.is_target.0 => Figure {
                value: children_sum().map(Value::Count),
                origin: Origin::Children,
            },
            (Source::Computed(c), _) => Figure {
                value: Some(Value::Count(
                    computed(tx, *c, round, response.unit_id).await?,
                )),
                origin: Origin::Computed,
            },
            (Source::Module(m), _) => Figure {
                value: Some(Value::Count(module(tx, *m, round, response.unit_id).await?)),
                origin: Origin::Module,
            },
        };
        figures.insert(indicator.code.clone(), figure);
    }
    apply_formulas(form, &mut figures);
    Ok(figures)
}

fn counted(status: Status, counting: Counting) -> bool {
    match counting {
        Counting::Approved => status == Status::Approved,
        Counting::Submitted => status.is_in(),
    }
}

/// Fills the formula indicators, in form order (a formula reads only indicators defined
/// before it).
pub fn apply_formulas(form: &Form, figures: &mut Figures) {
    for indicator in form
        .definition
        .indicators
        .iter()
        .filter(|i| i.rule == Rule::Formula)
    {
        let value = indicator
            .formula
            .as_deref()
            .and_then(|f| expr::parse(f).ok())
            .and_then(|e| e.eval(&|code| number(figures, code)))
            .map(|n| to_value(indicator, n));
        figures.insert(
            indicator.code.clone(),
            Figure {
                value,
                origin: Origin::Formula,
            },
        );
    }
}

pub fn number(figures: &Figures, code: &str) -> Option<f64> {
    figures.get(code)?.value.as_ref()?.number()
}

fn to_value(indicator: &Indicator, n: f64) -> Value {
    match indicator.measure {
        super::indicator::Measure::Percent => Value::Percent((n * 100.0).round() as i64),
        super::indicator::Measure::YesNo => Value::Flag(n != 0.0),
        _ => Value::Count(n.round() as i64),
    }
}

/// What the maintained statistics (or the tree) say of an indicator at `unit`, where they
/// say anything: the check beside an aggregated or entered figure.
pub async fn statistics(
    tx: &mut Tx,
    indicator: &Indicator,
    round: &Round,
    unit: i64,
) -> Result<Option<i64>> {
    Ok(match indicator.source {
        Source::Computed(c) => Some(computed(tx, c, round, unit).await?),
        Source::Module(m) => Some(module(tx, m, round, unit).await?),
        _ => None,
    })
}

/// A figure of the maintained statistics for `unit`, at the round's cut-off.
async fn computed(tx: &mut Tx, c: Computed, round: &Round, unit: i64) -> Result<i64> {
    let cutoff = round.cutoff;
    let (from, to) = (round.period_from, round.period_to.min(cutoff));
    Ok(match c {
        Computed::Members => stock(tx, unit, cutoff, "all", "").await?,
        Computed::Joined => {
            flow(tx, unit, "joined", from, to).await? + flow(tx, unit, "restored", from, to).await?
        }
        Computed::Left => {
            flow(tx, unit, "left", from, to).await? + flow(tx, unit, "died", from, to).await?
        }
        Computed::TransferredIn => flow(tx, unit, "transferred_in", from, to).await?,
        Computed::TransferredOut => flow(tx, unit, "transferred_out", from, to).await?,
        Computed::EthnicMinority => stock(tx, unit, cutoff, "segment", "ethnic_minority").await?,
        Computed::Religious => stock(tx, unit, cutoff, "segment", "religious").await?,
        Computed::Party => stock(tx, unit, cutoff, "party", "yes").await?,
        Computed::Women18Plus => crate::stats::population(tx, &[unit], cutoff.year())
            .await?
            .get(&unit)
            .copied()
            .unwrap_or(0),
    })
}

async fn stock(tx: &mut Tx, unit: i64, at: time::Date, dim: &str, value: &str) -> Result<i64> {
    let counts = crate::stats::stock_at(tx, &[unit], dim, at).await?;
    Ok(counts.get(&(unit, value.to_string())).copied().unwrap_or(0))
}

async fn flow(
    tx: &mut Tx,
    unit: i64,
    measure: &str,
    from: time::Date,
    to: time::Date,
) -> Result<i64> {
    let counts = crate::stats::flow(tx, &[unit], measure, from, to).await?;
    Ok(counts.get(&unit).copied().unwrap_or(0))
}

/// A figure another module gives. Today: the tree's branches and groups.
async fn module(tx: &mut Tx, m: Module, round: &Round, unit: i64) -> Result<i64> {
    let kind = match m {
        Module::Branches => crate::org::UnitKind::Branch,
        Module::Groups => crate::org::UnitKind::Group,
    };
    Ok(crate::org::store::count_under(tx, unit, kind, round.cutoff).await?)
}

/// A rule's finding on a set of figures.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Finding {
    pub message: String,
    /// A warning is shown; an error also blocks submitting.
    pub warning: bool,
    pub indicators: Vec<String>,
}

/// The form's rules and the jump warning (a value more than `jump_factor` times the previous
/// period's) applied to `figures`. Rules that read an indicator `hidden` from the viewer are
/// not shown to her: their outcome would tell what the figure is.
pub fn findings(
    form: &Form,
    figures: &Figures,
    previous: Option<&Figures>,
    hidden: &dyn Fn(&str) -> bool,
    lang: crate::i18n::Lang,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in &form.definition.rules {
        let Ok(check) = expr::parse_check(&rule.check) else {
            continue;
        };
        let codes = check.codes();
        if codes.iter().any(|c| hidden(c)) {
            continue;
        }
        if check.holds(&|code| number(figures, code)) == Some(false) {
            out.push(Finding {
                message: match lang {
                    crate::i18n::Lang::En => rule.message_en.clone(),
                    _ => rule.message.clone(),
                },
                warning: rule.warning,
                indicators: codes.into_iter().collect(),
            });
        }
    }
    if let Some(previous) = previous {
        let t = crate::i18n::translator(lang);
        for indicator in form
            .definition
            .indicators
            .iter()
            .filter(|i| i.measure.is_count() && !hidden(&i.code))
        {
            let (Some(now), Some(before)) = (
                number(figures, &indicator.code),
                number(previous, &indicator.code),
            ) else {
                continue;
            };
            if before > 0.0 && now > before * form.definition.jump_factor {
                out.push(Finding {
                    message: t.msg_with(
                        "round-warning-jump",
                        &crate::i18n::Args::new()
                            .with(
                                "indicator",
                                match lang {
                                    crate::i18n::Lang::En => indicator.name_en.clone(),
                                    _ => indicator.name.clone(),
                                },
                            )
                            .with("now", crate::text::number(now as i64))
                            .with("before", crate::text::number(before as i64))
                            .num("factor", form.definition.jump_factor),
                    ),
                    warning: true,
                    indicators: vec![indicator.code.clone()],
                });
            }
        }
    }
    out
}

/// The figures to store at submission: every indicator that has a value, as canonical text.
pub fn to_store(figures: &Figures) -> Vec<(String, String)> {
    figures
        .iter()
        .filter_map(|(code, f)| f.value.as_ref().map(|v| (code.clone(), v.store())))
        .collect()
}
