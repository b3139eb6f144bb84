//! How one ledger event changes the statistics. This one function is used by the live
//! write path, by the bulk loader of the demo and by `sohoi check`, so the three cannot
//! disagree about what an event means.

use crate::members::model::{Class, EventKind};
use crate::org::UnitKind;

/// The stock of members (positive and negative changes).
pub const MEMBERS: &str = "members";

/// Flows: counted once per event, at every unit that holds the event's unit at its date.
pub const FLOWS: [&str; 6] = [
    "joined",
    "restored",
    "transferred_in",
    "transferred_out",
    "left",
    "died",
];

/// Whether a unit of this kind keeps monthly cells of the breakdowns (age, ethnicity, …).
/// Every unit keeps monthly cells of the whole count and the flows, and running totals of
/// everything; monthly breakdowns are kept only where many members add up (the centre and
/// the provinces). Below, a month holds a handful of events, so a breakdown at a past date
/// takes the unit's few later events out of its running totals instead: this keeps the cells
/// near two per event instead of ten.
pub fn keeps_monthly_breakdowns(kind: UnitKind) -> bool {
    matches!(kind, UnitKind::Central | UnitKind::Province)
}

/// Whether `delta` is kept as a monthly cell at a unit of `kind`.
pub fn kept_monthly(delta: &CellDelta, kind: UnitKind) -> bool {
    delta.dim == "all" || keeps_monthly_breakdowns(kind)
}

/// One change to one statistics cell (the unit and month are the event's).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellDelta {
    pub measure: &'static str,
    pub dim: &'static str,
    pub value: String,
    pub n: i64,
}

/// The dimensions a member is counted by, as (dimension, value) pairs. "unknown" stands
/// for a value the record does not hold.
pub fn dimensions(class: &Class) -> Vec<(&'static str, String)> {
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".into());
    let mut dims = vec![
        ("all", String::new()),
        (
            "kind",
            if class.honorary {
                "honorary"
            } else {
                "ordinary"
            }
            .into(),
        ),
        (
            "birth_year",
            class
                .birth_year
                .map_or_else(|| "unknown".into(), |y| y.to_string()),
        ),
        ("ethnicity", or_unknown(&class.ethnicity)),
        ("religion", or_unknown(&class.religion)),
        ("education", or_unknown(&class.education)),
        ("occupation", or_unknown(&class.occupation)),
        (
            "party",
            if class.party_member { "yes" } else { "no" }.into(),
        ),
    ];
    dims.extend(class.segments.iter().map(|s| ("segment", s.clone())));
    dims
}

fn stock(class: &Class, n: i64, out: &mut Vec<CellDelta>) {
    out.extend(dimensions(class).into_iter().map(|(dim, value)| CellDelta {
        measure: MEMBERS,
        dim,
        value,
        n,
    }));
}

fn flow(measure: &'static str, out: &mut Vec<CellDelta>) {
    out.push(CellDelta {
        measure,
        dim: "all",
        value: String::new(),
        n: 1,
    });
}

/// The cell changes of one event.
pub fn effects(kind: EventKind, class: &Class, before: Option<&Class>) -> Vec<CellDelta> {
    let mut out = Vec::with_capacity(12);
    match kind {
        EventKind::Joined => {
            stock(class, 1, &mut out);
            flow("joined", &mut out);
        }
        EventKind::Restored => {
            stock(class, 1, &mut out);
            flow("restored", &mut out);
        }
        EventKind::TransferredIn => {
            stock(class, 1, &mut out);
            flow("transferred_in", &mut out);
        }
        EventKind::TransferredOut => {
            stock(class, -1, &mut out);
            flow("transferred_out", &mut out);
        }
        EventKind::Left => {
            stock(class, -1, &mut out);
            flow("left", &mut out);
        }
        EventKind::Died => {
            stock(class, -1, &mut out);
            flow("died", &mut out);
        }
        // A correction moves a counted member from her old cells to her new ones; a
        // correction of someone not counted at the time changes nothing.
        EventKind::Corrected => {
            if let Some(before) = before {
                stock(before, -1, &mut out);
                stock(class, 1, &mut out);
                return merge(out);
            }
        }
    }
    out
}

/// Adds up deltas of the same cell and drops those that cancel out.
pub fn merge(mut deltas: Vec<CellDelta>) -> Vec<CellDelta> {
    deltas.sort();
    let mut out: Vec<CellDelta> = Vec::with_capacity(deltas.len());
    for d in deltas {
        match out.last_mut() {
            Some(last)
                if last.measure == d.measure && last.dim == d.dim && last.value == d.value =>
            {
                last.n += d.n
            }
            _ => out.push(d),
        }
    }
    out.retain(|d| d.n != 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_moves_only_what_changed() {
        let before = Class {
            birth_year: Some(1980),
            education: Some("primary".into()),
            ..Class::default()
        };
        let after = Class {
            education: Some("upper_secondary".into()),
            ..before.clone()
        };
        let deltas = effects(EventKind::Corrected, &after, Some(&before));
        assert_eq!(deltas.len(), 2);
        assert!(deltas.iter().any(|d| d.value == "primary" && d.n == -1));
        assert!(
            deltas
                .iter()
                .any(|d| d.value == "upper_secondary" && d.n == 1)
        );
    }

    #[test]
    fn a_correction_of_someone_not_counted_changes_nothing() {
        assert!(effects(EventKind::Corrected, &Class::default(), None).is_empty());
    }
}
