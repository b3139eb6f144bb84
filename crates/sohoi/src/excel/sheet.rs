//! One worksheet as the Union's documents look: the organisation's name and the title above
//! the table, a bold bordered header that stays in view, set column widths, dates as dates.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

pub struct Formats {
    pub org: Format,
    pub title: Format,
    pub subtitle: Format,
    pub header: Format,
    pub cell: Format,
    pub number: Format,
    pub date: Format,
    pub total: Format,
}

impl Formats {
    pub fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_font_name("Times New Roman")
            .set_font_size(12);
        Formats {
            org: Format::new()
                .set_bold()
                .set_font_name("Times New Roman")
                .set_font_size(12),
            title: Format::new()
                .set_bold()
                .set_font_name("Times New Roman")
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            subtitle: Format::new()
                .set_italic()
                .set_font_name("Times New Roman")
                .set_font_size(12)
                .set_align(FormatAlign::Center),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            number: cell.clone().set_num_format("#,##0"),
            date: cell.clone().set_num_format("dd/mm/yyyy"),
            total: cell.clone().set_bold().set_num_format("#,##0"),
            cell,
        }
    }
}

impl Default for Formats {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes the title block and the header row; returns the first data row. The header row
/// stays in view when scrolling.
pub fn title_block(
    sheet: &mut Worksheet,
    formats: &Formats,
    org_line: &str,
    title: &str,
    subtitle: &str,
    headers: &[(String, f64)],
) -> Result<u32, XlsxError> {
    let last = (headers.len().max(1) - 1) as u16;
    for (i, (_, width)) in headers.iter().enumerate() {
        sheet.set_column_width(i as u16, *width)?;
    }
    sheet.write_string_with_format(0, 0, org_line, &formats.org)?;
    sheet.merge_range(2, 0, 2, last, title, &formats.title)?;
    sheet.merge_range(3, 0, 3, last, subtitle, &formats.subtitle)?;
    let header_row = 5;
    sheet.set_row_height(header_row, 32)?;
    for (i, (text, _)) in headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, i as u16, text, &formats.header)?;
    }
    sheet.set_freeze_panes(header_row + 1, 0)?;
    Ok(header_row + 1)
}

pub fn date(d: time::Date) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day())
}
