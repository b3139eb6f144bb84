//! The database side of an import: where each row goes, whether she is already in the
//! register, and the writes — corrections through the service layer (ledger, statistics,
//! audit), new members in bulk with their "joined" events and one batch of statistics.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::errors::Rejected;
use super::header::Mapping;
use super::{Parsed, Report, RowError, RowRepair, SheetReport};
use crate::auth::Authority;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::i18n::{Lang, translator};
use crate::members::input::RawMember;
use crate::members::ledger::{self, Bulk};
use crate::members::model::{EventKind, Member, MemberInput, Status};
use crate::members::service;
use crate::members::store::{self, BulkEvent, BulkMember};
use crate::org::{Unit, UnitKind};
use crate::store::Tx;

/// Where the members of an import go, and what is known about them so far.
pub struct Target {
    root: Unit,
    /// Every unit under the commune-level unit whose branches rows may name.
    under_commune: HashSet<i64>,
    /// Branch names, folded and without "chi hội", to units.
    branches: HashMap<String, Unit>,
    /// Per unit: the units that count its members, and its province.
    chains: HashMap<i64, (Vec<(i64, UnitKind)>, i64)>,
    editable: HashMap<i64, bool>,
    /// National IDs and card numbers already met in this file (hashed): (sheet, row).
    seen: HashMap<u64, (usize, u32)>,
    /// Members already matched by a row of this file.
    matched: HashSet<i64>,
    /// The new members' events, appended chunk by chunk, their statistics written at the end.
    ledger: Bulk,
    today: time::Date,
    /// Rows dated in a locked period are held back rather than moved to the first open day.
    hold_locked: bool,
}

/// A national ID or card number as a small key (a million of them stay small in memory).
fn key(kind: &str, value: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (kind, value).hash(&mut h);
    h.finish()
}

fn branch_key(name: &str) -> String {
    let folded = crate::text::fold(name);
    let folded = folded.trim();
    folded
        .strip_prefix("chi hoi ")
        .unwrap_or(folded)
        .trim()
        .to_string()
}

impl Target {
    pub async fn resolve(ctx: &mut Ctx, code: &str) -> Result<Target> {
        let today = ctx.today;
        let root = crate::org::tree::find(ctx, code, today).await?;
        ctx.require(Authority::EditMembers, root.id, &root.code)
            .await?;
        let path = crate::org::tree::path(ctx, &root, today).await?;
        let commune = path
            .iter()
            .find(|u| matches!(u.kind, UnitKind::Commune | UnitKind::Agency))
            .map_or(root.id, |u| u.id);
        let units = crate::org::store::descendants(&mut ctx.tx, commune, today, 8).await?;
        let mut branches = HashMap::new();
        for u in &units {
            if matches!(u.kind, UnitKind::Branch | UnitKind::Group) {
                branches
                    .entry(branch_key(&u.name))
                    .or_insert_with(|| u.clone());
                branches
                    .entry(crate::text::fold(&u.code))
                    .or_insert_with(|| u.clone());
            }
        }
        Ok(Target {
            under_commune: units.iter().map(|u| u.id).chain([commune]).collect(),
            root,
            branches,
            chains: HashMap::new(),
            editable: HashMap::new(),
            seen: HashMap::new(),
            matched: HashSet::new(),
            ledger: Bulk::new(ctx.access.actor()),
            today,
            hold_locked: false,
        })
    }

    pub fn holding_locked(mut self, hold: bool) -> Self {
        self.hold_locked = hold;
        self
    }

    async fn chain(&mut self, tx: &mut Tx, unit: i64) -> Result<(Vec<(i64, UnitKind)>, i64)> {
        if let Some(c) = self.chains.get(&unit) {
            return Ok(c.clone());
        }
        let chain = crate::org::store::ancestors_with_kind(&mut *tx, unit, self.today).await?;
        let province = chain
            .iter()
            .find(|(_, k)| *k == UnitKind::Province)
            .map_or(unit, |(id, _)| *id);
        self.chains.insert(unit, (chain.clone(), province));
        Ok((chain, province))
    }

    async fn may_edit(&mut self, ctx: &mut Ctx, unit: &Unit) -> Result<bool> {
        if let Some(ok) = self.editable.get(&unit.id) {
            return Ok(*ok);
        }
        let ok = ctx
            .require(Authority::EditMembers, unit.id, &unit.code)
            .await
            .is_ok();
        self.editable.insert(unit.id, ok);
        Ok(ok)
    }

    /// Validates and writes one chunk of rows.
    #[allow(clippy::too_many_arguments)]
    pub async fn chunk(
        &mut self,
        ctx: &mut Ctx,
        rows: Vec<Parsed>,
        sheets: &[SheetReport],
        mappings: &[Option<Mapping>],
        lang: Lang,
        report: &mut Report,
        rejected: &mut Rejected,
    ) -> Result<()> {
        let t = translator(lang);
        // Parse each row and find its unit; what fails is reported and set aside.
        let mut ready: Vec<(Parsed, MemberInput, Unit)> = Vec::with_capacity(rows.len());
        for parsed in rows {
            let Some(mapping) = mappings.get(parsed.sheet).and_then(Option::as_ref) else {
                continue;
            };
            let sheet = &sheets[parsed.sheet].name;
            report.repair_count += parsed.repairs.len() as u64;
            for r in parsed
                .repairs
                .iter()
                .take(super::MAX_LISTED.saturating_sub(report.repairs.len()))
            {
                report.repairs.push(RowRepair {
                    sheet: sheet.clone(),
                    row: parsed.row,
                    column: mapping.header(r.column),
                    from: r.from.clone(),
                    to: r.to.clone(),
                    reason: t.msg(r.reason),
                });
            }
            let unit = match &parsed.branch {
                None => self.root.clone(),
                Some(name) => match self
                    .branches
                    .get(&branch_key(name))
                    .or_else(|| self.branches.get(&crate::text::fold(name)))
                {
                    Some(u) => u.clone(),
                    None => {
                        let e = Error::invalid("branch", "invalid-branch-not-found");
                        reject(report, rejected, sheet, &parsed, mapping, &[e], lang);
                        continue;
                    }
                },
            };
            match parsed.raw.parse(self.today) {
                Ok(input) => ready.push((parsed, input, unit)),
                Err(errors) => reject(report, rejected, sheet, &parsed, mapping, &errors, lang),
            }
        }

        // Who is already in the register.
        let nids: Vec<String> = ready
            .iter()
            .filter_map(|(_, i, _)| i.national_id.as_ref().map(|n| n.as_str().to_string()))
            .collect();
        let cards: Vec<String> = ready
            .iter()
            .filter_map(|(_, i, _)| i.card_number.clone())
            .collect();
        let folds: Vec<String> = ready
            .iter()
            .filter(|(_, i, _)| i.national_id.is_none() && i.card_number.is_none())
            .map(|(_, i, _)| crate::text::fold(i.full_name.as_str()))
            .collect();
        let known = store::matching(&mut ctx.tx, &nids, &cards, &folds).await?;

        let mut new_members: Vec<(Parsed, MemberInput, Unit)> = Vec::new();
        for (parsed, input, unit) in ready {
            let sheet = sheets[parsed.sheet].name.clone();
            let Some(mapping) = mappings.get(parsed.sheet).and_then(Option::as_ref) else {
                continue;
            };
            let keys: Vec<u64> = input
                .national_id
                .as_ref()
                .map(|n| key("id", n.as_str()))
                .into_iter()
                .chain(input.card_number.as_ref().map(|c| key("card", c)))
                .collect();
            if let Some((s, r)) = keys.iter().find_map(|k| self.seen.get(k)) {
                let message = t.msg_with(
                    "invalid-duplicate-row",
                    &crate::i18n::Args::new()
                        .with("sheet", sheets[*s].name.clone())
                        .num("row", *r as f64),
                );
                let column = if input.national_id.is_some() {
                    "national_id"
                } else {
                    "card_number"
                };
                reject_with(report, rejected, &sheet, &parsed, mapping, column, message);
                continue;
            }
            for k in keys {
                self.seen.insert(k, (parsed.sheet, parsed.row));
            }
            match self.existing(&known, &input) {
                Some(member) if self.matched.insert(member.id) => {
                    match self.correct(ctx, member, &parsed, mapping, &unit).await {
                        Ok(true) => report.updated += 1,
                        Ok(false) => report.unchanged += 1,
                        Err(e) => reject(report, rejected, &sheet, &parsed, mapping, &[e], lang),
                    }
                }
                Some(_) => {
                    let message = t.msg("invalid-duplicate-member");
                    reject_with(
                        report,
                        rejected,
                        &sheet,
                        &parsed,
                        mapping,
                        "full_name",
                        message,
                    );
                }
                None => {
                    if let Err(e) = service::check_new(&unit, &input, self.today) {
                        reject(report, rejected, &sheet, &parsed, mapping, &[e], lang);
                    } else if !self.may_edit(ctx, &unit).await? {
                        reject(
                            report,
                            rejected,
                            &sheet,
                            &parsed,
                            mapping,
                            &[Error::Forbidden],
                            lang,
                        );
                    } else {
                        // An approved report locks its period: the row is not refused for it,
                        // but entered on the first open day (shown among the repairs) or held
                        // back for the level above, as the officer chose.
                        let mut input = input;
                        let open = crate::rounds::lock::first_open_day(
                            &mut ctx.tx,
                            unit.id,
                            input.joined_on,
                            self.today,
                        )
                        .await?;
                        match open {
                            Some(day) if day == input.joined_on => {
                                new_members.push((parsed, input, unit));
                            }
                            Some(day) if !self.hold_locked => {
                                push_repair(
                                    report,
                                    RowRepair {
                                        sheet: sheet.clone(),
                                        row: parsed.row,
                                        column: joined_column(mapping),
                                        from: crate::clock::vn_date(input.joined_on),
                                        to: crate::clock::vn_date(day),
                                        reason: t.msg("repair-locked-period"),
                                    },
                                );
                                input.joined_on = day;
                                new_members.push((parsed, input, unit));
                            }
                            // Held back: listed with the repairs and written to the workbook
                            // of rows not imported, but not an error — the rest goes in.
                            _ => {
                                let message = t.msg_with(
                                    "invalid-row-locked-held",
                                    &crate::i18n::Args::new()
                                        .with("date", crate::clock::vn_date(input.joined_on)),
                                );
                                push_repair(
                                    report,
                                    RowRepair {
                                        sheet: sheet.clone(),
                                        row: parsed.row,
                                        column: joined_column(mapping),
                                        from: crate::clock::vn_date(input.joined_on),
                                        to: t.msg("import-held"),
                                        reason: message.clone(),
                                    },
                                );
                                rejected.add_row(&sheet, parsed.row, &parsed.cells, message);
                            }
                        }
                    }
                }
            }
        }
        self.add_new(&mut ctx.tx, new_members, report).await
    }

    /// The member a row stands for: her national ID (active anywhere), else her card number
    /// in this commune, else one member of this commune with her name and birth date.
    fn existing<'a>(&self, known: &'a [Member], input: &MemberInput) -> Option<&'a Member> {
        if let Some(nid) = &input.national_id {
            return known.iter().find(|m| {
                m.status == Status::Active && m.national_id.as_deref() == Some(nid.as_str())
            });
        }
        let here = |m: &&Member| self.under_commune.contains(&m.unit_id);
        if let Some(card) = &input.card_number {
            return known
                .iter()
                .filter(here)
                .find(|m| m.card_number.as_deref() == Some(card.as_str()));
        }
        let fold = crate::text::fold(input.full_name.as_str());
        let mut same = known
            .iter()
            .filter(here)
            .filter(|m| crate::text::fold(&m.full_name) == fold && m.birth == input.birth);
        match (same.next(), same.next()) {
            (Some(m), None) => Some(m),
            _ => None,
        }
    }

    /// Brings a stored member in line with her row: only the columns the file has; a
    /// correction event when something changed, a transfer when the row names another branch.
    async fn correct(
        &mut self,
        ctx: &mut Ctx,
        member: &Member,
        parsed: &Parsed,
        mapping: &Mapping,
        unit: &Unit,
    ) -> Result<bool> {
        let visible = service::current(ctx, member.id)
            .await
            .map_err(|_| Error::Conflict {
                message: "conflict-national-id-elsewhere",
                args: crate::i18n::Args::new(),
            })?;
        let mut merged = RawMember::from_member(&visible);
        let typed = &parsed.raw;
        for (_, field, _) in &mapping.columns {
            let value =
                |s: &String| -> Option<String> { (!s.trim().is_empty()).then(|| s.clone()) };
            match field.as_str() {
                "full_name" => merged.full_name = typed.full_name.clone(),
                "birth_date" => {
                    merged.birth_date = value(&typed.birth_date).unwrap_or(merged.birth_date)
                }
                "sex" => merged.sex = value(&typed.sex).unwrap_or(merged.sex),
                "national_id" => {
                    merged.national_id = value(&typed.national_id).unwrap_or(merged.national_id)
                }
                "phone" => merged.phone = typed.phone.clone(),
                "address" => merged.address = typed.address.clone(),
                "ethnicity" => merged.ethnicity = typed.ethnicity.clone(),
                "religion" => merged.religion = typed.religion.clone(),
                "education" => merged.education = typed.education.clone(),
                "qualification" => merged.qualification = typed.qualification.clone(),
                "political_theory" => merged.political_theory = typed.political_theory.clone(),
                "occupation" => merged.occupation = typed.occupation.clone(),
                "party_member" => merged.party_member = typed.party_member,
                "card_number" => {
                    merged.card_number = value(&typed.card_number).unwrap_or(merged.card_number)
                }
                "joined_on" => {
                    merged.joined_on = value(&typed.joined_on).unwrap_or(merged.joined_on)
                }
                _ => {}
            }
        }
        let input = merged
            .parse(self.today)
            .map_err(|mut errors| errors.remove(0))?;
        let changed = service::edit(ctx, member.id, visible.version, input, self.today).await?;
        let moved =
            parsed.branch.is_some() && unit.id != member.unit_id && member.status == Status::Active;
        if moved {
            let version = visible.version + i32::from(changed);
            service::transfer(ctx, member.id, version, &unit.code, self.today, None).await?;
        }
        Ok(changed || moved)
    }

    /// New members in bulk: the projection, the "joined" events and their statistics.
    async fn add_new(
        &mut self,
        tx: &mut Tx,
        rows: Vec<(Parsed, MemberInput, Unit)>,
        report: &mut Report,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let member_ids = store::reserve_ids(&mut *tx, "members", rows.len()).await?;
        let event_ids = store::reserve_ids(&mut *tx, "member_events", rows.len()).await?;
        let mut members = Vec::with_capacity(rows.len());
        let mut events = Vec::with_capacity(rows.len());
        for (((_, input, unit), id), event_id) in rows.into_iter().zip(member_ids).zip(event_ids) {
            let (_, province) = self.chain(&mut *tx, unit.id).await?;
            let class = input.class();
            events.push(BulkEvent {
                id: event_id,
                province_id: province,
                member_id: id,
                kind: EventKind::Joined,
                effective_on: input.joined_on,
                unit_id: unit.id,
                other_unit_id: None,
                class,
            });
            members.push(BulkMember {
                id,
                province_id: province,
                unit_id: unit.id,
                status: Status::Active,
                input,
            });
        }
        store::bulk_insert(&mut *tx, &members).await?;
        let chains = &self.chains;
        self.ledger
            .append(&mut *tx, &events, |e| {
                Cow::Borrowed(chains.get(&e.unit_id).map_or(&[][..], |(chain, _)| chain))
            })
            .await?;
        report.added += members.len() as u64;
        Ok(())
    }

    /// Writes the statistics of the new members and the import's audit entry.
    pub async fn finish(self, tx: &mut Tx, report: &mut Report) -> Result<()> {
        let detail = format!(
            "added={} updated={} unchanged={} errors={}",
            report.added,
            report.updated,
            report.unchanged,
            report.error_rows()
        );
        let entry = ledger::Audit {
            action: "member.import",
            unit_id: Some(self.root.id),
            subject: Some(&self.root.code),
            detail: Some(&detail),
        };
        self.ledger.finish(&mut *tx, Some(entry)).await?;
        Ok(())
    }
}

fn reject(
    report: &mut Report,
    rejected: &mut Rejected,
    sheet: &str,
    parsed: &Parsed,
    mapping: &Mapping,
    errors: &[Error],
    lang: Lang,
) {
    for e in errors {
        let field = match e {
            Error::Invalid { field, .. } => *field,
            _ => "",
        };
        reject_with(
            report,
            rejected,
            sheet,
            parsed,
            mapping,
            field,
            e.render(lang),
        );
    }
}

fn push_repair(report: &mut Report, repair: RowRepair) {
    report.repair_count += 1;
    if report.repairs.len() < super::MAX_LISTED {
        report.repairs.push(repair);
    }
}

fn joined_column(mapping: &Mapping) -> String {
    mapping
        .column("joined_on")
        .map(|c| mapping.header(c))
        .unwrap_or_default()
}

fn reject_with(
    report: &mut Report,
    rejected: &mut Rejected,
    sheet: &str,
    parsed: &Parsed,
    mapping: &Mapping,
    field: &str,
    reason: String,
) {
    let column = mapping.column(field);
    let this = (sheet.to_string(), parsed.row);
    if report.last_rejected.as_ref() != Some(&this) {
        report.error_row_count += 1;
        report.last_rejected = Some(this);
    }
    if report.errors.len() >= super::MAX_LISTED {
        rejected.add_row(sheet, parsed.row, &parsed.cells, reason);
        return;
    }
    report.errors.push(RowError {
        sheet: sheet.to_string(),
        row: parsed.row,
        column: column.map(|c| mapping.header(c)).unwrap_or_default(),
        value: column
            .and_then(|c| parsed.cells.get(c as usize))
            .cloned()
            .unwrap_or_default(),
        reason: reason.clone(),
    });
    rejected.add_row(sheet, parsed.row, &parsed.cells, reason);
}
