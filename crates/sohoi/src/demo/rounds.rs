//! The demo's report rounds, so that every round page has something true to show: the
//! Women's Union's half-year form loaded, the first half of the year reported by part of a
//! province (some approved, some late, some returned, some missing), and the second half
//! just opened to the same province's communes.

use rand::{Rng, SeedableRng};
use time::{Date, Month};

use crate::auth::Access;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::org::UnitKind;
use crate::rounds::{board, form, open, response};
use crate::store::Store;

/// The demo form, the file the README shows how to load.
pub const FORM: &str = include_str!("../../../../data/forms/bc-hpn.toml");

/// The communes the demo accounts work in stay unreported in the first half, so that the
/// member pages' own stories never meet a locked period.
const KEPT_OPEN: [&str; 2] = ["00004", "00008"];

fn day(year: i32, month: Month, d: u8) -> Date {
    Date::from_calendar_date(year, month, d).unwrap_or(Date::MIN)
}

/// Loads the form and opens the two rounds under `province`; returns the rounds' ids.
pub async fn seed(store: &Store, province: &str, seed: u64) -> Result<Vec<i64>> {
    let admin = Access::system("demo");
    let year = crate::clock::today().year();
    let mut ctx = Ctx::write(store, admin.clone())
        .await?
        .on(day(year, Month::June, 1));
    form::load(&mut ctx, FORM).await?;
    let first = open::open(
        &mut ctx,
        &open::OpenRequest {
            form: "BC-HPN",
            period: &format!("{year}-H1"),
            under: province,
            to: UnitKind::Commune,
            cutoff: None,
            due: day(year, Month::June, 20),
            closes: Some(day(year, Month::June, 30)),
        },
    )
    .await?
    .round;
    ctx.finish().await?;
    let mut ctx = Ctx::read(store, admin.clone()).await?;
    let communes: Vec<String> = board::board(&mut ctx, first, province)
        .await?
        .children
        .into_iter()
        .map(|c| c.response.unit_code)
        .collect();
    ctx.finish().await?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    // Two communes in three report: on time or late, most approved, a few returned.
    for (i, code) in communes.iter().enumerate() {
        if KEPT_OPEN.contains(&code.as_str()) || i % 3 == 2 {
            continue;
        }
        let on = if i % 5 == 4 {
            day(year, Month::June, 27)
        } else {
            day(year, Month::June, 10 + (i % 9) as u8)
        };
        let mut ctx = Ctx::write(store, admin.clone()).await?.on(on);
        // Core members are some of the commune's members (a rule of the form): a small demo
        // has communes of a handful.
        let members = match crate::org::store::by_code(&mut ctx.tx, code, on).await? {
            Some(unit) => crate::stats::stock_at(&mut ctx.tx, &[unit.id], "all", on)
                .await?
                .get(&(unit.id, String::new()))
                .copied()
                .unwrap_or(0),
            None => 0,
        };
        let entries = entries(&mut rng, members);
        response::enter(&mut ctx, first, code, &entries).await?;
        response::submit(&mut ctx, first, code).await?;
        match i % 7 {
            0 => {
                response::send_back(&mut ctx, first, code, "Đề nghị bổ sung số liệu vốn vay")
                    .await?
            }
            1 => {}
            _ => response::approve(&mut ctx, first, code).await?,
        }
        ctx.finish().await?;
    }
    let mut ctx = Ctx::write(store, admin).await?;
    let second = open::open(
        &mut ctx,
        &open::OpenRequest {
            form: "BC-HPN",
            period: &format!("{year}-H2"),
            under: province,
            to: UnitKind::Commune,
            cutoff: None,
            due: day(year, Month::December, 20),
            closes: Some(day(year, Month::December, 31)),
        },
    )
    .await?
    .round;
    ctx.finish().await?;
    Ok(vec![first, second])
}

/// Plausible entries of a ward's half-year that keep the form's rules.
fn entries(rng: &mut impl Rng, members: i64) -> Vec<(String, String)> {
    let registered: u32 = rng.random_range(80..400);
    let helped: u32 = rng.random_range(2..30);
    let introduced: u32 = rng.random_range(0..6);
    let mut out = vec![
        ("core_members", u32::try_from(members / 4).unwrap_or(0)),
        ("branch_meetings", rng.random_range(20..80)),
        ("fees_collected", rng.random_range(2_000..9_000u32) * 1_000),
        ("households_5k3s_registered", registered),
        (
            "households_5k3s_met",
            registered * rng.random_range(60..95u32) / 100,
        ),
        ("models_new", rng.random_range(0..4)),
        ("clubs", rng.random_range(2..12)),
        ("club_members", rng.random_range(40..300)),
        ("propaganda_sessions", rng.random_range(4..30)),
        ("propaganda_participants", rng.random_range(200..1_500)),
        (
            "loans_outstanding",
            rng.random_range(500..4_000u32) * 1_000_000,
        ),
        ("loan_households", rng.random_range(20..200)),
        ("savings_groups", rng.random_range(2..15)),
        ("poor_households_helped", helped),
        (
            "poor_households_escaped",
            helped * rng.random_range(20..80u32) / 100,
        ),
        ("funds_raised", rng.random_range(10..300u32) * 1_000_000),
        ("cadres_trained", rng.random_range(5..40)),
        ("members_introduced_party", introduced),
        ("members_admitted_party", introduced / 2),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect::<Vec<_>>();
    out.push((
        "meeting_attendance".into(),
        format!(
            "{},{}",
            rng.random_range(70..98u32),
            rng.random_range(0..10u32)
        ),
    ));
    out.push(("digital_register".into(), "có".into()));
    out.push((
        "narrative:1".into(),
        "Các chi hội duy trì sinh hoạt đều đặn; phong trào xây dựng gia đình “5 không 3 sạch” được hội viên hưởng ứng.".into(),
    ));
    out
}
