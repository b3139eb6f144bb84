//! Service functions of the register. Each takes the caller's scope and a transaction and
//! writes the projection, the ledger event and the statistics together.

use serde::Serialize;
use time::Date;

use super::ledger::{self, Audit};
use super::model::{Event, EventKind, Member, MemberInput, Status};
use super::store::{self, ListFilter, NewEvent};
use crate::auth::Scope;
use crate::auth::audit;
use crate::auth::scope::Roots;
use crate::error::{Error, Result};
use crate::i18n::Args;
use crate::org::{self, Unit, UnitKind};
use crate::store::Tx;

/// A possible duplicate: same normalised name and birth year in the same commune.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Similar {
    pub id: i64,
    pub full_name: String,
    pub birth: String,
    pub unit_code: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Added {
    pub id: i64,
    /// Flagged for review, not refused.
    pub similar: Vec<Similar>,
}

/// Members belong to communes, branches, groups and agency unions, never directly to a
/// province or the centre.
fn holds_members(unit: &Unit) -> bool {
    !matches!(unit.kind, UnitKind::Central | UnitKind::Province)
}

async fn member_unit(tx: &mut Tx, scope: &Scope, code: &str, at: Date) -> Result<Unit> {
    let unit = org::tree::find(tx, scope, code, at).await?;
    if !holds_members(&unit) {
        return Err(Error::invalid("unit", "invalid-unit-level"));
    }
    // Members go only to units that still exist: one that has ended (or will, merged or
    // dissolved) would hold them where no count reaches.
    if unit.valid_from > at || unit.valid_to != crate::store::OPEN_END {
        return Err(Error::invalid("unit", "invalid-unit-closed"));
    }
    Ok(unit)
}

/// Rules of the Charter: an ordinary member is a woman aged 18 or more when she joins;
/// honorary members (since 2022) may be men or foreigners.
fn check_charter(m: &MemberInput) -> Result<()> {
    if m.honorary {
        return Ok(());
    }
    if m.sex != super::domain::Sex::Female {
        return Err(Error::invalid("sex", "invalid-ordinary-sex"));
    }
    if let Some(birth) = m.birth
        && birth.age_at(m.joined_on) < 18
    {
        return Err(Error::invalid("birth_date", "invalid-under-18"));
    }
    Ok(())
}

/// The rules a new member must meet in `unit`, before anything is looked up: the unit holds
/// members, she joined on a past day since the unit exists, and the Charter's rules.
pub fn check_new(unit: &Unit, input: &MemberInput, today: Date) -> Result<()> {
    if !holds_members(unit) {
        return Err(Error::invalid("unit", "invalid-unit-level"));
    }
    if input.joined_on > today {
        return Err(Error::invalid("joined_on", "invalid-future-date"));
    }
    if input.joined_on < unit.valid_from {
        return Err(Error::invalid("joined_on", "invalid-before-unit"));
    }
    if unit.valid_to != crate::store::OPEN_END {
        return Err(Error::invalid("unit", "invalid-unit-closed"));
    }
    check_charter(input)
}

/// Refuses a national ID already held by another active member. The holder is named only
/// to a caller who may see her; to anyone else the answer says only that the ID is taken
/// elsewhere, and the attempt is audited (in its own transaction, since this one fails).
async fn refuse_active_duplicate(tx: &mut Tx, scope: &Scope, nid: Option<&str>, except: Option<i64>) -> Result<()> {
    let Some(nid) = nid else { return Ok(()) };
    let Some((id, name, unit_code, unit_name)) = store::active_by_national_id(tx, nid).await? else { return Ok(()) };
    if Some(id) == except {
        return Ok(());
    }
    let unit = org::store::by_code(tx, &unit_code, crate::clock::today()).await?;
    let visible = match unit {
        Some(u) => scope.ensure_view(tx, u.id, crate::clock::today(), &u.code).await.is_ok(),
        None => false,
    };
    if visible {
        return Err(Error::Conflict {
            message: "conflict-national-id",
            args: Args::new().with("name", name).with("id", id.to_string()).with("unit", format!("{unit_name} ({unit_code})")),
        });
    }
    Err(Error::Conflict { message: "conflict-national-id-elsewhere", args: Args::new() })
}

async fn province_of(tx: &mut Tx, unit: &Unit, at: Date) -> Result<i64> {
    province_in(&org::tree::path(tx, unit, at).await?)
}

/// The province in a unit's path (the ledger's partition key).
fn province_in(path: &[Unit]) -> Result<i64> {
    path.iter().find(|u| u.kind == UnitKind::Province).map(|u| u.id).ok_or_else(|| Error::invalid("unit", "invalid-unit-level"))
}

/// The commune-level unit above (or at) `unit`, where duplicates are looked for.
async fn commune_of(tx: &mut Tx, unit: &Unit, at: Date) -> Result<i64> {
    Ok(commune_in(&org::tree::path(tx, unit, at).await?, unit))
}

fn commune_in(path: &[Unit], unit: &Unit) -> i64 {
    path.iter().find(|u| matches!(u.kind, UnitKind::Commune | UnitKind::Agency)).map_or(unit.id, |u| u.id)
}

/// Members who may be the same person as `input` if she were added to `unit_code`: same
/// normalised name and birth year in the same commune. For a form to warn before saving.
pub async fn possible_duplicates(tx: &mut Tx, scope: &Scope, unit_code: &str, input: &MemberInput) -> Result<Vec<Similar>> {
    let today = crate::clock::today();
    let unit = member_unit(tx, scope, unit_code, today).await?;
    let commune = commune_of(tx, &unit, today).await?;
    let name_fold = crate::text::fold(input.full_name.as_str());
    let rows = store::similar_under(tx, &name_fold, input.birth.map(|b| b.year), commune, today).await?;
    visible_similar(tx, scope, rows).await
}

/// Possible duplicates the caller may see (a branch officer sees only her branch's).
async fn visible_similar(tx: &mut Tx, scope: &Scope, rows: Vec<store::SimilarRow>) -> Result<Vec<Similar>> {
    let today = crate::clock::today();
    let mut visible = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(unit) = org::store::by_code(tx, &row.5, today).await?
            && scope.ensure_view(tx, unit.id, today, &unit.code).await.is_ok()
        {
            visible.push(row);
        }
    }
    Ok(similar_rows(visible))
}

fn similar_rows(rows: Vec<store::SimilarRow>) -> Vec<Similar> {
    rows.into_iter()
        .map(|(id, full_name, y, m, d, unit_code)| Similar {
            id,
            full_name,
            birth: y
                .map(|y| {
                    super::domain::BirthDate {
                        year: y,
                        month: m.and_then(|m| u8::try_from(m).ok()),
                        day: d.and_then(|d| u8::try_from(d).ok()),
                    }
                    .display()
                })
                .unwrap_or_default(),
            unit_code,
        })
        .collect()
}

/// Records a new member in `unit_code`: the projection, a "joined" event effective on her
/// join date, the statistics and her search entry, in one transaction.
pub async fn add(tx: &mut Tx, scope: &Scope, unit_code: &str, input: MemberInput) -> Result<Added> {
    let today = crate::clock::today();
    let unit = member_unit(tx, scope, unit_code, today).await?;
    scope.ensure_edit(tx, unit.id, today, &unit.code).await?;
    check_new(&unit, &input, today)?;
    refuse_active_duplicate(tx, scope, input.national_id.as_ref().map(|n| n.as_str()), None).await?;
    let path = org::tree::path(tx, &unit, today).await?;
    let commune = commune_in(&path, &unit);
    let name_fold = crate::text::fold(input.full_name.as_str());
    let rows = store::similar_under(tx, &name_fold, input.birth.map(|b| b.year), commune, today).await?;
    let similar = visible_similar(tx, scope, rows).await?;
    let province = province_in(&path)?;
    let id = store::insert(tx, province, unit.id, &input).await?;
    let class = input.class();
    let now = crate::clock::now_text();
    let event = NewEvent {
        province_id: province,
        member_id: id,
        kind: EventKind::Joined,
        effective_on: input.joined_on,
        unit_id: unit.id,
        other_unit_id: None,
        class: &class,
        before: None,
        changes: None,
        note: None,
        recorded_by: scope.actor(),
        recorded_at: &now,
    };
    let subject = id.to_string();
    let entry = Audit { action: "member.add", unit_id: Some(unit.id), subject: Some(&subject), detail: None };
    ledger::record(tx, &[event], scope.actor(), entry).await?;
    Ok(Added { id, similar })
}

/// A member the caller may see; "not found" otherwise.
async fn visible(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Member> {
    let member = store::get(tx, id).await?.ok_or_else(|| Error::not_found("member", id.to_string()))?;
    let today = crate::clock::today();
    scope.ensure_view(tx, member.unit_id, today, &member.unit_code).await.map_err(|_| Error::not_found("member", id.to_string()))?;
    Ok(member)
}

/// A member as the caller may see her, without writing an audit entry: for filling in what
/// a write leaves unsaid, never for showing (showing goes through [`show`]).
pub async fn current(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Member> {
    let member = visible(tx, scope, id).await?;
    Ok(if scope.sees_sensitive() { member } else { member.redacted() })
}

/// A member the caller may change, at the version she last saw.
async fn editable(tx: &mut Tx, scope: &Scope, id: i64, version: i32) -> Result<Member> {
    let member = visible(tx, scope, id).await?;
    scope.ensure_edit(tx, member.unit_id, crate::clock::today(), &member.unit_code).await?;
    if member.version != version {
        return Err(stale());
    }
    Ok(member)
}

/// A new movement may not come before the member's latest one: the ledger stays in order.
async fn refuse_out_of_order(tx: &mut Tx, member: &Member, effective_on: Date) -> Result<()> {
    if effective_on > crate::clock::today() {
        return Err(Error::invalid("effective_on", "invalid-future-date"));
    }
    if let Some(last) = store::last_movement(tx, member.id).await?
        && effective_on < last
    {
        return Err(Error::Invalid {
            field: "effective_on",
            message: "invalid-before-last-movement",
            args: Args::new().with("date", crate::clock::vn_date(last)),
        });
    }
    Ok(())
}

fn stale() -> Error {
    Error::Conflict { message: "conflict-stale", args: Args::new() }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub member: Member,
    pub history: Vec<Event>,
}

/// A member's record and ledger. Reads of sensitive fields are written to the audit log;
/// a caller without the grant sees them blank.
pub async fn show(tx: &mut Tx, scope: &Scope, id: i64) -> Result<MemberView> {
    let member = visible(tx, scope, id).await?;
    let history = store::history(tx, id).await?;
    if scope.sees_sensitive() {
        audit::record(tx, scope.actor(), "member.view_sensitive", Some(member.unit_id), Some(&id.to_string()), None).await?;
        Ok(MemberView { member, history })
    } else {
        let history = history.into_iter().map(redact_event).collect();
        Ok(MemberView { member: member.redacted(), history })
    }
}

fn redact_event(mut e: Event) -> Event {
    for class in std::iter::once(&mut e.class).chain(e.before.as_mut()) {
        class.ethnicity = None;
        class.religion = None;
        class.party_member = false;
    }
    if let Some(serde_json::Value::Object(changes)) = &mut e.changes {
        for field in ["ethnicity", "religion", "national_id", "party_member"] {
            changes.remove(field);
        }
    }
    e
}

/// The fields that differ between a member and a corrected input, as `{"field": [old, new]}`.
fn diff(old: &Member, new: &MemberInput) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let mut changes = serde_json::Map::new();
    let mut field = |name: &str, a: serde_json::Value, b: serde_json::Value| {
        if a != b {
            changes.insert(name.into(), json!([a, b]));
        }
    };
    field("full_name", json!(old.full_name), json!(new.full_name.as_str()));
    field("birth_date", json!(old.birth.map(|b| b.display())), json!(new.birth.map(|b| b.display())));
    field("sex", json!(old.sex.as_str()), json!(new.sex.as_str()));
    field("honorary", json!(old.honorary), json!(new.honorary));
    field("national_id", json!(old.national_id), json!(new.national_id.as_ref().map(|n| n.as_str())));
    field("phone", json!(old.phone), json!(new.phone.as_ref().map(|p| p.as_str())));
    field("address", json!(old.address), json!(new.address));
    field("ethnicity", json!(old.ethnicity), json!(new.ethnicity));
    field("religion", json!(old.religion), json!(new.religion));
    field("education", json!(old.education), json!(new.education));
    field("qualification", json!(old.qualification), json!(new.qualification));
    field("political_theory", json!(old.political_theory), json!(new.political_theory));
    field("occupation", json!(old.occupation), json!(new.occupation));
    field("party_member", json!(old.party_member), json!(Some(new.party_member)));
    field("segments", json!(old.segments), json!(new.segments));
    field("card_number", json!(old.card_number), json!(new.card_number));
    field("joined_on", json!(old.joined_on.map(crate::clock::vn_date)), json!(crate::clock::vn_date(new.joined_on)));
    changes
}

/// Corrects a member's record: a "corrected" event holds what changed; if she is counted
/// and her classification changed, the statistics move her between cells. `version` is the
/// one the editor loaded: a save over someone else's newer save is refused.
pub async fn edit(tx: &mut Tx, scope: &Scope, id: i64, version: i32, mut input: MemberInput, effective_on: Date) -> Result<bool> {
    let old = editable(tx, scope, id, version).await?;
    if !scope.sees_sensitive() {
        // What the caller cannot see, she cannot change.
        input.ethnicity = old.ethnicity.clone();
        input.religion = old.religion.clone();
        input.party_member = old.party_member.unwrap_or(false);
        input.national_id = old.national_id.clone().map(super::domain::NationalId::stored);
    }
    // The join date is the date of the "joined" event: it changes through the ledger, not here.
    if old.joined_on.is_some_and(|j| j != input.joined_on) {
        return Err(Error::invalid("joined_on", "invalid-joined-on-change"));
    }
    refuse_out_of_order(tx, &old, effective_on).await?;
    check_charter(&input)?;
    refuse_active_duplicate(tx, scope, input.national_id.as_ref().map(|n| n.as_str()), Some(id)).await?;
    let changes = diff(&old, &input);
    if changes.is_empty() {
        return Ok(false);
    }
    if !store::update_fields(tx, id, version, &input).await? {
        return Err(stale());
    }
    let class = input.class();
    let counted = old.status == Status::Active;
    let before = old.class();
    let before = (counted && before != class).then_some(before);
    let now = crate::clock::now_text();
    let event = NewEvent {
        province_id: old.province_id,
        member_id: id,
        kind: EventKind::Corrected,
        effective_on,
        unit_id: old.unit_id,
        other_unit_id: None,
        class: &class,
        before: before.as_ref(),
        changes: Some(serde_json::Value::Object(changes)),
        note: None,
        recorded_by: scope.actor(),
        recorded_at: &now,
    };
    let subject = id.to_string();
    let entry = Audit { action: "member.edit", unit_id: Some(old.unit_id), subject: Some(&subject), detail: None };
    ledger::record(tx, &[event], scope.actor(), entry).await?;
    Ok(true)
}

/// Moves an active member to another unit: a "transferred out" event at the old unit and a
/// "transferred in" event at the new one, effective the same day, in one transaction. The
/// caller must be able to change the member; the destination may lie outside her scope
/// (a commune sends a member on to wherever she moves).
pub async fn transfer(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    version: i32,
    to_code: &str,
    effective_on: Date,
    note: Option<&str>,
) -> Result<()> {
    let member = editable(tx, scope, id, version).await?;
    if member.status != Status::Active {
        return Err(Error::invalid("status", "invalid-not-active"));
    }
    let everywhere = Scope::system(scope.actor());
    let to = member_unit(tx, &everywhere, to_code, effective_on).await?;
    if to.id == member.unit_id {
        return Err(Error::invalid("unit", "invalid-same-unit"));
    }
    refuse_out_of_order(tx, &member, effective_on).await?;
    let to_province = province_of(tx, &to, effective_on).await?;
    let class = member.class();
    let now = crate::clock::now_text();
    let events = [
        (EventKind::TransferredOut, member.unit_id, to.id, member.province_id),
        (EventKind::TransferredIn, to.id, member.unit_id, to_province),
    ]
    .map(|(kind, unit, other, province)| NewEvent {
        province_id: province,
        member_id: id,
        kind,
        effective_on,
        unit_id: unit,
        other_unit_id: Some(other),
        class: &class,
        before: None,
        changes: None,
        note,
        recorded_by: scope.actor(),
        recorded_at: &now,
    });
    let subject = id.to_string();
    let entry = Audit { action: "member.transfer", unit_id: Some(member.unit_id), subject: Some(&subject), detail: Some(&to.code) };
    ledger::record(tx, &events, scope.actor(), entry).await?;
    if !store::set_place(tx, id, version, Status::Active, to.id, to_province).await? {
        return Err(stale());
    }
    Ok(())
}

/// How a membership ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Left,
    Died,
}

/// Ends an active membership (left the Union, or died).
pub async fn end(tx: &mut Tx, scope: &Scope, id: i64, version: i32, how: Ending, effective_on: Date, note: Option<&str>) -> Result<()> {
    let member = editable(tx, scope, id, version).await?;
    if member.status != Status::Active {
        return Err(Error::invalid("status", "invalid-not-active"));
    }
    refuse_out_of_order(tx, &member, effective_on).await?;
    let (kind, status) = match how {
        Ending::Left => (EventKind::Left, Status::Left),
        Ending::Died => (EventKind::Died, Status::Died),
    };
    write_status_event(tx, scope, &member, version, kind, status, effective_on, note).await
}

/// Restores a member who had left (not one who died).
pub async fn restore(tx: &mut Tx, scope: &Scope, id: i64, version: i32, effective_on: Date, note: Option<&str>) -> Result<()> {
    let member = editable(tx, scope, id, version).await?;
    if member.status != Status::Left {
        return Err(Error::invalid("status", "invalid-not-left"));
    }
    refuse_out_of_order(tx, &member, effective_on).await?;
    refuse_active_duplicate(tx, scope, member.national_id.as_deref(), Some(member.id)).await?;
    write_status_event(tx, scope, &member, version, EventKind::Restored, Status::Active, effective_on, note).await
}

#[allow(clippy::too_many_arguments)]
async fn write_status_event(
    tx: &mut Tx,
    scope: &Scope,
    member: &Member,
    version: i32,
    kind: EventKind,
    status: Status,
    effective_on: Date,
    note: Option<&str>,
) -> Result<()> {
    let class = member.class();
    let now = crate::clock::now_text();
    let event = NewEvent {
        province_id: member.province_id,
        member_id: member.id,
        kind,
        effective_on,
        unit_id: member.unit_id,
        other_unit_id: None,
        class: &class,
        before: None,
        changes: None,
        note,
        recorded_by: scope.actor(),
        recorded_at: &now,
    };
    let action = format!("member.{}", kind.as_str());
    let subject = member.id.to_string();
    let entry = Audit { action: &action, unit_id: Some(member.unit_id), subject: Some(&subject), detail: note };
    ledger::record(tx, &[event], scope.actor(), entry).await?;
    if !store::set_place(tx, member.id, version, status, member.unit_id, member.province_id).await? {
        return Err(stale());
    }
    Ok(())
}

/// Members whose name matches `query` ignoring case and diacritics, within the caller's
/// scope (and under `under`, if given), in Vietnamese name order.
///
/// A query matches a name that starts with it ("nguyen thi l"), or whose given name starts
/// with its last word and whose family and middle names start with the words before
/// ("thuy", "tran huong"). Nationally and in a province these are index range scans; under a
/// smaller unit every word may match anywhere in the name.
pub async fn search(tx: &mut Tx, scope: &Scope, query: &str, under: Option<&str>, limit: i64) -> Result<Vec<Member>> {
    let words: Vec<String> = crate::text::fold(query)
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(vec![]);
    }
    let today = crate::clock::today();
    let roots: Vec<Option<Unit>> = match (under, scope.view_roots()) {
        (Some(code), _) => vec![Some(org::tree::find(tx, scope, code, today).await?)],
        (None, Roots::All) => vec![None],
        (None, Roots::Units(ids)) => {
            let mut units = Vec::new();
            for id in ids {
                units.extend(org::store::by_id(tx, *id, today).await?.map(Some));
            }
            units
        }
    };
    let family_first = words.join(" ");
    let given_first = match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{last} {}", rest.join(" ")),
        _ => family_first.clone(),
    };
    let mut ids = Vec::new();
    for root in roots {
        let province = match &root {
            None => None,
            Some(u) if u.kind == UnitKind::Central => None,
            Some(u) if u.kind == UnitKind::Province => Some(u.id),
            Some(u) => {
                ids.extend(store::words_under(tx, u.id, today, &words, limit).await?);
                continue;
            }
        };
        ids.extend(store::prefix_ids(tx, store::NameKey::GivenFirst, &given_first, province, limit).await?);
        ids.extend(store::prefix_ids(tx, store::NameKey::FamilyFirst, &family_first, province, limit).await?);
    }
    ids.sort_unstable();
    ids.dedup();
    let mut found = store::by_ids(tx, &ids).await?;
    found.sort_by_cached_key(|m| (crate::text::person_sort_key(&m.full_name), m.id));
    found.truncate(limit as usize);
    Ok(redact_all(scope, found))
}

fn redact_all(scope: &Scope, members: Vec<Member>) -> Vec<Member> {
    if scope.sees_sensitive() { members } else { members.into_iter().map(Member::redacted).collect() }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub members: Vec<Member>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A list filter as typed in a page's or a program's query: a status (`active`, `left`,
/// `died`, `all`; active when absent), a segment code, an age band of
/// [`crate::reports::summary::AGE_BANDS`] (such as `31-45`) counted at `today`.
pub fn filter(status: Option<&str>, segment: Option<&str>, age: Option<&str>, today: Date) -> Result<ListFilter> {
    fn given(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let status = match given(status) {
        None => Some(Status::Active),
        Some("all") => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| Error::invalid("status", "invalid-code"))?),
    };
    let born = match given(age) {
        None => None,
        Some(band) => {
            let (_, low, high) = crate::reports::summary::AGE_BANDS
                .iter()
                .find(|(name, _, _)| *name == band)
                .ok_or_else(|| Error::invalid("age", "invalid-code"))?;
            Some((today.year() - high.min(&150), today.year() - low))
        }
    };
    Ok(ListFilter { status, segment: given(segment).map(String::from), born })
}

/// One page of the members under a unit, in Vietnamese name order. Filtering by the
/// ethnic-minority or religious segment needs the sensitive grant: without it, the filter
/// is refused rather than letting a count reveal what the caller may not see.
pub async fn list(tx: &mut Tx, scope: &Scope, unit_code: &str, filter: &ListFilter, page: i64, per_page: i64) -> Result<Page> {
    let today = crate::clock::today();
    let unit = org::tree::find(tx, scope, unit_code, today).await?;
    if let Some(segment) = filter.segment.as_deref() {
        if !super::codes::SEGMENTS.contains(&segment) {
            return Err(Error::invalid("segments", "invalid-code"));
        }
        if crate::reports::summary::SENSITIVE_SEGMENTS.contains(&segment) && !scope.sees_sensitive() {
            return Err(Error::Forbidden);
        }
    }
    let per_page = per_page.clamp(1, 5000);
    let page = page.clamp(1, 1_000_000);
    // The active members of a unit are its maintained count: no need to count them again.
    let plain = filter.status == Some(Status::Active) && filter.segment.is_none() && filter.born.is_none();
    let known = if plain { Some(crate::stats::stock_at(tx, &[unit.id], "all", today).await?.values().sum()) } else { None };
    let (members, total) = store::page_under(tx, unit.id, today, filter, (page - 1) * per_page, per_page, known).await?;
    Ok(Page { members: redact_all(scope, members), total, page, per_page })
}
