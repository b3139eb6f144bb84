//! Report rounds: every transition and every refusal of the response cycle, the period lock
//! on the member ledger, completeness counters that agree with a count, and (with random
//! entries and approvals) aggregates that equal the sum of what is under them at every level.

mod helpers;

use helpers::{TestDb, input, raw};
use rand::{Rng, SeedableRng};
use sohoi::auth::{Access, Grant, Role};
use sohoi::ctx::Ctx;
use sohoi::error::Error;
use sohoi::org::UnitKind;
use sohoi::rounds::figures::{self, Counting};
use sohoi::rounds::{Status, board, form, inbox, open, response, sheet};
use sohoi::store::Store;
use time::Date;
use time::macros::date;

const FORM: &str = include_str!("../../../data/forms/bc-hpn.toml");
/// The tests' today: the round below is due after it and closes later.
const TODAY: Date = date!(2026 - 06 - 10);

fn system() -> Access {
    Access::system("test")
}

async fn write(store: &Store, access: &Access, on: Date) -> Ctx {
    Ctx::write(store, access.clone())
        .await
        .expect("begin")
        .on(on)
}

async fn unit_id(store: &Store, code: &str) -> i64 {
    let mut tx = store.read().await.expect("read");
    let id = sohoi::org::store::by_code(&mut tx, code, TODAY)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("{code}"))
        .id;
    tx.commit().await.expect("end");
    id
}

async fn role_at(store: &Store, who: &str, code: &str, role: Role) -> Access {
    let id = unit_id(store, code).await;
    Access::of_grants(
        format!("user:{who}"),
        vec![Grant::new(id, role.authorities(), [])],
    )
}

/// Loads the demo form and opens a round for 2026-H1 under `under` to `to`: due 20/06,
/// closing 30/06.
async fn open_round(store: &Store, under: &str, to: UnitKind) -> i64 {
    let mut ctx = write(store, &system(), TODAY).await;
    form::load(&mut ctx, FORM).await.expect("form loads");
    let opened = open::open(
        &mut ctx,
        &open::OpenRequest {
            form: "BC-HPN",
            period: "2026-H1",
            under,
            to,
            cutoff: None,
            due: date!(2026 - 06 - 20),
            closes: Some(date!(2026 - 06 - 30)),
        },
    )
    .await
    .expect("round opens");
    ctx.finish().await.expect("commit");
    opened.round
}

/// Runs `f` in a write context and commits only when it succeeds.
macro_rules! act {
    ($store:expr, $access:expr, $on:expr, $ctx:ident => $body:expr) => {{
        let mut context = write(&$store, &$access, $on).await;
        let $ctx = &mut context;
        let result = $body;
        if result.is_ok() {
            context.finish().await.expect("commit");
        }
        result
    }};
}

async fn status(store: &Store, round: i64, unit: &str) -> sohoi::rounds::Response {
    let mut ctx = Ctx::read(store, system()).await.expect("read").on(TODAY);
    response::locate(&mut ctx, round, unit)
        .await
        .expect("response")
        .response
}

fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn conflict_of(e: Error) -> &'static str {
    match e {
        Error::Conflict { message, .. } => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_commune_enters_and_submits_the_province_returns_with_a_reason_and_approves() {
    let db = TestDb::new().await;
    let round = open_round(&db.store, "01", UnitKind::Commune).await;
    let officer = role_at(&db.store, "coso", "00004", Role::Officer).await;
    let chair = role_at(&db.store, "tinh", "01", Role::Chair).await;

    assert_eq!(
        status(&db.store, round, "00004").await.status,
        Status::NotStarted
    );
    let n = act!(db.store, officer, TODAY, ctx => response::enter(ctx, round, "00004",
        &set(&[("core_members", "0"), ("fees_collected", "1.200.000"), ("meeting_attendance", "85,5"), ("narrative:1", "Hội viên tích cực.")])).await)
    .expect("entered");
    assert_eq!(n, 4);
    assert_eq!(
        status(&db.store, round, "00004").await.status,
        Status::Draft
    );

    // A typed value that is not a number names its row.
    let e = act!(db.store, officer, TODAY, ctx => response::enter(ctx, round, "00004", &set(&[("core_members", "mười")])).await)
        .expect_err("not a number");
    assert!(
        e.render(sohoi::i18n::Lang::Vi)
            .contains("Số hội viên nòng cốt"),
        "{e:?}"
    );
    // A computed figure is not typed.
    act!(db.store, officer, TODAY, ctx => response::enter(ctx, round, "00004", &set(&[("members", "10")])).await)
        .expect_err("computed");

    let done = act!(db.store, officer, TODAY, ctx => response::submit(ctx, round, "00004").await)
        .expect("submitted");
    assert!(!done.late);
    // Submitted, it is out of the unit's hands.
    let e = act!(db.store, officer, TODAY, ctx => response::enter(ctx, round, "00004", &set(&[("core_members", "1")])).await)
        .expect_err("submitted");
    assert_eq!(conflict_of(e), "conflict-round-submitted");
    // The officer does not approve her own report; the province returns it only with a reason.
    assert!(matches!(
        act!(db.store, officer, TODAY, ctx => response::approve(ctx, round, "00004").await),
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        act!(db.store, chair, TODAY, ctx => response::send_back(ctx, round, "00004", "  ").await),
        Err(Error::Invalid {
            field: "reason",
            ..
        })
    ));
    act!(db.store, chair, TODAY, ctx => response::send_back(ctx, round, "00004", "Thiếu số liệu vốn vay").await).expect("returned");
    let r = status(&db.store, round, "00004").await;
    assert_eq!(
        (r.status, r.reason.as_deref()),
        (Status::Returned, Some("Thiếu số liệu vốn vay"))
    );

    // The inbox of the commune shows the returned report; the province's shows nothing to review.
    {
        let mut ctx = Ctx::read(&db.store, officer.clone())
            .await
            .expect("read")
            .on(TODAY);
        let items = inbox::inbox(&mut ctx, "00004").await.expect("inbox");
        assert_eq!(items.to_answer.len(), 1);
        assert_eq!(items.to_answer[0].response.status, Status::Returned);
    }
    act!(db.store, officer, TODAY, ctx => response::enter(ctx, round, "00004", &set(&[("loans_outstanding", "2500000000")])).await).expect("entered");
    act!(db.store, officer, TODAY, ctx => response::submit(ctx, round, "00004").await)
        .expect("submitted again");
    {
        let mut ctx = Ctx::read(&db.store, chair.clone())
            .await
            .expect("read")
            .on(TODAY);
        let items = inbox::inbox(&mut ctx, "01").await.expect("inbox");
        assert_eq!(items.to_review.len(), 1);
        assert_eq!(items.to_review[0].response.unit_code, "00004");
    }
    act!(db.store, chair, TODAY, ctx => response::approve(ctx, round, "00004").await)
        .expect("approved");

    // Approved: no edit; the province reopens with a reason, edits are then counted.
    let e = act!(db.store, officer, TODAY, ctx => response::enter(ctx, round, "00004", &set(&[("core_members", "2")])).await)
        .expect_err("approved");
    assert_eq!(conflict_of(e), "conflict-round-approved");
    act!(db.store, chair, TODAY, ctx => response::reopen(ctx, round, "00004", "").await)
        .expect_err("a reason");
    act!(db.store, chair, TODAY, ctx => response::reopen(ctx, round, "00004", "Sửa số hội viên nòng cốt").await).expect("reopened");
    act!(db.store, officer, TODAY, ctx => response::enter(ctx, round, "00004", &set(&[("core_members", "2")])).await).expect("edited");
    let r = status(&db.store, round, "00004").await;
    assert_eq!((r.status, r.changed_after_approval), (Status::Returned, 1));

    // The history holds every change with its old and new values.
    let mut ctx = Ctx::read(&db.store, chair.clone())
        .await
        .expect("read")
        .on(TODAY);
    let s = sheet::show(&mut ctx, round, "00004", sohoi::i18n::Lang::Vi)
        .await
        .expect("sheet");
    let kinds: Vec<&str> = s.history.iter().map(|e| e.kind.as_str()).collect();
    for k in ["entered", "submitted", "returned", "approved", "reopened"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    let last = s.history.last().expect("history");
    assert_eq!(
        (
            last.indicator.as_deref(),
            last.old_value.as_deref(),
            last.new_value.as_deref()
        ),
        (Some("core_members"), Some("0"), Some("2"))
    );
}

#[tokio::test]
async fn entry_after_closing_needs_a_late_window_and_a_late_submission_is_counted_late() {
    let db = TestDb::new().await;
    let round = open_round(&db.store, "01", UnitKind::Commune).await;
    let officer = role_at(&db.store, "coso", "00004", Role::Officer).await;
    let chair = role_at(&db.store, "tinh", "01", Role::Chair).await;
    let after_closing = date!(2026 - 07 - 05);
    let e = act!(db.store, officer, after_closing, ctx => response::enter(ctx, round, "00004", &set(&[("clubs", "3")])).await)
        .expect_err("closed");
    assert_eq!(conflict_of(e), "conflict-round-closed");
    // Only the level above grants a window, with a reason, not in the past.
    assert!(matches!(
        act!(db.store, officer, after_closing, ctx => response::grant_late(ctx, round, "00004", date!(2026 - 07 - 10), "ốm").await),
        Err(Error::Forbidden)
    ));
    act!(db.store, chair, after_closing, ctx => response::grant_late(ctx, round, "00004", date!(2026 - 07 - 01), "ốm").await)
        .expect_err("in the past");
    act!(db.store, chair, after_closing, ctx => response::grant_late(ctx, round, "00004", date!(2026 - 07 - 10), "Cán bộ ốm").await)
        .expect("granted");
    act!(db.store, officer, after_closing, ctx => response::enter(ctx, round, "00004", &set(&[("clubs", "3")])).await)
        .expect("inside the window");
    let done =
        act!(db.store, officer, after_closing, ctx => response::submit(ctx, round, "00004").await)
            .expect("submitted");
    assert!(done.late);
    // Another commune has no window.
    let other = role_at(&db.store, "khac", "00008", Role::Officer).await;
    act!(db.store, other, after_closing, ctx => response::enter(ctx, round, "00008", &set(&[("clubs", "3")])).await)
        .expect_err("no window");
    let mut ctx = Ctx::read(&db.store, chair)
        .await
        .expect("read")
        .on(after_closing);
    let b = board::board(&mut ctx, round, "01").await.expect("board");
    assert_eq!(
        (b.progress.late, b.progress.on_time, b.progress.submitted),
        (1, 0, 1)
    );
}

#[tokio::test]
async fn a_level_submits_only_when_its_children_are_approved_or_waived() {
    let db = TestDb::new().await;
    let mut tx = db.store.begin().await.expect("begin");
    helpers::branches(&mut tx, "00004", &["Chi hội 1", "Chi hội 2"]).await;
    tx.commit().await.expect("commit");
    let round = open_round(&db.store, "01", UnitKind::Branch).await;
    let commune = role_at(&db.store, "coso", "00004", Role::Chair).await;
    let branch = role_at(&db.store, "chihoi", "00004-01", Role::Officer).await;
    act!(db.store, branch, TODAY, ctx => response::enter(ctx, round, "00004-01", &set(&[("models_new", "4"), ("clubs", "2")])).await).expect("entered");
    act!(db.store, branch, TODAY, ctx => response::submit(ctx, round, "00004-01").await)
        .expect("submitted");
    // The commune's children are not all approved.
    let e = act!(db.store, commune, TODAY, ctx => response::submit(ctx, round, "00004").await)
        .expect_err("children");
    assert_eq!(conflict_of(e), "conflict-round-children");
    act!(db.store, commune, TODAY, ctx => response::approve(ctx, round, "00004-01").await)
        .expect("approved");
    act!(db.store, commune, TODAY, ctx => response::waive(ctx, round, "00004-02", "").await)
        .expect_err("a reason");
    act!(db.store, commune, TODAY, ctx => response::waive(ctx, round, "00004-02", "Chi hội đang sáp nhập").await).expect("waived");
    act!(db.store, commune, TODAY, ctx => response::enter(ctx, round, "00004", &set(&[("clubs", "1")])).await).expect("own entry");
    act!(db.store, commune, TODAY, ctx => response::submit(ctx, round, "00004").await)
        .expect("submitted");
    let mut ctx = Ctx::read(&db.store, system())
        .await
        .expect("read")
        .on(TODAY);
    let s = sheet::show(&mut ctx, round, "00004", sohoi::i18n::Lang::Vi)
        .await
        .expect("sheet");
    let clubs = s
        .sections
        .iter()
        .flat_map(|s| &s.rows)
        .find(|r| r.code == "clubs")
        .expect("row");
    // Its own entry plus the approved child's; the waived child adds nothing.
    assert_eq!(clubs.value.as_deref(), Some("3"));
    let b = board::board(&mut ctx, round, "00004").await.expect("board");
    assert_eq!(
        (
            b.progress.expected,
            b.progress.approved,
            b.progress.waived,
            b.progress.missing()
        ),
        (2, 1, 1, 0)
    );
}

#[tokio::test]
async fn outside_her_scope_a_round_is_not_found_and_the_opener_needs_the_authority() {
    let db = TestDb::new().await;
    let round = open_round(&db.store, "01", UnitKind::Commune).await;
    let elsewhere = role_at(&db.store, "hcm", "79", Role::Chair).await;
    let e = act!(db.store, elsewhere, TODAY, ctx => response::approve(ctx, round, "00004").await)
        .expect_err("elsewhere");
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let mut ctx = Ctx::read(&db.store, elsewhere.clone())
        .await
        .expect("read")
        .on(TODAY);
    assert!(matches!(
        sheet::show(&mut ctx, round, "00004", sohoi::i18n::Lang::Vi).await,
        Err(Error::NotFound { .. })
    ));
    ctx.finish().await.expect("end");
    let officer = role_at(&db.store, "coso", "00004", Role::Officer).await;
    let e = act!(db.store, officer, TODAY, ctx => open::open(ctx, &open::OpenRequest {
        form: "BC-HPN", period: "2026-H2", under: "00004", to: UnitKind::Branch, cutoff: None,
        due: date!(2026 - 12 - 20), closes: None }).await)
    .expect_err("an officer does not open rounds");
    assert!(matches!(e, Error::Forbidden), "{e:?}");
}

#[tokio::test]
async fn an_approved_period_locks_the_member_ledger_until_it_is_reopened() {
    let db = TestDb::new().await;
    let round = open_round(&db.store, "01", UnitKind::Commune).await;
    let officer = role_at(&db.store, "coso", "00004", Role::Officer).await;
    let chair = role_at(&db.store, "tinh", "01", Role::Chair).await;
    act!(db.store, officer, TODAY, ctx => response::submit(ctx, round, "00004").await)
        .expect("submitted");
    act!(db.store, chair, TODAY, ctx => response::approve(ctx, round, "00004").await)
        .expect("approved");

    let mut inside = raw("Nguyễn Thị Lan", "12/05/1980");
    inside.joined_on = "15/03/2026".into();
    let e = act!(db.store, officer, TODAY, ctx => sohoi::members::service::add(ctx, "00004", input(&inside)).await)
        .expect_err("locked");
    assert_eq!(conflict_of(e), "conflict-period-locked");
    // After the period, and in another commune, the ledger is open.
    let mut after = raw("Trần Thị Hoa", "12/05/1981");
    after.joined_on = "01/07/2026".into();
    act!(db.store, officer, date!(2026 - 07 - 02), ctx => sohoi::members::service::add(ctx, "00004", input(&after)).await)
        .expect("after the period");
    let other = role_at(&db.store, "khac", "00008", Role::Officer).await;
    act!(db.store, other, TODAY, ctx => sohoi::members::service::add(ctx, "00008", input(&inside)).await)
        .expect("another commune");

    act!(db.store, chair, TODAY, ctx => response::reopen(ctx, round, "00004", "Bổ sung hội viên mới").await).expect("reopened");
    act!(db.store, officer, TODAY, ctx => sohoi::members::service::add(ctx, "00004", input(&inside)).await)
        .expect("reopened period");
}

/// Counts by scanning what the counters keep: the two must agree.
async fn scanned(store: &Store, round: i64, unit: &str) -> (i64, i64, i64, i64) {
    let mut ctx = Ctx::read(store, system()).await.expect("read").on(TODAY);
    let b = board::board_listing(&mut ctx, round, unit, 100_000)
        .await
        .expect("board");
    let mut targets = Vec::new();
    let mut frontier: Vec<sohoi::rounds::Response> =
        b.children.iter().map(|c| c.response.clone()).collect();
    while let Some(r) = frontier.pop() {
        if r.is_target.0 {
            targets.push(r);
        } else {
            let code = r.unit_code.clone();
            let sub = board::board_listing(&mut ctx, round, &code, 100_000)
                .await
                .expect("board");
            frontier.extend(sub.children.into_iter().map(|c| c.response));
        }
    }
    let approved = targets
        .iter()
        .filter(|t| !t.waived.0 && t.status == Status::Approved)
        .count() as i64;
    let submitted = targets
        .iter()
        .filter(|t| !t.waived.0 && t.status == Status::Submitted)
        .count() as i64;
    let missing = targets
        .iter()
        .filter(|t| !t.waived.0 && !t.status.is_in())
        .count() as i64;
    assert_eq!(b.missing.len() as i64, missing, "missing names");
    (targets.len() as i64, approved, submitted, missing)
}

/// The sum indicators of the form.
fn sum_codes(f: &sohoi::rounds::form::Form) -> Vec<String> {
    f.definition
        .indicators
        .iter()
        .filter(|i| i.rule == sohoi::rounds::indicator::Rule::Sum)
        .map(|i| i.code.clone())
        .collect()
}

#[tokio::test]
async fn random_entries_and_approvals_add_up_at_every_level_and_the_counters_agree() {
    let db = TestDb::new().await;
    let mut tx = db.store.begin().await.expect("begin");
    let mut branches = Vec::new();
    for commune in ["00004", "00008", "00025"] {
        branches.push((
            commune,
            helpers::branches(&mut tx, commune, &["Chi hội 1", "Chi hội 2", "Chi hội 3"]).await,
        ));
    }
    tx.commit().await.expect("commit");
    let entered = [
        "models_new",
        "clubs",
        "funds_raised",
        "poor_households_helped",
        "poor_households_escaped",
    ];
    for seed in 0..6u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let round = {
            let mut ctx = write(&db.store, &system(), TODAY).await;
            form::load(&mut ctx, FORM).await.expect("form");
            let opened = open::open(
                &mut ctx,
                &open::OpenRequest {
                    form: "BC-HPN",
                    period: &format!("{}", 2000 + seed),
                    under: "01",
                    to: UnitKind::Branch,
                    cutoff: None,
                    due: date!(2026 - 12 - 20),
                    closes: None,
                },
            )
            .await
            .expect("open");
            ctx.finish().await.expect("commit");
            opened.round
        };
        for (commune, codes) in &branches {
            let mut all_in = true;
            for code in codes {
                // Each branch enters random figures; some submit, some are approved, some waived.
                let mut values: Vec<(String, String)> = Vec::new();
                for k in entered {
                    let n: u32 = rng.random_range(0..50);
                    if rng.random_bool(0.8) {
                        values.push((k.to_string(), n.to_string()));
                    }
                }
                act!(db.store, system(), TODAY, ctx => response::enter(ctx, round, code, &values).await).expect("enter");
                match rng.random_range(0..4) {
                    0 => all_in = false,
                    1 => {
                        act!(db.store, system(), TODAY, ctx => response::waive(ctx, round, code, "thử").await).expect("waive");
                    }
                    2 => {
                        // Submitted but not approved: not counted by a submission of the level above.
                        let _ = act!(db.store, system(), TODAY, ctx => response::submit(ctx, round, code).await);
                        all_in = false;
                    }
                    _ => {
                        if act!(db.store, system(), TODAY, ctx => response::submit(ctx, round, code).await).is_ok() {
                            act!(db.store, system(), TODAY, ctx => response::approve(ctx, round, code).await).expect("approve");
                        } else {
                            all_in = false;
                        }
                    }
                }
            }
            if all_in {
                act!(db.store, system(), TODAY, ctx => response::submit(ctx, round, commune).await)
                    .expect("commune submits");
                if rng.random_bool(0.5) {
                    act!(db.store, system(), TODAY, ctx => response::approve(ctx, round, commune).await).expect("approve commune");
                }
            }
        }
        // At every level the aggregate equals the sum of what is under it.
        let mut ctx = Ctx::read(&db.store, system())
            .await
            .expect("read")
            .on(TODAY);
        let located = response::locate(&mut ctx, round, "01")
            .await
            .expect("province");
        let codes = sum_codes(&located.form);
        let province = figures::of(
            &mut ctx.tx,
            &located.round,
            &located.form,
            &located.response,
            Counting::Submitted,
        )
        .await
        .expect("figures");
        let mut province_sum = std::collections::HashMap::<String, i64>::new();
        for (commune, _) in &branches {
            let c = response::locate(&mut ctx, round, commune)
                .await
                .expect("commune");
            let cf = figures::of(
                &mut ctx.tx,
                &c.round,
                &c.form,
                &c.response,
                Counting::Approved,
            )
            .await
            .expect("figures");
            let children = sohoi::rounds::board::board(&mut ctx, round, commune)
                .await
                .expect("board")
                .children;
            let mut sums = std::collections::HashMap::<String, i64>::new();
            for child in children
                .iter()
                .filter(|c| !c.response.waived.0 && c.response.status == Status::Approved)
            {
                let b = response::locate(&mut ctx, round, &child.response.unit_code)
                    .await
                    .expect("branch");
                let bf = figures::of(
                    &mut ctx.tx,
                    &b.round,
                    &b.form,
                    &b.response,
                    Counting::Approved,
                )
                .await
                .expect("figures");
                for code in &codes {
                    if let Some(n) = figures::number(&bf, code) {
                        *sums.entry(code.clone()).or_default() += n as i64;
                    }
                }
            }
            for code in &codes {
                // A commune's figure is the sum of its approved branches (no own entries here).
                assert_eq!(
                    figures::number(&cf, code).map(|n| n as i64),
                    sums.get(code).copied(),
                    "seed {seed} {commune} {code}"
                );
            }
            if c.response.status.is_in() {
                for code in &codes {
                    if let Some(n) = figures::number(&cf, code) {
                        *province_sum.entry(code.clone()).or_default() += n as i64;
                    }
                }
            }
        }
        for code in &codes {
            assert_eq!(
                figures::number(&province, code).map(|n| n as i64),
                province_sum.get(code).copied(),
                "seed {seed} province {code}"
            );
        }
        ctx.finish().await.expect("end");
        // The counters kept with each change agree with a count.
        let mut ctx = Ctx::read(&db.store, system())
            .await
            .expect("read")
            .on(TODAY);
        let b = board::board(&mut ctx, round, "01").await.expect("board");
        ctx.finish().await.expect("end");
        let (expected, approved, submitted, missing) = scanned(&db.store, round, "01").await;
        assert_eq!(
            (
                b.progress.expected,
                b.progress.approved,
                b.progress.submitted,
                b.progress.missing()
            ),
            (expected, approved, submitted, missing),
            "seed {seed}"
        );
        assert_eq!(expected, 9);
    }
}

#[tokio::test]
async fn a_form_in_use_is_never_edited_a_changed_file_is_the_next_version() {
    let db = TestDb::new().await;
    let mut ctx = write(&db.store, &system(), TODAY).await;
    let first = form::load(&mut ctx, FORM).await.expect("load");
    assert_eq!(
        (first.code.as_str(), first.version, first.created),
        ("BC-HPN", 1, true)
    );
    let again = form::load(&mut ctx, FORM).await.expect("load");
    assert_eq!((again.version, again.created), (1, false));
    let changed = FORM.replace("jump_factor = 3.0", "jump_factor = 4.0");
    assert_eq!(
        form::load(&mut ctx, &changed).await.expect("load").version,
        2
    );
    // An indicator keeps its meaning across forms.
    let redefined = FORM.replace(
        "name = \"Số câu lạc bộ đang hoạt động\"\nname_en = \"Clubs active\"\nmeasure = \"units\"",
        "name = \"Số câu lạc bộ đang hoạt động\"\nname_en = \"Clubs active\"\nmeasure = \"people\"",
    );
    assert_ne!(redefined, FORM);
    assert!(matches!(
        form::load(&mut ctx, &redefined).await,
        Err(Error::Invalid {
            message: "invalid-indicator-redefined",
            ..
        })
    ));
    for (bad, message) in [
        (
            "code = \"X\"\nname = \"a\"\nname_en = \"a\"\nreporters = [\"commune\"]\nindicators = []\nsections = []",
            "invalid-form-rows",
        ),
        (
            "code = \"X\"\nname = \"a\"\nname_en = \"a\"\nreporters = [\"commune\"]\n[[indicators]]\ncode = \"a\"\nname = \"a\"\nname_en = \"a\"\nmeasure = \"people\"\nformula = \"b + 1\"\n[[sections]]\ntitle = \"s\"\ntitle_en = \"s\"\nrows = [\"a\"]",
            "invalid-formula-code",
        ),
        ("code = \"X\"\nname = \"a\"", "invalid-form-file"),
    ] {
        match form::load(&mut ctx, bad).await {
            Err(Error::Invalid { message: m, .. }) => assert_eq!(m, message),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn concurrent_submissions_and_approvals_keep_the_counters_exact() {
    let db = TestDb::new().await;
    let round = {
        let mut ctx = write(&db.store, &system(), TODAY).await;
        form::load(&mut ctx, FORM).await.expect("form");
        let opened = open::open(
            &mut ctx,
            &open::OpenRequest {
                form: "BC-HPN",
                period: "2026",
                under: "01",
                to: UnitKind::Commune,
                cutoff: None,
                due: date!(2099 - 01 - 20),
                closes: None,
            },
        )
        .await
        .expect("open");
        ctx.finish().await.expect("commit");
        opened.round
    };
    let communes: Vec<String> = {
        let mut ctx = Ctx::read(&db.store, system())
            .await
            .expect("read")
            .on(TODAY);
        board::board(&mut ctx, round, "01")
            .await
            .expect("board")
            .children
            .into_iter()
            .map(|c| c.response.unit_code)
            .take(24)
            .collect()
    };
    // Each commune enters and submits while the province approves those already in: writers
    // on the same counters at once, retried by write_ctx! when the engine says so.
    let mut tasks = Vec::new();
    for code in communes.clone() {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let officer = system();
            let values = set(&[("clubs", "2"), ("funds_raised", "1000000")]);
            sohoi::write_ctx!(store, officer, ctx => response::enter(ctx, round, &code, &values).await)
                .expect("enter");
            sohoi::write_ctx!(store, officer, ctx => response::submit(ctx, round, &code).await)
                .expect("submit");
            sohoi::write_ctx!(store, officer, ctx => response::approve(ctx, round, &code).await)
                .expect("approve");
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let mut ctx = Ctx::read(&db.store, system())
        .await
        .expect("read")
        .on(TODAY);
    let b = board::board(&mut ctx, round, "01").await.expect("board");
    ctx.finish().await.expect("end");
    assert_eq!(b.progress.approved, communes.len() as i64);
    assert_eq!(
        b.progress.expected - b.progress.missing(),
        communes.len() as i64
    );
    let (expected, approved, submitted, missing) = scanned(&db.store, round, "01").await;
    assert_eq!(
        (expected, approved, submitted, missing),
        (
            b.progress.expected,
            b.progress.approved,
            b.progress.submitted,
            b.progress.missing()
        )
    );
}

/// What `scripts/read-document.py` (pypdf, python-docx) reads from a file: page sizes, text
/// with white space collapsed, and whether the PDF's fonts are embedded.
fn read_document(path: &std::path::Path) -> (Vec<(f64, f64)>, String, bool) {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/read-document.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(path)
        .output()
        .expect("python3 runs (then `pip install pypdf python-docx`)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let pages = json["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| {
            (
                p["width"].as_f64().expect("w"),
                p["height"].as_f64().expect("h"),
            )
        })
        .collect();
    let text = json["text"]
        .as_str()
        .expect("text")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let embedded = json["fonts"]
        .as_array()
        .expect("fonts")
        .iter()
        .all(|f| f["embedded"].as_bool().unwrap_or(true));
    (pages, text, embedded)
}

#[tokio::test]
async fn an_approved_report_is_filed_as_a_numbered_decree_30_document() {
    let db = TestDb::new().await;
    let round = open_round(&db.store, "01", UnitKind::Commune).await;
    let officer = role_at(&db.store, "coso", "00004", Role::Officer).await;
    let chair = role_at(&db.store, "tinh", "01", Role::Chair).await;
    act!(db.store, officer, TODAY, ctx => response::enter(ctx, round, "00004",
        &set(&[("clubs", "17"), ("narrative:1", "Phong trào phát triển đều khắp các chi hội.")])).await)
    .expect("entered");
    act!(db.store, officer, TODAY, ctx => response::submit(ctx, round, "00004").await)
        .expect("submitted");
    // Not approved: a draft without a number.
    let mut ctx = Ctx::read(&db.store, chair.clone())
        .await
        .expect("read")
        .on(TODAY);
    let draft = sohoi::rounds::document::number(&mut ctx, round, "00004")
        .await
        .expect("number");
    assert_eq!(draft.trim(), "/BC-HPN");
    ctx.finish().await.expect("end");
    act!(db.store, chair, TODAY, ctx => response::approve(ctx, round, "00004").await)
        .expect("approved");
    // Approved: the unit's first report of the year.
    let mut ctx = Ctx::read(&db.store, chair.clone())
        .await
        .expect("read")
        .on(TODAY);
    let number = sohoi::rounds::document::number(&mut ctx, round, "00004")
        .await
        .expect("number");
    assert_eq!(number, "01/BC-HPN");
    let doc = sohoi::rounds::document::document(
        &mut ctx,
        round,
        "00004",
        &number,
        "Nguyễn Thị Lan",
        TODAY,
        sohoi::i18n::Lang::Vi,
    )
    .await
    .expect("document");
    ctx.finish().await.expect("end");
    let dir = tempfile::tempdir().expect("dir");
    for (name, bytes) in [
        ("bao-cao.pdf", sohoi::documents::pdf(&doc).expect("pdf")),
        ("bao-cao.docx", sohoi::documents::docx(&doc).expect("docx")),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let (pages, text, embedded) = read_document(&path);
        for (w, h) in &pages {
            assert!(
                (w - 595.0).abs() < 1.0 && (h - 842.0).abs() < 1.0,
                "{name}: A4, got {w}×{h}"
            );
        }
        // A PDF carries its font; a DOCX names Times New Roman for the reader's own.
        assert!(
            embedded || name.ends_with(".docx"),
            "{name}: fonts embedded"
        );
        for wanted in [
            "Số: 01/BC-HPN",
            "BÁO CÁO",
            "6 tháng đầu năm 2026",
            "BAN THƯỜNG VỤ HỘI LHPN PHƯỜNG BA ĐÌNH",
            "Số câu lạc bộ đang hoạt động 17",
            "Phong trào phát triển đều khắp các chi hội.",
            "Nguyễn Thị Lan",
            "Hà Nội, ngày 10 tháng 6 năm 2026",
        ] {
            assert!(text.contains(wanted), "{name} holds {wanted:?}: {text}");
        }
    }
}

#[tokio::test]
async fn a_province_sets_earlier_deadlines_for_its_part_never_later() {
    let db = TestDb::new().await;
    let round = open_round(&db.store, "TW", UnitKind::Commune).await;
    let chair = role_at(&db.store, "tinh", "01", Role::Chair).await;
    let e = act!(db.store, chair, TODAY, ctx => response::set_deadlines(ctx, round, "01", date!(2026 - 06 - 25), None).await)
        .expect_err("later than its own");
    assert!(matches!(e, Error::Invalid { field: "due", .. }), "{e:?}");
    let moved = act!(db.store, chair, TODAY, ctx => response::set_deadlines(ctx, round, "01", date!(2026 - 06 - 15), Some(date!(2026 - 06 - 25))).await)
        .expect("earlier");
    assert_eq!(moved, 126);
    assert_eq!(
        status(&db.store, round, "00004").await.due,
        date!(2026 - 06 - 15)
    );
    assert_eq!(
        status(&db.store, round, "00004").await.closes,
        Some(date!(2026 - 06 - 25))
    );
    // Another province's communes keep the centre's dates.
    assert_eq!(
        status(&db.store, round, "25747").await.due,
        date!(2026 - 06 - 20)
    );
    // A submission on the 18th is late for Hà Nội's communes.
    let officer = role_at(&db.store, "coso", "00004", Role::Officer).await;
    let done = act!(db.store, officer, date!(2026 - 06 - 18), ctx => response::submit(ctx, round, "00004").await)
        .expect("submitted");
    assert!(done.late);
}
