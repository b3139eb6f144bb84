//! The real national tree from the reference data: Vietnam's 34 provinces and 3,321
//! communes, wards and special zones after the reform of 1 July 2025.
//!
//! Source: the official list and codes of Decision 19/2025/QĐ-TTg with the government's later
//! changes, data as of August 2026; the project's copy is `data/vn-admin-units-2025.csv` (see
//! `data/README.md`). Databases built from the earlier draft list are brought to it by
//! [`super::correction`].

use std::collections::{HashMap, HashSet};

use super::model::UnitKind;
use super::store::{self, NewUnit};
use crate::clock::BEGINNING;
use crate::store::Tx;

pub const REFERENCE_CSV: &str = include_str!("../../../../data/vn-admin-units-2025.csv");
pub const REFERENCE_SOURCE: &str =
    "Decision 19/2025/QĐ-TTg official unit codes, with later changes, data as of 2026-08";
/// What `meta.reference_data` says in a database built from the draft list (before the
/// Decision): such a database needs `sohoi reference correct`.
pub const DRAFT_SOURCE: &str =
    "General Statistics Office administrative unit codes, data version 2025-10-18";
pub const CENTRAL_CODE: &str = "TW";
pub const CENTRAL_NAME: &str = "Trung ương Hội LHPN Việt Nam";

/// One commune-level row of the reference data.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReferenceRow {
    pub province_code: String,
    pub province_name: String,
    pub province_type: String,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_type: String,
}

pub fn reference_rows() -> Result<Vec<ReferenceRow>, csv::Error> {
    parse_rows(REFERENCE_CSV)
}

/// Rows of a reference list in the same columns (the official one, or the draft in tests).
pub fn parse_rows(csv_text: &str) -> Result<Vec<ReferenceRow>, csv::Error> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .deserialize()
        .collect()
}

/// Whether the database's tree was built from the draft list and not yet corrected.
pub async fn built_from_draft(tx: &mut Tx) -> Result<bool, sqlx::Error> {
    Ok(store::get_meta(tx, "reference_data").await?.as_deref() == Some(DRAFT_SOURCE))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct InitReport {
    pub created: usize,
    pub existing: usize,
}

/// Creates whatever part of the national tree is missing; a second run changes nothing.
/// A database built from the draft list is refused: adding the official units beside the
/// draft ones would give some wards two units.
pub async fn init(tx: &mut Tx) -> anyhow::Result<InitReport> {
    if built_from_draft(tx).await? {
        return Err(crate::error::Error::Conflict {
            message: "reference-draft-init-refused",
            args: Default::default(),
        }
        .into());
    }
    init_from(tx, &reference_rows()?, REFERENCE_SOURCE).await
}

/// Builds the tree from the given rows and records `source` as its reference data.
pub async fn init_from(
    tx: &mut Tx,
    rows: &[ReferenceRow],
    source: &str,
) -> anyhow::Result<InitReport> {
    let existing: HashSet<String> =
        crate::on_engine!(tx, c => sqlx::query_scalar::<_, String>("select code from units").fetch_all(&mut **c).await)?
            .into_iter()
            .collect();
    let mut report = InitReport::default();
    let mut ensure = async |tx: &mut Tx, unit: NewUnit<'_>| -> anyhow::Result<i64> {
        if existing.contains(unit.code) {
            report.existing += 1;
            let found = store::by_code(tx, unit.code, BEGINNING).await?;
            return found.map(|u| u.id).ok_or_else(|| {
                anyhow::anyhow!("unit {} is not valid since the beginning", unit.code)
            });
        }
        report.created += 1;
        Ok(store::insert(tx, &unit).await?)
    };
    let central = ensure(
        tx,
        NewUnit {
            id: None,
            code: CENTRAL_CODE,
            kind: UnitKind::Central,
            name: CENTRAL_NAME,
            admin_type: None,
            parent: None,
            province: None,
            valid_from: BEGINNING,
        },
    )
    .await?;
    let mut provinces: HashMap<&str, i64> = HashMap::new();
    for row in rows {
        let province_id = match provinces.get(row.province_code.as_str()) {
            Some(id) => *id,
            None => {
                let unit = NewUnit {
                    id: None,
                    code: &row.province_code,
                    kind: UnitKind::Province,
                    name: &row.province_name,
                    admin_type: Some(&row.province_type),
                    parent: Some(central),
                    province: None,
                    valid_from: BEGINNING,
                };
                let id = ensure(tx, unit).await?;
                provinces.insert(&row.province_code, id);
                id
            }
        };
        let unit = NewUnit {
            id: None,
            code: &row.unit_code,
            kind: UnitKind::Commune,
            name: &row.unit_name,
            admin_type: Some(&row.unit_type),
            parent: Some(province_id),
            province: Some(province_id),
            valid_from: BEGINNING,
        };
        ensure(tx, unit).await?;
    }
    if report.created > 0 {
        store::set_meta(tx, "reference_data", source).await?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reference_data_holds_34_provinces_and_3321_communes() {
        let rows = super::reference_rows().expect("the embedded CSV parses");
        assert_eq!(rows.len(), 3321);
        let provinces: std::collections::BTreeSet<_> =
            rows.iter().map(|r| r.province_code.as_str()).collect();
        assert_eq!(provinces.len(), 34);
        assert_eq!(rows.iter().filter(|r| r.province_code == "01").count(), 126);
    }
}
