//! Vietnamese text: normalisation, diacritic-insensitive folding and collation.
//!
//! Everything a person types is stored NFC with single spaces (DESIGN principle 6).
//! Search compares *folded* text: lower case, no tone marks or vowel hats, đ → d, so that
//! "thuy" finds Thủy and Thuỷ alike (old- and new-style tone placement fold to the same text).

use std::sync::OnceLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFC, trimmed, inner runs of white space collapsed to one space.
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower case without diacritics; đ folds to d. Inner white space collapses to one space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The longest free texts, in characters, checked where they are typed: long enough for any
/// real use, short enough that one field cannot break an export (a spreadsheet cell holds
/// 32,767 characters) or fill a page.
pub mod limits {
    pub const ADDRESS: usize = 300;
    pub const CARD_NUMBER: usize = 30;
    pub const NOTE: usize = 1_000;
    pub const UNIT_NAME: usize = 200;
    pub const DISPLAY_NAME: usize = 100;
    pub const TOKEN_NAME: usize = 100;
    pub const SEGMENTS: usize = 200;
}

/// Refuses `s` (as typed) when it is longer than `max` characters, naming the field.
pub fn within(field: &'static str, s: &str, max: usize) -> crate::error::Result<()> {
    if s.chars().count() > max {
        return Err(crate::error::Error::Invalid {
            field,
            message: "invalid-too-long",
            args: crate::i18n::Args::new().num("max", max as f64),
        });
    }
    Ok(())
}

/// `s` cut to `max` characters, with an ellipsis when cut (for cells and lines that must fit).
pub fn cut(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max.saturating_sub(1)) {
        Some((end, _)) if s[end..].chars().count() > 1 => format!("{}…", &s[..end]).into(),
        _ => s.into(),
    }
}

/// A place name folded for comparison: [`fold`], with typographic dashes and apostrophes
/// taken as plain ones ("Chân Mây – Lăng Cô", "Ea H’leo"), so that two spellings of one
/// official name compare equal.
pub fn fold_name(s: &str) -> String {
    fold(s)
        .chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '`' => '\'',
            other => other,
        })
        .collect()
}

/// Whether two place names are the same name written differently (tone-mark placement,
/// case, spaces, dashes, apostrophes).
pub fn same_name(a: &str, b: &str) -> bool {
    fold_name(a) == fold_name(b)
}

/// The Vietnamese collator (CLDR `vi` tailoring: a < ă < â, d < đ, tone order).
pub fn collator() -> &'static CollatorBorrowed<'static> {
    static COLLATOR: OnceLock<CollatorBorrowed<'static>> = OnceLock::new();
    COLLATOR.get_or_init(|| {
        let locale = icu_locale_core::locale!("vi").into();
        // The compiled data carries the `vi` tailoring; failure would be a build defect.
        Collator::try_new(locale, CollatorOptions::default())
            .expect("Vietnamese collation data is compiled in")
    })
}

/// Splits a full name into (family, middle, given) the Vietnamese way: the first word is
/// the family name, the last the given name, the rest the middle name.
pub fn name_parts(full_name: &str) -> (&str, &str, &str) {
    let full_name = full_name.trim();
    let Some((family, rest)) = full_name.split_once(' ') else {
        return ("", "", full_name);
    };
    match rest.rsplit_once(' ') {
        Some((middle, given)) => (family, middle, given),
        None => (family, "", rest),
    }
}

/// The folded name with the given name first ("thuy nguyen thi" for Nguyễn Thị Thủy): the
/// key that prefix searches by given name run on.
pub fn person_search_key(full_name: &str) -> String {
    let (family, middle, given) = name_parts(full_name);
    fold(&format!("{given} {family} {middle}"))
}

/// The byte key that sorts people as Vietnamese lists do: by given name, then family name,
/// then middle name, in Vietnamese collation. Stored beside each member so that both engines
/// can page through a sorted list with an index (bytes compare the same everywhere).
pub fn person_sort_key(full_name: &str) -> Vec<u8> {
    let (family, middle, given) = name_parts(full_name);
    let ordered = format!("{given} {family} {middle}");
    let mut key = Vec::with_capacity(ordered.len() * 3);
    let Ok(()) = collator().write_sort_key_to(&ordered, &mut key);
    key
}

/// The sort key of a unit name (plain collation, no reordering of words).
pub fn sort_key(s: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(s.len() * 3);
    let Ok(()) = collator().write_sort_key_to(s, &mut key);
    key
}

/// A count with Vietnamese thousands separators: 1.234.567.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}%", r * 100.0).replace('.', ","))
        .unwrap_or_default()
}

/// Percent-encodes a value for an address's query (RFC 3986 unreserved characters stay).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_tones_case_and_placement() {
        assert_eq!(fold("Thủy"), "thuy");
        assert_eq!(fold("Thuỷ"), "thuy");
        assert_eq!(fold("Thuý"), fold("Thúy"));
        assert_eq!(fold("Hoà"), fold("Hòa"));
        assert_eq!(fold("  Đặng   Thị  Hương "), "dang thi huong");
    }

    #[test]
    fn clean_makes_nfc_single_spaced() {
        let decomposed = "Nguye\u{302}\u{303}n  Thi\u{323}   Lan ";
        assert_eq!(clean(decomposed), "Nguyễn Thị Lan");
    }

    #[test]
    fn people_sort_by_given_name_first_in_vietnamese_order() {
        let mut names = vec![
            "Trần Thị Ân",
            "Nguyễn Văn Anh",
            "Lê Thị Ăn",
            "Đỗ Thị Dung",
            "Bùi Thị Đào",
        ];
        names.sort_by_key(|n| person_sort_key(n));
        assert_eq!(
            names,
            vec![
                "Nguyễn Văn Anh",
                "Lê Thị Ăn",
                "Trần Thị Ân",
                "Đỗ Thị Dung",
                "Bùi Thị Đào"
            ]
        );
    }
}
