//! Types that can only hold valid values ("parse, don't validate"): everything a person
//! types about a member is parsed here once, and the rest of the code trusts it.

use serde::Serialize;
use time::Date;

use crate::error::{Error, Result};
use crate::i18n::Args;

/// A full name: NFC, trimmed, single spaces, 2 to 120 characters, letters and spaces
/// (and the odd hyphen or apostrophe of a foreign honorary member's name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FullName(String);

impl FullName {
    pub fn parse(s: &str) -> Result<Self> {
        let clean = crate::text::clean(s);
        let chars = clean.chars().count();
        if chars == 0 {
            return Err(Error::invalid("full_name", "invalid-required"));
        }
        if !(2..=120).contains(&chars)
            || !clean
                .chars()
                .all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'')
        {
            return Err(Error::invalid("full_name", "invalid-name"));
        }
        Ok(Self(clean))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn parse(s: &str) -> Result<Self> {
        match crate::text::fold(s).as_str() {
            "female" | "f" | "nu" => Ok(Sex::Female),
            "male" | "m" | "nam" => Ok(Sex::Male),
            _ => Err(Error::invalid("sex", "invalid-sex")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

/// A date of birth with the precision the record holds: old records often know only the
/// year, or the month and year. No day is ever invented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BirthDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl BirthDate {
    /// Accepts `yyyy`, `mm/yyyy`, `dd/mm/yyyy`, `yyyy-mm` and `yyyy-mm-dd`.
    pub fn parse(s: &str, today: Date) -> Result<Self> {
        let s = s.trim();
        let bad = || Error::invalid("birth_date", "invalid-birth-date");
        let num = |p: &str| p.trim().parse::<i32>().map_err(|_| bad());
        let parts: Vec<&str> = if s.contains('/') {
            s.split('/').rev().collect()
        } else {
            s.split('-').collect()
        };
        let (year, month, day) = match parts.as_slice() {
            [y] => (num(y)?, None, None),
            [y, m] => (num(y)?, Some(num(m)?), None),
            [y, m, d] => (num(y)?, Some(num(m)?), Some(num(d)?)),
            _ => return Err(bad()),
        };
        Self::new(year, month, day, today)
    }

    pub fn new(year: i32, month: Option<i32>, day: Option<i32>, today: Date) -> Result<Self> {
        let bad = || Error::invalid("birth_date", "invalid-birth-date");
        if !(1900..=today.year()).contains(&year) {
            return Err(bad());
        }
        let month = month
            .map(|m| {
                u8::try_from(m)
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(bad)
            })
            .transpose()?;
        let day = match (month, day) {
            (_, None) => None,
            (None, Some(_)) => return Err(bad()),
            (Some(m), Some(d)) => {
                let d = u8::try_from(d).map_err(|_| bad())?;
                let month = time::Month::try_from(m).map_err(|_| bad())?;
                let date = Date::from_calendar_date(year, month, d).map_err(|_| bad())?;
                if date > today {
                    return Err(bad());
                }
                Some(d)
            }
        };
        Ok(Self { year, month, day })
    }

    /// Age in whole years at `at`; with an unknown day or month the birthday is taken to
    /// be the last possible one, so that the age is never overstated.
    pub fn age_at(&self, at: Date) -> i32 {
        let month = self.month.unwrap_or(12);
        let day = self.day.unwrap_or(31);
        let before_birthday = (at.month() as u8, at.day()) < (month, day);
        at.year() - self.year - i32::from(before_birthday)
    }

    /// As the record holds it: `1958`, `03/1958` or `05/03/1958`.
    pub fn display(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d:02}/{m:02}/{}", self.year),
            (Some(m), None) => format!("{m:02}/{}", self.year),
            _ => self.year.to_string(),
        }
    }
}

/// A national ID (CCCD): 12 digits — a 3-digit province code, a digit for century and sex,
/// the last two digits of the birth year, then six digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NationalId(String);

/// The province codes that open a CCCD (the 63 provinces before the 2025 reform, whose
/// codes the new 34 kept).
const CCCD_PROVINCES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

impl NationalId {
    /// Checks the structure against the holder's sex and birth year.
    pub fn parse(s: &str, sex: Sex, birth: Option<&BirthDate>) -> Result<Self> {
        let digits: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .collect();
        let invalid = |m: &'static str| Error::invalid("national_id", m);
        if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("invalid-national-id-digits"));
        }
        let d = digits.as_bytes();
        let province =
            u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0');
        if !CCCD_PROVINCES.contains(&province) {
            return Err(invalid("invalid-national-id-province"));
        }
        let century_sex = d[3] - b'0';
        let century = 1900 + i32::from(century_sex / 2) * 100;
        let female = century_sex % 2 == 1;
        if female != (sex == Sex::Female) {
            return Err(invalid("invalid-national-id-sex"));
        }
        if let Some(birth) = birth {
            let year = century + i32::from(d[4] - b'0') * 10 + i32::from(d[5] - b'0');
            if year != birth.year {
                return Err(Error::Invalid {
                    field: "national_id",
                    message: "invalid-national-id-year",
                    args: Args::new().with("year", year.to_string()),
                });
            }
        }
        Ok(Self(digits))
    }

    /// An ID as the register already holds it (checked when it was recorded).
    pub fn stored(s: String) -> Self {
        Self(s)
    }

    /// Builds a valid ID from its parts (the demo generator uses this).
    pub fn compose(province: u16, sex: Sex, birth_year: i32, serial: u32) -> String {
        let century = (birth_year - 1900).div_euclid(100) as u32;
        let digit = century * 2 + u32::from(sex == Sex::Female);
        format!(
            "{province:03}{digit}{:02}{:06}",
            birth_year.rem_euclid(100),
            serial % 1_000_000
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Vietnamese phone number: 10 digits starting with 0 (a leading +84 or 84 is turned into
/// 0; a 9-digit number that lost its leading zero in a spreadsheet gets it back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Result<Self> {
        let mut digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
        if s.trim_start().starts_with('+') || (digits.starts_with("84") && digits.len() == 11) {
            digits = format!("0{}", &digits[2.min(digits.len())..]);
        } else if digits.len() == 9 && !digits.starts_with('0') {
            digits.insert(0, '0');
        }
        if digits.len() != 10 || !digits.starts_with('0') {
            return Err(Error::invalid("phone", "invalid-phone"));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 27);

    #[test]
    fn birth_dates_keep_their_precision() {
        assert_eq!(
            BirthDate::parse("1958", TODAY).map(|b| b.display()).ok(),
            Some("1958".into())
        );
        assert_eq!(
            BirthDate::parse("3/1958", TODAY).map(|b| b.display()).ok(),
            Some("03/1958".into())
        );
        assert_eq!(
            BirthDate::parse("5/3/1978", TODAY)
                .map(|b| b.display())
                .ok(),
            Some("05/03/1978".into())
        );
        assert!(BirthDate::parse("31/2/1978", TODAY).is_err());
        assert!(BirthDate::parse("2030", TODAY).is_err());
        let b = BirthDate::parse("1958", TODAY).ok();
        assert_eq!(b.map(|b| b.age_at(date!(2026 - 06 - 01))), Some(67));
    }

    #[test]
    fn national_ids_agree_with_sex_and_birth_year() {
        let birth = BirthDate::parse("05/03/1978", TODAY).ok();
        let id = NationalId::compose(1, Sex::Female, 1978, 42);
        assert_eq!(id, "001178000042");
        assert!(NationalId::parse(&id, Sex::Female, birth.as_ref()).is_ok());
        assert!(NationalId::parse(&id, Sex::Male, birth.as_ref()).is_err());
        assert!(NationalId::parse("001179000042", Sex::Female, birth.as_ref()).is_err());
        assert!(NationalId::parse("003178000042", Sex::Female, birth.as_ref()).is_err());
        assert!(NationalId::parse("00117800004", Sex::Female, birth.as_ref()).is_err());
        assert_eq!(
            NationalId::compose(79, Sex::Female, 2003, 7),
            "079303000007"
        );
    }

    #[test]
    fn phones_get_their_leading_zero_back() {
        assert_eq!(
            Phone::parse("912345678").map(|p| p.0).ok(),
            Some("0912345678".into())
        );
        assert_eq!(
            Phone::parse("+84 912 345 678").map(|p| p.0).ok(),
            Some("0912345678".into())
        );
        assert!(Phone::parse("12345").is_err());
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(
            FullName::parse("  nguyễn   Thị Lan ").map(|n| n.0).ok(),
            Some("nguyễn Thị Lan".into())
        );
        assert!(FullName::parse("Lan123").is_err());
    }
}
