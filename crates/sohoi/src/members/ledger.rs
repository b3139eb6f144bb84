//! The one door into the membership ledger. Every membership event — an officer's action,
//! an import, a restructuring, the demo — enters through [`record`] (one action's events) or
//! [`Bulk`] (many events, statistics added up in memory), which in the caller's transaction:
//!
//! 1. take the write locks of the provinces the events touch, in one global order
//!    ([`crate::store::lock_provinces`]), so that concurrent writers queue instead of
//!    deadlocking;
//! 2. check that the periods the events fall in are open ([`ensure_periods_open`]);
//! 3. append the events, write their statistics, and file the audit entry.
//!
//! The store functions that write `member_events` are private to this module's parent and
//! called only from here (`tests/house.rs` scans for other callers).

use std::borrow::Cow;
use std::collections::BTreeSet;

use time::Date;

use super::model::EventKind;
use super::store::{self, BulkEvent, NewEvent};
use crate::auth::audit;
use crate::error::{Error, Result};
use crate::org::UnitKind;
use crate::stats::batch::Batch;
use crate::store::Tx;

/// What the audit log says about an action, filed with its events.
pub struct Audit<'a> {
    pub action: &'a str,
    pub unit_id: Option<i64>,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// Writes the events of one action, their statistics and its audit entry. A unit an event
/// places a member in (joined, transferred in, restored) must be open: checked here, after
/// the province locks, so that a merge or a dissolution cannot end it between an officer's
/// check and her write.
pub async fn record(
    tx: &mut Tx,
    events: &[NewEvent<'_>],
    actor: &str,
    entry: Audit<'_>,
) -> Result<Vec<i64>> {
    for note in events.iter().filter_map(|e| e.note) {
        crate::text::within("note", note, crate::text::limits::NOTE)?;
    }
    let provinces: Vec<i64> = events.iter().map(|e| e.province_id).collect();
    crate::store::lock_provinces(tx, &provinces).await?;
    for event in events {
        if places_member(event.kind) {
            ensure_unit_open(tx, event.unit_id, event.effective_on).await?;
        }
    }
    ensure_periods_open(tx, events.iter().map(|e| (e.unit_id, e.effective_on))).await?;
    let mut ids = Vec::with_capacity(events.len());
    for event in events {
        ids.push(store::append(tx, event).await?);
        crate::stats::record(
            tx,
            event.unit_id,
            event.other_unit_id,
            event.effective_on,
            event.kind,
            event.class,
            event.before,
        )
        .await?;
    }
    audit::record(
        tx,
        actor,
        entry.action,
        entry.unit_id,
        entry.subject,
        entry.detail,
    )
    .await?;
    Ok(ids)
}

/// Many events in one transaction (an import, a restructuring, the demo): appended chunk by
/// chunk as the caller produces them, their statistics added up in memory and written once
/// by [`Bulk::finish`], with the same effect function as [`record`].
pub struct Bulk {
    statistics: Batch,
    recorded_by: String,
    recorded_at: String,
    locked: BTreeSet<i64>,
}

impl Bulk {
    pub fn new(recorded_by: &str) -> Self {
        Bulk {
            statistics: Batch::default(),
            recorded_by: recorded_by.to_string(),
            recorded_at: crate::clock::now_text(),
            locked: BTreeSet::new(),
        }
    }

    /// Appends `events`; `counted_by` gives, for each, the units that count it (see
    /// `stats::counted_units`). A bulk writer that spans provinces takes all their locks
    /// first, with [`crate::store::lock_provinces`]; those taken here are then no-ops.
    pub async fn append<'u>(
        &mut self,
        tx: &mut Tx,
        events: &[BulkEvent],
        mut counted_by: impl FnMut(&BulkEvent) -> Cow<'u, [(i64, UnitKind)]>,
    ) -> Result<()> {
        let new: Vec<i64> = events
            .iter()
            .map(|e| e.province_id)
            .filter(|p| !self.locked.contains(p))
            .collect();
        if !new.is_empty() {
            crate::store::lock_provinces(tx, &new).await?;
            self.locked.extend(new);
        }
        ensure_periods_open(tx, events.iter().map(|e| (e.unit_id, e.effective_on))).await?;
        store::bulk_append(tx, events, &self.recorded_by, &self.recorded_at).await?;
        for event in events {
            self.statistics.add(
                &counted_by(event),
                event.kind,
                &event.class,
                event.effective_on,
            );
        }
        Ok(())
    }

    /// Writes the statistics of everything appended, and the audit entry if there is one.
    pub async fn finish(self, tx: &mut Tx, entry: Option<Audit<'_>>) -> Result<()> {
        self.statistics.write(tx).await?;
        if let Some(entry) = entry {
            audit::record(
                tx,
                &self.recorded_by,
                entry.action,
                entry.unit_id,
                entry.subject,
                entry.detail,
            )
            .await?;
        }
        Ok(())
    }
}

/// Events that put a member into a unit, which must then be open.
fn places_member(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::Joined | EventKind::TransferredIn | EventKind::Restored
    )
}

async fn ensure_unit_open(tx: &mut Tx, unit: i64, on: Date) -> Result<()> {
    let found = crate::org::store::by_id(tx, unit, on).await?;
    match found {
        Some(u) if u.valid_from <= on && u.valid_to == crate::store::OPEN_END => Ok(()),
        _ => Err(Error::Conflict {
            message: "conflict-unit-closed",
            args: Default::default(),
        }),
    }
}

/// The period lock's one place: an approved report computed from the ledger locks its
/// unit's period (see [`crate::rounds::lock`]); every ledger write passes through here with
/// the (unit, date) of each of its events.
async fn ensure_periods_open(tx: &mut Tx, events: impl Iterator<Item = (i64, Date)>) -> Result<()> {
    crate::rounds::lock::ensure_open(tx, events).await
}
