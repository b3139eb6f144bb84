//! Indicators (chỉ tiêu): a named figure, its measure, its rule up the tree and where its
//! value comes from. Values are kept as canonical text so that one column holds every measure
//! and a figure reads back exactly as it was reported.

use serde::{Deserialize, Serialize};

use crate::auth::Tier;
use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    People,
    Households,
    /// Units of the Union or things counted (clubs, models, branches).
    Units,
    Vnd,
    Percent,
    YesNo,
    Text,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::People => "people",
            Measure::Households => "households",
            Measure::Units => "units",
            Measure::Vnd => "vnd",
            Measure::Percent => "percent",
            Measure::YesNo => "yes_no",
            Measure::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        [
            Measure::People,
            Measure::Households,
            Measure::Units,
            Measure::Vnd,
            Measure::Percent,
            Measure::YesNo,
            Measure::Text,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    /// A whole count that adds up the tree.
    pub fn is_count(self) -> bool {
        matches!(
            self,
            Measure::People | Measure::Households | Measure::Units | Measure::Vnd
        )
    }
}

/// How a unit's value relates to the values under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The unit's own entries plus the sum of its children's.
    Sum,
    /// The unit's own value only (a yes/no, a text, a rate it measured itself).
    Own,
    /// Computed from other indicators of the same unit (coverage = members ÷ women 18+).
    Formula,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Sum => "sum",
            Rule::Own => "own",
            Rule::Formula => "formula",
        }
    }
}

/// Where a value comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Source {
    /// Typed by the unit.
    Entered,
    /// From the maintained statistics at the round's cut-off date (see [`Computed`]).
    Computed(Computed),
    /// Given by another module's records (see [`Module`]).
    Module(Module),
    /// A formula of other indicators.
    Formula,
}

/// The figures the maintained statistics give at a cut-off date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Computed {
    /// Members at the cut-off date.
    Members,
    /// Members who joined or were restored in the period, up to the cut-off.
    Joined,
    /// Members who left or died in the period.
    Left,
    TransferredIn,
    TransferredOut,
    /// Members of an ethnic minority (tier: ethnicity and religion).
    EthnicMinority,
    /// Members who follow a religion (tier: ethnicity and religion).
    Religious,
    /// Members who are Party members (tier: Party).
    Party,
    /// Women aged 18+ living in the unit's area, for the cut-off's year.
    Women18Plus,
}

impl Computed {
    pub const ALL: [Computed; 9] = [
        Computed::Members,
        Computed::Joined,
        Computed::Left,
        Computed::TransferredIn,
        Computed::TransferredOut,
        Computed::EthnicMinority,
        Computed::Religious,
        Computed::Party,
        Computed::Women18Plus,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Computed::Members => "members",
            Computed::Joined => "joined",
            Computed::Left => "left",
            Computed::TransferredIn => "transferred_in",
            Computed::TransferredOut => "transferred_out",
            Computed::EthnicMinority => "ethnic_minority",
            Computed::Religious => "religious",
            Computed::Party => "party",
            Computed::Women18Plus => "women_18_plus",
        }
    }

    /// The tier a figure needs: a count by ethnicity says something about ethnicity.
    pub fn tier(self) -> Option<Tier> {
        match self {
            Computed::EthnicMinority | Computed::Religious => Some(Tier::EthnicityReligion),
            Computed::Party => Some(Tier::Party),
            _ => None,
        }
    }

    /// Whether the figure comes from the membership ledger (its period is then locked when
    /// the report is approved).
    pub fn from_ledger(self) -> bool {
        !matches!(self, Computed::Women18Plus)
    }
}

/// Figures other modules give. The mechanism is one trait-free match: each module adds its
/// arm when it lands (clubs, cadres trained, contributions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    /// Branches (chi hội) under the unit in the tree at the cut-off date.
    Branches,
    /// Women's groups (tổ phụ nữ) under the unit at the cut-off date.
    Groups,
}

impl Module {
    pub const ALL: [Module; 2] = [Module::Branches, Module::Groups];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Branches => "branches",
            Module::Groups => "groups",
        }
    }
}

impl Source {
    /// `entered`, `formula`, `computed:members`, `module:branches`.
    pub fn parse(s: &str) -> Option<Source> {
        match s.split_once(':') {
            None if s == "entered" => Some(Source::Entered),
            None if s == "formula" => Some(Source::Formula),
            Some(("computed", name)) => Computed::ALL
                .into_iter()
                .find(|c| c.as_str() == name)
                .map(Source::Computed),
            Some(("module", name)) => Module::ALL
                .into_iter()
                .find(|m| m.as_str() == name)
                .map(Source::Module),
            _ => None,
        }
    }

    pub fn key(&self) -> String {
        match self {
            Source::Entered => "entered".into(),
            Source::Formula => "formula".into(),
            Source::Computed(c) => format!("computed:{}", c.as_str()),
            Source::Module(m) => format!("module:{}", m.as_str()),
        }
    }

    /// Whether a person types this value.
    pub fn is_entered(&self) -> bool {
        matches!(self, Source::Entered)
    }
}

/// An indicator as defined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub measure: Measure,
    pub rule: Rule,
    /// For `Rule::Formula`: an expression of other indicators' codes.
    pub formula: Option<String>,
    pub source: Source,
    /// The tier a viewer needs to see this figure.
    #[schema(value_type = Option<String>)]
    pub tier: Option<Tier>,
}

impl Indicator {
    /// The tier a viewer needs: the declared one, or the one its source implies.
    pub fn needs(&self) -> Option<Tier> {
        self.tier.or(match self.source {
            Source::Computed(c) => c.tier(),
            _ => None,
        })
    }
}

/// A value of one indicator.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Count(i64),
    /// Hundredths of a percent, so that rates add and compare exactly.
    Percent(i64),
    Flag(bool),
    Text(String),
}

/// The longest text an entry may hold (a narrative section is longer: see `NARRATIVE`).
pub const TEXT_LIMIT: usize = 2_000;
/// The longest narrative section.
pub const NARRATIVE_LIMIT: usize = 20_000;
/// The largest count an entry may hold (VND of a province's funds fit many times over).
const COUNT_LIMIT: i64 = 1_000_000_000_000_000;

impl Value {
    /// What an officer typed, read for `measure`: "1.234" and "1 234" are thousands in
    /// Vietnamese, "87,5" is a decimal comma; "có"/"không" are yes and no.
    pub fn parse(measure: Measure, typed: &str) -> Result<Value> {
        let s = typed.trim();
        let bad = |message: &'static str| Error::Invalid {
            field: "value",
            message,
            args: crate::i18n::Args::new().with("value", crate::text::cut(s, 40).into_owned()),
        };
        match measure {
            Measure::Text => {
                crate::text::within("value", s, TEXT_LIMIT)?;
                Ok(Value::Text(s.to_string()))
            }
            Measure::YesNo => match crate::text::fold(s).as_str() {
                "co" | "yes" | "x" | "1" | "true" => Ok(Value::Flag(true)),
                "khong" | "no" | "0" | "false" => Ok(Value::Flag(false)),
                _ => Err(bad("invalid-yes-no")),
            },
            Measure::Percent => {
                let normal = s.trim_end_matches('%').trim().replace(',', ".");
                let v: f64 = normal.parse().map_err(|_| bad("invalid-number"))?;
                if !(0.0..=100_000.0).contains(&v) {
                    return Err(bad("invalid-number"));
                }
                Ok(Value::Percent((v * 100.0).round() as i64))
            }
            _ => {
                let digits: String = s
                    .chars()
                    .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}' | ','))
                    .collect();
                let n: i64 = digits.parse().map_err(|_| bad("invalid-whole-number"))?;
                if !(0..=COUNT_LIMIT).contains(&n) {
                    return Err(bad("invalid-whole-number"));
                }
                Ok(Value::Count(n))
            }
        }
    }

    /// The canonical text kept in the database.
    pub fn store(&self) -> String {
        match self {
            Value::Count(n) => n.to_string(),
            Value::Percent(h) => format!("{}.{:02}", h / 100, h % 100),
            Value::Flag(b) => if *b { "yes" } else { "no" }.into(),
            Value::Text(s) => s.clone(),
        }
    }

    /// Reads back what [`Value::store`] wrote.
    pub fn load(measure: Measure, stored: &str) -> Value {
        match measure {
            Measure::Text => Value::Text(stored.into()),
            Measure::YesNo => Value::Flag(stored == "yes"),
            Measure::Percent => {
                let (whole, frac) = stored.split_once('.').unwrap_or((stored, "0"));
                let whole: i64 = whole.parse().unwrap_or(0);
                let frac: i64 = format!("{frac:0<2}")[..2].parse().unwrap_or(0);
                Value::Percent(whole * 100 + frac)
            }
            _ => Value::Count(stored.parse().unwrap_or(0)),
        }
    }

    /// The number in formulas and rules.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Count(n) => Some(*n as f64),
            Value::Percent(h) => Some(*h as f64 / 100.0),
            Value::Flag(b) => Some(f64::from(u8::from(*b))),
            Value::Text(_) => None,
        }
    }

    /// For a person: thousands with dots, a decimal comma, "có"/"không" (or yes/no).
    pub fn display(&self, lang: crate::i18n::Lang) -> String {
        match self {
            Value::Count(n) => crate::text::number(*n),
            Value::Percent(h) => crate::text::percent(Some(*h as f64 / 10_000.0)),
            Value::Flag(b) => {
                crate::i18n::translator(lang).msg(if *b { "value-yes" } else { "value-no" })
            }
            Value::Text(s) => s.clone(),
        }
    }
}

/// Refuses an indicator code that is not a plain identifier (formulas name codes).
pub fn check_code(code: &str) -> Result<()> {
    let ok = !code.is_empty()
        && code.len() <= 40
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            field: "indicator",
            message: "invalid-indicator-code",
            args: crate::i18n::Args::new().with("value", crate::text::cut(code, 40).into_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_numbers_read_as_typed() {
        assert_eq!(
            Value::parse(Measure::People, "1.234").expect("number"),
            Value::Count(1234)
        );
        assert_eq!(
            Value::parse(Measure::Vnd, "12 500 000").expect("number"),
            Value::Count(12_500_000)
        );
        assert_eq!(
            Value::parse(Measure::Percent, "87,5%").expect("percent"),
            Value::Percent(8750)
        );
        assert_eq!(
            Value::parse(Measure::YesNo, "Có").expect("flag"),
            Value::Flag(true)
        );
        assert!(Value::parse(Measure::People, "-3").is_err());
        assert!(Value::parse(Measure::People, "mười").is_err());
    }

    #[test]
    fn stored_values_read_back_exactly() {
        for v in [
            Value::Count(0),
            Value::Count(987_654_321),
            Value::Percent(8750),
            Value::Percent(5),
            Value::Flag(false),
            Value::Text("Đã triển khai".into()),
        ] {
            let measure = match v {
                Value::Count(_) => Measure::People,
                Value::Percent(_) => Measure::Percent,
                Value::Flag(_) => Measure::YesNo,
                Value::Text(_) => Measure::Text,
            };
            assert_eq!(Value::load(measure, &v.store()), v);
        }
    }
}
