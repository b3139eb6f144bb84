//! What a document says, with no word about how it is drawn: both renderers read the same value.

use time::Date;

/// An administrative document in the layout of Decree 30/2020/NĐ-CP, Appendix I.
#[derive(Debug, Clone)]
pub struct Document {
    /// The body above the issuer, e.g. "HỘI LHPN THÀNH PHỐ HÀ NỘI"; none for a top-level body.
    pub superior: Option<String>,
    /// The issuing body, e.g. "BAN THƯỜNG VỤ HỘI LHPN PHƯỜNG BA ĐÌNH".
    pub issuer: String,
    /// The whole number line, e.g. "Số: 12/BC-HPN".
    pub number: String,
    /// The place name of the date line, e.g. "Hà Nội".
    pub place: String,
    pub date: Date,
    /// The kind of document, e.g. "BÁO CÁO"; drawn in upper case.
    pub kind: String,
    /// What it is about, e.g. "Kết quả công tác Hội 6 tháng đầu năm 2026".
    pub title: String,
    pub blocks: Vec<Block>,
    pub signer: Signer,
    /// The "Nơi nhận:" list, one recipient a line, each drawn after a dash; may be empty.
    pub recipients: Vec<String>,
}

/// One piece of the body. A line break (`\n`) inside a heading or paragraph is kept.
#[derive(Debug, Clone)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    Table(Table),
}

#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Which columns hold numbers (right-aligned); a missing entry means text.
    pub numeric: Vec<bool>,
    /// Relative column widths; when they do not give one positive width per column, the
    /// columns share the width equally.
    pub widths: Vec<f32>,
}

#[derive(Debug, Clone)]
pub struct Signer {
    /// Signing on behalf of a collective body, e.g. "TM. BAN THƯỜNG VỤ".
    pub capacity: Option<String>,
    /// e.g. "CHỦ TỊCH".
    pub title: String,
    pub name: String,
}

impl Document {
    /// "Hà Nội, ngày 05 tháng 02 năm 2026": the Decree writes a day below 10 and the months
    /// January and February with a leading zero, other months without.
    pub fn date_line(&self) -> String {
        let month = u8::from(self.date.month());
        let month = if month <= 2 {
            format!("{month:02}")
        } else {
            month.to_string()
        };
        format!(
            "{}, ngày {:02} tháng {} năm {}",
            self.place,
            self.date.day(),
            month,
            self.date.year()
        )
    }
}

impl Table {
    /// Each column's share of the table's width, adding up to 1.
    pub fn shares(&self) -> Vec<f32> {
        let columns = self.columns();
        let given = self.widths.len() == columns && self.widths.iter().all(|w| *w > 0.0);
        let widths = if given {
            self.widths.clone()
        } else {
            vec![1.0; columns]
        };
        let total: f32 = widths.iter().sum();
        widths.iter().map(|w| w / total).collect()
    }

    /// The number of columns: the header's, or the widest row's when that is wider.
    pub fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0)
    }

    pub fn is_numeric(&self, column: usize) -> bool {
        self.numeric.get(column).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn document(date: Date) -> Document {
        Document {
            superior: None,
            issuer: String::new(),
            number: String::new(),
            place: "Hà Nội".into(),
            date,
            kind: String::new(),
            title: String::new(),
            blocks: vec![],
            signer: Signer {
                capacity: None,
                title: String::new(),
                name: String::new(),
            },
            recipients: vec![],
        }
    }

    #[test]
    fn date_line_pads_small_days_and_the_first_two_months() {
        assert_eq!(
            document(date!(2026 - 02 - 05)).date_line(),
            "Hà Nội, ngày 05 tháng 02 năm 2026"
        );
        assert_eq!(
            document(date!(2026 - 06 - 15)).date_line(),
            "Hà Nội, ngày 15 tháng 6 năm 2026"
        );
        assert_eq!(
            document(date!(2026 - 11 - 30)).date_line(),
            "Hà Nội, ngày 30 tháng 11 năm 2026"
        );
    }
}
