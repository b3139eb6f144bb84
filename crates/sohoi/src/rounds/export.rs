//! Workbooks of a round: a unit's report as submitted or approved, and the list of units
//! still missing.

use rust_xlsxwriter::Workbook;

use super::board::Board;
use super::sheet::Sheet;
use crate::error::Result;
use crate::excel::export::{org_line, xlsx};
use crate::excel::sheet::{Formats, title_block};
use crate::i18n::{Args, Lang, translator};

/// A unit's report as a table: section headings, then each row's name and value.
pub fn report_workbook(s: &Sheet, lang: Lang) -> Result<Vec<u8>> {
    let t = translator(lang);
    let mut book = Workbook::new();
    let formats = Formats::new();
    let sheet = book.add_worksheet();
    sheet.set_name(t.msg("xlsx-round-sheet")).map_err(xlsx)?;
    let headers: Vec<(String, f64)> = [
        ("col-code", 22.0),
        ("col-indicator", 60.0),
        ("col-value", 18.0),
        ("col-previous", 16.0),
    ]
    .into_iter()
    .map(|(h, w)| (t.msg(h), w))
    .collect();
    let subtitle = t.msg_with(
        "xlsx-round-subtitle",
        &Args::new()
            .with("period", s.round.period.clone())
            .with("status", s.response.status_text(t)),
    );
    let mut row = title_block(
        sheet,
        &formats,
        &org_line(t, &s.response.unit_name),
        &s.round.form_name.to_uppercase(),
        &subtitle,
        &headers,
    )
    .map_err(xlsx)?;
    let bold = formats.cell.clone().set_bold();
    for section in &s.sections {
        sheet
            .merge_range(row, 0, row, 3, &section.title, &bold)
            .map_err(xlsx)?;
        row += 1;
        for r in &section.rows {
            sheet
                .write_string_with_format(row, 0, &r.code, &formats.cell)
                .map_err(xlsx)?;
            sheet
                .write_string_with_format(row, 1, &r.name, &formats.cell)
                .map_err(xlsx)?;
            match r.value.as_deref().and_then(|v| v.parse::<i64>().ok()) {
                Some(n) if !r.hidden && r.measure != "yes_no" && r.measure != "text" => {
                    sheet.write_number_with_format(row, 2, n as f64, &formats.number)
                }
                _ => sheet.write_string_with_format(row, 2, &r.display, &formats.cell),
            }
            .map_err(xlsx)?;
            sheet
                .write_string_with_format(
                    row,
                    3,
                    r.previous.as_deref().unwrap_or(""),
                    &formats.cell,
                )
                .map_err(xlsx)?;
            row += 1;
        }
    }
    for n in s.narrative.iter().filter(|n| !n.text.is_empty()) {
        row += 1;
        sheet
            .write_string_with_format(row, 1, &n.title, &formats.org)
            .map_err(xlsx)?;
        row += 1;
        sheet
            .write_string_with_format(
                row,
                1,
                crate::text::cut(&n.text, 32_000).as_ref(),
                &formats.cell.clone().set_text_wrap(),
            )
            .map_err(xlsx)?;
        row += 1;
    }
    book.save_to_buffer().map_err(xlsx)
}

/// The units still missing under a board's unit, with their parent's name and due date.
pub fn overdue_workbook(b: &Board, lang: Lang) -> Result<Vec<u8>> {
    let t = translator(lang);
    let mut book = Workbook::new();
    let formats = Formats::new();
    let sheet = book.add_worksheet();
    sheet.set_name(t.msg("xlsx-overdue-sheet")).map_err(xlsx)?;
    let headers: Vec<(String, f64)> = [
        ("col-code", 12.0),
        ("col-unit", 40.0),
        ("col-status", 18.0),
        ("col-due", 14.0),
        ("col-closes", 14.0),
    ]
    .into_iter()
    .map(|(h, w)| (t.msg(h), w))
    .collect();
    let subtitle = format!("{} — {}", b.round.form_name, b.round.period);
    let first = title_block(
        sheet,
        &formats,
        &org_line(t, &b.unit.unit_name),
        &t.msg("xlsx-overdue-title").to_uppercase(),
        &subtitle,
        &headers,
    )
    .map_err(xlsx)?;
    for (i, m) in b.missing.iter().enumerate() {
        let row = first + i as u32;
        sheet
            .write_string_with_format(row, 0, &m.unit_code, &formats.cell)
            .map_err(xlsx)?;
        sheet
            .write_string_with_format(row, 1, &m.unit_name, &formats.cell)
            .map_err(xlsx)?;
        sheet
            .write_string_with_format(row, 2, m.status_text(t), &formats.cell)
            .map_err(xlsx)?;
        sheet
            .write_datetime_with_format(
                row,
                3,
                crate::excel::sheet::date(m.due).map_err(xlsx)?,
                &formats.date,
            )
            .map_err(xlsx)?;
        match m.closes {
            Some(c) => sheet.write_datetime_with_format(
                row,
                4,
                crate::excel::sheet::date(c).map_err(xlsx)?,
                &formats.date,
            ),
            None => sheet.write_string_with_format(row, 4, "", &formats.cell),
        }
        .map_err(xlsx)?;
    }
    book.save_to_buffer().map_err(xlsx)
}
