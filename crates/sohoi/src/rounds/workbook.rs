//! A response as a workbook to fill offline, and the filled workbook read back.
//!
//! The template is the unit's sheet: a title block, then per section one row per indicator —
//! A the indicator's code (what the upload reads), B its name, C the value, D the unit of
//! measure, E where the value comes from, F the previous period. Computed, module and formula
//! rows are filled and locked (the worksheet is protected, without a password); entry cells
//! are unlocked, with a light fill and a drop-down or a number check. The narrative outline is
//! a second sheet, "Báo cáo lời", one heading and one cell to write in per section.
//!
//! Reading finds rows by the code in column A, not by position, in every sheet of the file
//! (rows may have been moved, deleted or copied into another workbook). Text in column A that
//! is not shaped like a code (the header, notes) is passed over. A hidden column G holds
//! each value as it was when the file was downloaded, so that an upload applies what was
//! changed in the file since, and nothing else:
//! - a cell that still holds what was downloaded is no entry (a value entered on the page in
//!   the meantime stays);
//! - a cell emptied in the file clears the value; an empty cell that was empty is no entry;
//! - a locked row that holds anything but its figure (as downloaded, or as it is now) is a
//!   problem: computed figures are not typed.
//!
//! Without column G (rows pasted into a workbook of one's own) every non-empty value is an
//! entry. Percent cells hold the number of percent as typed, 85.5 for 85,5% (the cells show
//! a "%" after the number, which does not scale it); a cell Excel turned into a fraction
//! because "%" was typed into it reads as that fraction. Counts read from number cells must be
//! whole.

use std::collections::HashMap;

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use serde::Serialize;

use super::figures::Origin;
use super::form::Form;
use super::indicator::{self, Measure, NARRATIVE_LIMIT, TEXT_LIMIT, Value};
use super::sheet::{Sheet, SheetRow};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::excel::import::read::{Book, Cell, Limits};
use crate::excel::sheet::Formats;
use crate::i18n::{Args, Lang, Translator, translator};

/// A form's workbook is a few hundred rows: anything much larger is not one, and is refused
/// before it costs the server more than a moment.
const LIMITS: Limits = Limits {
    max_file_bytes: 10 << 20,
    max_unpacked_bytes: 100 << 20,
    max_rows: 10_000,
    max_columns: 64,
    max_shared_strings_bytes: 16 << 20,
    max_shared_strings: 200_000,
};

/// Rows with a code read from one file (a form has at most 400 indicators).
const MAX_CODED_ROWS: usize = 2_000;
/// Problems listed one by one; the rest are counted in a last line.
const MAX_PROBLEMS: usize = 200;

const CODE: u16 = 0;
const NAME: u16 = 1;
const VALUE: u16 = 2;
const MEASURE: u16 = 3;
const SOURCE: u16 = 4;
const PREVIOUS: u16 = 5;
/// Hidden: each value as written into the file, and the file's mark in its first row.
const WRITTEN: u16 = 6;

/// The mark of the response a file was made for: `sohoi-response:ROUND:UNIT`.
const MARK: &str = "sohoi-response:";

/// What a filled workbook says.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Filled {
    /// Key (indicator code or `narrative:N`) → value to enter, in file order; an empty value
    /// clears. Only what was changed in the file since it was downloaded.
    pub entries: Vec<(String, String)>,
    /// Everything wrong with the file, by row; nothing is entered while there is one.
    pub problems: Vec<Problem>,
    /// Values [`enter_file`] changed (0 from [`read_filled`]).
    pub changed: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// The worksheet, as named in the file.
    pub sheet: String,
    /// The row as the spreadsheet numbers it (0 for the last line counting the rest).
    pub row: usize,
    /// The code in column A.
    pub code: String,
    /// "Dòng 14 — Số hộ nghèo được giúp đỡ: phải là số nguyên…", in the caller's language.
    pub message: String,
}

fn xlsx(e: XlsxError) -> Error {
    Error::File(e.to_string())
}

/// The unit's sheet in `round` as a workbook to fill in.
pub async fn template(ctx: &mut Ctx, round: i64, unit: &str, lang: Lang) -> Result<Vec<u8>> {
    let sheet = super::sheet::show(ctx, round, unit, lang).await?;
    let form = super::store::form(&mut ctx.tx, sheet.round.form_id)
        .await?
        .ok_or_else(|| Error::not_found("form", &sheet.form_code))?;
    write(&sheet, &form, lang).map_err(xlsx)
}

/// Reads a filled workbook for the unit's response in `round`: the entries it makes and the
/// problems it has. Nothing is written.
pub async fn read_filled(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    bytes: &[u8],
    lang: Lang,
) -> Result<Filled> {
    // Before the copy the reader takes.
    if bytes.len() as u64 > LIMITS.max_file_bytes {
        return Err(LIMITS.too_large());
    }
    let sheet = super::sheet::show(ctx, round, unit, lang).await?;
    let mark = mark_of(&sheet);
    let bytes = bytes.to_vec();
    let scan = tokio::task::spawn_blocking(move || scan(bytes, &mark))
        .await
        .map_err(|e| Error::File(e.to_string()))??;
    Ok(check(&scan, &sheet, lang))
}

/// Enters a filled workbook, all or nothing: with any problem nothing is entered and the
/// problems are returned for the caller to show; otherwise every entry is made in `ctx`'s
/// transaction.
pub async fn enter_file(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    bytes: &[u8],
    lang: Lang,
) -> Result<Filled> {
    // Entering nothing runs entering's checks (authority, status, the closing date): a file
    // for a response that cannot take entries is refused before its rows are looked at.
    super::response::enter(ctx, round, unit, &[]).await?;
    let mut filled = read_filled(ctx, round, unit, bytes, lang).await?;
    if filled.problems.is_empty() {
        filled.changed = super::response::enter(ctx, round, unit, &filled.entries).await?;
    }
    Ok(filled)
}

fn mark_of(sheet: &Sheet) -> String {
    format!("{MARK}{}:{}", sheet.round.id, sheet.response.unit_code)
}

// ---------------------------------------------------------------------------------------
// Writing

/// Whether the unit types this row: an entered figure of its own, which it may see. A sum
/// of the children's reports (at a unit above the targets) is theirs, not typed here.
fn is_open(row: &SheetRow) -> bool {
    row.entered && row.origin != Origin::Children && !row.hidden
}

fn measure_of(row: &SheetRow) -> Measure {
    Measure::parse(&row.measure).unwrap_or(Measure::Text)
}

struct Styles {
    base: Formats,
    code: Format,
    name: Format,
    section: Format,
    info: Format,
    note: Format,
    wrapped: Format,
    /// Values: [open, locked] × [count, percent, other].
    values: [[Format; 3]; 2],
    text_open: Format,
    text_locked: Format,
    heading: Format,
}

/// Entry cells: a light yellow the officer looks for.
const ENTRY_FILL: u32 = 0xFFF2CC;
/// Locked cells: grey.
const LOCKED_FILL: u32 = 0xEDEDED;

impl Styles {
    fn new() -> Self {
        let base = Formats::new();
        let open = base
            .cell
            .clone()
            .set_unlocked()
            .set_background_color(Color::RGB(ENTRY_FILL));
        let locked = base
            .cell
            .clone()
            .set_background_color(Color::RGB(LOCKED_FILL));
        let kinds = |f: &Format| {
            [
                f.clone().set_num_format("#,##0"),
                // The "%" is a literal: 85.5 shows as 85,5%, not 8550%.
                f.clone().set_num_format("#,##0.0#\"%\""),
                f.clone().set_align(FormatAlign::Center),
            ]
        };
        let top = |f: &Format| {
            f.clone()
                .set_num_format("@")
                .set_text_wrap()
                .set_align(FormatAlign::Top)
        };
        Styles {
            code: Format::new()
                .set_font_name("Times New Roman")
                .set_font_size(8)
                .set_font_color(Color::RGB(0x808080))
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::VerticalCenter),
            name: base
                .cell
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            section: base
                .cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xDDEBF7)),
            info: base.cell.clone().set_border(FormatBorder::None),
            note: base
                .cell
                .clone()
                .set_border(FormatBorder::None)
                .set_italic()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            wrapped: base
                .cell
                .clone()
                .set_font_size(10)
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            values: [kinds(&open), kinds(&locked)],
            text_open: top(&open),
            text_locked: top(&locked),
            heading: base
                .cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            base,
        }
    }

    fn value(&self, open: bool, measure: Measure) -> &Format {
        let kinds = &self.values[usize::from(!open)];
        match measure {
            m if m.is_count() => &kinds[0],
            Measure::Percent => &kinds[1],
            Measure::Text if open => &self.text_open,
            Measure::Text => &self.text_locked,
            _ => &kinds[2],
        }
    }
}

fn status_text(t: &Translator, sheet: &Sheet) -> String {
    if sheet.response.waived.0 {
        return t.msg("round-status-waived");
    }
    t.msg(&format!(
        "round-status-{}",
        sheet.response.status.as_str().replace('_', "-")
    ))
}

/// A formula in words: codes become the indicators' names ("Tổng số hội viên" / …).
fn formula_words(formula: &str, form: &Form, lang: Lang) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match form.indicator(word) {
            Some(i) => {
                out.push('“');
                out.push_str(match lang {
                    Lang::En => &i.name_en,
                    _ => &i.name,
                });
                out.push('”');
            }
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in formula.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(if c == '*' { '×' } else { c });
        }
    }
    flush(&mut word, &mut out);
    out
}

fn source_text(t: &Translator, row: &SheetRow, form: &Form, lang: Lang) -> String {
    if row.origin == Origin::Children {
        return t.msg("workbook-source-children");
    }
    if row.entered {
        return t.msg("round-source-entered");
    }
    match form.indicator(&row.code).and_then(|i| i.formula.as_deref()) {
        Some(f) => t.msg_with(
            "workbook-source-formula",
            &Args::new().with("formula", formula_words(f, form, lang)),
        ),
        None => row.explanation.clone(),
    }
}

fn yes_no(t: &Translator) -> [String; 2] {
    [t.msg("value-yes"), t.msg("value-no")]
}

/// Writes a value as the spreadsheet should hold it: counts and percents as numbers, a flag
/// as the drop-down's word.
fn write_value(
    ws: &mut Worksheet,
    t: &Translator,
    row: u32,
    measure: Measure,
    stored: Option<&str>,
    format: &Format,
) -> Result<(), XlsxError> {
    match stored.map(|s| Value::load(measure, s)) {
        None => ws.write_blank(row, VALUE, format)?,
        // A double holds every whole number up to 2^53 exactly; past that, text.
        Some(Value::Count(n)) if n.unsigned_abs() <= 1 << 53 => {
            ws.write_number_with_format(row, VALUE, n as f64, format)?
        }
        Some(Value::Count(n)) => ws.write_string_with_format(row, VALUE, n.to_string(), format)?,
        Some(Value::Percent(h)) => {
            ws.write_number_with_format(row, VALUE, h as f64 / 100.0, format)?
        }
        Some(Value::Flag(b)) => {
            let [yes, no] = yes_no(t);
            ws.write_string_with_format(row, VALUE, if b { yes } else { no }, format)?
        }
        Some(Value::Text(s)) => ws.write_string_with_format(row, VALUE, s, format)?,
    };
    if let Some(s) = stored {
        ws.write_string(row, WRITTEN, s)?;
    }
    Ok(())
}

/// The drop-down or the number check of an entry cell.
fn validation(t: &Translator, measure: Measure) -> Result<DataValidation, XlsxError> {
    let v = DataValidation::new();
    let (v, message) = match measure {
        m if m.is_count() => (
            v.allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)),
            "workbook-check-count",
        ),
        Measure::Percent => (
            v.allow_decimal_number(DataValidationRule::Between(0.0, 100_000.0)),
            "workbook-check-percent",
        ),
        Measure::YesNo => (v.allow_list_strings(&yes_no(t))?, "workbook-check-yes-no"),
        _ => (
            v.allow_text_length(DataValidationRule::LessThanOrEqualTo(TEXT_LIMIT as u32)),
            "workbook-check-text",
        ),
    };
    v.set_error_title(t.msg("workbook-check-title"))?
        .set_error_message(t.msg(message))
}

fn print_setup(ws: &mut Worksheet, header_row: u32) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_freeze_panes(header_row + 1, 0)?;
    ws.set_column_hidden(WRITTEN)?;
    // Columns and rows may be widened; nothing else changes without unprotecting.
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    });
    Ok(())
}

fn write(sheet: &Sheet, form: &Form, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let t = translator(lang);
    let s = Styles::new();
    let mut book = Workbook::new();
    let status = status_text(t, sheet);
    let org = t.msg_with(
        "xlsx-org",
        &Args::new().with("unit", sheet.response.unit_name.to_uppercase()),
    );
    let period = t.msg_with(
        "xlsx-round-period",
        &Args::new()
            .with("period", sheet.round.period.clone())
            .with("from", crate::clock::vn_date(sheet.round.period_from))
            .with("to", crate::clock::vn_date(sheet.round.period_to)),
    );
    let date = crate::clock::vn_date;

    let ws = book.add_worksheet();
    ws.set_name(t.msg("xlsx-round-figures-sheet"))?;
    for (col, width) in [
        (CODE, 12.0),
        (NAME, 52.0),
        (VALUE, 16.0),
        (MEASURE, 11.0),
        (SOURCE, 40.0),
        (PREVIOUS, 14.0),
    ] {
        ws.set_column_width(col, width)?;
    }
    // Column A is left to codes: every other text starts in column B.
    ws.write_string(0, WRITTEN, mark_of(sheet))?;
    ws.write_string_with_format(0, NAME, &org, &s.base.org)?;
    ws.merge_range(
        2,
        NAME,
        2,
        PREVIOUS,
        &form.name(lang).to_uppercase(),
        &s.base.title,
    )?;
    ws.merge_range(3, NAME, 3, PREVIOUS, &period, &s.base.subtitle)?;
    let lines = [
        t.msg_with(
            "xlsx-round-unit",
            &Args::new()
                .with("unit", sheet.response.unit_name.clone())
                .with("code", sheet.response.unit_code.clone()),
        ),
        t.msg_with(
            "xlsx-round-dates",
            &Args::new()
                .with("due", date(sheet.response.due))
                .with(
                    "closes",
                    sheet
                        .response
                        .closes
                        .map(date)
                        .unwrap_or_else(|| t.msg("xlsx-round-no-closing")),
                )
                .with("cutoff", date(sheet.round.cutoff)),
        ),
        t.msg_with(
            "xlsx-round-status",
            &Args::new().with("status", status.clone()),
        ),
    ];
    for (i, line) in lines.iter().enumerate() {
        ws.merge_range(5 + i as u32, NAME, 5 + i as u32, PREVIOUS, line, &s.info)?;
    }
    let how = if sheet.editable {
        t.msg("xlsx-round-how")
    } else {
        t.msg_with(
            "xlsx-round-read-only",
            &Args::new().with("status", status.clone()),
        )
    };
    ws.merge_range(8, NAME, 8, PREVIOUS, &how, &s.note)?;
    ws.set_row_height(8, 36)?;

    let header_row = 10;
    let previous = match &sheet.previous_period {
        Some(p) => t.msg_with(
            "xlsx-round-col-previous",
            &Args::new().with("period", p.clone()),
        ),
        None => t.msg("col-previous"),
    };
    for (col, text) in [
        (CODE, t.msg("col-code")),
        (NAME, t.msg("col-indicator")),
        (VALUE, t.msg("col-value")),
        (MEASURE, t.msg("xlsx-round-col-measure")),
        (SOURCE, t.msg("xlsx-round-col-source")),
        (PREVIOUS, previous),
    ] {
        ws.write_string_with_format(header_row, col, text, &s.base.header)?;
    }
    ws.set_row_height(header_row, 32)?;

    let hidden = t.msg("value-hidden");
    let mut r = header_row + 1;
    for section in &sheet.sections {
        ws.write_blank(r, CODE, &s.section)?;
        ws.merge_range(r, NAME, r, PREVIOUS, &section.title, &s.section)?;
        r += 1;
        for row in &section.rows {
            let measure = measure_of(row);
            let open = sheet.editable && is_open(row);
            ws.write_string_with_format(r, CODE, &row.code, &s.code)?;
            ws.write_string_with_format(r, NAME, &row.name, &s.name)?;
            let format = s.value(open, measure);
            if row.hidden {
                ws.write_string_with_format(r, VALUE, &hidden, format)?;
            } else {
                write_value(ws, t, r, measure, row.value.as_deref(), format)?;
            }
            if open {
                ws.add_data_validation(r, VALUE, r, VALUE, &validation(t, measure)?)?;
            }
            ws.write_string_with_format(
                r,
                MEASURE,
                t.msg(&format!("measure-{}", measure.as_str().replace('_', "-"))),
                &s.wrapped,
            )?;
            ws.write_string_with_format(r, SOURCE, source_text(t, row, form, lang), &s.wrapped)?;
            ws.write_string_with_format(
                r,
                PREVIOUS,
                row.previous.clone().unwrap_or_default(),
                &s.base.cell,
            )?;
            r += 1;
        }
    }
    print_setup(ws, header_row)?;

    if !sheet.narrative.is_empty() {
        let ws = book.add_worksheet();
        ws.set_name(t.msg("xlsx-round-narrative-sheet"))?;
        ws.set_column_width(CODE, 12.0)?;
        ws.set_column_width(NAME, 30.0)?;
        ws.set_column_width(VALUE, 100.0)?;
        ws.write_string(0, WRITTEN, mark_of(sheet))?;
        ws.write_string_with_format(0, NAME, &org, &s.base.org)?;
        ws.merge_range(
            2,
            NAME,
            2,
            VALUE,
            &t.msg("xlsx-round-narrative-title"),
            &s.base.title,
        )?;
        ws.merge_range(3, NAME, 3, VALUE, &period, &s.base.subtitle)?;
        ws.merge_range(
            5,
            NAME,
            5,
            VALUE,
            &t.msg("xlsx-round-narrative-how"),
            &s.note,
        )?;
        ws.set_row_height(5, 30)?;
        let header_row = 7;
        for (col, text) in [
            (CODE, t.msg("col-code")),
            (NAME, t.msg("xlsx-round-col-heading")),
            (VALUE, t.msg("xlsx-round-col-text")),
        ] {
            ws.write_string_with_format(header_row, col, text, &s.base.header)?;
        }
        let format = if sheet.editable {
            &s.text_open
        } else {
            &s.text_locked
        };
        let length = DataValidation::new()
            .allow_text_length(DataValidationRule::LessThanOrEqualTo(
                NARRATIVE_LIMIT as u32,
            ))
            .set_error_title(t.msg("workbook-check-title"))?
            .set_error_message(t.msg("workbook-check-narrative"))?;
        for (i, n) in sheet.narrative.iter().enumerate() {
            let r = header_row + 1 + i as u32;
            ws.write_string_with_format(r, CODE, &n.key, &s.code)?;
            ws.write_string_with_format(r, NAME, &n.title, &s.heading)?;
            ws.write_string_with_format(r, VALUE, &n.text, format)?;
            if !n.text.is_empty() {
                ws.write_string(r, WRITTEN, &n.text)?;
            }
            if sheet.editable {
                ws.add_data_validation(r, VALUE, r, VALUE, &length)?;
            }
            ws.set_row_height(r, 160)?;
        }
        print_setup(ws, header_row)?;
    }
    book.save_to_buffer()
}

// ---------------------------------------------------------------------------------------
// Reading

/// A row of the file that carries a code in column A.
struct Line {
    sheet: usize,
    row: u32,
    key: String,
    value: Cell,
    /// Column G: the value as downloaded (absent in a workbook not made by [`template`]).
    written: Option<String>,
}

struct Scan {
    sheets: Vec<String>,
    lines: Vec<Line>,
}

/// A code in column A: an indicator's code or a narrative section's key. Other text there
/// (the header, a note) is no row of the form.
fn is_key(text: &str) -> bool {
    indicator::check_code(text).is_ok() || (text.starts_with("narrative:") && text.len() <= 20)
}

/// Reads the rows that carry a code, in every sheet, within [`LIMITS`]. A file marked for
/// another response is refused whole.
fn scan(bytes: Vec<u8>, mark: &str) -> Result<Scan> {
    let mut book = Book::open(bytes, &LIMITS)?;
    let sheets = book.sheet_names();
    let mut lines: Vec<Line> = Vec::new();
    for (index, name) in sheets.iter().enumerate() {
        book.rows(name, &LIMITS, |row| {
            let written = match row.cell(u32::from(WRITTEN)) {
                Cell::Empty => None,
                cell => Some(cell.display()),
            };
            if let Some(found) = written.as_deref().and_then(|w| w.strip_prefix(MARK)) {
                if Some(found) != mark.strip_prefix(MARK) {
                    let (round, unit) = found.split_once(':').unwrap_or((found, ""));
                    return Err(Error::Invalid {
                        field: "file",
                        message: "invalid-workbook-other-response",
                        args: Args::new()
                            .with("round", crate::text::cut(round, 20).into_owned())
                            .with("unit", crate::text::cut(unit, 20).into_owned()),
                    });
                }
                return Ok(true);
            }
            let Cell::Text(key) = row.cell(u32::from(CODE)) else {
                return Ok(true);
            };
            let key = key.trim();
            if !is_key(key) {
                return Ok(true);
            }
            if lines.len() >= MAX_CODED_ROWS {
                return Err(Error::Invalid {
                    field: "file",
                    message: "invalid-workbook-too-many-codes",
                    args: Args::new().with("max", crate::text::number(MAX_CODED_ROWS as i64)),
                });
            }
            lines.push(Line {
                sheet: index,
                row: row.number,
                key: key.to_string(),
                value: row.cell(u32::from(VALUE)).clone(),
                written,
            });
            Ok(true)
        })?;
    }
    if lines.is_empty() {
        return Err(Error::invalid("file", "invalid-workbook-no-codes"));
    }
    Ok(Scan { sheets, lines })
}

/// A cell's value as text `Value::parse` reads for `measure`. A number cell of a count must
/// be whole: its text would otherwise lose the decimal point to the thousands rule.
fn cell_text(cell: &Cell, measure: Measure) -> Result<String> {
    match cell {
        Cell::Number(n) if measure.is_count() => {
            if n.fract() == 0.0 {
                Ok(format!("{n:.0}"))
            } else {
                Err(Error::Invalid {
                    field: "value",
                    message: "invalid-whole-number",
                    args: Args::new().with("value", n.to_string().replace('.', ",")),
                })
            }
        }
        Cell::Number(n) if measure == Measure::Percent => Ok(n.to_string()),
        _ => Ok(cell.display().trim().to_string()),
    }
}

/// Problems, the listed ones and a count of the others.
struct Problems<'a> {
    t: &'a Translator,
    lang: Lang,
    sheets: &'a [String],
    listed: Vec<Problem>,
    more: usize,
}

impl Problems<'_> {
    /// "Dòng 14", or "Trang “Báo cáo lời”, dòng 5" past the first sheet.
    fn at(&self, line: &Line) -> String {
        if line.sheet == 0 {
            self.t
                .msg_with("workbook-at-row", &Args::new().num("row", line.row))
        } else {
            self.t.msg_with(
                "workbook-at-sheet-row",
                &Args::new()
                    .num("row", line.row)
                    .with("sheet", self.sheets[line.sheet].clone()),
            )
        }
    }

    fn add(&mut self, line: &Line, id: &str, args: Args) {
        if self.listed.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        let message = self.t.msg_with(id, &args.with("at", self.at(line)));
        self.listed.push(Problem {
            sheet: self.sheets[line.sheet].clone(),
            row: line.row as usize,
            code: crate::text::cut(&line.key, 40).into_owned(),
            message,
        });
    }

    fn value(&mut self, line: &Line, indicator: &str, e: Error) {
        let problem = match e {
            Error::Invalid { message, args, .. } => self.t.msg_with(message, &args),
            other => other.render(self.lang),
        };
        self.add(
            line,
            "workbook-problem-value",
            Args::new()
                .with("indicator", indicator.to_string())
                .with("problem", problem),
        );
    }

    fn finish(mut self) -> Vec<Problem> {
        if self.more > 0 {
            self.listed.push(Problem {
                sheet: String::new(),
                row: 0,
                code: String::new(),
                message: self.t.msg_with(
                    "workbook-problem-more",
                    &Args::new().num("count", self.more as f64),
                ),
            });
        }
        self.listed
    }
}

/// The scanned rows checked against the response's sheet.
fn check(scan: &Scan, sheet: &Sheet, lang: Lang) -> Filled {
    let t = translator(lang);
    let rows: HashMap<&str, &SheetRow> = sheet
        .sections
        .iter()
        .flat_map(|s| &s.rows)
        .map(|r| (r.code.as_str(), r))
        .collect();
    // The mark of a figure the caller may not see, in either language.
    let hidden = [Lang::Vi, Lang::En].map(|l| translator(l).msg("value-hidden"));
    let mut problems = Problems {
        t,
        lang,
        sheets: &scan.sheets,
        listed: Vec::new(),
        more: 0,
    };
    let mut seen: HashMap<&str, &Line> = HashMap::new();
    let mut entries = Vec::new();
    for line in &scan.lines {
        if let Some(first) = seen.get(line.key.as_str()) {
            let name = rows
                .get(line.key.as_str())
                .map_or(line.key.clone(), |r| r.name.clone());
            problems.add(
                line,
                "workbook-problem-twice",
                Args::new()
                    .with("indicator", name)
                    .with("first", lower_first(problems.at(first))),
            );
            continue;
        }
        seen.insert(&line.key, line);
        if let Some(n) = sheet.narrative.iter().find(|n| n.key == line.key) {
            let text = line.value.display().trim().to_string();
            if let Err(e) = crate::text::within("narrative", &text, NARRATIVE_LIMIT) {
                problems.value(line, &n.title, e);
            } else if changed(&text, line.written.as_deref()) {
                entries.push((line.key.clone(), text));
            }
            continue;
        }
        let Some(row) = rows.get(line.key.as_str()) else {
            problems.add(
                line,
                "workbook-problem-unknown",
                Args::new().with("code", crate::text::cut(&line.key, 40).into_owned()),
            );
            continue;
        };
        if row.hidden {
            let shown = line.value.display();
            if !(shown.trim().is_empty() || hidden.iter().any(|h| h == shown.trim())) {
                problems.add(
                    line,
                    "workbook-problem-hidden",
                    Args::new().with("indicator", row.name.clone()),
                );
            }
            continue;
        }
        let measure = measure_of(row);
        let typed = cell_text(&line.value, measure).and_then(|text| {
            if text.is_empty() {
                Ok(None)
            } else {
                Ok(Some(Value::parse(measure, &text)?.store()))
            }
        });
        if is_open(row) {
            match typed {
                Err(e) => problems.value(line, &row.name, e),
                Ok(value) => {
                    let value = value.unwrap_or_default();
                    if changed(&value, line.written.as_deref()) {
                        entries.push((line.key.clone(), value));
                    }
                }
            }
        } else {
            // A locked row holds its figure as downloaded or as it is now, or nothing.
            let unchanged = match &typed {
                Ok(None) => true,
                Ok(Some(v)) => line.written.as_ref() == Some(v) || row.value.as_ref() == Some(v),
                Err(_) => false,
            };
            if !unchanged {
                problems.add(
                    line,
                    "workbook-problem-locked",
                    Args::new()
                        .with("indicator", row.name.clone())
                        .with("value", row.display.clone()),
                );
            }
        }
    }
    Filled {
        entries,
        problems: problems.finish(),
        changed: 0,
    }
}

/// "Dòng 2" inside a sentence: "dòng 2".
fn lower_first(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => s,
    }
}

/// Whether a value read is an entry: it differs from what the file held when downloaded
/// (`written`; an empty cell then clears), or, in a file without that record, it is not empty.
fn changed(value: &str, written: Option<&str>) -> bool {
    match written {
        Some(w) => w.trim() != value,
        None => !value.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_cells_read_as_the_officer_meant() {
        assert_eq!(
            cell_text(&Cell::Number(1234.0), Measure::People).expect("whole"),
            "1234"
        );
        assert!(cell_text(&Cell::Number(12.5), Measure::Households).is_err());
        assert_eq!(
            cell_text(&Cell::Number(85.5), Measure::Percent).expect("percent"),
            "85.5"
        );
        let percent = cell_text(&Cell::Number(85.53), Measure::Percent).expect("percent");
        assert_eq!(
            Value::parse(Measure::Percent, &percent).expect("parse"),
            Value::Percent(8553)
        );
        assert_eq!(
            cell_text(&Cell::Text(" có ".into()), Measure::YesNo).expect("flag"),
            "có"
        );
    }

    #[test]
    fn only_codes_in_column_a_are_rows_of_the_form() {
        assert!(is_key("poor_households_helped"));
        assert!(is_key("narrative:2"));
        assert!(!is_key("Mã"));
        assert!(!is_key("Code"));
        assert!(!is_key("HỘI LHPN PHƯỜNG BA ĐÌNH"));
    }

    #[test]
    fn a_cell_is_an_entry_when_the_file_changed_it() {
        assert!(!changed("5", Some("5")));
        assert!(changed("6", Some("5")));
        assert!(changed("", Some("5")));
        assert!(!changed("", None));
        assert!(changed("5", None));
    }
}
