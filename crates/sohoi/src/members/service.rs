//! Service functions of the register. Each takes the request context (the caller's access and
//! a transaction) and writes the projection, the ledger event and the statistics together.

use serde::Serialize;
use time::Date;

use super::ledger::{self, Audit};
use super::model::{Event, EventKind, Member, MemberInput, Status};
use super::store::{self, ListFilter, NewEvent};
use crate::auth::access::{Authority, Roots, Tiers};
use crate::ctx::Ctx;
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

async fn member_unit(ctx: &mut Ctx, code: &str, at: Date) -> Result<Unit> {
    let unit = org::tree::find(ctx, code, at).await?;
    receiving(unit, at)
}

/// Where a transfer sends a member: any unit that holds members, in the caller's reach or
/// not — a commune sends a member on to wherever she moves, and she then leaves the
/// officer's view. The pages and the API follow this one rule.
async fn destination(ctx: &mut Ctx, code: &str, at: Date) -> Result<Unit> {
    let parsed = org::UnitCode::parse(code).map_err(|c| Error::not_found("unit", c))?;
    let unit = org::store::by_code(&mut ctx.tx, parsed.as_str(), at)
        .await?
        .ok_or_else(|| Error::not_found("unit", parsed.as_str()))?;
    receiving(unit, at)
}

/// A unit that may receive members at `at`.
fn receiving(unit: Unit, at: Date) -> Result<Unit> {
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
async fn refuse_active_duplicate(
    ctx: &mut Ctx,
    nid: Option<&str>,
    except: Option<i64>,
) -> Result<()> {
    let Some(nid) = nid else { return Ok(()) };
    let Some((id, name, unit_code, unit_name)) =
        store::active_by_national_id(&mut ctx.tx, nid).await?
    else {
        return Ok(());
    };
    if Some(id) == except {
        return Ok(());
    }
    let unit = org::store::by_code(&mut ctx.tx, &unit_code, ctx.today).await?;
    let visible = match unit {
        Some(u) => ctx.ensure_view(u.id, &u.code).await.is_ok(),
        None => false,
    };
    if visible {
        return Err(Error::Conflict {
            message: "conflict-national-id",
            args: Args::new()
                .with("name", name)
                .with("id", id.to_string())
                .with("unit", format!("{unit_name} ({unit_code})")),
        });
    }
    Err(Error::Conflict {
        message: "conflict-national-id-elsewhere",
        args: Args::new(),
    })
}

async fn province_of(tx: &mut Tx, unit: &Unit, at: Date) -> Result<i64> {
    province_in(&org::store::ancestors(tx, unit.id, at).await?)
}

/// The province in a unit's path (the ledger's partition key).
fn province_in(path: &[Unit]) -> Result<i64> {
    path.iter()
        .find(|u| u.kind == UnitKind::Province)
        .map(|u| u.id)
        .ok_or_else(|| Error::invalid("unit", "invalid-unit-level"))
}

/// The commune-level unit above (or at) `unit`, where duplicates are looked for.
async fn commune_of(tx: &mut Tx, unit: &Unit, at: Date) -> Result<i64> {
    Ok(commune_in(
        &org::store::ancestors(tx, unit.id, at).await?,
        unit,
    ))
}

fn commune_in(path: &[Unit], unit: &Unit) -> i64 {
    path.iter()
        .find(|u| matches!(u.kind, UnitKind::Commune | UnitKind::Agency))
        .map_or(unit.id, |u| u.id)
}

/// Members who may be the same person as `input` if she were added to `unit_code`: same
/// normalised name and birth year in the same commune. For a form to warn before saving.
pub async fn possible_duplicates(
    ctx: &mut Ctx,
    unit_code: &str,
    input: &MemberInput,
) -> Result<Vec<Similar>> {
    let today = ctx.today;
    let unit = member_unit(ctx, unit_code, today).await?;
    let commune = commune_of(&mut ctx.tx, &unit, today).await?;
    let name_fold = crate::text::fold(input.full_name.as_str());
    let rows = store::similar_under(
        &mut ctx.tx,
        &name_fold,
        input.birth.map(|b| b.year),
        commune,
        today,
    )
    .await?;
    visible_similar(ctx, rows).await
}

/// Possible duplicates the caller may see (a branch officer sees only her branch's).
async fn visible_similar(ctx: &mut Ctx, rows: Vec<store::SimilarRow>) -> Result<Vec<Similar>> {
    let today = ctx.today;
    let mut visible = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(unit) = org::store::by_code(&mut ctx.tx, &row.5, today).await?
            && ctx.ensure_view(unit.id, &unit.code).await.is_ok()
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
pub async fn add(ctx: &mut Ctx, unit_code: &str, input: MemberInput) -> Result<Added> {
    let today = ctx.today;
    let unit = member_unit(ctx, unit_code, today).await?;
    ctx.require(Authority::EditMembers, unit.id, &unit.code)
        .await?;
    check_new(&unit, &input, today)?;
    refuse_active_duplicate(ctx, input.national_id.as_ref().map(|n| n.as_str()), None).await?;
    let path = org::tree::path(ctx, &unit, today).await?;
    let commune = commune_in(&path, &unit);
    let name_fold = crate::text::fold(input.full_name.as_str());
    let rows = store::similar_under(
        &mut ctx.tx,
        &name_fold,
        input.birth.map(|b| b.year),
        commune,
        today,
    )
    .await?;
    let similar = visible_similar(ctx, rows).await?;
    let province = province_in(&path)?;
    let id = store::insert(&mut ctx.tx, province, unit.id, &input).await?;
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
        recorded_by: ctx.access.actor(),
        recorded_at: &now,
    };
    let subject = id.to_string();
    let entry = Audit {
        action: "member.add",
        unit_id: Some(unit.id),
        subject: Some(&subject),
        detail: None,
    };
    ledger::record(&mut ctx.tx, &[event], ctx.access.actor(), entry).await?;
    Ok(Added { id, similar })
}

/// A member the caller may see: "not found" where she sees nothing of the member's unit,
/// "forbidden" where she sees the unit but may not view its members (a case worker).
async fn visible(ctx: &mut Ctx, id: i64) -> Result<Member> {
    let member = store::get(&mut ctx.tx, id)
        .await?
        .ok_or_else(|| Error::not_found("member", id.to_string()))?;
    match ctx
        .require(Authority::ViewMembers, member.unit_id, &member.unit_code)
        .await
    {
        Ok(()) => Ok(member),
        Err(Error::Forbidden) => Err(Error::Forbidden),
        Err(_) => Err(Error::not_found("member", id.to_string())),
    }
}

/// A member as the caller may see her, without writing an audit entry: for filling in what
/// a write leaves unsaid, never for showing (showing goes through [`show`]).
pub async fn current(ctx: &mut Ctx, id: i64) -> Result<Member> {
    let member = visible(ctx, id).await?;
    let tiers = ctx
        .access
        .tiers_at(&mut ctx.tx, member.unit_id, ctx.today)
        .await?;
    Ok(member.redacted_for(&tiers))
}

/// A member the caller may change, at the version she last saw.
async fn editable(ctx: &mut Ctx, id: i64, version: i32) -> Result<Member> {
    let member = visible(ctx, id).await?;
    ctx.require(Authority::EditMembers, member.unit_id, &member.unit_code)
        .await?;
    if member.version != version {
        return Err(stale());
    }
    Ok(member)
}

/// A new movement may not come before the member's latest one: the ledger stays in order.
async fn refuse_out_of_order(ctx: &mut Ctx, member: &Member, effective_on: Date) -> Result<()> {
    if effective_on > ctx.today {
        return Err(Error::invalid("effective_on", "invalid-future-date"));
    }
    if let Some(last) = store::last_movement(&mut ctx.tx, member.id).await?
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
    Error::Conflict {
        message: "conflict-stale",
        args: Args::new(),
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub member: Member,
    pub history: Vec<Event>,
}

/// A member's record and ledger. Reads of sensitive fields are written to the audit log;
/// a caller without the grant sees them blank.
pub async fn show(ctx: &mut Ctx, id: i64) -> Result<MemberView> {
    let member = visible(ctx, id).await?;
    let history = store::history(&mut ctx.tx, id).await?;
    let tiers = ctx
        .access
        .tiers_at(&mut ctx.tx, member.unit_id, ctx.today)
        .await?;
    let read: Vec<&str> = crate::auth::Tier::MEMBER
        .iter()
        .filter(|t| tiers.has(**t))
        .map(|t| t.as_str())
        .collect();
    if !read.is_empty() {
        ctx.audit_read(
            "member.view_sensitive",
            Some(member.unit_id),
            Some(&id.to_string()),
            Some(&read.join(",")),
        )
        .await?;
    }
    let history = history
        .into_iter()
        .map(|e| redact_event(e, &tiers))
        .collect();
    Ok(MemberView {
        member: member.redacted_for(&tiers),
        history,
    })
}

/// A ledger row as a caller holding `tiers` may read it: its classifications and its
/// recorded changes lose what she may not read, derived segments included.
fn redact_event(mut e: Event, tiers: &Tiers) -> Event {
    for class in std::iter::once(&mut e.class).chain(e.before.as_mut()) {
        class.redact_for(tiers);
    }
    if let Some(serde_json::Value::Object(changes)) = &mut e.changes {
        use crate::auth::Tier;
        for (field, tier) in [
            ("ethnicity", Tier::EthnicityReligion),
            ("religion", Tier::EthnicityReligion),
            ("segments", Tier::EthnicityReligion),
            ("national_id", Tier::Identity),
            ("party_member", Tier::Party),
        ] {
            if !tiers.has(tier) {
                changes.remove(field);
            }
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
    field(
        "full_name",
        json!(old.full_name),
        json!(new.full_name.as_str()),
    );
    field(
        "birth_date",
        json!(old.birth.map(|b| b.display())),
        json!(new.birth.map(|b| b.display())),
    );
    field("sex", json!(old.sex.as_str()), json!(new.sex.as_str()));
    field("honorary", json!(old.honorary), json!(new.honorary));
    field(
        "national_id",
        json!(old.national_id),
        json!(new.national_id.as_ref().map(|n| n.as_str())),
    );
    field(
        "phone",
        json!(old.phone),
        json!(new.phone.as_ref().map(|p| p.as_str())),
    );
    field("address", json!(old.address), json!(new.address));
    field("ethnicity", json!(old.ethnicity), json!(new.ethnicity));
    field("religion", json!(old.religion), json!(new.religion));
    field("education", json!(old.education), json!(new.education));
    field(
        "qualification",
        json!(old.qualification),
        json!(new.qualification),
    );
    field(
        "political_theory",
        json!(old.political_theory),
        json!(new.political_theory),
    );
    field("occupation", json!(old.occupation), json!(new.occupation));
    field(
        "party_member",
        json!(old.party_member),
        json!(Some(new.party_member)),
    );
    field("segments", json!(old.segments), json!(new.segments));
    field(
        "card_number",
        json!(old.card_number),
        json!(new.card_number),
    );
    field(
        "joined_on",
        json!(old.joined_on.map(crate::clock::vn_date)),
        json!(crate::clock::vn_date(new.joined_on)),
    );
    changes
}

/// Corrects a member's record: a "corrected" event holds what changed; if she is counted
/// and her classification changed, the statistics move her between cells. `version` is the
/// one the editor loaded: a save over someone else's newer save is refused.
pub async fn edit(
    ctx: &mut Ctx,
    id: i64,
    version: i32,
    mut input: MemberInput,
    effective_on: Date,
) -> Result<bool> {
    let old = editable(ctx, id, version).await?;
    // What the caller cannot see, she cannot change: those fields keep their stored values.
    let tiers = ctx
        .access
        .tiers_at(&mut ctx.tx, old.unit_id, ctx.today)
        .await?;
    keep_unseen(&mut input, &old, &tiers);
    // The join date is the date of the "joined" event: it changes through the ledger, not here.
    if old.joined_on.is_some_and(|j| j != input.joined_on) {
        return Err(Error::invalid("joined_on", "invalid-joined-on-change"));
    }
    refuse_out_of_order(ctx, &old, effective_on).await?;
    check_charter(&input)?;
    refuse_active_duplicate(
        ctx,
        input.national_id.as_ref().map(|n| n.as_str()),
        Some(id),
    )
    .await?;
    let changes = diff(&old, &input);
    if changes.is_empty() {
        return Ok(false);
    }
    if !store::update_fields(&mut ctx.tx, id, version, &input).await? {
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
        recorded_by: ctx.access.actor(),
        recorded_at: &now,
    };
    let subject = id.to_string();
    let entry = Audit {
        action: "member.edit",
        unit_id: Some(old.unit_id),
        subject: Some(&subject),
        detail: None,
    };
    ledger::record(&mut ctx.tx, &[event], ctx.access.actor(), entry).await?;
    Ok(true)
}

/// Fields the caller may not read keep their stored values, whatever the form sent.
fn keep_unseen(input: &mut MemberInput, old: &Member, tiers: &Tiers) {
    use crate::auth::Tier;
    if !tiers.has(Tier::EthnicityReligion) {
        input.ethnicity = old.ethnicity.clone();
        input.religion = old.religion.clone();
        // Derived segments: as stored, whatever was sent; the others as sent.
        input
            .segments
            .retain(|s| !super::model::DERIVED_SEGMENTS.contains(&s.as_str()));
        input.segments.extend(
            old.segments
                .iter()
                .filter(|s| super::model::DERIVED_SEGMENTS.contains(&s.as_str()))
                .cloned(),
        );
    }
    if !tiers.has(Tier::Party) {
        input.party_member = old.party_member.unwrap_or(false);
    }
    if !tiers.has(Tier::Identity) {
        input.national_id = old
            .national_id
            .clone()
            .map(super::domain::NationalId::stored);
    }
}

/// Moves an active member to another unit: a "transferred out" event at the old unit and a
/// "transferred in" event at the new one, effective the same day, in one transaction. The
/// caller must be able to change the member; the destination may lie outside her scope
/// (a commune sends a member on to wherever she moves): she then leaves the caller's view.
/// Answers the record as the transfer left it, as the caller could read it before.
pub async fn transfer(
    ctx: &mut Ctx,
    id: i64,
    version: i32,
    to_code: &str,
    effective_on: Date,
    note: Option<&str>,
) -> Result<Member> {
    let member = editable(ctx, id, version).await?;
    if member.status != Status::Active {
        return Err(Error::invalid("status", "invalid-not-active"));
    }
    let to = destination(ctx, to_code, effective_on).await?;
    if to.id == member.unit_id {
        return Err(Error::invalid("unit", "invalid-same-unit"));
    }
    refuse_out_of_order(ctx, &member, effective_on).await?;
    let to_province = province_of(&mut ctx.tx, &to, effective_on).await?;
    let class = member.class();
    let now = crate::clock::now_text();
    let events = [
        (
            EventKind::TransferredOut,
            member.unit_id,
            to.id,
            member.province_id,
        ),
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
        recorded_by: ctx.access.actor(),
        recorded_at: &now,
    });
    let subject = id.to_string();
    let entry = Audit {
        action: "member.transfer",
        unit_id: Some(member.unit_id),
        subject: Some(&subject),
        detail: Some(&to.code),
    };
    ledger::record(&mut ctx.tx, &events, ctx.access.actor(), entry).await?;
    if !store::set_place(&mut ctx.tx, id, version, Status::Active, to.id, to_province).await? {
        return Err(stale());
    }
    let tiers = ctx
        .access
        .tiers_at(&mut ctx.tx, member.unit_id, ctx.today)
        .await?;
    let moved = store::get(&mut ctx.tx, id)
        .await?
        .ok_or_else(|| Error::not_found("member", id.to_string()))?;
    Ok(moved.redacted_for(&tiers))
}

/// How a membership ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Left,
    Died,
}

/// Ends an active membership (left the Union, or died).
pub async fn end(
    ctx: &mut Ctx,
    id: i64,
    version: i32,
    how: Ending,
    effective_on: Date,
    note: Option<&str>,
) -> Result<()> {
    let member = editable(ctx, id, version).await?;
    if member.status != Status::Active {
        return Err(Error::invalid("status", "invalid-not-active"));
    }
    refuse_out_of_order(ctx, &member, effective_on).await?;
    let (kind, status) = match how {
        Ending::Left => (EventKind::Left, Status::Left),
        Ending::Died => (EventKind::Died, Status::Died),
    };
    write_status_event(ctx, &member, version, kind, status, effective_on, note).await
}

/// Restores a member who had left (not one who died).
///
/// A member whose unit has since merged away is restored into the unit it went into, from
/// the merge on, and the answer names it; a restoration dated before the merge is refused
/// with the merge's date, since the merge would have moved her had she been a member then.
pub async fn restore(
    ctx: &mut Ctx,
    id: i64,
    version: i32,
    effective_on: Date,
    note: Option<&str>,
) -> Result<Option<String>> {
    let mut member = editable(ctx, id, version).await?;
    if member.status != Status::Left {
        return Err(Error::invalid("status", "invalid-not-left"));
    }
    refuse_out_of_order(ctx, &member, effective_on).await?;
    refuse_active_duplicate(ctx, member.national_id.as_deref(), Some(member.id)).await?;
    let unit = org::store::by_id(&mut ctx.tx, member.unit_id, effective_on).await?;
    let mut successor = None;
    if unit.is_none_or(|u| u.valid_to != crate::store::OPEN_END) {
        let merged = org::store::merged_into(&mut ctx.tx, member.unit_id).await?;
        let Some((to, _)) = merged.clone().filter(|(_, on)| *on <= effective_on) else {
            return Err(match merged {
                Some((to, on)) => Error::Invalid {
                    field: "effective_on",
                    message: "invalid-restore-before-merge",
                    args: Args::new()
                        .with("unit", format!("{} ({})", to.name, to.code))
                        .with("date", crate::clock::vn_date(on)),
                },
                None => Error::invalid("unit", "invalid-unit-closed"),
            });
        };
        ctx.require(Authority::EditMembers, to.id, &to.code).await?;
        member.province_id = province_of(&mut ctx.tx, &to, effective_on).await?;
        member.unit_id = to.id;
        member.unit_code = to.code.clone();
        successor = Some(to.code);
    }
    write_status_event(
        ctx,
        &member,
        version,
        EventKind::Restored,
        Status::Active,
        effective_on,
        note,
    )
    .await?;
    Ok(successor)
}

#[allow(clippy::too_many_arguments)]
async fn write_status_event(
    ctx: &mut Ctx,
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
        recorded_by: ctx.access.actor(),
        recorded_at: &now,
    };
    let action = format!("member.{}", kind.as_str());
    let subject = member.id.to_string();
    let entry = Audit {
        action: &action,
        unit_id: Some(member.unit_id),
        subject: Some(&subject),
        detail: note,
    };
    ledger::record(&mut ctx.tx, &[event], ctx.access.actor(), entry).await?;
    if !store::set_place(
        &mut ctx.tx,
        member.id,
        version,
        status,
        member.unit_id,
        member.province_id,
    )
    .await?
    {
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
pub async fn search(
    ctx: &mut Ctx,
    query: &str,
    under: Option<&str>,
    limit: i64,
) -> Result<Vec<Member>> {
    let words: Vec<String> = crate::text::fold(query)
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(vec![]);
    }
    let today = ctx.today;
    let roots: Vec<Option<Unit>> = match (under, ctx.access.roots(Authority::ViewMembers)) {
        (Some(code), _) => {
            let unit = org::tree::find(ctx, code, today).await?;
            ctx.require(Authority::ViewMembers, unit.id, &unit.code)
                .await?;
            vec![Some(unit)]
        }
        (None, Roots::All) => vec![None],
        (None, Roots::Units { subtrees, units }) => {
            let mut roots = Vec::new();
            for id in subtrees.into_iter().chain(units) {
                roots.extend(org::store::by_id(&mut ctx.tx, id, today).await?.map(Some));
            }
            roots
        }
    };
    let family_first = words.join(" ");
    let given_first = match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{last} {}", rest.join(" ")),
        _ => family_first.clone(),
    };
    let mut ids = Vec::new();
    let listed_at = if under.is_some() {
        roots.first().cloned().flatten()
    } else {
        None
    };
    for root in roots {
        let province = match &root {
            None => None,
            Some(u) if u.kind == UnitKind::Central => None,
            Some(u) if u.kind == UnitKind::Province => Some(u.id),
            Some(u) => {
                ids.extend(store::words_under(&mut ctx.tx, u.id, today, &words, limit).await?);
                continue;
            }
        };
        ids.extend(
            store::prefix_ids(
                &mut ctx.tx,
                store::NameKey::GivenFirst,
                &given_first,
                province,
                limit,
            )
            .await?,
        );
        ids.extend(
            store::prefix_ids(
                &mut ctx.tx,
                store::NameKey::FamilyFirst,
                &family_first,
                province,
                limit,
            )
            .await?,
        );
    }
    ids.sort_unstable();
    ids.dedup();
    let mut found = store::by_ids(&mut ctx.tx, &ids).await?;
    found.sort_by_cached_key(|m| (crate::text::person_sort_key(&m.full_name), m.id));
    found.truncate(limit as usize);
    redact_all(ctx, found, listed_at.as_ref()).await
}

/// Members as the caller may read each of them: the tiers she holds at each one's unit.
async fn redact_all(
    ctx: &mut Ctx,
    members: Vec<Member>,
    listed_at: Option<&Unit>,
) -> Result<Vec<Member>> {
    let units: Vec<i64> = members.iter().map(|m| m.unit_id).collect();
    let tiers = ctx.access.tiers_for(&mut ctx.tx, &units, ctx.today).await?;
    let none = Tiers::default();
    let members: Vec<Member> = members
        .into_iter()
        .map(|m| {
            let t = tiers.get(&m.unit_id).unwrap_or(&none).clone();
            m.redacted_for(&t)
        })
        .collect();
    // A list or search that carries sensitive fields is a read of them: one audit entry per
    // request, with how many records showed which.
    let shown = members
        .iter()
        .filter(|m| {
            m.national_id.is_some()
                || m.ethnicity.is_some()
                || m.religion.is_some()
                || m.party_member.is_some()
        })
        .count();
    if shown > 0 {
        let detail = format!("records={shown}");
        let (unit, code) = (listed_at.map(|u| u.id), listed_at.map(|u| u.code.as_str()));
        ctx.audit_read("member.list_sensitive", unit, code, Some(&detail))
            .await?;
    }
    Ok(members)
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
pub fn filter(
    status: Option<&str>,
    segment: Option<&str>,
    age: Option<&str>,
    today: Date,
) -> Result<ListFilter> {
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
    Ok(ListFilter {
        status,
        segment: given(segment).map(String::from),
        born,
    })
}

/// One page of the members under a unit, in Vietnamese name order. Filtering by the
/// ethnic-minority or religious segment needs the sensitive grant: without it, the filter
/// is refused rather than letting a count reveal what the caller may not see.
pub async fn list(
    ctx: &mut Ctx,
    unit_code: &str,
    filter: &ListFilter,
    page: i64,
    per_page: i64,
) -> Result<Page> {
    let today = ctx.today;
    let unit = org::tree::find(ctx, unit_code, today).await?;
    ctx.require(Authority::ViewMembers, unit.id, &unit.code)
        .await?;
    if let Some(segment) = filter.segment.as_deref() {
        if !super::codes::SEGMENTS.contains(&segment) {
            return Err(Error::invalid("segments", "invalid-code"));
        }
        // Filtering by a derived segment needs the tier over the whole subtree listed.
        if super::model::DERIVED_SEGMENTS.contains(&segment)
            && !ctx
                .access
                .tier_over(
                    &mut ctx.tx,
                    crate::auth::Tier::EthnicityReligion,
                    unit.id,
                    today,
                )
                .await?
        {
            return Err(Error::Forbidden);
        }
    }
    let per_page = per_page.clamp(1, 5000);
    let page = page.clamp(1, 1_000_000);
    // The active members of a unit are its maintained count: no need to count them again.
    let plain =
        filter.status == Some(Status::Active) && filter.segment.is_none() && filter.born.is_none();
    let known = if plain {
        Some(
            crate::stats::stock_at(&mut ctx.tx, &[unit.id], "all", today)
                .await?
                .values()
                .sum(),
        )
    } else {
        None
    };
    let (members, total) = store::page_under(
        &mut ctx.tx,
        unit.id,
        today,
        filter,
        (page - 1) * per_page,
        per_page,
        known,
    )
    .await?;
    let members = redact_all(ctx, members, Some(&unit)).await?;
    Ok(Page {
        members,
        total,
        page,
        per_page,
    })
}
