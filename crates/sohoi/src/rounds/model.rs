//! The records of a report round.

use serde::Serialize;
use time::Date;

/// A response's place in its cycle: not started → draft → submitted → returned (with a
/// reason) or approved; an approved response may be reopened (back to draft, with a reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    Draft,
    Submitted,
    Returned,
    Approved,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::NotStarted,
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Approved,
    ];

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// In: the level above has it (submitted or approved).
    pub fn is_in(self) -> bool {
        matches!(self, Status::Submitted | Status::Approved)
    }
}

impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for Round
where
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Date: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<Date>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Round {
            id: row.try_get("id")?,
            form_id: row.try_get("form_id")?,
            form_code: row.try_get("form_code")?,
            form_version: row.try_get("form_version")?,
            form_name: row.try_get("form_name")?,
            period: row.try_get("period")?,
            period_from: row.try_get("period_from")?,
            period_to: row.try_get("period_to")?,
            opener_id: row.try_get("opener_id")?,
            opener_code: row.try_get("opener_code")?,
            opener_name: row.try_get("opener_name")?,
            target_kind: row.try_get("target_kind")?,
            cutoff: row.try_get("cutoff")?,
            due: row.try_get("due")?,
            closes: row.try_get("closes")?,
            opened_by: row.try_get("opened_by")?,
            opened_at: row.try_get("opened_at")?,
        })
    }
}

/// A form sent by a unit to the units of a kind below it, for a period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Round {
    pub id: i64,
    pub form_id: i64,
    pub form_code: String,
    pub form_version: i64,
    pub form_name: String,
    /// As typed when opened: 2026-H1, 2026.
    pub period: String,
    #[serde(with = "crate::org::model::iso_date")]
    #[schema(value_type = String)]
    pub period_from: Date,
    #[serde(with = "crate::org::model::iso_date")]
    #[schema(value_type = String)]
    pub period_to: Date,
    pub opener_id: i64,
    pub opener_code: String,
    pub opener_name: String,
    pub target_kind: String,
    /// Computed figures are taken at the end of this day.
    #[serde(with = "crate::org::model::iso_date")]
    #[schema(value_type = String)]
    pub cutoff: Date,
    /// Submitted by this day: on time.
    #[serde(with = "crate::org::model::iso_date")]
    #[schema(value_type = String)]
    pub due: Date,
    /// After this day no entry without a late-entry window: locked.
    #[serde(with = "crate::org::model::iso_date::option")]
    #[schema(value_type = Option<String>)]
    pub closes: Option<Date>,
    pub opened_by: String,
    pub opened_at: String,
}

/// One unit's answer to a round.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Response {
    pub id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: String,
    pub parent_unit_id: Option<i64>,
    pub depth: i64,
    #[sqlx(try_from = "i64")]
    pub is_target: Flag,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[serde(with = "crate::org::model::iso_date")]
    #[schema(value_type = String)]
    pub due: Date,
    #[serde(with = "crate::org::model::iso_date::option")]
    #[schema(value_type = Option<String>)]
    pub closes: Option<Date>,
    #[serde(with = "crate::org::model::iso_date::option")]
    #[schema(value_type = Option<String>)]
    pub late_until: Option<Date>,
    #[serde(with = "crate::org::model::iso_date::option")]
    #[schema(value_type = Option<String>)]
    pub submitted_on: Option<Date>,
    #[sqlx(try_from = "i64")]
    pub late: Flag,
    #[sqlx(try_from = "i64")]
    pub waived: Flag,
    /// The reason of the last return, reopening or waiver.
    pub reason: Option<String>,
    #[sqlx(try_from = "i64")]
    pub approved_once: Flag,
    /// Entries changed after the response was first approved.
    pub changed_after_approval: i64,
    pub document_id: Option<i64>,
    pub version: i64,
}

impl Response {
    /// The status in words: "Đã duyệt (muộn)", "Được miễn nộp".
    pub fn status_text(&self, t: &crate::i18n::Translator) -> String {
        if self.waived.0 {
            return t.msg("round-status-waived");
        }
        let s = t.msg(&format!(
            "round-status-{}",
            self.status.as_str().replace('_', "-")
        ));
        if self.status.is_in() && self.late.0 {
            format!("{s} ({})", t.msg("round-late"))
        } else {
            s
        }
    }
}

/// A 0/1 column read as a boolean on both engines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(n: i64) -> Self {
        Flag(n != 0)
    }
}

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl From<Flag> for i64 {
    fn from(f: Flag) -> i64 {
        i64::from(f.0)
    }
}

impl TryFrom<String> for Status {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Status::parse(&s).ok_or(s)
    }
}

/// One entry of a response's history.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Event {
    pub response_id: i64,
    /// entered, submitted, returned, approved, reopened, waived, late_granted, deadlines.
    pub kind: String,
    pub indicator: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    pub actor: String,
    pub at: String,
}

/// Completeness of the targets under a response (or the change one transition makes to it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Progress {
    pub expected: i64,
    pub not_started: i64,
    pub draft: i64,
    pub submitted: i64,
    pub returned: i64,
    pub approved: i64,
    pub waived: i64,
    /// Of those in (submitted or approved), how many came by the due date.
    pub on_time: i64,
    pub late: i64,
}

impl Progress {
    /// Not in and not waived: what the level above still waits for.
    pub fn missing(&self) -> i64 {
        self.not_started + self.draft + self.returned
    }

    /// Where one target stands: a single 1 in its bucket (waived counts apart from status).
    pub fn of(r: &Response) -> Progress {
        let mut p = Progress::default();
        if r.waived.0 {
            p.waived = 1;
            return p;
        }
        match r.status {
            Status::NotStarted => p.not_started = 1,
            Status::Draft => p.draft = 1,
            Status::Submitted => p.submitted = 1,
            Status::Returned => p.returned = 1,
            Status::Approved => p.approved = 1,
        }
        if r.status.is_in() {
            if r.late.0 {
                p.late = 1;
            } else {
                p.on_time = 1;
            }
        }
        p
    }

    /// `after - before`, field by field.
    pub fn change(before: &Progress, after: &Progress) -> Progress {
        Progress {
            expected: after.expected - before.expected,
            not_started: after.not_started - before.not_started,
            draft: after.draft - before.draft,
            submitted: after.submitted - before.submitted,
            returned: after.returned - before.returned,
            approved: after.approved - before.approved,
            waived: after.waived - before.waived,
            on_time: after.on_time - before.on_time,
            late: after.late - before.late,
        }
    }

    pub fn is_zero(&self) -> bool {
        *self == Progress::default()
    }
}
