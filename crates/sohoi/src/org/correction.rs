//! Bringing a tree built from the draft code list to the official list of Decision
//! 19/2025/QĐ-TTg: corrected codes, corrected spellings, and the government's later changes of
//! kind (Đồng Nai became a centrally-run city and some of its communes became wards).
//!
//! A code correction changes an identifier and nothing else: every table refers to a unit by
//! its id, so its members, ledger, statistics, accounts, audit and reports stay as they were;
//! its branches' codes, made from the commune's code, follow it. Codes rotated between
//! neighbouring units pass through a temporary code, because a code is unique. A name that
//! differs only in spelling is corrected in place, without a date: the unit never had another
//! name. A change of kind is a real event and enters the name history from the decision's
//! date, which the reference data does not carry: the officer gives it (`--changes-on`).

use std::collections::{HashMap, HashSet};

use time::Date;

use super::reference;
use super::store;
use crate::auth::audit;
use crate::on_engine;
use crate::store::Tx;
use crate::text::{fold_name, same_name};

pub const CORRECTIONS_CSV: &str =
    include_str!("../../../../data/vn-admin-units-2025-code-corrections.csv");

/// One line of the code corrections: the draft code of a unit and its official code.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CodeCorrection {
    pub province_code: String,
    pub draft_code: String,
    pub official_code: String,
    /// The official name.
    pub unit_name: String,
}

pub fn code_corrections() -> Result<Vec<CodeCorrection>, csv::Error> {
    csv::Reader::from_reader(CORRECTIONS_CSV.as_bytes())
        .deserialize()
        .collect()
}

/// A unit whose draft code becomes its official code, with the branches whose codes follow.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CodeChange {
    pub unit_id: i64,
    pub name: String,
    pub from: String,
    pub to: String,
    pub branches: Vec<Recode>,
}

/// A unit under a corrected commune whose code is made from the commune's code.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recode {
    pub unit_id: i64,
    pub from: String,
    pub to: String,
}

/// A name written differently in the draft; corrected in place, without a date.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Spelling {
    pub unit_id: i64,
    pub code: String,
    pub from: String,
    pub to: String,
    /// The administrative kind in the official list (xã, phường, tỉnh…).
    pub kind: String,
}

/// A unit that changed kind after the Decision (a province became a centrally-run city, a
/// commune a ward): a dated rename.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KindChange {
    pub unit_id: i64,
    pub code: String,
    pub from_name: String,
    pub to_name: String,
    pub from_kind: Option<String>,
    pub to_kind: String,
}

/// A line of the reference data the correction leaves alone, and why.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Skipped {
    /// The unit under the draft code carries another name (renamed or restructured here).
    NameDiffers {
        code: String,
        expected: String,
        found: String,
    },
    /// The official code already names another unit of this database.
    CodeTaken {
        from: String,
        to: String,
        holder: String,
    },
    /// No unit of this database carries the code.
    Missing { code: String, name: String },
}

/// What `sohoi reference correct` would do (the preview), and does with `--apply`.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Correction {
    /// The database says it was built from the draft list.
    pub from_draft: bool,
    pub codes: Vec<CodeChange>,
    pub spellings: Vec<Spelling>,
    pub kind_changes: Vec<KindChange>,
    pub skipped: Vec<Skipped>,
}

impl Correction {
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
            && self.spellings.is_empty()
            && self.kind_changes.is_empty()
            && !self.from_draft
    }

    pub fn branch_count(&self) -> usize {
        self.codes.iter().map(|c| c.branches.len()).sum()
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct UnitRow {
    id: i64,
    code: String,
    kind: String,
    name: String,
    admin_type: Option<String>,
    province_code: Option<String>,
}

async fn units(tx: &mut Tx) -> Result<Vec<UnitRow>, sqlx::Error> {
    let sql = "select u.id, u.code, u.kind, u.name, u.admin_type, p.code as province_code \
               from units u left join units p on p.id = u.province_id order by u.id";
    on_engine!(tx, c => sqlx::query_as(sql).fetch_all(&mut **c).await)
}

/// Works out the correction against the official list; changes nothing.
pub async fn plan(tx: &mut Tx) -> anyhow::Result<Correction> {
    let official = reference::reference_rows()?;
    let corrections = code_corrections()?;
    let mut plan = Correction {
        from_draft: reference::built_from_draft(tx).await?,
        ..Default::default()
    };
    let units = units(tx).await?;
    let by_code: HashMap<&str, &UnitRow> = units.iter().map(|u| (u.code.as_str(), u)).collect();

    // Codes: a unit under a draft code, with the corrected unit's name and province, takes
    // the official code. Where the official code already holds that unit, it was corrected.
    let mut changes: Vec<CodeChange> = Vec::new();
    for line in &corrections {
        let is_it = |u: &&&UnitRow| {
            u.kind == "commune"
                && u.province_code.as_deref() == Some(&line.province_code)
                && same_name(&u.name, &line.unit_name)
        };
        if let Some(unit) = by_code.get(line.draft_code.as_str()).filter(is_it) {
            changes.push(CodeChange {
                unit_id: unit.id,
                name: unit.name.clone(),
                from: line.draft_code.clone(),
                to: line.official_code.clone(),
                branches: Vec::new(),
            });
        } else if by_code
            .get(line.official_code.as_str())
            .filter(is_it)
            .is_none()
            && plan.from_draft
        {
            plan.skipped
                .push(match by_code.get(line.draft_code.as_str()) {
                    Some(found) => Skipped::NameDiffers {
                        code: line.draft_code.clone(),
                        expected: line.unit_name.clone(),
                        found: found.name.clone(),
                    },
                    None => Skipped::Missing {
                        code: line.draft_code.clone(),
                        name: line.unit_name.clone(),
                    },
                });
        }
    }
    // Units under a corrected commune whose codes are made from its code follow it.
    for change in &mut changes {
        let prefix = format!("{}-", change.from);
        change.branches = units
            .iter()
            .filter_map(|u| {
                let rest = u.code.strip_prefix(&prefix)?;
                Some(Recode {
                    unit_id: u.id,
                    from: u.code.clone(),
                    to: format!("{}-{rest}", change.to),
                })
            })
            .collect();
    }
    // A code may be given up by one unit and taken by another in the same correction (a
    // rotation); it may not be taken from a unit that keeps it. Dropping one change can free
    // no code, so one pass suffices.
    let moving: HashSet<i64> = changes
        .iter()
        .flat_map(|c| std::iter::once(c.unit_id).chain(c.branches.iter().map(|b| b.unit_id)))
        .collect();
    for change in changes {
        let targets = std::iter::once(change.to.as_str())
            .chain(change.branches.iter().map(|b| b.to.as_str()));
        let holder = targets
            .filter_map(|code| by_code.get(code))
            .find(|u| !moving.contains(&u.id));
        match holder {
            Some(holder) => plan.skipped.push(Skipped::CodeTaken {
                from: change.from.clone(),
                to: change.to.clone(),
                holder: format!("{} {}", holder.code, holder.name),
            }),
            None => plan.codes.push(change),
        }
    }

    // Names, compared under the codes they will have.
    let new_code: HashMap<i64, String> = plan
        .codes
        .iter()
        .map(|c| (c.unit_id, c.to.clone()))
        .collect();
    let by_final_code: HashMap<&str, &UnitRow> = units
        .iter()
        .filter(|u| u.kind == "province" || u.kind == "commune")
        .map(|u| {
            (
                new_code.get(&u.id).map_or(u.code.as_str(), String::as_str),
                u,
            )
        })
        .collect();
    let mut provinces_seen = HashSet::new();
    for row in &official {
        if provinces_seen.insert(row.province_code.as_str()) {
            compare(
                &mut plan,
                by_final_code.get(row.province_code.as_str()).copied(),
                &row.province_code,
                &row.province_name,
                &row.province_type,
            );
        }
        compare(
            &mut plan,
            by_final_code.get(row.unit_code.as_str()).copied(),
            &row.unit_code,
            &row.unit_name,
            &row.unit_type,
        );
    }
    Ok(plan)
}

fn compare(plan: &mut Correction, unit: Option<&UnitRow>, code: &str, name: &str, kind: &str) {
    let Some(unit) = unit else {
        if plan.from_draft {
            plan.skipped.push(Skipped::Missing {
                code: code.to_string(),
                name: name.to_string(),
            });
        }
        return;
    };
    if unit.name == name && unit.admin_type.as_deref() == Some(kind) {
        return;
    }
    let same_kind = unit.admin_type.as_deref() == Some(kind);
    if same_name(&unit.name, name)
        || (same_kind && same_name(without_kind(&unit.name), without_kind(name)))
    {
        plan.spellings.push(Spelling {
            unit_id: unit.id,
            code: code.to_string(),
            from: unit.name.clone(),
            to: name.to_string(),
            kind: kind.to_string(),
        });
    } else if same_name(without_kind(&unit.name), without_kind(name)) {
        plan.kind_changes.push(KindChange {
            unit_id: unit.id,
            code: code.to_string(),
            from_name: unit.name.clone(),
            to_name: name.to_string(),
            from_kind: unit.admin_type.clone(),
            to_kind: kind.to_string(),
        });
    } else if plan.from_draft {
        // A name the officers gave (a restructuring rename) is theirs to keep.
        plan.skipped.push(Skipped::NameDiffers {
            code: code.to_string(),
            expected: name.to_string(),
            found: unit.name.clone(),
        });
    }
}

/// A unit's name without the word for its kind ("Tỉnh Cao Bằng" → "Cao Bằng").
fn without_kind(name: &str) -> &str {
    const KINDS: [&str; 6] = [
        "thành phố ",
        "tỉnh ",
        "xã ",
        "phường ",
        "đặc khu ",
        "thị trấn ",
    ];
    let trimmed = name.trim_start();
    for kind in KINDS {
        if let Some(head) = trimmed.get(..kind.len())
            && fold_name(head) == fold_name(kind)
        {
            return trimmed[kind.len()..].trim_start();
        }
    }
    trimmed
}

/// What was done.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Applied {
    pub codes: usize,
    pub branches: usize,
    pub spellings: usize,
    pub kind_changes: usize,
    /// Changes of kind left for later: no date was given.
    pub kind_changes_pending: usize,
}

/// Applies a correction worked out by [`plan`] in the caller's transaction, with an audit
/// entry for each unit corrected. Changes of kind need `changes_on`, the decision's date;
/// without it they are left for a later run.
pub async fn apply(
    tx: &mut Tx,
    plan: &Correction,
    actor: &str,
    changes_on: Option<Date>,
) -> anyhow::Result<Applied> {
    let mut applied = Applied::default();
    let recodes: Vec<(i64, &str)> = plan
        .codes
        .iter()
        .flat_map(|c| {
            std::iter::once((c.unit_id, c.to.as_str()))
                .chain(c.branches.iter().map(|b| (b.unit_id, b.to.as_str())))
        })
        .collect();
    // First every moving unit to a code no unit can hold (codes are digits and dashes), then
    // each to its official code: a rotation never meets the uniqueness of codes.
    for (id, _) in &recodes {
        set_code(tx, *id, &format!("~{id}")).await?;
    }
    for (id, code) in &recodes {
        set_code(tx, *id, code).await?;
    }
    for change in &plan.codes {
        let detail = format!(
            "{} → {} ({}) branches={}",
            change.from,
            change.to,
            change.name,
            change.branches.len()
        );
        audit::record(
            tx,
            actor,
            "reference.code",
            Some(change.unit_id),
            Some(&change.to),
            Some(&detail),
        )
        .await?;
        applied.codes += 1;
        applied.branches += change.branches.len();
    }
    for spelling in &plan.spellings {
        correct_spelling(tx, spelling).await?;
        let detail = format!("{} → {}", spelling.from, spelling.to);
        audit::record(
            tx,
            actor,
            "reference.spelling",
            Some(spelling.unit_id),
            Some(&spelling.code),
            Some(&detail),
        )
        .await?;
        applied.spellings += 1;
    }
    match changes_on {
        None => applied.kind_changes_pending = plan.kind_changes.len(),
        Some(on) => {
            for change in &plan.kind_changes {
                store::rename(tx, change.unit_id, &change.to_name, on).await?;
                set_admin_type(tx, change.unit_id, &change.to_kind).await?;
                store::add_lineage(tx, change.unit_id, change.unit_id, "rename", on, actor).await?;
                let detail = format!(
                    "{} → {} ({} → {}, {on})",
                    change.from_name,
                    change.to_name,
                    change.from_kind.as_deref().unwrap_or("-"),
                    change.to_kind
                );
                audit::record(
                    tx,
                    actor,
                    "reference.kind",
                    Some(change.unit_id),
                    Some(&change.code),
                    Some(&detail),
                )
                .await?;
                applied.kind_changes += 1;
            }
        }
    }
    if plan.from_draft {
        store::set_meta(tx, "reference_data", reference::REFERENCE_SOURCE).await?;
        store::set_meta(tx, "reference_corrected_at", &crate::clock::now_text()).await?;
        let detail = format!(
            "codes={} branch_codes={} spellings={} kinds={}",
            applied.codes, applied.branches, applied.spellings, applied.kind_changes
        );
        audit::record(
            tx,
            actor,
            "reference.corrected",
            None,
            Some(reference::REFERENCE_SOURCE),
            Some(&detail),
        )
        .await?;
    }
    Ok(applied)
}

async fn set_code(tx: &mut Tx, unit: i64, code: &str) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query("update units set code = $2 where id = $1")
        .bind(unit)
        .bind(code)
        .execute(&mut **c)
        .await
        .map(|_| ()))
}

async fn set_admin_type(tx: &mut Tx, unit: i64, kind: &str) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query("update units set admin_type = $2 where id = $1")
        .bind(unit)
        .bind(kind)
        .execute(&mut **c)
        .await
        .map(|_| ()))
}

/// The unit never had the draft's spelling in reality: every interval of its name history
/// that carries it takes the official one.
async fn correct_spelling(tx: &mut Tx, spelling: &Spelling) -> Result<(), sqlx::Error> {
    let fold = crate::text::fold(&spelling.to);
    on_engine!(tx, c => {
        sqlx::query("update units set name = $2, name_fold = $3, admin_type = $4 where id = $1")
            .bind(spelling.unit_id)
            .bind(&spelling.to)
            .bind(&fold)
            .bind(&spelling.kind)
            .execute(&mut **c)
            .await?;
        sqlx::query("update unit_names set name = $2 where unit_id = $1 and name = $3")
            .bind(spelling.unit_id)
            .bind(&spelling.to)
            .bind(&spelling.from)
            .execute(&mut **c)
            .await?;
        Ok::<_, sqlx::Error>(())
    })
}
