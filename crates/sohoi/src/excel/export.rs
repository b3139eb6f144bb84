//! Workbooks out: the member list a caller sees (her scope, her sensitive rights), the
//! movement report, and the blank import template.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::columns::{MEMBER_COLUMNS, header_id};
use super::sheet::{Formats, date, title_block};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::i18n::{Args, Lang, Translator, translator};
use crate::members::codes::label as value_label;
use crate::members::service;
use crate::members::{ListFilter, Member};
use crate::reports::movements::MovementReport;

/// Members are fetched this many at a time, so that a province's list streams through.
const BATCH: i64 = 5_000;
/// A list longer than this is refused: a workbook is not a database dump.
pub const MAX_ROWS: i64 = 1_000_000;

pub fn xlsx(e: XlsxError) -> Error {
    Error::File(e.to_string())
}

pub fn org_line(t: &Translator, unit_name: &str) -> String {
    t.msg_with(
        "xlsx-org",
        &Args::new().with("unit", unit_name.to_uppercase()),
    )
}

/// The members under `unit_code` that the list page shows for the same search and filter,
/// every page of them. A sensitive column is there if the caller holds its tier anywhere; its
/// cells are blank for members where she does not. The export is written to the audit log
/// with the sensitive columns it carried.
pub async fn members_workbook(
    ctx: &mut Ctx,
    unit_code: &str,
    search: &str,
    filter: &ListFilter,
    lang: Lang,
) -> Result<Vec<u8>> {
    let t = translator(lang);
    let today = ctx.today;
    let unit = crate::org::tree::find(ctx, unit_code, today).await?;
    let columns: Vec<_> = MEMBER_COLUMNS
        .iter()
        .filter(|c| c.tier.is_none_or(|t| ctx.access.holds_tier_anywhere(t)))
        .collect();
    let headers: Vec<(String, f64)> = columns
        .iter()
        .map(|c| (t.msg(&header_id(c.field)), c.width))
        .collect();

    let mut book = Workbook::new();
    let formats = Formats::new();
    let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx)?;
    sheet.set_name(t.msg("xlsx-members-sheet")).map_err(xlsx)?;
    let subtitle = t.msg_with(
        "xlsx-as-of",
        &Args::new().with("date", crate::clock::vn_date(today)),
    );
    let mut row = title_block(
        sheet,
        &formats,
        &org_line(t, &unit.name),
        &t.msg("xlsx-members-title"),
        &subtitle,
        &headers,
    )
    .map_err(xlsx)?;

    let mut written = 0i64;
    let mut page = 1;
    loop {
        let members = if search.trim().is_empty() {
            let listed = service::list(ctx, unit_code, filter, page, BATCH).await?;
            if listed.total > MAX_ROWS {
                return Err(Error::invalid("unit", "invalid-export-too-long"));
            }
            listed.members
        } else if page == 1 {
            service::search(ctx, search, Some(unit_code), 500).await?
        } else {
            vec![]
        };
        if members.is_empty() {
            break;
        }
        for m in &members {
            written += 1;
            for (i, column) in columns.iter().enumerate() {
                write_cell(sheet, &formats, t, row, i as u16, column.field, m, written)
                    .map_err(xlsx)?;
            }
            row += 1;
        }
        if (members.len() as i64) < BATCH {
            break;
        }
        page += 1;
    }
    let sensitive: Vec<&str> = columns
        .iter()
        .filter(|c| c.tier.is_some())
        .map(|c| c.field)
        .collect();
    let detail = format!("rows={written} sensitive={}", sensitive.join(","));
    ctx.audit_read(
        "member.export",
        Some(unit.id),
        Some(&unit.code),
        Some(&detail),
    )
    .await?;
    book.save_to_buffer().map_err(xlsx)
}

#[allow(clippy::too_many_arguments)]
fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    t: &Translator,
    row: u32,
    col: u16,
    field: &str,
    m: &Member,
    number: i64,
) -> Result<(), XlsxError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let label = |dim: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| value_label(t, dim, v))
            .unwrap_or_default()
    };
    let value = match field {
        "stt" => {
            sheet.write_number_with_format(row, col, number as f64, &f.cell)?;
            return Ok(());
        }
        "birth_date" => match m.birth {
            // A full date is a date cell; a year or month/year stays as the record has it.
            Some(b) if b.day.is_some() => {
                if let Some(d) = b.month.zip(b.day).and_then(|(mo, d)| {
                    time::Date::from_calendar_date(b.year, time::Month::try_from(mo).ok()?, d).ok()
                }) {
                    sheet.write_date_with_format(row, col, date(d)?, &f.date)?;
                    return Ok(());
                }
                b.display()
            }
            Some(b) => b.display(),
            None => String::new(),
        },
        "joined_on" => match m.joined_on {
            Some(d) => {
                sheet.write_date_with_format(row, col, date(d)?, &f.date)?;
                return Ok(());
            }
            None => String::new(),
        },
        "full_name" => m.full_name.clone(),
        "sex" => t.msg(&format!("sex-{}", m.sex.as_str())),
        // Text, so that the leading zero stays.
        "national_id" => text(&m.national_id),
        "phone" => text(&m.phone),
        "address" => text(&m.address),
        "card_number" => text(&m.card_number),
        "ethnicity" | "religion" | "education" | "qualification" | "occupation" => {
            let v = match field {
                "ethnicity" => &m.ethnicity,
                "religion" => &m.religion,
                "education" => &m.education,
                "qualification" => &m.qualification,
                _ => &m.occupation,
            };
            label(field, v)
        }
        "party_member" => match m.party_member {
            Some(true) => t.msg("party-yes"),
            Some(false) => t.msg("party-no"),
            None => String::new(),
        },
        "unit" => m.unit_name.clone(),
        "status" => t.msg(&format!("status-{}", m.status.as_str())),
        _ => String::new(),
    };
    // A cell holds at most 32,767 characters: a longer text (stored before the limits at
    // input) is cut with an ellipsis, never an export that fails.
    sheet.write_string_with_format(row, col, crate::text::cut(&value, CELL_CHARS), &f.cell)?;
    Ok(())
}

/// The longest text written into one cell, under the format's 32,767.
const CELL_CHARS: usize = 32_000;

/// The movement report as a workbook: one row per child unit, the total in bold.
pub fn report_workbook(report: &MovementReport, lang: Lang) -> Result<Vec<u8>> {
    let t = translator(lang);
    let mut book = Workbook::new();
    let formats = Formats::new();
    let sheet = book.add_worksheet();
    sheet.set_name(t.msg("xlsx-report-sheet")).map_err(xlsx)?;
    let widths = [10.0, 32.0, 10.0, 12.0, 11.0, 11.0, 11.0, 10.0, 10.0, 12.0];
    let headers: Vec<(String, f64)> = crate::reports::movements::COLUMNS
        .iter()
        .zip(widths)
        .map(|(id, w)| (t.msg(id), w))
        .collect();
    let period = t.msg_with(
        "xlsx-period",
        &Args::new()
            .with("from", crate::clock::vn_date(report.period.from))
            .with("to", crate::clock::vn_date(report.period.to)),
    );
    let first = title_block(
        sheet,
        &formats,
        &org_line(t, &report.unit.name),
        &t.msg("xlsx-report-title"),
        &period,
        &headers,
    )
    .map_err(xlsx)?;
    let total_name = t.msg("col-total");
    for (i, r) in report
        .rows
        .iter()
        .chain(std::iter::once(&report.total))
        .enumerate()
    {
        let row = first + i as u32;
        let is_total = i == report.rows.len();
        let number = if is_total {
            &formats.total
        } else {
            &formats.number
        };
        sheet
            .write_string_with_format(row, 0, if is_total { "" } else { &r.code }, &formats.cell)
            .map_err(xlsx)?;
        let name = if is_total {
            total_name.clone()
        } else if r.code.is_empty() && r.name == crate::reports::movements::REMAINDER {
            t.msg(crate::reports::movements::REMAINDER)
        } else {
            r.name.clone()
        };
        sheet
            .write_string_with_format(row, 1, &name, &formats.cell)
            .map_err(xlsx)?;
        let figures = [
            r.opening,
            r.new,
            r.transferred_in,
            r.transferred_out,
            r.left,
            r.died,
            r.closing,
        ];
        for (j, n) in figures.into_iter().enumerate() {
            sheet
                .write_number_with_format(row, 2 + j as u16, n as f64, number)
                .map_err(xlsx)?;
        }
        match r.coverage_rate {
            Some(rate) => sheet.write_number_with_format(
                row,
                9,
                rate,
                &formats.cell.clone().set_num_format("0.0%"),
            ),
            None => sheet.write_string_with_format(row, 9, "", &formats.cell),
        }
        .map_err(xlsx)?;
    }
    book.save_to_buffer().map_err(xlsx)
}

/// A blank member list to fill in and import: the title block and the header row.
pub fn template_workbook(lang: Lang) -> Result<Vec<u8>> {
    let t = translator(lang);
    let mut book = Workbook::new();
    let formats = Formats::new();
    let sheet = book.add_worksheet();
    sheet.set_name(t.msg("xlsx-members-sheet")).map_err(xlsx)?;
    let headers: Vec<(String, f64)> = MEMBER_COLUMNS
        .iter()
        .filter(|c| !matches!(c.field, "status"))
        .map(|c| (t.msg(&header_id(c.field)), c.width))
        .collect();
    let subtitle = t.msg_with("xlsx-as-of", &Args::new().with("date", "…"));
    let first = title_block(
        sheet,
        &formats,
        &org_line(t, "…"),
        &t.msg("xlsx-members-title"),
        &subtitle,
        &headers,
    )
    .map_err(xlsx)?;
    // Text cells, so that national IDs and phone numbers keep their leading zeros.
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    for (i, c) in MEMBER_COLUMNS.iter().enumerate() {
        if matches!(c.field, "national_id" | "phone" | "card_number") {
            sheet.set_column_format(i as u16, &text).map_err(xlsx)?;
        }
    }
    sheet.write_string(first, 0, "").map_err(xlsx)?;
    book.save_to_buffer().map_err(xlsx)
}
