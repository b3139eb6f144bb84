use serde::Serialize;
use time::Date;

use super::domain::{BirthDate, FullName, NationalId, Phone, Sex};
use crate::auth::access::{Tier, Tiers};

/// What happened to a membership (DESIGN principle 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Joined,
    TransferredOut,
    TransferredIn,
    Left,
    Died,
    Restored,
    Corrected,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        Self::Joined,
        Self::TransferredOut,
        Self::TransferredIn,
        Self::Left,
        Self::Died,
        Self::Restored,
        Self::Corrected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Joined => "joined",
            Self::TransferredOut => "transferred_out",
            Self::TransferredIn => "transferred_in",
            Self::Left => "left",
            Self::Died => "died",
            Self::Restored => "restored",
            Self::Corrected => "corrected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Left,
    Died,
    /// Transferred out of the register's tree (kept for records that leave the Union's
    /// care through another organisation).
    Transferred,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Left => "left",
            Status::Died => "died",
            Status::Transferred => "transferred",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Status::Active,
            Status::Left,
            Status::Died,
            Status::Transferred,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The part of a member record that the statistics count by. Each ledger event carries it
/// as it was at the event, so that the event's effect on the statistics depends on the
/// event row alone.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Class {
    pub honorary: bool,
    pub birth_year: Option<i32>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub education: Option<String>,
    pub occupation: Option<String>,
    pub party_member: bool,
    /// Segment codes, sorted, without repeats.
    pub segments: Vec<String>,
}

impl Class {
    /// The classification as a caller holding `tiers` may read it (see [`Member::redacted_for`]).
    pub fn redact_for(&mut self, tiers: &Tiers) {
        if !tiers.has(Tier::EthnicityReligion) {
            self.ethnicity = None;
            self.religion = None;
            self.segments
                .retain(|s| !DERIVED_SEGMENTS.contains(&s.as_str()));
        }
        if !tiers.has(Tier::Party) {
            self.party_member = false;
        }
    }

    pub fn segments_text(&self) -> String {
        self.segments.join(",")
    }

    pub fn parse_segments(s: &str) -> Vec<String> {
        let mut v: Vec<String> = s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Everything typed about a member, parsed and checked.
#[derive(Clone, Debug)]
pub struct MemberInput {
    pub full_name: FullName,
    pub birth: Option<BirthDate>,
    pub sex: Sex,
    pub honorary: bool,
    pub national_id: Option<NationalId>,
    pub phone: Option<Phone>,
    pub address: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub education: Option<String>,
    pub qualification: Option<String>,
    pub political_theory: Option<String>,
    pub occupation: Option<String>,
    pub party_member: bool,
    pub segments: Vec<String>,
    pub card_number: Option<String>,
    pub joined_on: Date,
}

impl MemberInput {
    pub fn class(&self) -> Class {
        Class {
            honorary: self.honorary,
            birth_year: self.birth.map(|b| b.year),
            ethnicity: self.ethnicity.clone(),
            religion: self.religion.clone(),
            education: self.education.clone(),
            occupation: self.occupation.clone(),
            party_member: self.party_member,
            segments: self.segments.clone(),
        }
    }
}

/// A member as the register holds her now. Sensitive fields are `None` for a caller who
/// may not see them (see [`Member::redacted`]).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub status: Status,
    pub honorary: bool,
    pub full_name: String,
    pub birth: Option<BirthDate>,
    pub sex: Sex,
    pub national_id: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub education: Option<String>,
    pub qualification: Option<String>,
    pub political_theory: Option<String>,
    pub occupation: Option<String>,
    pub party_member: Option<bool>,
    pub segments: Vec<String>,
    pub card_number: Option<String>,
    #[serde(with = "crate::org::model::iso_date::option")]
    pub joined_on: Option<Date>,
    pub version: i32,
    #[serde(skip)]
    pub unit_id: i64,
    #[serde(skip)]
    pub province_id: i64,
}

/// Segments derived from ethnicity or religion: whoever may not read those may not read
/// these either.
pub const DERIVED_SEGMENTS: [&str; 2] = ["ethnic_minority", "religious"];

impl Member {
    /// The record as a caller holding `tiers` at her unit may read it: the national ID needs
    /// the identity tier; ethnicity, religion and the segments derived from them the
    /// ethnicity and religion tier; Party membership the Party tier.
    pub fn redacted_for(mut self, tiers: &Tiers) -> Self {
        if !tiers.has(Tier::Identity) {
            self.national_id = None;
        }
        if !tiers.has(Tier::EthnicityReligion) {
            self.ethnicity = None;
            self.religion = None;
            self.segments
                .retain(|s| !DERIVED_SEGMENTS.contains(&s.as_str()));
        }
        if !tiers.has(Tier::Party) {
            self.party_member = None;
        }
        self
    }

    pub fn class(&self) -> Class {
        Class {
            honorary: self.honorary,
            birth_year: self.birth.map(|b| b.year),
            ethnicity: self.ethnicity.clone(),
            religion: self.religion.clone(),
            education: self.education.clone(),
            occupation: self.occupation.clone(),
            party_member: self.party_member.unwrap_or(false),
            segments: self.segments.clone(),
        }
    }
}

/// One ledger row.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub member_id: i64,
    pub kind: EventKind,
    #[serde(with = "crate::org::model::iso_date")]
    pub effective_on: Date,
    pub unit_id: i64,
    pub unit_code: String,
    pub other_unit_code: Option<String>,
    #[serde(skip)]
    pub other_unit_id: Option<i64>,
    pub class: Class,
    /// For a correction of a member counted at the time: her classification before it.
    pub before: Option<Class>,
    /// For a correction: the fields changed, as `{"field": [old, new]}`.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<serde_json::Value>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}
