use std::borrow::Cow;
use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month};

use super::names::{self, weighted};
use crate::clock::BEGINNING;
use crate::members::domain::{BirthDate, FullName, NationalId, Phone, Sex};
use crate::members::ledger::Bulk;
use crate::members::model::{Class, EventKind, MemberInput, Status};
use crate::members::store::{self as members_store, BulkEvent, BulkMember};
use crate::org::UnitKind;
use crate::org::store::{self as org_store, BulkUnit, CommuneChain};
use crate::store::Store;

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub members: u64,
    pub seed: u64,
    /// Only these provinces (by code); all when empty.
    pub provinces: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct DemoReport {
    pub communes: usize,
    pub branches: usize,
    pub members: u64,
    pub events: u64,
}

/// Builds the demo into an empty register: the national tree (if missing), then, a province
/// per transaction, branches, members, their ledger and statistics. Every commit leaves a
/// consistent database. `progress(done, total)` counts members.
pub async fn build(
    store: &Store,
    options: &DemoOptions,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<DemoReport> {
    let mut tx = store.begin().await?;
    crate::org::reference::init(&mut tx).await?;
    if members_store::count(&mut tx).await? > 0 {
        anyhow::bail!(
            "the database already holds members; build the demo into a new database (--db)"
        );
    }
    let mut communes = org_store::communes(&mut tx, crate::clock::today()).await?;
    if !options.provinces.is_empty() {
        communes.retain(|c| options.provinces.contains(&c.province_code));
        if communes.is_empty() {
            anyhow::bail!("no province with code {}", options.provinces.join(", "));
        }
    }
    let mut next_unit = org_store::max_id(&mut tx).await? + 1;
    let (max_member, max_event) = members_store::max_ids(&mut tx).await?;
    // The register is empty: load without its secondary indexes and build them at the end.
    let indexes = crate::store::indexes::suspend(
        &mut tx,
        &["members", "member_events", "units", "unit_closure"],
    )
    .await?;
    tx.commit().await?;

    let shares = member_shares(&communes, options);
    let today = crate::clock::today();
    let mut ids = Ids {
        member: max_member,
        event: max_event,
    };
    let mut report = DemoReport {
        communes: communes.len(),
        ..Default::default()
    };
    let mut serials: HashMap<(u16, i32), u32> = HashMap::new();
    let mut start = 0;
    while start < communes.len() {
        let province = communes[start].province_id;
        let end = communes[start..]
            .iter()
            .position(|c| c.province_id != province)
            .map_or(communes.len(), |p| start + p);
        let mut tx = store.begin().await?;
        let mut province_population = 0;
        let mut ledger = Bulk::new("demo");
        for (index, commune) in communes.iter().enumerate().take(end).skip(start) {
            let mut rng = ChaCha8Rng::seed_from_u64(
                options
                    .seed
                    .wrapping_mul(1_000_003)
                    .wrapping_add(index as u64),
            );
            let generated = generate_commune(
                &mut rng,
                commune,
                shares[index],
                &mut next_unit,
                &mut ids,
                &mut serials,
                today,
            );
            org_store::bulk_insert(
                &mut tx,
                &generated.branches,
                &[commune.id, commune.province_id, commune.central_id],
                BEGINNING,
            )
            .await?;
            members_store::bulk_insert(&mut tx, &generated.members).await?;
            ledger
                .append(&mut tx, &generated.events, |e| {
                    Cow::Owned(counted_by(commune, e))
                })
                .await?;
            crate::stats::set_population(&mut tx, commune.id, today.year(), generated.population)
                .await?;
            province_population += generated.population;
            report.branches += generated.branches.len();
            report.members += generated.members.len() as u64;
            report.events += generated.events.len() as u64;
            progress(report.members, options.members);
        }
        ledger.finish(&mut tx, None).await?;
        crate::stats::set_population(&mut tx, province, today.year(), province_population).await?;
        tx.commit().await?;
        start = end;
    }
    let mut tx = store.begin().await?;
    let central = communes.first().map(|c| c.central_id);
    if let Some(central) = central {
        let total: i64 =
            crate::stats::store::population_sum_of_children(&mut tx, central, today.year()).await?;
        crate::stats::set_population(&mut tx, central, today.year(), total).await?;
    }
    crate::store::indexes::restore(&mut tx, &indexes).await?;
    members_store::reset_sequences(&mut tx).await?;
    crate::org::store::set_meta(
        &mut tx,
        "demo",
        &format!("members={} seed={}", options.members, options.seed),
    )
    .await?;
    tx.commit().await?;
    crate::store::after_bulk_load(store).await?;
    Ok(report)
}

struct Ids {
    member: i64,
    event: i64,
}

/// Members per commune: wards are denser than rural communes; the shares add up exactly to
/// the number asked for.
fn member_shares(communes: &[CommuneChain], options: &DemoOptions) -> Vec<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let weights: Vec<f64> = communes
        .iter()
        .map(|c| {
            let urban = c.admin_type.as_deref() == Some("phường");
            rng.random_range(0.6..1.4) * if urban { 1.5 } else { 1.0 }
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut shares: Vec<u64> = weights
        .iter()
        .map(|w| (options.members as f64 * w / sum).floor() as u64)
        .collect();
    let mut rest = options.members - shares.iter().sum::<u64>();
    for share in shares.iter_mut() {
        if rest == 0 {
            break;
        }
        *share += 1;
        rest -= 1;
    }
    shares
}

struct Generated {
    branches: Vec<BulkUnit>,
    members: Vec<BulkMember>,
    events: Vec<BulkEvent>,
    population: i64,
}

fn generate_commune(
    rng: &mut ChaCha8Rng,
    commune: &CommuneChain,
    count: u64,
    next_unit: &mut i64,
    ids: &mut Ids,
    serials: &mut HashMap<(u16, i32), u32>,
    today: Date,
) -> Generated {
    let urban = commune.admin_type.as_deref() == Some("phường");
    let style = names::branch_style(rng, urban, &commune.province_code);
    let n_branches = rng.random_range(10..=40);
    let branches: Vec<BulkUnit> = (1..=n_branches)
        .map(|n| {
            let id = *next_unit;
            *next_unit += 1;
            BulkUnit {
                id,
                code: format!("{}-{n:02}", commune.code),
                kind: UnitKind::Branch,
                name: format!("Chi hội {style} {n}"),
                province_id: commune.province_id,
            }
        })
        .collect();
    let south = names::is_south(&commune.province_code);
    let province_number: u16 = commune.province_code.parse().unwrap_or(1);
    let mut members = Vec::with_capacity(count as usize);
    let mut events = Vec::with_capacity(count as usize + count as usize / 10);
    for _ in 0..count {
        ids.member += 1;
        let branch = &branches[rng.random_range(0..branches.len())];
        let (input, class) = person(
            rng,
            commune,
            branch,
            urban,
            south,
            province_number,
            serials,
            today,
            ids.member,
        );
        let mut status = Status::Active;
        let mut unit = branch.id;
        let mut push = |kind, effective_on, unit_id, other_unit_id, ids: &mut Ids| {
            ids.event += 1;
            events.push(BulkEvent {
                id: ids.event,
                province_id: commune.province_id,
                member_id: ids.member,
                kind,
                effective_on,
                unit_id,
                other_unit_id,
                class: class.clone(),
            });
        };
        push(EventKind::Joined, input.joined_on, unit, None, ids);
        // A few memberships have a later history: moved to another branch, left, died.
        let span = (today - input.joined_on).whole_days();
        if span > 30 {
            let later = input.joined_on + Duration::days(rng.random_range(1..span));
            let roll = rng.random_range(0..1000);
            let age = input.birth.map_or(50, |b| b.age_at(today));
            if roll < 25 && branches.len() > 1 {
                let to = &branches[rng.random_range(0..branches.len())];
                if to.id != unit {
                    push(EventKind::TransferredOut, later, unit, Some(to.id), ids);
                    push(EventKind::TransferredIn, later, to.id, Some(unit), ids);
                    unit = to.id;
                }
            } else if roll < 55 {
                push(EventKind::Left, later, unit, None, ids);
                status = Status::Left;
            } else if roll < 55 + if age > 70 { 60 } else { 5 } {
                push(EventKind::Died, later, unit, None, ids);
                status = Status::Died;
            }
        }
        members.push(BulkMember {
            id: ids.member,
            province_id: commune.province_id,
            unit_id: unit,
            status,
            input,
        });
    }
    // Coverage: members are 60–95% of the women aged 18+ living in the commune.
    let population = (count as f64 / rng.random_range(0.60..0.95)).round() as i64;
    Generated {
        branches,
        members,
        events,
        population,
    }
}

#[allow(clippy::too_many_arguments)]
fn person(
    rng: &mut ChaCha8Rng,
    commune: &CommuneChain,
    branch: &BulkUnit,
    urban: bool,
    south: bool,
    province_number: u16,
    serials: &mut HashMap<(u16, i32), u32>,
    today: Date,
    id: i64,
) -> (MemberInput, Class) {
    // Ages 18–90, most between 30 and 65.
    let age = (18 + rng.random_range(0..=36) + rng.random_range(0..=36)).min(90);
    let month = rng.random_range(1..=12u8);
    let day = rng.random_range(1..=28u8);
    // Born early enough to be 18 today: nobody joins in the future.
    let birthday_passed = (today.month() as u8, today.day()) >= (month, day);
    let year = today.year() - age - i32::from(!birthday_passed);
    // Older records more often hold only the year, or the month and year.
    let precision = rng.random_range(0..100) + if age > 60 { 25 } else { 0 };
    let birth = match precision {
        p if p >= 100 => BirthDate {
            year,
            month: None,
            day: None,
        },
        p if p >= 92 => BirthDate {
            year,
            month: Some(month),
            day: None,
        },
        _ => BirthDate {
            year,
            month: Some(month),
            day: Some(day),
        },
    };
    let turned_18 = Date::from_calendar_date(
        year + 18,
        Month::try_from(month).unwrap_or(Month::January),
        day,
    )
    .unwrap_or(today);
    let earliest = turned_18.max(time::macros::date!(1975 - 01 - 01));
    let span = (today - earliest).whole_days().max(1);
    let joined_on = earliest + Duration::days(rng.random_range(0..span));
    let ethnicity = weighted(rng, names::ethnicity_mix(&commune.province_code)).to_string();
    let religion = weighted(rng, &names::RELIGION).to_string();
    let education = weighted(rng, names::education_mix(year)).to_string();
    let qualification = if education == "upper_secondary" {
        weighted(rng, &names::QUALIFICATION)
    } else {
        "none"
    }
    .to_string();
    let occupation = weighted(rng, names::occupation_mix(urban, age)).to_string();
    let party_member = rng.random_ratio(if age > 45 { 12 } else { 6 }, 100);
    let mut segments = Vec::new();
    if ethnicity != crate::members::codes::KINH {
        segments.push("ethnic_minority".to_string());
    }
    if religion != "none" {
        segments.push("religious".into());
    }
    if matches!(
        qualification.as_str(),
        "university" | "master" | "doctorate"
    ) {
        segments.push("intellectual".into());
    }
    match occupation.as_str() {
        "business" if rng.random_ratio(1, 4) => segments.push("entrepreneur".into()),
        "farmer" => segments.push("farmer".into()),
        "worker" => segments.push("worker".into()),
        _ => {}
    }
    if rng.random_ratio(1, 200) {
        segments.push("influencer".into());
    }
    segments.sort();
    let national_id = rng.random_ratio(88, 100).then(|| {
        let serial = serials.entry((province_number, year)).or_insert(0);
        *serial += 1;
        // A bijection of the counter onto six digits, so IDs look scattered but never repeat.
        let scattered = (u64::from(*serial) * 7919 + 12_345) % 1_000_000;
        NationalId::compose(province_number, Sex::Female, year, scattered as u32)
    });
    let phone = rng.random_ratio(80, 100).then(|| {
        let prefix = ["09", "03", "08", "07", "05"][rng.random_range(0..5)];
        format!("{prefix}{:08}", rng.random_range(0..100_000_000u32))
    });
    let place = branch.name.trim_start_matches("Chi hội ");
    let input = MemberInput {
        full_name: FullName::parse(&names::full_name(rng, south))
            .expect("generated names come from lists of valid names"),
        birth: Some(birth),
        sex: Sex::Female,
        honorary: false,
        national_id: national_id
            .and_then(|n| NationalId::parse(&n, Sex::Female, Some(&birth)).ok()),
        phone: phone.and_then(|p| Phone::parse(&p).ok()),
        address: Some(format!("{place}, {}", commune.name)),
        ethnicity: Some(ethnicity),
        religion: Some(religion),
        education: Some(education),
        qualification: Some(qualification),
        political_theory: Some(if party_member { "elementary" } else { "none" }.to_string()),
        occupation: Some(occupation),
        party_member,
        segments,
        card_number: Some(format!("{}{:09}", commune.province_code, id)),
        joined_on,
    };
    let class = input.class();
    (input, class)
}

/// The units that count one of a commune's events: the branch, the commune, the province
/// and the centre. The demo's transfers are between branches of one commune: counted at the
/// branches only (see `stats::counted_units`).
fn counted_by(commune: &CommuneChain, e: &BulkEvent) -> Vec<(i64, UnitKind)> {
    if matches!(e.kind, EventKind::TransferredIn | EventKind::TransferredOut) {
        return vec![(e.unit_id, UnitKind::Branch)];
    }
    vec![
        (e.unit_id, UnitKind::Branch),
        (commune.id, UnitKind::Commune),
        (commune.province_id, UnitKind::Province),
        (commune.central_id, UnitKind::Central),
    ]
}
