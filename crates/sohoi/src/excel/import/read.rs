//! Reading a workbook as rows of cells, within limits: .xlsx is streamed cell by cell (a
//! million-row sheet never sits in memory as a grid); .xls and .ods, which officers send
//! less often and smaller, are read whole. Sizes are checked before anything is unpacked.

use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Reader, Sheets, Xlsx};

use crate::error::{Error, Result};
use crate::i18n::Args;

/// Bounds on what an upload may make the server do.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The file as uploaded.
    pub max_file_bytes: u64,
    /// All parts of an .xlsx/.ods (a zip) once unpacked, as the archive declares them.
    pub max_unpacked_bytes: u64,
    /// Rows of one sheet, title and footer included.
    pub max_rows: u32,
    /// Columns of one row.
    pub max_columns: u32,
    /// The shared strings of an .xlsx, which a reader must hold whole: their XML unpacked,
    /// and how many there are. The rest of a workbook is streamed; these bound its memory.
    pub max_shared_strings_bytes: u64,
    pub max_shared_strings: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 200 << 20,
            max_unpacked_bytes: 2 << 30,
            max_rows: 1_100_000,
            max_columns: 256,
            // A million-row list of names and addresses holds about 60 MB of them.
            max_shared_strings_bytes: 96 << 20,
            max_shared_strings: 3_000_000,
        }
    }
}

impl Limits {
    /// The refusal of a file over `max_file_bytes`, saying the limit.
    pub fn too_large(&self) -> Error {
        Error::Invalid {
            field: "file",
            message: "invalid-file-too-large",
            args: Args::new().with("max", size_text(self.max_file_bytes)),
        }
    }

    fn unpacked_too_large(&self) -> Error {
        Error::Invalid {
            field: "file",
            message: "invalid-file-unpacked-too-large",
            args: Args::new().with("max", size_text(self.max_unpacked_bytes)),
        }
    }

    fn too_many_rows(&self) -> Error {
        Error::Invalid {
            field: "file",
            message: "invalid-file-too-many-rows",
            args: Args::new().with("max", crate::text::number(i64::from(self.max_rows))),
        }
    }
}

/// A size as a person reads it: 200 MB, 2 GB.
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} KB", bytes.div_ceil(1 << 10))
    }
}

/// A cell as the import reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(time::Date),
    Bool(bool),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a person would read it in the spreadsheet.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => crate::clock::vn_date(*d),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// One row of a sheet; `number` counts from 1 as the spreadsheet shows it.
#[derive(Clone, Debug)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, column: u32) -> &Cell {
        self.cells.get(column as usize).unwrap_or(&Cell::Empty)
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_empty)
    }
}

/// Days since 1899-12-30, Excel's day 0 once its phantom 29 February 1900 is skipped.
fn excel_serial_date(serial: f64) -> Option<time::Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    let days = serial.floor() as i64;
    epoch.checked_add(time::Duration::days(if days < 61 {
        days + 1
    } else {
        days
    }))
}

fn from_excel_datetime(d: &calamine::ExcelDateTime) -> Cell {
    match excel_serial_date(d.as_f64()) {
        Some(date) if d.is_datetime() => Cell::Date(date),
        _ => Cell::Number(d.as_f64()),
    }
}

fn from_data_ref(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.clone())
        }
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => from_excel_datetime(d),
        DataRef::Error(_) | DataRef::Empty => Cell::Empty,
    }
}

fn from_data(d: &Data) -> Cell {
    match d {
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => from_excel_datetime(d),
        Data::Error(_) | Data::Empty => Cell::Empty,
    }
}

fn unreadable(e: impl std::fmt::Display) -> Error {
    Error::File(e.to_string())
}

/// The file's bytes, shared: calamine tries each format on its own copy of the reader, and
/// a copy of this is a pointer, not the file again.
type Bytes = Cursor<std::sync::Arc<[u8]>>;

/// A workbook opened for reading.
pub enum Book {
    Xlsx(Box<Xlsx<Bytes>>),
    Other(Box<Sheets<Bytes>>),
}

/// Checks what a zip declares before any of it is unpacked (a small file that unpacks to
/// gigabytes is refused here).
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<()> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    let mut strings = None;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(unreadable)?;
        total = total.saturating_add(entry.size());
        if entry
            .name()
            .is_ok_and(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"))
        {
            if entry.size() > limits.max_shared_strings_bytes {
                return Err(Error::invalid("file", "invalid-file-too-many-strings"));
            }
            strings = Some(i);
        }
    }
    if total > limits.max_unpacked_bytes {
        return Err(limits.unpacked_too_large());
    }
    // The count the strings' table declares, from its first bytes: refused before a reader
    // allocates for it.
    if let Some(i) = strings {
        let mut head = vec![0u8; 4096];
        let read = {
            use std::io::Read;
            let mut entry = archive.by_index(i).map_err(unreadable)?;
            let mut n = 0;
            while n < head.len() {
                match entry.read(&mut head[n..]) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(_) => break,
                }
            }
            n
        };
        let head = String::from_utf8_lossy(&head[..read]);
        let declared = ["uniqueCount=\"", "count=\""].iter().find_map(|attr| {
            let at = head.find(attr)? + attr.len();
            head[at..].split('"').next()?.parse::<u64>().ok()
        });
        if declared.is_some_and(|n| n > limits.max_shared_strings) {
            return Err(Error::invalid("file", "invalid-file-too-many-strings"));
        }
    }
    Ok(())
}

impl Book {
    pub fn open(bytes: Vec<u8>, limits: &Limits) -> Result<Book> {
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(limits.too_large());
        }
        check_zip(&bytes, limits)?;
        match calamine::open_workbook_auto_from_rs(Cursor::new(std::sync::Arc::<[u8]>::from(bytes)))
        {
            // .xlsx is read cell by cell; the others whole.
            Ok(Sheets::Xlsx(book)) => Ok(Book::Xlsx(Box::new(book))),
            Ok(book) => Ok(Book::Other(Box::new(book))),
            Err(_) => Err(Error::invalid("file", "invalid-file-not-workbook")),
        }
    }

    pub fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Other(b) => b.sheet_names(),
        }
    }

    /// Calls `each` with every row of `sheet` in order, blank rows included (so that row
    /// numbers are the spreadsheet's); `each` returns false to stop early.
    pub fn rows(
        &mut self,
        sheet: &str,
        limits: &Limits,
        mut each: impl FnMut(Row) -> Result<bool>,
    ) -> Result<()> {
        match self {
            Book::Xlsx(book) => {
                let mut reader = book.worksheet_cells_reader(sheet).map_err(unreadable)?;
                let mut current = Row {
                    number: 1,
                    cells: vec![],
                };
                while let Some(cell) = reader.next_cell().map_err(unreadable)? {
                    let (r, c) = cell.get_position();
                    if r >= limits.max_rows {
                        return Err(limits.too_many_rows());
                    }
                    if c >= limits.max_columns {
                        continue;
                    }
                    while r + 1 > current.number {
                        let next = Row {
                            number: current.number + 1,
                            cells: vec![],
                        };
                        if !each(std::mem::replace(&mut current, next))? {
                            return Ok(());
                        }
                    }
                    let value = from_data_ref(cell.get_value());
                    if value != Cell::Empty {
                        if current.cells.len() <= c as usize {
                            current.cells.resize(c as usize + 1, Cell::Empty);
                        }
                        current.cells[c as usize] = value;
                    }
                }
                each(current)?;
                Ok(())
            }
            Book::Other(book) => {
                let range = book.worksheet_range(sheet).map_err(unreadable)?;
                let (start_row, start_col) = range.start().unwrap_or((0, 0));
                if range.height() as u64 + start_row as u64 > limits.max_rows as u64 {
                    return Err(limits.too_many_rows());
                }
                for number in 1..=start_row {
                    if !each(Row {
                        number,
                        cells: vec![],
                    })? {
                        return Ok(());
                    }
                }
                for (i, cells) in range.rows().enumerate() {
                    let mut row = vec![Cell::Empty; start_col as usize];
                    row.extend(
                        cells
                            .iter()
                            .take(limits.max_columns as usize)
                            .map(from_data),
                    );
                    if !each(Row {
                        number: start_row + i as u32 + 1,
                        cells: row,
                    })? {
                        return Ok(());
                    }
                }
                Ok(())
            }
        }
    }
}

/// Reads a whole file with the size limit applied while reading.
pub fn read_file(path: &std::path::Path, limits: &Limits) -> Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).map_err(|e| Error::File(format!("{}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(limits.too_large());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_are_the_dates_excel_shows() {
        let d = |y, m, day| {
            time::Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), day)
                .expect("date")
        };
        assert_eq!(excel_serial_date(28554.0), Some(d(1978, 3, 5)));
        assert_eq!(excel_serial_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_date(0.0), None);
    }
}
