//! Importing member lists from the workbooks officers keep: the header found under the
//! title block, columns mapped by their Vietnamese names, every row validated and reported
//! precisely, the unambiguous repairs made and listed, footers skipped, members matched so
//! that importing a file twice changes nothing, and everything written in the caller's one
//! transaction (the caller commits only what [`Report::commits`] allows).
//!
//! Reading runs on a blocking thread and hands chunks of parsed rows to the database side
//! through a bounded channel, so that parsing and writing overlap and memory stays bounded.

mod apply;
pub mod errors;
pub mod header;
pub mod read;
pub mod row;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Serialize;

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::members::input::RawMember;
use header::Mapping;
use read::{Book, Limits, Row};
use row::{Read, Repair, Skip};

/// Errors and repairs listed one by one in a report (a million-row file may have a repair
/// on every row: they are all counted, the first ones listed).
pub const MAX_LISTED: usize = 10_000;

/// Rows handed to the database side at a time.
const CHUNK: usize = 2_000;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The unit members go to when the row names no branch (or the commune whose branches
    /// the rows name).
    pub unit: String,
    /// Only this sheet; otherwise every sheet with a recognisable header.
    pub sheet: Option<String>,
    pub dry_run: bool,
    /// Commit the valid rows even when others are wrong.
    pub partial: bool,
    /// The officer's own header → field pairs.
    pub mapping: Vec<(String, String)>,
    /// A new member whose joining date falls in an approved (locked) report period: held
    /// back for the level above (listed as not imported), instead of entered on the first
    /// open day after it (the default, listed among the repairs).
    pub hold_locked: bool,
    pub limits: Limits,
}

/// Shared with whoever shows progress or may cancel.
#[derive(Clone, Default)]
pub struct Control {
    pub rows_read: Arc<AtomicU64>,
    pub cancelled: Arc<AtomicBool>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SheetReport {
    pub name: String,
    /// The header row found, with the columns as (header, field); `None` if none was found.
    pub header_row: Option<u32>,
    pub columns: Vec<(String, String)>,
}

/// A row that could not be imported: where, which column, what it held and why.
#[derive(Clone, Debug, Serialize)]
pub struct RowError {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    pub value: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RowRepair {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub sheets: Vec<SheetReport>,
    /// Member rows (not counting skipped ones).
    pub rows: u64,
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped_blank: u64,
    pub skipped_total: u64,
    pub skipped_signature: u64,
    /// Every error, up to [`MAX_LISTED`]; `error_row_count` counts them all.
    pub errors: Vec<RowError>,
    /// Every repair, up to [`MAX_LISTED`]; `repair_count` counts them all.
    pub repairs: Vec<RowRepair>,
    pub error_row_count: u64,
    pub repair_count: u64,
    /// The row the last error was about (to count rows, not errors).
    #[serde(skip)]
    last_rejected: Option<(String, u32)>,
    pub dry_run: bool,
    pub partial: bool,
}

impl Report {
    /// Whether the caller may commit: not a dry run, and no error unless partial.
    pub fn commits(&self) -> bool {
        !self.dry_run && (self.error_row_count == 0 || self.partial)
    }

    pub fn error_rows(&self) -> u64 {
        self.error_row_count
    }

    /// The one-line summary and the verdict (dry run, written, or not written), in `lang`.
    pub fn summary(&self, lang: Lang) -> (String, String) {
        let t = crate::i18n::translator(lang);
        let counts = crate::i18n::Args::new()
            .num("rows", self.rows as f64)
            .num("added", self.added as f64)
            .num("updated", self.updated as f64)
            .num("unchanged", self.unchanged as f64)
            .num(
                "skipped",
                (self.skipped_blank + self.skipped_total + self.skipped_signature) as f64,
            )
            .num("errors", self.error_row_count as f64)
            .num("repairs", self.repair_count as f64);
        let verdict = if self.dry_run {
            "import-dry-run"
        } else if self.commits() {
            "import-committed"
        } else {
            "import-rolled-back"
        };
        (t.msg_with("import-summary", &counts), t.msg(verdict))
    }
}

/// A data row parsed on the reading side.
pub(crate) struct Parsed {
    pub sheet: usize,
    pub row: u32,
    pub raw: RawMember,
    pub branch: Option<String>,
    pub repairs: Vec<Repair>,
    /// The cells as shown, for the error workbook.
    pub cells: Vec<String>,
}

enum Message {
    Sheet(SheetReport, Option<Mapping>, Vec<String>),
    Rows(Vec<Parsed>),
    Skipped(Skip),
    Failed(Error),
}

/// What an import leaves besides the report: the rows to put in the error workbook.
pub struct Outcome {
    pub report: Report,
    pub rejected: errors::Rejected,
}

/// Runs an import of `bytes` in `tx`. Nothing is committed here.
pub async fn import(
    ctx: &mut Ctx,
    bytes: Vec<u8>,
    options: &Options,
    lang: Lang,
    control: &Control,
) -> Result<Outcome> {
    let mut book = Book::open(bytes, &options.limits)?;
    let names = book.sheet_names();
    let wanted: Vec<String> = match &options.sheet {
        Some(wanted) => {
            let found = names
                .iter()
                .find(|n| crate::text::fold(n) == crate::text::fold(wanted));
            vec![
                found
                    .cloned()
                    .ok_or_else(|| Error::invalid("sheet", "invalid-sheet"))?,
            ]
        }
        None => names,
    };
    let mut target = apply::Target::resolve(ctx, &options.unit)
        .await?
        .holding_locked(options.hold_locked);
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Message>(4);
    let limits = options.limits;
    let custom = options.mapping.clone();
    let reading_control = control.clone();
    let reader = tokio::task::spawn_blocking(move || {
        read_sheets(
            &mut book,
            &wanted,
            &limits,
            &custom,
            &sender,
            &reading_control,
        )
    });

    let mut report = Report {
        dry_run: options.dry_run,
        partial: options.partial,
        ..Report::default()
    };
    let mut rejected = errors::Rejected::default();
    let mut mappings: Vec<Option<Mapping>> = Vec::new();
    let mut sheets: Vec<SheetReport> = Vec::new();
    while let Some(message) = receiver.recv().await {
        if control.cancelled.load(Ordering::Relaxed) {
            return Err(Error::invalid("file", "invalid-import-cancelled"));
        }
        match message {
            Message::Sheet(sheet, mapping, header_cells) => {
                rejected.add_sheet(&sheet.name, header_cells);
                sheets.push(sheet);
                mappings.push(mapping);
            }
            Message::Skipped(Skip::Blank) => report.skipped_blank += 1,
            Message::Skipped(Skip::Total) => report.skipped_total += 1,
            Message::Skipped(Skip::Signature) => report.skipped_signature += 1,
            Message::Rows(rows) => {
                report.rows += rows.len() as u64;
                target
                    .chunk(
                        ctx,
                        rows,
                        &sheets,
                        &mappings,
                        lang,
                        &mut report,
                        &mut rejected,
                    )
                    .await?;
            }
            Message::Failed(e) => return Err(e),
        }
    }
    reader.await.map_err(|e| Error::File(e.to_string()))?;
    if control.cancelled.load(Ordering::Relaxed) {
        return Err(Error::invalid("file", "invalid-import-cancelled"));
    }
    report.sheets = sheets;
    if report.sheets.iter().all(|s| s.header_row.is_none()) {
        return Err(Error::invalid("file", "invalid-no-header"));
    }
    target.finish(&mut ctx.tx, &mut report).await?;
    Ok(Outcome { report, rejected })
}

/// The reading side: every sheet's header, then its rows in chunks.
fn read_sheets(
    book: &mut Book,
    sheets: &[String],
    limits: &Limits,
    custom: &[(String, String)],
    out: &tokio::sync::mpsc::Sender<Message>,
    control: &Control,
) {
    let send = |m: Message| out.blocking_send(m).is_ok();
    for (index, name) in sheets.iter().enumerate() {
        if out.is_closed() {
            return; // the database side stopped (an error, or the import was cancelled)
        }
        let mut top: Vec<Row> = Vec::new();
        let mut mapping: Option<Mapping> = None;
        let mut chunk: Vec<Parsed> = Vec::with_capacity(CHUNK);
        let mut announced = false;
        let handle = |row: Row, mapping: &Mapping, chunk: &mut Vec<Parsed>| -> bool {
            match row::read(mapping, &row) {
                Read::Skipped(skip) => send(Message::Skipped(skip)),
                Read::Member {
                    raw,
                    branch,
                    repairs,
                } => {
                    let cells = row.cells.iter().map(read::Cell::display).collect();
                    chunk.push(Parsed {
                        sheet: index,
                        row: row.number,
                        raw: *raw,
                        branch,
                        repairs,
                        cells,
                    });
                    if chunk.len() >= CHUNK {
                        send(Message::Rows(std::mem::take(chunk)))
                    } else {
                        true
                    }
                }
            }
        };
        // Finds the header among the rows read so far, announces the sheet and hands on the
        // rows under the header; false when there is nothing more to read in this sheet.
        let start = |top: &mut Vec<Row>, chunk: &mut Vec<Parsed>| -> (Option<Mapping>, bool) {
            let mapping = header::detect(top, custom);
            if !announce(&send, name, mapping.as_ref(), top) {
                return (mapping, false);
            }
            let Some(m) = &mapping else {
                return (mapping, false);
            };
            let rows: Vec<Row> = top.drain(..).filter(|r| r.number > m.header_row).collect();
            let go_on = rows.into_iter().all(|row| handle(row, m, chunk));
            (mapping, go_on)
        };
        let result = book.rows(name, limits, |row| {
            control.rows_read.fetch_add(1, Ordering::Relaxed);
            if control.cancelled.load(Ordering::Relaxed) {
                return Ok(false);
            }
            if let Some(m) = &mapping {
                return Ok(handle(row, m, &mut chunk));
            }
            top.push(row);
            if top.len() < header::SEARCH_ROWS {
                return Ok(true);
            }
            announced = true;
            let (found, go_on) = start(&mut top, &mut chunk);
            mapping = found;
            Ok(go_on)
        });
        if let Err(e) = result {
            send(Message::Failed(e));
            return;
        }
        if !announced {
            // A sheet shorter than the header search.
            start(&mut top, &mut chunk);
        }
        if !chunk.is_empty() && !send(Message::Rows(chunk)) {
            return;
        }
    }
}

fn announce(
    send: &impl Fn(Message) -> bool,
    name: &str,
    mapping: Option<&Mapping>,
    top: &[Row],
) -> bool {
    let header_cells = mapping
        .and_then(|m| top.iter().find(|r| r.number == m.header_row))
        .map(|r| r.cells.iter().map(read::Cell::display).collect())
        .unwrap_or_default();
    let sheet = SheetReport {
        name: name.to_string(),
        header_row: mapping.map(|m| m.header_row),
        columns: mapping
            .map(|m| {
                m.columns
                    .iter()
                    .map(|(_, f, h)| (h.clone(), f.clone()))
                    .collect()
            })
            .unwrap_or_default(),
    };
    send(Message::Sheet(sheet, mapping.cloned(), header_cells))
}
