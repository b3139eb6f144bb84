//! Finding the header row under a title block and mapping its columns to member fields by
//! their Vietnamese headers, with or without diacritics, in the variants officers use.

use serde::{Deserialize, Serialize};

use super::read::{Cell, Row};

/// Each field with the headers it goes by, normalised (see [`normalise`]).
const VARIANTS: &[(&str, &[&str])] = &[
    ("stt", &["stt", "tt", "so tt", "so thu tu"]),
    (
        "full_name",
        &[
            "ho va ten",
            "ho ten",
            "ho va ten hoi vien",
            "ho ten hoi vien",
            "ten hoi vien",
            "full name",
            "name",
        ],
    ),
    (
        "birth_date",
        &[
            "ngay sinh",
            "nam sinh",
            "ngay thang nam sinh",
            "ngay thang sinh",
            "sinh ngay",
            "ngay sinh nam sinh",
            "birth date",
            "date of birth",
        ],
    ),
    ("sex", &["gioi tinh", "gioi", "nam nu", "sex"]),
    ("ethnicity", &["dan toc", "ethnicity"]),
    ("religion", &["ton giao", "religion"]),
    (
        "education",
        &[
            "trinh do hoc van",
            "hoc van",
            "trinh do van hoa",
            "van hoa",
            "education",
        ],
    ),
    (
        "qualification",
        &[
            "chuyen mon",
            "trinh do chuyen mon",
            "trinh do cmnv",
            "chuyen mon nghiep vu",
            "qualification",
        ],
    ),
    (
        "political_theory",
        &[
            "ly luan chinh tri",
            "trinh do ly luan chinh tri",
            "llct",
            "trinh do llct",
        ],
    ),
    (
        "occupation",
        &["nghe nghiep", "nghe nghiep hien nay", "occupation"],
    ),
    (
        "national_id",
        &[
            "so cccd",
            "cccd",
            "so cmnd",
            "cmnd",
            "so cmnd cccd",
            "cmnd cccd",
            "so cccd cmnd",
            "cccd cmnd",
            "so dinh danh",
            "so dinh danh ca nhan",
            "national id",
        ],
    ),
    (
        "phone",
        &["sdt", "so dien thoai", "dien thoai", "dt", "so dt", "phone"],
    ),
    (
        "address",
        &[
            "dia chi",
            "noi o",
            "noi o hien nay",
            "cho o hien nay",
            "dia chi thuong tru",
            "noi thuong tru",
            "address",
        ],
    ),
    (
        "card_number",
        &["so the", "so the hoi vien", "ma the", "card number"],
    ),
    (
        "joined_on",
        &[
            "ngay vao hoi",
            "ngay ket nap",
            "ngay vao hoi lhpn",
            "ngay ket nap hoi",
            "joined on",
        ],
    ),
    (
        "party_member",
        &["dang vien", "la dang vien", "party member"],
    ),
    (
        "branch",
        &[
            "chi hoi",
            "thuoc chi hoi",
            "ten chi hoi",
            "sinh hoat tai chi hoi",
            "don vi",
            "branch",
        ],
    ),
    ("status", &["trang thai", "ghi chu", "status", "note"]),
];

/// Lower case, no diacritics, punctuation as spaces, single spaces.
pub fn normalise(header: &str) -> String {
    let folded = crate::text::fold(header);
    let spaced: String = folded
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field a header names, if any: an exact variant, or a variant followed by more words
/// ("Họ và tên hội viên", "Ngày sinh (dd/mm/yyyy)").
pub fn field_of(header: &str, custom: &[(String, String)]) -> Option<String> {
    let h = normalise(header);
    if h.is_empty() {
        return None;
    }
    if let Some((_, field)) = custom.iter().find(|(k, _)| normalise(k) == h) {
        return Some(field.clone());
    }
    let exact = VARIANTS.iter().find(|(_, vs)| vs.contains(&h.as_str()));
    let prefix = || {
        VARIANTS.iter().find(|(_, vs)| {
            vs.iter()
                .any(|v| v.len() >= 4 && h.starts_with(&format!("{v} ")))
        })
    };
    exact.or_else(prefix).map(|(f, _)| f.to_string())
}

/// Every field an import can fill.
pub fn fields() -> impl Iterator<Item = &'static str> {
    VARIANTS.iter().map(|(f, _)| *f)
}

/// Where the header is and which column holds which field.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Mapping {
    pub header_row: u32,
    /// (column from 0, field, the header as written).
    pub columns: Vec<(u32, String, String)>,
}

impl Mapping {
    pub fn column(&self, field: &str) -> Option<u32> {
        self.columns
            .iter()
            .find(|(_, f, _)| f == field)
            .map(|(c, _, _)| *c)
    }

    pub fn header(&self, column: u32) -> String {
        self.columns
            .iter()
            .find(|(c, _, _)| *c == column)
            .map(|(_, _, h)| h.clone())
            .unwrap_or_else(|| column_letter(column))
    }
}

/// A, B, …, Z, AA, … as the spreadsheet labels columns.
pub fn column_letter(mut column: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// How many rows from the top are searched for the header.
pub const SEARCH_ROWS: usize = 30;

/// The row among the first ones that names the most fields (a name column required; ties
/// go to the upper row). `custom` adds the officer's own header → field pairs.
pub fn detect(rows: &[Row], custom: &[(String, String)]) -> Option<Mapping> {
    let mut best: Option<Mapping> = None;
    for row in rows.iter().take(SEARCH_ROWS) {
        let mut columns: Vec<(u32, String, String)> = Vec::new();
        for (i, cell) in row.cells.iter().enumerate() {
            let Cell::Text(text) = cell else { continue };
            if let Some(field) = field_of(text, custom)
                && !columns.iter().any(|(_, f, _)| *f == field)
            {
                columns.push((i as u32, field, crate::text::clean(text)));
            }
        }
        let named = columns.iter().any(|(_, f, _)| f == "full_name");
        if named
            && columns.len() >= 2
            && best
                .as_ref()
                .is_none_or(|b| columns.len() > b.columns.len())
        {
            best = Some(Mapping {
                header_row: row.number,
                columns,
            });
        }
    }
    best
}

/// A mapping file: one `header,field` pair per line (the officer's own column names).
pub fn parse_mapping_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((header, field)) = line.rsplit_once(',') else {
            return Err(format!("{}: {line}", i + 1));
        };
        let field = field.trim();
        if !fields().any(|f| f == field) {
            return Err(format!("{}: {field}", i + 1));
        }
        pairs.push((header.trim().to_string(), field.to_string()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: u32, cells: &[&str]) -> Row {
        Row {
            number,
            cells: cells
                .iter()
                .map(|c| {
                    if c.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(c.to_string())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn headers_are_recognised_with_or_without_diacritics_and_in_their_variants() {
        for (header, field) in [
            ("Họ và tên", "full_name"),
            ("HỌ TÊN", "full_name"),
            ("Ho va ten hoi vien", "full_name"),
            ("Ngày, tháng, năm sinh", "birth_date"),
            ("Năm sinh", "birth_date"),
            ("Số CMND/CCCD", "national_id"),
            ("SĐT", "phone"),
            ("Số điện thoại", "phone"),
            ("Trình độ học vấn", "education"),
            ("Ngày vào Hội", "joined_on"),
            ("Đảng viên", "party_member"),
            ("Chi hội", "branch"),
        ] {
            assert_eq!(field_of(header, &[]).as_deref(), Some(field), "{header}");
        }
        assert_eq!(field_of("Tổng cộng", &[]), None);
        assert_eq!(
            field_of(
                "Tên gọi khác",
                &[("Tên gọi khác".into(), "full_name".into())]
            )
            .as_deref(),
            Some("full_name")
        );
    }

    #[test]
    fn the_header_is_found_under_the_title_block() {
        let rows = vec![
            row(1, &["HỘI LHPN PHƯỜNG BA ĐÌNH"]),
            row(2, &["DANH SÁCH HỘI VIÊN"]),
            row(3, &["(Tính đến ngày 30/6/2025)"]),
            row(4, &[]),
            row(5, &["STT", "Họ và tên", "Năm sinh", "Dân tộc", "", "SĐT"]),
            row(
                6,
                &["1", "Nguyễn Thị Lan", "1958", "Kinh", "", "0912345678"],
            ),
        ];
        let mapping = detect(&rows, &[]).expect("a header");
        assert_eq!(mapping.header_row, 5);
        assert_eq!(mapping.column("full_name"), Some(1));
        assert_eq!(mapping.column("phone"), Some(5));
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
    }
}
