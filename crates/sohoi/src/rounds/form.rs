//! Forms (biểu mẫu): an ordered, versioned set of indicator rows in sections, with validation
//! rules and a narrative outline, written by an administrator in a TOML file and loaded with
//! `sohoi form load`. A form in use is never edited: loading a changed file makes the next
//! version, and rounds keep the version they were opened with.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::expr;
use super::indicator::{self, Indicator, Measure, Rule, Source};
use super::store;
use crate::auth::Tier;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::i18n::Args;
use crate::org::UnitKind;

/// The most rows a form may hold (the Union's longest annex has about a hundred).
const MAX_ROWS: usize = 400;
/// The largest form file read.
pub const MAX_FILE_BYTES: usize = 512 * 1024;

/// A form file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormFile {
    code: String,
    name: String,
    name_en: String,
    /// The kinds of unit that report it.
    reporters: Vec<String>,
    /// A value more than this many times the previous period's draws a warning.
    #[serde(default = "default_jump")]
    jump_factor: f64,
    #[serde(default)]
    narrative: Vec<Heading>,
    indicators: Vec<IndicatorFile>,
    sections: Vec<Section>,
    #[serde(default)]
    rules: Vec<RuleFile>,
}

fn default_jump() -> f64 {
    3.0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    code: String,
    name: String,
    name_en: String,
    measure: String,
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    formula: Option<String>,
    #[serde(default)]
    tier: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    check: String,
    message: String,
    message_en: String,
    #[serde(default)]
    warning: bool,
}

/// A heading of the narrative outline, or a section of rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heading {
    pub title: String,
    pub title_en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    pub title_en: String,
    /// Indicator codes, in order.
    pub rows: Vec<String>,
}

/// A validation rule: an error blocks a submission, a warning is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormRule {
    pub check: String,
    pub message: String,
    pub message_en: String,
    pub warning: bool,
}

/// What a form version is: kept as JSON with the version, never changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Definition {
    pub name: String,
    pub name_en: String,
    #[schema(value_type = Vec<String>)]
    pub reporters: Vec<UnitKind>,
    pub jump_factor: f64,
    pub narrative: Vec<Heading>,
    pub indicators: Vec<Indicator>,
    pub sections: Vec<Section>,
    pub rules: Vec<FormRule>,
}

/// A loaded form version.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Form {
    pub id: i64,
    pub code: String,
    pub version: i64,
    #[serde(flatten)]
    pub definition: Definition,
}

impl Form {
    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.definition.indicators.iter().find(|i| i.code == code)
    }

    /// Whether approving a response locks the member ledger's period (the form computes
    /// figures from it).
    pub fn reads_ledger(&self) -> bool {
        self.definition
            .indicators
            .iter()
            .any(|i| matches!(i.source, Source::Computed(c) if c.from_ledger()))
    }

    pub fn name(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::En => &self.definition.name_en,
            _ => &self.definition.name,
        }
    }
}

fn invalid(message: &'static str, value: impl Into<String>) -> Error {
    Error::Invalid {
        field: "form",
        message,
        args: Args::new().with("value", value.into()),
    }
}

/// Reads and checks a form file. Every problem names the line or the code at fault.
pub fn parse(text: &str) -> Result<(String, Definition)> {
    if text.len() > MAX_FILE_BYTES {
        return Err(invalid("invalid-form-file", "> 512 KiB"));
    }
    let file: FormFile =
        toml::from_str(text).map_err(|e| invalid("invalid-form-file", e.to_string()))?;
    let code = file.code.trim().to_ascii_uppercase();
    if code.is_empty()
        || code.len() > 30
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid("invalid-form-code", file.code));
    }
    for text in [&file.name, &file.name_en] {
        crate::text::within("form", text, 300)?;
    }
    let mut reporters = Vec::new();
    for r in &file.reporters {
        reporters.push(UnitKind::parse(r.trim()).ok_or_else(|| invalid("invalid-unit-kind", r))?);
    }
    if reporters.is_empty() {
        return Err(invalid("invalid-form-reporters", ""));
    }
    if !(1.0..=1000.0).contains(&file.jump_factor) {
        return Err(invalid("invalid-form-file", "jump_factor"));
    }
    let mut indicators: Vec<Indicator> = Vec::new();
    for i in file.indicators {
        indicator::check_code(&i.code)?;
        for text in [&i.name, &i.name_en] {
            crate::text::within("indicator", text, 300)?;
        }
        let measure =
            Measure::parse(&i.measure).ok_or_else(|| invalid("invalid-measure", &i.measure))?;
        let source = match i.source.as_deref() {
            None if i.formula.is_some() => Source::Formula,
            None => Source::Entered,
            Some(s) => Source::parse(s).ok_or_else(|| invalid("invalid-source", s))?,
        };
        let rule = match i.rule.as_deref() {
            None if source == Source::Formula => Rule::Formula,
            None if measure.is_count() => Rule::Sum,
            None => Rule::Own,
            Some("sum") => Rule::Sum,
            Some("own") => Rule::Own,
            Some("formula") => Rule::Formula,
            Some(other) => return Err(invalid("invalid-rule", other)),
        };
        if (rule == Rule::Formula) != (source == Source::Formula)
            || (rule == Rule::Formula) != i.formula.is_some()
        {
            return Err(invalid("invalid-formula-rule", &i.code));
        }
        if rule == Rule::Sum && !measure.is_count() {
            return Err(invalid("invalid-sum-measure", &i.code));
        }
        if matches!(source, Source::Computed(_) | Source::Module(_))
            && !(measure.is_count() && rule == Rule::Sum)
        {
            return Err(invalid("invalid-sum-measure", &i.code));
        }
        if let Some(f) = &i.formula {
            let parsed = expr::parse(f).map_err(|e| invalid("invalid-formula", e.0))?;
            let mut codes = BTreeSet::new();
            parsed.codes(&mut codes);
            // A formula reads indicators defined before it: no cycles by construction.
            if let Some(unknown) = codes
                .iter()
                .find(|c| !indicators.iter().any(|d| &d.code == *c))
            {
                return Err(invalid(
                    "invalid-formula-code",
                    format!("{}: {unknown}", i.code),
                ));
            }
        }
        let tier = match i.tier.as_deref() {
            None => None,
            Some(t) => Some(Tier::parse(t).ok_or_else(|| invalid("invalid-tier", t))?),
        };
        if indicators.iter().any(|d| d.code == i.code) {
            return Err(invalid("invalid-indicator-twice", &i.code));
        }
        indicators.push(Indicator {
            code: i.code,
            name: i.name,
            name_en: i.name_en,
            measure,
            rule,
            formula: i.formula,
            source,
            tier,
        });
    }
    let mut placed: HashMap<&str, usize> = HashMap::new();
    for s in &file.sections {
        crate::text::within("form", &s.title, 300)?;
        for row in &s.rows {
            if !indicators.iter().any(|i| &i.code == row) {
                return Err(invalid("invalid-row-code", row));
            }
            *placed.entry(row.as_str()).or_default() += 1;
        }
    }
    if let Some(i) = indicators
        .iter()
        .find(|i| placed.get(i.code.as_str()) != Some(&1))
    {
        return Err(invalid("invalid-row-placement", &i.code));
    }
    if indicators.is_empty() || indicators.len() > MAX_ROWS {
        return Err(invalid("invalid-form-rows", indicators.len().to_string()));
    }
    let mut rules = Vec::new();
    for r in file.rules {
        let check = expr::parse_check(&r.check).map_err(|e| invalid("invalid-rule-check", e.0))?;
        if let Some(unknown) = check
            .codes()
            .into_iter()
            .find(|c| !indicators.iter().any(|i| &i.code == c))
        {
            return Err(invalid("invalid-rule-code", unknown));
        }
        rules.push(FormRule {
            check: r.check,
            message: r.message,
            message_en: r.message_en,
            warning: r.warning,
        });
    }
    for h in &file.narrative {
        crate::text::within("form", &h.title, 300)?;
    }
    Ok((
        code,
        Definition {
            name: file.name,
            name_en: file.name_en,
            reporters,
            jump_factor: file.jump_factor,
            narrative: file.narrative,
            indicators,
            sections: file.sections,
            rules,
        },
    ))
}

/// What loading a file did.
#[derive(Debug, Serialize)]
pub struct Loaded {
    pub code: String,
    pub version: i64,
    /// False when the file was the same as the latest version (nothing was written).
    pub created: bool,
}

/// Loads a form file: a new form, the next version of a changed one, or nothing when it is
/// the same as the latest version. Its indicators are defined on first use and must mean the
/// same thing in every later form.
pub async fn load(ctx: &mut Ctx, text: &str) -> Result<Loaded> {
    if !ctx.access.is_system()
        && !ctx
            .access
            .holds_anywhere(crate::auth::Authority::Administer)
    {
        return Err(Error::Forbidden);
    }
    let (code, definition) = parse(text)?;
    for i in &definition.indicators {
        match store::indicator(&mut ctx.tx, &i.code).await? {
            Some(existing) if existing != *i => {
                return Err(invalid("invalid-indicator-redefined", &i.code));
            }
            Some(_) => {}
            None => store::define_indicator(&mut ctx.tx, i, ctx.access.actor()).await?,
        }
    }
    if let Some(latest) = store::latest_form(&mut ctx.tx, &code).await?
        && latest.definition == definition
    {
        return Ok(Loaded {
            code,
            version: latest.version,
            created: false,
        });
    }
    let version = store::insert_form(&mut ctx.tx, &code, &definition, ctx.access.actor()).await?;
    crate::auth::audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "form.load",
        None,
        Some(&code),
        Some(&format!("version={version}")),
    )
    .await?;
    Ok(Loaded {
        code,
        version,
        created: true,
    })
}

/// Every form's latest version.
pub async fn list(ctx: &mut Ctx) -> Result<Vec<Form>> {
    Ok(store::forms(&mut ctx.tx).await?)
}

/// A form's latest version, by code.
pub async fn latest(ctx: &mut Ctx, code: &str) -> Result<Form> {
    store::latest_form(&mut ctx.tx, &code.trim().to_ascii_uppercase())
        .await?
        .ok_or_else(|| Error::not_found("form", code))
}
