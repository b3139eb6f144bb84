//! The columns of a member workbook, in the order the export writes them and the template
//! offers them. The import recognises the same headers (and their usual variants).

/// A member field as a workbook column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Column {
    /// The field of [`crate::members::input::RawMember`] (or `stt`, `unit`, `status`).
    pub field: &'static str,
    /// Shown only to callers with the sensitive grant.
    pub sensitive: bool,
    /// Width in characters.
    pub width: f64,
}

const fn col(field: &'static str, sensitive: bool, width: f64) -> Column {
    Column { field, sensitive, width }
}

/// The columns of an exported list and of the import template. The header of each is the
/// translation `field-<field>` (`col-stt` for the row number).
pub const MEMBER_COLUMNS: [Column; 17] = [
    col("stt", false, 6.0),
    col("full_name", false, 28.0),
    col("birth_date", false, 12.0),
    col("sex", false, 8.0),
    col("national_id", true, 15.0),
    col("ethnicity", true, 12.0),
    col("religion", true, 12.0),
    col("education", false, 16.0),
    col("qualification", false, 16.0),
    col("occupation", false, 16.0),
    col("phone", false, 13.0),
    col("address", false, 30.0),
    col("card_number", false, 12.0),
    col("joined_on", false, 12.0),
    col("party_member", true, 10.0),
    col("unit", false, 26.0),
    col("status", false, 14.0),
];

pub fn header_id(field: &str) -> String {
    if field == "stt" { "col-stt".into() } else { format!("field-{field}") }
}
