//! Locked periods: an approved report computed from the member ledger locks its unit's
//! period, so that what was reported cannot change under it. The ledger's one door asks
//! here before it writes.

use time::Date;

use super::store;
use crate::error::{Error, Result};
use crate::i18n::Args;
use crate::store::Tx;

/// Refuses the write when an event falls in a locked period of its unit or of a unit above
/// it (at the event's date).
pub async fn ensure_open(tx: &mut Tx, events: impl Iterator<Item = (i64, Date)>) -> Result<()> {
    let mut events: Vec<(i64, Date)> = events.collect();
    let Some(earliest) = events.iter().map(|e| e.1).min() else {
        return Ok(());
    };
    // Most writes are dated after every locked period: one indexed probe settles them.
    if !store::any_lock_since(tx, earliest).await? {
        return Ok(());
    }
    events.sort();
    events.dedup();
    for (unit, on) in events {
        if let Some((name, period)) = store::lock_covering(tx, unit, on).await? {
            return Err(Error::Conflict {
                message: "conflict-period-locked",
                args: Args::new()
                    .with("date", crate::clock::vn_date(on))
                    .with("unit", name)
                    .with("period", period),
            });
        }
    }
    Ok(())
}

/// The first day from `on` on which `unit`'s ledger is open: `on` itself when no approved
/// period covers it, else the day after the covering periods end; none when that day is
/// after `today` (nothing is recorded in the future).
pub async fn first_open_day(tx: &mut Tx, unit: i64, on: Date, today: Date) -> Result<Option<Date>> {
    if !store::any_lock_since(tx, on).await? {
        return Ok(Some(on));
    }
    let mut day = on;
    // Periods can follow one another (a half-year, then the next): step over each.
    for _ in 0..64 {
        match store::lock_end_covering(tx, unit, day).await? {
            None => return Ok((day <= today).then_some(day)),
            Some(end) => match end.next_day() {
                Some(next) => day = next,
                None => return Ok(None),
            },
        }
    }
    Ok(None)
}
