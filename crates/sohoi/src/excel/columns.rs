//! The columns of a member workbook, in the order the export writes them and the template
//! offers them. The import recognises the same headers (and their usual variants).

use crate::auth::Tier;

/// A member field as a workbook column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Column {
    /// The field of [`crate::members::input::RawMember`] (or `stt`, `unit`, `status`).
    pub field: &'static str,
    /// The tier a caller must hold to read the column (`None`: anyone who sees the list).
    pub tier: Option<Tier>,
    /// Width in characters.
    pub width: f64,
}

const fn col(field: &'static str, tier: Option<Tier>, width: f64) -> Column {
    Column { field, tier, width }
}

/// The columns of an exported list and of the import template. The header of each is the
/// translation `field-<field>` (`col-stt` for the row number).
pub const MEMBER_COLUMNS: [Column; 17] = [
    col("stt", None, 6.0),
    col("full_name", None, 28.0),
    col("birth_date", None, 12.0),
    col("sex", None, 8.0),
    col("national_id", Some(Tier::Identity), 15.0),
    col("ethnicity", Some(Tier::EthnicityReligion), 12.0),
    col("religion", Some(Tier::EthnicityReligion), 12.0),
    col("education", None, 16.0),
    col("qualification", None, 16.0),
    col("occupation", None, 16.0),
    col("phone", None, 13.0),
    col("address", None, 30.0),
    col("card_number", None, 12.0),
    col("joined_on", None, 12.0),
    col("party_member", Some(Tier::Party), 10.0),
    col("unit", None, 26.0),
    col("status", None, 14.0),
];

pub fn header_id(field: &str) -> String {
    if field == "stt" {
        "col-stt".into()
    } else {
        format!("field-{field}")
    }
}
