//! One spreadsheet row to a member as typed: cells to text the parser accepts, the
//! unambiguous repairs (a dropped leading zero, decomposed Unicode, stray spaces) listed,
//! and rows that are not members (blank, totals, signatures) told apart.

use unicode_normalization::UnicodeNormalization;

use super::header::Mapping;
use super::read::{Cell, Row};
use crate::i18n::{Lang, translator};
use crate::members::codes;
use crate::members::input::RawMember;

/// A change the import made to a value, listed in its report.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Repair {
    pub column: u32,
    pub from: String,
    pub to: String,
    /// A translation id saying what was repaired.
    pub reason: &'static str,
}

/// Why a row was passed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    Blank,
    Total,
    Signature,
}

pub enum Read {
    Member {
        raw: Box<RawMember>,
        branch: Option<String>,
        repairs: Vec<Repair>,
    },
    Skipped(Skip),
}

fn contains_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// Rows under the table that are not members: totals and the signature block.
fn footer(folded: &str) -> Option<Skip> {
    if folded.starts_with("tong")
        || folded.starts_with("cong ")
        || folded.starts_with("cong:")
        || folded == "cong"
    {
        return Some(Skip::Total);
    }
    let signature = [
        "nguoi lap",
        "chu tich",
        "xac nhan",
        "ky ten",
        "ky, ghi ro",
        "ghi ro ho ten",
        "tm.",
        "tm ",
        "pho chu tich",
        "thu ky",
    ];
    if contains_any(folded, &signature)
        || (folded.contains("ngay") && folded.contains("thang") && folded.contains("nam"))
    {
        return Some(Skip::Signature);
    }
    None
}

/// Text as stored: NFC, trimmed, single spaces; a repair is listed when that changed it.
fn text(cell: &Cell, column: u32, repairs: &mut Vec<Repair>) -> String {
    let raw = cell.display();
    let nfc: String = raw.nfc().collect();
    let cleaned = crate::text::clean(&nfc);
    if cleaned != raw {
        let reason = if nfc != raw {
            "repair-unicode"
        } else {
            "repair-spaces"
        };
        repairs.push(Repair {
            column,
            from: raw,
            to: cleaned.clone(),
            reason,
        });
    }
    cleaned
}

/// Digits of a number a spreadsheet stored as a number (a national ID, a phone).
fn digits(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 1e15 => {
            Some(format!("{}", *n as u64))
        }
        Cell::Text(s) => {
            let kept: String = s
                .chars()
                .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
                .collect();
            (!kept.is_empty() && kept.chars().all(|c| c.is_ascii_digit())).then_some(kept)
        }
        _ => None,
    }
}

/// A national ID or phone with the zeros a spreadsheet dropped put back: a CCCD always has
/// 12 digits and starts with 0; a mobile number has 10 and starts with 0.
fn number_with_zeros(cell: &Cell, width: usize, column: u32, repairs: &mut Vec<Repair>) -> String {
    let Some(d) = digits(cell) else {
        return text(cell, column, repairs);
    };
    let shown = cell.display();
    let fixed = if d.len() < width && d.len() + 2 >= width && !d.starts_with('0') {
        format!("{d:0>width$}")
    } else {
        d
    };
    if fixed != crate::text::clean(&shown) {
        let reason = if fixed.len() > shown.trim().len() {
            "repair-leading-zero"
        } else {
            "repair-separators"
        };
        repairs.push(Repair {
            column,
            from: shown,
            to: fixed.clone(),
            reason,
        });
    }
    fixed
}

/// A date cell, an Excel serial, a bare year, or text with dots or dashes, as dd/mm/yyyy
/// (or the year alone).
fn date_text(cell: &Cell, column: u32, repairs: &mut Vec<Repair>) -> String {
    match cell {
        Cell::Date(d) => crate::clock::vn_date(*d),
        Cell::Number(n) if n.fract() == 0.0 && (1900.0..=2100.0).contains(n) => {
            format!("{}", *n as i32)
        }
        Cell::Number(_) => text(cell, column, repairs),
        Cell::Text(_) => {
            let t = text(cell, column, repairs);
            let parts: Vec<&str> = t.split(['.', '-', '/']).map(str::trim).collect();
            // 05.03.1978, 5-3-1978: day, month, year as officers type them.
            if parts.len() >= 2
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                && parts.last().is_some_and(|y| y.len() == 4)
            {
                parts.join("/")
            } else {
                t
            }
        }
        _ => String::new(),
    }
}

/// A value of a coded field as officers write it ("Kinh", "Phật giáo", "12/12", "Đại
/// học") to its code; anything else is left as typed for the parser to refuse.
fn code(dim: &str, typed: String) -> String {
    if typed.is_empty() {
        return typed;
    }
    if dim == "ethnicity" {
        let bare = typed.strip_prefix("Dân tộc ").unwrap_or(&typed);
        return codes::ethnicity_code(bare)
            .map(str::to_string)
            .unwrap_or(typed);
    }
    let list: &[&str] = match dim {
        "religion" => &codes::RELIGIONS,
        "education" => &codes::EDUCATION,
        "qualification" => &codes::QUALIFICATIONS,
        "political_theory" => &codes::POLITICAL_THEORY,
        "occupation" => &codes::OCCUPATIONS,
        _ => &[],
    };
    if list.contains(&typed.as_str()) {
        return typed;
    }
    let folded = crate::text::fold(&typed);
    if dim == "education"
        && let Some((grade, 12)) = typed
            .split_once('/')
            .and_then(|(a, b)| Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?)))
    {
        let code = match grade {
            12.. => "upper_secondary",
            9.. => "lower_secondary",
            5.. => "primary",
            _ => "none",
        };
        return code.into();
    }
    for lang in [Lang::Vi, Lang::En] {
        let t = translator(lang);
        if let Some(code) = list
            .iter()
            .find(|c| crate::text::fold(&crate::members::codes::label(t, dim, c)) == folded)
        {
            return code.to_string();
        }
    }
    let aliases: &[(&str, &str)] = match dim {
        "religion" => &[
            ("khong co", "none"),
            ("phat", "buddhism"),
            ("thien chua", "catholic"),
            ("thien chua giao", "catholic"),
            ("hoa hao", "hoahao"),
            ("cao dai", "caodai"),
            ("tin lanh", "protestant"),
            ("dao tin lanh", "protestant"),
        ],
        "education" => &[
            ("thpt", "upper_secondary"),
            ("thcs", "lower_secondary"),
            ("cap 3", "upper_secondary"),
            ("cap 2", "lower_secondary"),
            ("cap 1", "primary"),
            ("mu chu", "none"),
        ],
        _ => &[],
    };
    aliases
        .iter()
        .find(|(a, _)| *a == folded)
        .map(|(_, c)| c.to_string())
        .unwrap_or(typed)
}

fn yes(cell: &Cell) -> bool {
    match cell {
        Cell::Bool(b) => *b,
        Cell::Number(n) => *n != 0.0,
        Cell::Text(s) => {
            let f = crate::text::fold(s.trim());
            matches!(
                f.as_str(),
                "x" | "co" | "1" | "dv" | "dang vien" | "yes" | "true" | "v"
            )
        }
        _ => false,
    }
}

/// Reads one data row under `mapping`.
pub fn read(mapping: &Mapping, row: &Row) -> Read {
    if row.is_blank() {
        return Read::Skipped(Skip::Blank);
    }
    let name_cell = mapping
        .column("full_name")
        .map_or(&Cell::Empty, |c| row.cell(c));
    let member_fields = [
        "full_name",
        "birth_date",
        "national_id",
        "phone",
        "joined_on",
        "card_number",
    ];
    let has_member_data = member_fields
        .iter()
        .filter_map(|f| mapping.column(f))
        .any(|c| !row.cell(c).is_empty());
    // What the row says outside the member columns too: footers often span merged cells.
    let whole: String = row
        .cells
        .iter()
        .map(Cell::display)
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(skip) = footer(&crate::text::fold(whole.trim())) {
        let named = matches!(name_cell, Cell::Text(s) if footer(&crate::text::fold(s.trim())).is_none() && !s.trim().is_empty());
        if !named || !has_member_data {
            return Read::Skipped(skip);
        }
    }
    if !has_member_data {
        return Read::Skipped(Skip::Blank);
    }
    let mut repairs = Vec::new();
    let mut raw = RawMember::default();
    let mut branch = None;
    for (column, field, _) in &mapping.columns {
        let cell = row.cell(*column);
        let column = *column;
        match field.as_str() {
            "full_name" => raw.full_name = text(cell, column, &mut repairs),
            "birth_date" => raw.birth_date = date_text(cell, column, &mut repairs),
            "joined_on" => raw.joined_on = date_text(cell, column, &mut repairs),
            "sex" => raw.sex = text(cell, column, &mut repairs),
            "national_id" => raw.national_id = number_with_zeros(cell, 12, column, &mut repairs),
            "phone" => raw.phone = number_with_zeros(cell, 10, column, &mut repairs),
            "address" => raw.address = text(cell, column, &mut repairs),
            "card_number" => raw.card_number = text(cell, column, &mut repairs),
            "ethnicity" => raw.ethnicity = code("ethnicity", text(cell, column, &mut repairs)),
            "religion" => raw.religion = code("religion", text(cell, column, &mut repairs)),
            "education" => raw.education = code("education", text(cell, column, &mut repairs)),
            "qualification" => {
                raw.qualification = code("qualification", text(cell, column, &mut repairs))
            }
            "political_theory" => {
                raw.political_theory = code("political_theory", text(cell, column, &mut repairs))
            }
            "occupation" => raw.occupation = code("occupation", text(cell, column, &mut repairs)),
            "party_member" => raw.party_member = yes(cell),
            "branch" => branch = Some(text(cell, column, &mut repairs)).filter(|b| !b.is_empty()),
            _ => {}
        }
    }
    Read::Member {
        raw: Box::new(raw),
        branch,
        repairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(fields: &[&str]) -> Mapping {
        Mapping {
            header_row: 1,
            columns: fields
                .iter()
                .enumerate()
                .map(|(i, f)| (i as u32, f.to_string(), f.to_string()))
                .collect(),
        }
    }

    #[test]
    fn numbers_get_their_zeros_back_and_text_is_cleaned() {
        let m = mapping(&[
            "full_name",
            "birth_date",
            "national_id",
            "phone",
            "ethnicity",
            "education",
        ]);
        let decomposed = "Nguye\u{302}\u{303}n  Thi\u{323} Lan ";
        let row = Row {
            number: 7,
            cells: vec![
                Cell::Text(decomposed.into()),
                Cell::Number(28555.0),
                Cell::Number(1_180_012_345.0),
                Cell::Number(912_345_678.0),
                Cell::Text("Dân tộc Tày".into()),
                Cell::Text("12/12".into()),
            ],
        };
        let Read::Member { raw, repairs, .. } = read(&m, &row) else {
            panic!("a member row")
        };
        assert_eq!(raw.full_name, "Nguyễn Thị Lan");
        assert_eq!(raw.national_id, "001180012345");
        assert_eq!(raw.phone, "0912345678");
        assert_eq!(raw.ethnicity, "02");
        assert_eq!(raw.education, "upper_secondary");
        let reasons: Vec<_> = repairs.iter().map(|r| (r.column, r.reason)).collect();
        assert_eq!(
            reasons,
            [
                (0, "repair-unicode"),
                (2, "repair-leading-zero"),
                (3, "repair-leading-zero")
            ]
        );
    }

    #[test]
    fn footers_and_blank_rows_are_not_members() {
        let m = mapping(&["stt", "full_name", "birth_date"]);
        let text = |cells: &[&str]| Row {
            number: 9,
            cells: cells.iter().map(|c| Cell::Text(c.to_string())).collect(),
        };
        assert!(matches!(
            read(&m, &text(&["", "", ""])),
            Read::Skipped(Skip::Blank)
        ));
        assert!(matches!(
            read(&m, &text(&["Tổng cộng: 45 hội viên", "", ""])),
            Read::Skipped(Skip::Total)
        ));
        assert!(matches!(
            read(&m, &text(&["", "Ba Đình, ngày 30 tháng 6 năm 2025", ""])),
            Read::Skipped(Skip::Signature)
        ));
        assert!(matches!(
            read(&m, &text(&["", "NGƯỜI LẬP BIỂU", ""])),
            Read::Skipped(Skip::Signature)
        ));
        assert!(matches!(
            read(&m, &text(&["12", "", ""])),
            Read::Skipped(Skip::Blank)
        ));
        assert!(matches!(
            read(&m, &text(&["3", "Trần Thị Tâm", "05.03.1978"])),
            Read::Member { .. }
        ));
        let Read::Member { raw, .. } = read(&m, &text(&["3", "Trần Thị Tâm", "5-3-1978"]))
        else {
            panic!()
        };
        assert_eq!(raw.birth_date, "5/3/1978");
    }
}
