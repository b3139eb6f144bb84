//! The review screen of a level: each child's figures side by side with the total, the
//! previous period, the difference from the maintained statistics, and each child's warnings;
//! from it the reviewer approves or returns each child.

use serde::Serialize;

use super::figures::{self, Counting, Finding};
use super::model::{Response, Round, Status};
use super::response::{Located, locate};
use super::sheet::hidden_codes;
use super::store;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::i18n::Lang;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub round: Round,
    pub unit: Response,
    /// Whether the columns count submitted reports too, or approved ones only.
    pub all_submitted: bool,
    pub children: Vec<Response>,
    pub rows: Vec<ReviewRow>,
    /// Each child's findings, in the order of `children`.
    pub findings: Vec<Vec<Finding>>,
    pub previous_period: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewRow {
    /// A section's title starts a group of rows (then the other fields are empty).
    pub section: Option<String>,
    pub code: String,
    pub name: String,
    /// One per child: its figure, or empty when its report is not counted.
    pub values: Vec<String>,
    pub total: String,
    pub previous: Option<String>,
    /// The maintained statistics at the unit, where they give this figure.
    pub statistics: Option<String>,
    /// Total minus statistics, when both are known and differ.
    pub difference: Option<i64>,
    pub hidden: bool,
}

pub async fn review(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    all_submitted: bool,
    lang: Lang,
) -> Result<Review> {
    let Located {
        round,
        form,
        response,
    } = locate(ctx, round, unit).await?;
    let counting = if all_submitted {
        Counting::Submitted
    } else {
        Counting::Approved
    };
    let children = store::children(&mut ctx.tx, round.id, response.unit_id).await?;
    let counted: Vec<i64> = children
        .iter()
        .filter(|c| {
            !c.waived.0
                && (c.status == Status::Approved
                    || (all_submitted && c.status == Status::Submitted))
        })
        .map(|c| c.id)
        .collect();
    let child_figures = store::figures(&mut ctx.tx, &counted).await?;
    let total = figures::of(&mut ctx.tx, &round, &form, &response, counting).await?;
    let hidden = hidden_codes(ctx, &form, response.unit_id).await?;
    if hidden.len()
        < form
            .definition
            .indicators
            .iter()
            .filter(|i| i.needs().is_some())
            .count()
    {
        // Sensitive figures of the children are shown: the read is logged.
        ctx.audit_read(
            "round.review_sensitive",
            Some(response.unit_id),
            Some(&format!("round:{}", round.id)),
            None,
        )
        .await?;
    }
    let previous = super::response::previous(ctx, &round, &form, response.unit_id).await?;
    let mut rows = Vec::new();
    for section in &form.definition.sections {
        rows.push(ReviewRow {
            section: Some(match lang {
                Lang::En => section.title_en.clone(),
                _ => section.title.clone(),
            }),
            code: String::new(),
            name: String::new(),
            values: Vec::new(),
            total: String::new(),
            previous: None,
            statistics: None,
            difference: None,
            hidden: false,
        });
        for indicator in section.rows.iter().filter_map(|c| form.indicator(c)) {
            let is_hidden = hidden.contains(&indicator.code);
            let show = |v: Option<super::indicator::Value>| -> String {
                if is_hidden {
                    String::new()
                } else {
                    v.map(|v| v.display(lang)).unwrap_or_default()
                }
            };
            let values = children
                .iter()
                .map(|c| {
                    show(
                        child_figures
                            .get(&c.id)
                            .and_then(|f| f.get(&indicator.code))
                            .map(|v| super::indicator::Value::load(indicator.measure, v)),
                    )
                })
                .collect();
            let total_value = total.get(&indicator.code).and_then(|f| f.value.clone());
            let stats = if is_hidden || response.is_target.0 {
                None
            } else {
                figures::statistics(&mut ctx.tx, indicator, &round, response.unit_id).await?
            };
            let total_number = total_value
                .as_ref()
                .and_then(|v| v.number())
                .map(|n| n as i64);
            rows.push(ReviewRow {
                section: None,
                code: indicator.code.clone(),
                name: match lang {
                    Lang::En => indicator.name_en.clone(),
                    _ => indicator.name.clone(),
                },
                values,
                total: show(total_value),
                previous: if is_hidden {
                    None
                } else {
                    previous
                        .as_ref()
                        .and_then(|p| p.1.get(&indicator.code))
                        .and_then(|f| f.value.as_ref())
                        .map(|v| v.display(lang))
                },
                statistics: stats.map(crate::text::number),
                difference: match (total_number, stats) {
                    (Some(t), Some(s)) if t != s => Some(t - s),
                    _ => None,
                },
                hidden: is_hidden,
            });
        }
    }
    let findings = children
        .iter()
        .map(|c| match child_figures.get(&c.id) {
            Some(stored) => {
                let f = figures::frozen(&form, Some(stored));
                figures::findings(&form, &f, None, &|code| hidden.contains(code), lang)
            }
            None => Vec::new(),
        })
        .collect();
    Ok(Review {
        round,
        unit: response,
        all_submitted,
        children,
        rows,
        findings,
        previous_period: previous.map(|p| p.0),
    })
}
