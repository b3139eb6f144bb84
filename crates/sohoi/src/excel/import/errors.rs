//! The error workbook: each rejected row as it was in the file, with its row number and a
//! column of reasons, highlighted, so that an officer fixes her own sheet and imports again.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

use crate::error::{Error, Result};
use crate::i18n::{Lang, translator};

/// Rows kept for the workbook; past this the report still counts every error.
const MAX_ROWS: usize = 100_000;

/// A rejected row: its number, its cells as shown, and every reason.
type RejectedRow = (u32, Vec<String>, Vec<String>);

#[derive(Default)]
pub struct Rejected {
    /// (sheet, header cells, rejected rows).
    sheets: Vec<(String, Vec<String>, Vec<RejectedRow>)>,
    rows: usize,
}

impl Rejected {
    pub fn add_sheet(&mut self, name: &str, header: Vec<String>) {
        self.sheets.push((name.to_string(), header, vec![]));
    }

    pub fn add_row(&mut self, sheet: &str, row: u32, cells: &[String], reason: String) {
        let Some((_, _, rows)) = self.sheets.iter_mut().find(|(n, _, _)| n == sheet) else {
            return;
        };
        match rows.last_mut() {
            Some((r, _, reasons)) if *r == row => reasons.push(reason),
            _ if self.rows < MAX_ROWS => {
                rows.push((row, cells.to_vec(), vec![reason]));
                self.rows += 1;
            }
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The workbook, one sheet per sheet that had rejected rows.
    pub fn workbook(&self, lang: Lang) -> Result<Vec<u8>> {
        let t = translator(lang);
        let fail = |e: rust_xlsxwriter::XlsxError| Error::File(e.to_string());
        let mut book = Workbook::new();
        let header = Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xDDDDDD));
        let bad = Format::new()
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xFFD7D7));
        let reason = bad.clone().set_bold().set_font_color(Color::RGB(0x9C0006));
        for (name, cells, rows) in self.sheets.iter().filter(|(_, _, rows)| !rows.is_empty()) {
            let sheet = book.add_worksheet();
            let title: String = name
                .chars()
                .filter(|c| !"[]:*?/\\".contains(*c))
                .take(31)
                .collect();
            sheet
                .set_name(if title.is_empty() { "Sheet" } else { &title })
                .map_err(fail)?;
            let width = cells
                .len()
                .max(rows.iter().map(|(_, c, _)| c.len()).max().unwrap_or(0));
            sheet
                .write_string_with_format(0, 0, t.msg("xlsx-row"), &header)
                .map_err(fail)?;
            for (i, text) in cells.iter().enumerate() {
                sheet
                    .write_string_with_format(0, i as u16 + 1, text, &header)
                    .map_err(fail)?;
            }
            let reasons_col = width as u16 + 1;
            sheet
                .write_string_with_format(0, reasons_col, t.msg("xlsx-reasons"), &header)
                .map_err(fail)?;
            sheet.set_column_width(reasons_col, 60).map_err(fail)?;
            for (i, (row, values, reasons)) in rows.iter().enumerate() {
                let r = i as u32 + 1;
                sheet
                    .write_number_with_format(r, 0, *row as f64, &bad)
                    .map_err(fail)?;
                for c in 0..width {
                    let text = values.get(c).map(String::as_str).unwrap_or("");
                    sheet
                        .write_string_with_format(r, c as u16 + 1, text, &bad)
                        .map_err(fail)?;
                }
                sheet
                    .write_string_with_format(r, reasons_col, reasons.join("; "), &reason)
                    .map_err(fail)?;
            }
            sheet.set_freeze_panes(1, 0).map_err(fail)?;
        }
        book.save_to_buffer().map_err(fail)
    }
}
