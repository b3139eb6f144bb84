//! A member as typed (in a form, on the command line, in a spreadsheet row): every field is
//! text. `parse` turns it into a [`MemberInput`] or lists every field that is wrong, so a
//! form can show all its errors at once and keep what was typed.

use serde::{Deserialize, Serialize};
use time::Date;

use super::codes;
use super::domain::{BirthDate, FullName, NationalId, Phone, Sex};
use super::model::{Class, Member, MemberInput};
use crate::error::Error;

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RawMember {
    pub full_name: String,
    pub birth_date: String,
    pub sex: String,
    pub honorary: bool,
    pub national_id: String,
    pub phone: String,
    pub address: String,
    pub ethnicity: String,
    pub religion: String,
    pub education: String,
    pub qualification: String,
    pub political_theory: String,
    pub occupation: String,
    pub party_member: bool,
    pub segments: String,
    pub card_number: String,
    pub joined_on: String,
}

fn optional(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

fn code(
    list: &[&'static str],
    field: &'static str,
    value: &str,
    errors: &mut Vec<Error>,
) -> Option<String> {
    let value = optional(value)?;
    match codes::known(list, value) {
        Some(code) => Some(code.to_string()),
        None => {
            errors.push(Error::invalid(field, "invalid-code"));
            None
        }
    }
}

impl RawMember {
    /// The record as typed, back from a stored member (to fill an edit form).
    pub fn from_member(m: &Member) -> Self {
        RawMember {
            full_name: m.full_name.clone(),
            birth_date: m.birth.map(|b| b.display()).unwrap_or_default(),
            sex: m.sex.as_str().into(),
            honorary: m.honorary,
            national_id: m.national_id.clone().unwrap_or_default(),
            phone: m.phone.clone().unwrap_or_default(),
            address: m.address.clone().unwrap_or_default(),
            ethnicity: m.ethnicity.clone().unwrap_or_default(),
            religion: m.religion.clone().unwrap_or_default(),
            education: m.education.clone().unwrap_or_default(),
            qualification: m.qualification.clone().unwrap_or_default(),
            political_theory: m.political_theory.clone().unwrap_or_default(),
            occupation: m.occupation.clone().unwrap_or_default(),
            party_member: m.party_member.unwrap_or(false),
            segments: m.segments.join(","),
            card_number: m.card_number.clone().unwrap_or_default(),
            joined_on: m.joined_on.map(crate::clock::vn_date).unwrap_or_default(),
        }
    }

    /// Parses every field; on failure, every error (one per wrong field).
    pub fn parse(&self, today: Date) -> Result<MemberInput, Vec<Error>> {
        let mut errors = Vec::new();
        let full_name = FullName::parse(&self.full_name)
            .map_err(|e| errors.push(e))
            .ok();
        let sex = match optional(&self.sex) {
            None => Some(Sex::Female),
            Some(s) => Sex::parse(s).map_err(|e| errors.push(e)).ok(),
        };
        let birth = optional(&self.birth_date)
            .and_then(|s| BirthDate::parse(s, today).map_err(|e| errors.push(e)).ok());
        let national_id = match (optional(&self.national_id), sex) {
            (Some(s), Some(sex)) => NationalId::parse(s, sex, birth.as_ref())
                .map_err(|e| errors.push(e))
                .ok(),
            _ => None,
        };
        let phone =
            optional(&self.phone).and_then(|s| Phone::parse(s).map_err(|e| errors.push(e)).ok());
        let ethnicity = optional(&self.ethnicity).and_then(|s| match codes::ethnicity_code(s) {
            Some(c) => Some(c.to_string()),
            None => {
                errors.push(Error::invalid("ethnicity", "invalid-code"));
                None
            }
        });
        let religion = code(&codes::RELIGIONS, "religion", &self.religion, &mut errors);
        let education = code(&codes::EDUCATION, "education", &self.education, &mut errors);
        let qualification = code(
            &codes::QUALIFICATIONS,
            "qualification",
            &self.qualification,
            &mut errors,
        );
        let political_theory = code(
            &codes::POLITICAL_THEORY,
            "political_theory",
            &self.political_theory,
            &mut errors,
        );
        let occupation = code(
            &codes::OCCUPATIONS,
            "occupation",
            &self.occupation,
            &mut errors,
        );
        let segments = Class::parse_segments(&self.segments);
        if segments
            .iter()
            .any(|s| codes::known(&codes::SEGMENTS, s).is_none())
        {
            errors.push(Error::invalid("segments", "invalid-code"));
        }
        for (field, text, max) in [
            ("address", &self.address, crate::text::limits::ADDRESS),
            (
                "card_number",
                &self.card_number,
                crate::text::limits::CARD_NUMBER,
            ),
            ("segments", &self.segments, crate::text::limits::SEGMENTS),
        ] {
            if let Err(e) = crate::text::within(field, text, max) {
                errors.push(e);
            }
        }
        let joined_on = match optional(&self.joined_on) {
            None => Some(today),
            Some(s) => match crate::clock::parse_date(s) {
                Some(d) => Some(d),
                None => {
                    errors.push(Error::invalid("joined_on", "invalid-date"));
                    None
                }
            },
        };
        match (full_name, sex, joined_on) {
            (Some(full_name), Some(sex), Some(joined_on)) if errors.is_empty() => Ok(MemberInput {
                full_name,
                birth,
                sex,
                honorary: self.honorary,
                national_id,
                phone,
                address: optional(&self.address).map(crate::text::clean),
                ethnicity,
                religion,
                education,
                qualification,
                political_theory,
                occupation,
                party_member: self.party_member,
                segments,
                card_number: optional(&self.card_number).map(crate::text::clean),
                joined_on,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_wrong_field_is_reported() {
        let raw = RawMember {
            full_name: "".into(),
            birth_date: "31/02/1980".into(),
            phone: "12".into(),
            ..Default::default()
        };
        let errors = raw
            .parse(date!(2026 - 11 - 27))
            .expect_err("three fields are wrong");
        assert_eq!(errors.len(), 3);
    }

    #[test]
    fn a_plain_record_parses() {
        let raw = RawMember {
            full_name: " Nguyễn  Thị Thủy ".into(),
            birth_date: "1980".into(),
            ethnicity: "Kinh".into(),
            joined_on: "01/03/2005".into(),
            ..Default::default()
        };
        let m = raw.parse(date!(2026 - 11 - 27)).expect("valid");
        assert_eq!(m.full_name.as_str(), "Nguyễn Thị Thủy");
        assert_eq!(m.ethnicity.as_deref(), Some("01"));
    }
}
