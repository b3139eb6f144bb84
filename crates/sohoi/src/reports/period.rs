//! Reporting periods: a year (`2025`), a half (`2025-H1`), a quarter (`2025-Q3`), a month
//! (`2025-07`) or any range of days (`2025-01-15..2025-03-10`).

use serde::Serialize;
use time::{Date, Month};

use crate::clock::{month_end, parse_date};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Period {
    #[serde(with = "crate::org::model::iso_date")]
    pub from: Date,
    #[serde(with = "crate::org::model::iso_date")]
    pub to: Date,
}

fn month_range(year: i32, first: u8, last: u8) -> Option<Period> {
    let from = Date::from_calendar_date(year, Month::try_from(first).ok()?, 1).ok()?;
    let to = month_end(Date::from_calendar_date(year, Month::try_from(last).ok()?, 1).ok()?);
    Some(Period { from, to })
}

impl Period {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Some((a, b)) = s.split_once("..") {
            let (from, to) = (parse_date(a)?, parse_date(b)?);
            return (from <= to).then_some(Period { from, to });
        }
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        let year: i32 = year.parse().ok().filter(|y| (1900..=9998).contains(y))?;
        match rest.map(|r| r.to_ascii_uppercase()) {
            None => month_range(year, 1, 12),
            Some(r) if r == "H1" => month_range(year, 1, 6),
            Some(r) if r == "H2" => month_range(year, 7, 12),
            Some(r) if r.starts_with('Q') => {
                let q: u8 = r[1..].parse().ok().filter(|q| (1..=4).contains(q))?;
                month_range(year, q * 3 - 2, q * 3)
            }
            Some(r) => {
                let m: u8 = r.parse().ok()?;
                month_range(year, m, m)
            }
        }
    }

    /// The day before the period: the opening balance is the stock at its end.
    pub fn opening_date(&self) -> Date {
        self.from.previous_day().unwrap_or(self.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_parse() {
        let p = |s| Period::parse(s).map(|p| (p.from, p.to));
        assert_eq!(
            p("2025"),
            Some((date!(2025 - 01 - 01), date!(2025 - 12 - 31)))
        );
        assert_eq!(
            p("2025-H1"),
            Some((date!(2025 - 01 - 01), date!(2025 - 06 - 30)))
        );
        assert_eq!(
            p("2025-Q3"),
            Some((date!(2025 - 07 - 01), date!(2025 - 09 - 30)))
        );
        assert_eq!(
            p("2024-02"),
            Some((date!(2024 - 02 - 01), date!(2024 - 02 - 29)))
        );
        assert_eq!(
            p("2025-01-15..2025-03-10"),
            Some((date!(2025 - 01 - 15), date!(2025 - 03 - 10)))
        );
        assert_eq!(p("2025-Q5"), None);
        assert_eq!(p("2025-03-10..2025-01-15"), None);
    }
}
