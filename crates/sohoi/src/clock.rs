//! Dates as the Union sees them: Vietnam's calendar day (UTC+7), months as `yyyymm`.

use time::{Date, Month, OffsetDateTime, UtcOffset};

/// Vietnam has one time zone and no daylight saving.
pub const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// Today's date in Vietnam.
pub fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(VIETNAM).date()
}

/// The time of a record, in RFC 3339 with Vietnam's offset.
pub fn now_text() -> String {
    let now = OffsetDateTime::now_utc().to_offset(VIETNAM);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The first date before which nothing in this register happened: units created by
/// `sohoi init` stand for the structure "since records began", because the register holds no
/// structure older than the 2025 reform.
pub const BEGINNING: Date = time::macros::date!(1900 - 01 - 01);

/// A month as the integer `yyyymm`, the key of the statistics cells.
pub fn month_key(d: Date) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// The last day of the month of `d`.
pub fn month_end(d: Date) -> Date {
    let days = d.month().length(d.year());
    Date::from_calendar_date(d.year(), d.month(), days).unwrap_or(d)
}

/// The first day of the month of `d`.
pub fn month_start(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

/// Parses `YYYY-MM-DD` or `dd/mm/yyyy`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let (y, m, d) = if let Some((y, rest)) = s.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (y, m, d)
    } else {
        let mut parts = s.split('/');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        (y, m, d)
    };
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// Formats a date the Vietnamese way: dd/mm/yyyy.
pub fn vn_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month() as u8, d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_parse_both_ways() {
        assert_eq!(parse_date("2025-07-01"), Some(date!(2025 - 07 - 01)));
        assert_eq!(parse_date("05/03/1978"), Some(date!(1978 - 03 - 05)));
        assert_eq!(parse_date("31/02/1978"), None);
        assert_eq!(vn_date(date!(1978 - 03 - 05)), "05/03/1978");
        assert_eq!(month_key(date!(2025 - 07 - 31)), 202507);
        assert_eq!(month_end(date!(2024 - 02 - 10)), date!(2024 - 02 - 29));
    }
}
