//! Property tests: random sequences of operations on a random tree. After each sequence the
//! maintained statistics equal a recomputation from the ledger, they agree with a direct
//! count of the register, and every movement report balances.

mod helpers;

use helpers::{TestDb, input, raw};
use proptest::prelude::*;
use sohoi::auth::Access;
use sohoi::members::service::{self, Ending};
use sohoi::reports::Period;
use time::macros::date;
use time::{Date, Duration};

/// Communes in two provinces (Hà Nội and Hồ Chí Minh City) that the random tree grows under.
const COMMUNES: [&str; 4] = ["00004", "00008", "25747", "25750"];
const NAMES: [&str; 6] = [
    "Nguyễn Thị Thủy",
    "Trần Thị Thuỷ",
    "Lê Thị Hoa",
    "Phạm Thị Lan",
    "Đỗ Thị Hà",
    "Bùi Thị Ánh",
];
const EDUCATION: [&str; 4] = ["none", "primary", "lower_secondary", "upper_secondary"];

#[derive(Clone, Debug)]
enum Op {
    Add {
        unit: usize,
        name: usize,
        birth_year: i32,
        education: usize,
        day: i64,
    },
    Transfer {
        member: usize,
        unit: usize,
        day: i64,
    },
    Leave {
        member: usize,
        died: bool,
        day: i64,
    },
    Restore {
        member: usize,
        day: i64,
    },
    Correct {
        member: usize,
        education: usize,
        day: i64,
    },
    /// Merge one commune into the other commune of its province (the 2025 reform).
    Merge {
        commune: usize,
        day: i64,
    },
    /// Move a branch, with its members, to the other commune of its province.
    Split {
        branch: usize,
        day: i64,
    },
    /// End a unit (refused while it holds members).
    Dissolve {
        unit: usize,
        day: i64,
    },
    /// Import a small workbook of new members into a commune.
    Import {
        commune: usize,
        rows: usize,
        day: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    // Days after 2021-01-01, up to the end of 2025 (never in the future).
    let day = 0..1800_i64;
    prop_oneof![
        4 => (0..12usize, 0..NAMES.len(), 1950..2000i32, 0..EDUCATION.len(), day.clone())
            .prop_map(|(unit, name, birth_year, education, day)| Op::Add { unit, name, birth_year, education, day }),
        2 => (0..20usize, 0..12usize, day.clone()).prop_map(|(member, unit, day)| Op::Transfer { member, unit, day }),
        1 => (0..20usize, any::<bool>(), day.clone()).prop_map(|(member, died, day)| Op::Leave { member, died, day }),
        1 => (0..20usize, day.clone()).prop_map(|(member, day)| Op::Restore { member, day }),
        1 => (0..20usize, 0..EDUCATION.len(), day.clone()).prop_map(|(member, education, day)| Op::Correct { member, education, day }),
        1 => (0..COMMUNES.len(), day.clone()).prop_map(|(commune, day)| Op::Merge { commune, day }),
        1 => (0..12usize, day.clone()).prop_map(|(branch, day)| Op::Split { branch, day }),
        1 => (0..16usize, day.clone()).prop_map(|(unit, day)| Op::Dissolve { unit, day }),
        1 => (0..COMMUNES.len(), 1..4usize, day).prop_map(|(commune, rows, day)| Op::Import { commune, rows, day }),
    ]
}

/// A workbook of `rows` new members who joined on `joined`.
fn workbook(rows: usize, joined: Date) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["STT", "Họ và tên", "Năm sinh", "Ngày vào Hội"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for i in 0..rows {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, f64::from(r)).expect("stt");
        sheet
            .write_string(r, 1, NAMES[i % NAMES.len()])
            .expect("name");
        sheet.write_number(r, 2, 1960.0 + i as f64).expect("birth");
        sheet
            .write_string(r, 3, sohoi::clock::vn_date(joined))
            .expect("joined");
    }
    book.save_to_buffer().expect("xlsx")
}

fn date(day: i64) -> Date {
    time::macros::date!(2021 - 01 - 01) + Duration::days(day)
}

/// Branches per commune (1 to 3) for the random tree; units are the communes and branches.
fn tree() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1..=3usize, COMMUNES.len())
}

async fn run(branch_counts: Vec<usize>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let db = TestDb::new().await;
    let scope = Access::system("proptest");
    let mut ctx = db.ctx().await;
    let mut units: Vec<String> = COMMUNES.iter().map(|c| c.to_string()).collect();
    for (commune, n) in COMMUNES.iter().zip(branch_counts) {
        let names: Vec<String> = (1..=n).map(|i| format!("Chi hội Thôn {i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        units.extend(helpers::branches(&mut ctx.tx, commune, &names).await);
    }
    ctx.finish()
        .await
        .map_err(|e| TestCaseError::fail(e.to_string()))?;

    let mut members: Vec<i64> = Vec::new();
    for op in ops {
        let mut ctx = db.ctx().await;
        // The version an officer would have loaded before acting.
        let version = |id: i64| {
            let store = db.store.clone();
            async move {
                let mut tx = store.read().await.expect("read");
                sohoi::members::store::get(&mut tx, id)
                    .await
                    .ok()
                    .flatten()
                    .map_or(0, |m| m.version)
            }
        };
        let pick = |i: usize| members.get(i % members.len().max(1)).copied();
        let result = match &op {
            Op::Add {
                unit,
                name,
                birth_year,
                education,
                day,
            } => {
                let mut r = raw(NAMES[*name], &birth_year.to_string());
                r.education = EDUCATION[*education].into();
                r.joined_on = sohoi::clock::vn_date(date(*day));
                service::add(ctx.acting(&scope), &units[unit % units.len()], input(&r))
                    .await
                    .map(|a| members.push(a.id))
            }
            Op::Transfer { member, unit, day } => match pick(*member) {
                Some(id) => {
                    let v = version(id).await;
                    service::transfer(
                        ctx.acting(&scope),
                        id,
                        v,
                        &units[unit % units.len()],
                        date(*day),
                        None,
                    )
                    .await
                    .map(|_| ())
                }
                None => Ok(()),
            },
            Op::Leave { member, died, day } => match pick(*member) {
                Some(id) => {
                    let v = version(id).await;
                    let how = if *died { Ending::Died } else { Ending::Left };
                    service::end(ctx.acting(&scope), id, v, how, date(*day), None).await
                }
                None => Ok(()),
            },
            Op::Restore { member, day } => match pick(*member) {
                Some(id) => {
                    let v = version(id).await;
                    service::restore(ctx.acting(&scope), id, v, date(*day), None)
                        .await
                        .map(|_| ())
                }
                None => Ok(()),
            },
            Op::Correct {
                member,
                education,
                day,
            } => match pick(*member) {
                Some(id) => {
                    let v = version(id).await;
                    let current = service::show(ctx.acting(&scope), id)
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?
                        .member;
                    let mut r = sohoi::members::input::RawMember::from_member(&current);
                    r.education = EDUCATION[*education].into();
                    service::edit(ctx.acting(&scope), id, v, input(&r), date(*day))
                        .await
                        .map(|_| ())
                }
                None => Ok(()),
            },
            Op::Merge { commune, day } => {
                // Each commune merges into its neighbour in the same province.
                let into = COMMUNES[commune ^ 1];
                sohoi::org::restructure::merge(
                    ctx.acting(&scope),
                    &[COMMUNES[*commune].to_string()],
                    into,
                    date(*day),
                )
                .await
                .map(|_| ())
            }
            Op::Split { branch, day } => {
                let branches: Vec<&String> = units.iter().filter(|u| u.contains('-')).collect();
                let branch = branches[branch % branches.len()];
                let commune = branch.split('-').next().unwrap_or_default();
                let index = COMMUNES.iter().position(|c| *c == commune).unwrap_or(0);
                sohoi::org::restructure::split(
                    ctx.acting(&scope),
                    commune,
                    &[(branch.clone(), COMMUNES[index ^ 1].to_string())],
                    date(*day),
                )
                .await
                .map(|_| ())
            }
            Op::Dissolve { unit, day } => sohoi::org::restructure::dissolve(
                ctx.acting(&scope),
                &units[unit % units.len()],
                date(*day),
            )
            .await
            .map(|_| ()),
            Op::Import { commune, rows, day } => {
                let options = sohoi::excel::import::Options {
                    unit: COMMUNES[*commune].to_string(),
                    ..Default::default()
                };
                let control = sohoi::excel::import::Control::default();
                let bytes = workbook(*rows, date(*day));
                match sohoi::excel::import::import(
                    ctx.acting(&scope),
                    bytes,
                    &options,
                    sohoi::i18n::Lang::Vi,
                    &control,
                )
                .await
                {
                    Ok(outcome) if outcome.report.commits() => Ok(()),
                    // A refused workbook (its commune merged away, say) changes nothing.
                    Ok(_) => Err(sohoi::error::Error::invalid("unit", "invalid-unit-closed")),
                    Err(e) => Err(e),
                }
            }
        };
        // A refused operation rolls back and leaves nothing behind; an accepted one commits.
        if result.is_ok() {
            ctx.finish()
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
    }

    let mut ctx = db.ctx().await;
    let diffs = sohoi::stats::check::check(&mut ctx.tx)
        .await
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(
        diffs.is_empty(),
        "statistics differ from the ledger: {diffs:?}"
    );

    // The maintained totals agree with a direct count of the register.
    let today = sohoi::clock::today();
    for code in ["TW", "01", "79", "00004", "25747"] {
        let summary = sohoi::reports::summary::summary(ctx.acting(&scope), code, today)
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let unit = sohoi::org::store::by_code(&mut ctx.tx, code, today)
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .expect("unit");
        let counted: i64 = sohoi::on_engine!(&mut ctx.tx, c => sqlx::query_scalar(
            "select count(*) from members m join unit_closure c on c.descendant_id = m.unit_id \
             and c.valid_from <= $2 and c.valid_to > $2 where c.ancestor_id = $1 and m.status = 'active'")
            .bind(unit.id).bind(today).fetch_one(&mut **c).await)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(summary.members, counted, "members of {}", code);
        let by_education: i64 = summary.breakdowns["education"].values().sum();
        prop_assert_eq!(by_education, counted, "education breakdown of {}", code);
    }

    // Every active member's unit is open today.
    let stranded: i64 = sohoi::on_engine!(&mut ctx.tx, c => sqlx::query_scalar(
        "select count(*) from members m join units u on u.id = m.unit_id where m.status = 'active' and u.valid_to <= $1")
        .bind(today).fetch_one(&mut **c).await)
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(stranded, 0, "active members in units that have ended");

    // An independent oracle: replay each member's events to find where she was, and in which
    // education class, on past dates (month ends and mid-month days), and compare with the
    // maintained statistics there, for the centre, provinces, communes and small branches.
    type Row = (i64, String, Date, i64, Option<String>);
    let events: Vec<Row> = sohoi::on_engine!(&mut ctx.tx, c => sqlx::query_as(
        "select member_id, kind, effective_on, unit_id, education from member_events order by id")
        .fetch_all(&mut **c).await)
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut codes: Vec<String> = vec!["TW".into(), "01".into(), "79".into()];
    codes.extend(units.iter().cloned());
    for day in [
        date!(2021 - 06 - 15),
        date!(2022 - 01 - 31),
        date!(2023 - 07 - 10),
        date!(2024 - 12 - 31),
        date!(2025 - 03 - 17),
        date!(2025 - 11 - 30),
    ] {
        // Each member's place and class on `day`: the last of her events on or before it.
        let mut place: std::collections::HashMap<i64, Option<(i64, Option<String>)>> =
            Default::default();
        for (member, kind, on, unit, education) in events.iter().filter(|e| e.2 <= day) {
            let now = place.entry(*member).or_insert(None);
            match kind.as_str() {
                "joined" | "transferred_in" | "restored" => *now = Some((*unit, education.clone())),
                "left" | "died" => *now = None,
                "corrected" => {
                    if let Some((at, _)) = now.clone() {
                        *now = Some((at, education.clone()));
                    }
                }
                _ => {}
            }
            let _ = on;
        }
        for code in &codes {
            let Some(unit) = sohoi::org::store::by_code(&mut ctx.tx, code, day)
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?
            else {
                continue; // not yet created, or merged away by then
            };
            let mut expected_all = 0_i64;
            let mut expected_by: std::collections::BTreeMap<String, i64> = Default::default();
            for (at, education) in place.values().flatten() {
                let under = sohoi::org::store::is_within(&mut ctx.tx, *at, unit.id, day)
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                if under {
                    expected_all += 1;
                    *expected_by
                        .entry(education.clone().unwrap_or_else(|| "unknown".into()))
                        .or_default() += 1;
                }
            }
            let stock =
                |counts: sohoi::stats::store::Counts| -> std::collections::BTreeMap<String, i64> {
                    counts
                        .into_iter()
                        .filter(|(_, n)| *n != 0)
                        .map(|((_, v), n)| (v, n))
                        .collect()
                };
            let all: i64 = sohoi::stats::stock_at(&mut ctx.tx, &[unit.id], "all", day)
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .values()
                .sum();
            prop_assert_eq!(all, expected_all, "members of {} on {}", code, day);
            let by = stock(
                sohoi::stats::stock_at(&mut ctx.tx, &[unit.id], "education", day)
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?,
            );
            prop_assert_eq!(&by, &expected_by, "education of {} on {}", code, day);
        }
    }

    // Every movement report balances, for whole and cut periods.
    for code in ["TW", "01", "00004", "25747"] {
        for period in [
            "2021",
            "2023-H2",
            "2024-Q1",
            "2025-07",
            "2021-03-15..2024-11-20",
        ] {
            let period = Period::parse(period).expect("period");
            let report = sohoi::reports::movements::movements(ctx.acting(&scope), code, period)
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            for row in report.rows.iter().chain([&report.total]) {
                prop_assert!(row.balances(), "{} {:?}: {:?}", code, period, row);
            }
            // Restated in today's structure, every row still balances, no transfer column is
            // negative, and a province's (or the centre's) total is what it reported.
            if code == "TW" || code == "01" {
                let restated = sohoi::reports::movements::movements_in(
                    ctx.acting(&scope),
                    code,
                    period,
                    sohoi::reports::movements::Structure::Today,
                )
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
                for row in restated.rows.iter().chain([&restated.total]) {
                    prop_assert!(row.balances(), "restated {} {:?}: {:?}", code, period, row);
                    prop_assert!(
                        row.transferred_in >= 0 && row.transferred_out >= 0,
                        "restated {}: {:?}",
                        code,
                        row
                    );
                }
                prop_assert_eq!(&restated.total, &report.total, "restated total of {}", code);
            }
            // The children add up to the total (members sit in branches or directly in communes).
            if code != "00004" && code != "25747" {
                let sum: i64 = report.rows.iter().map(|r| r.closing).sum();
                prop_assert_eq!(sum, report.total.closing);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if helpers::engine() == "postgres" { 12 } else { 24 },
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    #[test]
    fn statistics_always_match_the_ledger_and_reports_balance(branch_counts in tree(), ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(run(branch_counts, ops))?;
    }
}
