//! One response as its unit and the levels above read it: every row with its value, where
//! the value came from and whether it can be typed, the rules' findings, the narrative, the
//! history, and "changed after approval".

use std::collections::BTreeSet;

use serde::Serialize;

use super::figures::{self, Counting, Figures, Finding, Origin};
use super::form::Form;
use super::indicator::{Indicator, Source};
use super::model::{Event, Response, Round};
use super::response::{Located, locate, narrative_key, window_open};
use super::store;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::i18n::Lang;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Sheet {
    pub round: Round,
    pub response: Response,
    pub form_code: String,
    pub sections: Vec<SheetSection>,
    pub narrative: Vec<NarrativeRow>,
    pub findings: Vec<Finding>,
    /// The previous period this is compared with, if any.
    pub previous_period: Option<String>,
    /// Entry is open (before closing, or inside a late-entry window) and the response editable.
    pub editable: bool,
    pub history: Vec<Event>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SheetSection {
    pub title: String,
    pub rows: Vec<SheetRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SheetRow {
    pub code: String,
    pub name: String,
    pub measure: String,
    /// As a person reads it ("1.234", "87,5%", "có").
    pub display: String,
    /// As stored (for entry fields and the API); empty when there is none or it is hidden.
    pub value: Option<String>,
    pub origin: Origin,
    /// A person types this row.
    pub entered: bool,
    /// The viewer lacks the tier this figure needs: it is not shown.
    pub hidden: bool,
    /// Where the value comes from, in words (computed figures are explained).
    pub explanation: String,
    pub previous: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NarrativeRow {
    pub key: String,
    pub title: String,
    pub text: String,
}

/// The indicators the caller may not see at the response's unit (tiers over its subtree).
pub async fn hidden_codes(ctx: &mut Ctx, form: &Form, unit: i64) -> Result<BTreeSet<String>> {
    let mut hidden = BTreeSet::new();
    for i in &form.definition.indicators {
        if let Some(tier) = i.needs() {
            let today = ctx.today;
            if !ctx.access.tier_over(&mut ctx.tx, tier, unit, today).await? {
                hidden.insert(i.code.clone());
            }
        }
    }
    // A formula of a hidden figure would tell it: hidden too.
    for i in &form.definition.indicators {
        if let Some(f) = i
            .formula
            .as_deref()
            .and_then(|f| super::expr::parse(f).ok())
        {
            let mut codes = BTreeSet::new();
            f.codes(&mut codes);
            if codes.iter().any(|c| hidden.contains(c)) {
                hidden.insert(i.code.clone());
            }
        }
    }
    Ok(hidden)
}

pub async fn show(ctx: &mut Ctx, round: i64, unit: &str, lang: Lang) -> Result<Sheet> {
    let Located {
        round,
        form,
        response,
    } = locate(ctx, round, unit).await?;
    let figures = figures::of(&mut ctx.tx, &round, &form, &response, Counting::Approved).await?;
    let hidden = hidden_codes(ctx, &form, response.unit_id).await?;
    if hidden.len()
        < form
            .definition
            .indicators
            .iter()
            .filter(|i| i.needs().is_some())
            .count()
    {
        // The caller was shown sensitive figures: the read is logged.
        ctx.audit_read(
            "round.read_sensitive",
            Some(response.unit_id),
            Some(&format!("round:{}", round.id)),
            None,
        )
        .await?;
    }
    let previous = super::response::previous(ctx, &round, &form, response.unit_id).await?;
    let findings = figures::findings(
        &form,
        &figures,
        previous.as_ref().map(|p| &p.1),
        &|c| hidden.contains(c),
        lang,
    );
    let t = crate::i18n::translator(lang);
    let sections = form
        .definition
        .sections
        .iter()
        .map(|s| SheetSection {
            title: pick(lang, &s.title, &s.title_en).to_string(),
            rows: s
                .rows
                .iter()
                .filter_map(|code| form.indicator(code))
                .map(|i| {
                    row(
                        &form,
                        i,
                        &figures,
                        previous.as_ref().map(|p| &p.1),
                        hidden.contains(&i.code),
                        lang,
                        t,
                    )
                })
                .collect(),
        })
        .collect();
    let values = if response.status.is_in() {
        store::figures(&mut ctx.tx, &[response.id])
            .await?
            .remove(&response.id)
            .unwrap_or_default()
    } else {
        store::values(&mut ctx.tx, response.id).await?
    };
    let narrative = form
        .definition
        .narrative
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let key = narrative_key(i);
            NarrativeRow {
                text: values.get(&key).cloned().unwrap_or_default(),
                key,
                title: pick(lang, &h.title, &h.title_en).to_string(),
            }
        })
        .collect();
    let history = store::events(&mut ctx.tx, response.id).await?;
    let editable =
        !response.status.is_in() && response.depth > 0 && window_open(&response, ctx.today);
    Ok(Sheet {
        form_code: form.code.clone(),
        previous_period: previous.map(|p| p.0),
        round,
        response,
        sections,
        narrative,
        findings,
        editable,
        history,
    })
}

fn pick<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        _ => vi,
    }
}

/// A formula in words: indicator names for codes, ÷ and × for / and *.
fn formula_in_words(form: &Form, formula: &str, lang: Lang) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            match form.indicator(word) {
                Some(i) => out.push_str(&format!("“{}”", pick(lang, &i.name, &i.name_en))),
                None => out.push_str(word),
            }
            word.clear();
        }
    };
    for c in formula.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(match c {
                '/' => '÷',
                '*' => '×',
                other => other,
            });
        }
    }
    flush(&mut word, &mut out);
    out
}

#[allow(clippy::too_many_arguments)]
fn row(
    form: &Form,
    i: &Indicator,
    figures: &Figures,
    previous: Option<&Figures>,
    hidden: bool,
    lang: Lang,
    t: &crate::i18n::Translator,
) -> SheetRow {
    let value = figures.get(&i.code).and_then(|f| f.value.clone());
    let origin = figures.get(&i.code).map_or(Origin::Entered, |f| f.origin);
    let explanation = match &i.source {
        Source::Entered => String::new(),
        Source::Computed(c) => t.msg(&format!("source-computed-{}", c.as_str().replace('_', "-"))),
        Source::Module(m) => t.msg(&format!("source-module-{}", m.as_str())),
        Source::Formula => formula_in_words(form, i.formula.as_deref().unwrap_or(""), lang),
    };
    SheetRow {
        code: i.code.clone(),
        name: pick(lang, &i.name, &i.name_en).to_string(),
        measure: i.measure.as_str().to_string(),
        display: if hidden {
            t.msg("value-hidden")
        } else {
            value.as_ref().map(|v| v.display(lang)).unwrap_or_default()
        },
        value: if hidden {
            None
        } else {
            value.as_ref().map(|v| v.store())
        },
        origin,
        entered: i.source.is_entered(),
        hidden,
        explanation,
        previous: if hidden {
            None
        } else {
            previous
                .and_then(|p| p.get(&i.code))
                .and_then(|f| f.value.as_ref())
                .map(|v| v.display(lang))
        },
    }
}
