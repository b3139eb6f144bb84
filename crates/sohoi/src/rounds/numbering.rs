//! The one numbering service of issued documents (Decree 30/2020): one series per issuing
//! unit, document type and year, starting from 01 each January and never reused. The symbol
//! is the type and the issuer's abbreviation: "12/BC-HPN".

use serde::Serialize;
use time::Date;

use super::store;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::i18n::Args;

/// The abbreviations of the types of administrative document (Decree 30/2020, Appendix III).
pub const DOC_TYPES: [&str; 29] = [
    "NQ", "QĐ", "CT", "QC", "QYĐ", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB", "TTr",
    "HĐ", "CV", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB", "TC", "BCĐ",
];

/// An abbreviation a unit has not set: the Women's Union's own ("Hội Phụ nữ").
pub const DEFAULT_ABBREVIATION: &str = "HPN";

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Issued {
    pub id: i64,
    pub number: i64,
    /// "12/BC-HPN".
    pub symbol: String,
}

/// The unit's abbreviation in document symbols.
pub async fn abbreviation(ctx: &mut Ctx, unit: i64) -> Result<String> {
    Ok(store::abbreviation(&mut ctx.tx, unit)
        .await?
        .unwrap_or_else(|| DEFAULT_ABBREVIATION.to_string()))
}

/// Takes the next number of the unit's series for `doc_type` in `on`'s year, records the
/// document and returns its symbol. Called inside the transaction that issues the document,
/// so that a number is never given twice nor skipped by a failed issue.
pub async fn issue(
    ctx: &mut Ctx,
    unit: i64,
    doc_type: &str,
    on: Date,
    subject: &str,
) -> Result<Issued> {
    if !DOC_TYPES.contains(&doc_type) {
        return Err(Error::Invalid {
            field: "doc_type",
            message: "invalid-doc-type",
            args: Args::new().with("value", doc_type.to_string()),
        });
    }
    let number = store::next_number(&mut ctx.tx, unit, doc_type, on.year()).await?;
    let symbol = format!("{number:02}/{doc_type}-{}", abbreviation(ctx, unit).await?);
    let id = store::insert_document(
        &mut ctx.tx,
        unit,
        doc_type,
        on.year(),
        number,
        &symbol,
        &crate::text::cut(subject, 300),
        ctx.access.actor(),
    )
    .await?;
    Ok(Issued { id, number, symbol })
}
