//! Restructuring the tree: merging two wards as in the 2025 reform, splitting one, renaming
//! and dissolving; afterwards the statistics equal a recomputation, reports across the
//! date balance, and no member is lost or counted twice.

mod helpers;

use helpers::{TestDb, input, raw};
use sohoi::auth::Access;
use sohoi::org::restructure;
use time::macros::date;

async fn stock(db: &TestDb, code: &str, on: time::Date) -> i64 {
    let mut ctx = sohoi::ctx::Ctx::read(&db.store, sohoi::auth::Access::system("test"))
        .await
        .expect("read");
    let unit = sohoi::org::store::by_code(&mut ctx.tx, code, on)
        .await
        .expect("query")
        .expect("unit");
    sohoi::stats::stock_at(&mut ctx.tx, &[unit.id], "all", on)
        .await
        .expect("stock")
        .values()
        .sum()
}

async fn clean(db: &TestDb) {
    let mut ctx = sohoi::ctx::Ctx::read(&db.store, sohoi::auth::Access::system("test"))
        .await
        .expect("read");
    let diffs = sohoi::stats::check::check(&mut ctx.tx)
        .await
        .expect("check");
    assert!(
        diffs.is_empty(),
        "statistics equal a recomputation: {diffs:?}"
    );
}

async fn add(db: &TestDb, unit: &str, name: &str) -> i64 {
    let mut ctx = db.ctx().await;
    let id = sohoi::members::service::add(
        ctx.acting(&Access::system("test")),
        unit,
        input(&raw(name, "1980")),
    )
    .await
    .expect("member")
    .id;
    ctx.finish().await.expect("commit");
    id
}

/// Two wards of Hà Nội with branches and members: Ba Đình (00004) and Ngọc Hà (00008).
async fn two_wards(db: &TestDb) {
    let mut ctx = db.ctx().await;
    helpers::branches(
        &mut ctx.tx,
        "00004",
        &["Chi hội Tổ dân phố số 1", "Chi hội Tổ dân phố số 2"],
    )
    .await;
    helpers::branches(
        &mut ctx.tx,
        "00008",
        &["Chi hội Tổ dân phố số 1", "Chi hội Văn Cao"],
    )
    .await;
    ctx.finish().await.expect("commit");
    for (unit, names) in [
        ("00004-01", &["Nguyễn Thị An", "Trần Thị Bình"][..]),
        ("00004-02", &["Lê Thị Cúc"][..]),
        ("00004", &["Phạm Thị Dung"][..]),
        ("00008-01", &["Hoàng Thị Em", "Vũ Thị Gấm"][..]),
        ("00008-02", &["Đỗ Thị Hoa"][..]),
    ] {
        for name in names {
            add(db, unit, name).await;
        }
    }
}

#[tokio::test]
async fn merging_a_ward_into_another_transfers_its_members_and_keeps_every_report_balanced() {
    let db = TestDb::new().await;
    two_wards(&db).await;
    let on = date!(2025 - 07 - 01);
    let system = Access::system("test");

    // The preview changes nothing.
    let mut ctx = db.ctx().await;
    let preview = restructure::merge(ctx.acting(&system), &["00004".into()], "00008", on)
        .await
        .expect("merge");
    drop(ctx);
    assert_eq!(preview.members_moved, 4);
    assert_eq!(
        preview.members_before,
        [("00004".to_string(), 4), ("00008".to_string(), 3)]
    );
    assert_eq!(
        stock(&db, "00004", date!(2025 - 08 - 01)).await,
        4,
        "a preview writes nothing"
    );

    let mut ctx = db.ctx().await;
    let impact = restructure::merge(ctx.acting(&system), &["00004".into()], "00008", on)
        .await
        .expect("merge");
    ctx.finish().await.expect("commit");
    assert_eq!(
        impact.members_after,
        [("00004".to_string(), 0), ("00008".to_string(), 7)]
    );
    // Branch 1 joins Ngọc Hà's branch of the same name; branch 2 becomes a new branch of Ngọc Hà.
    assert_eq!(impact.created.len(), 1, "{impact:?}");
    assert_eq!(impact.created[0].1, "Chi hội Tổ dân phố số 2");
    assert!(
        impact
            .lineage
            .contains(&("00004-01".into(), "00008-01".into()))
            && impact.lineage.contains(&("00004".into(), "00008".into()))
    );

    assert_eq!(stock(&db, "00008", date!(2025 - 08 - 01)).await, 7);
    assert_eq!(stock(&db, "00008-01", date!(2025 - 08 - 01)).await, 4);
    assert_eq!(
        stock(&db, "01", date!(2025 - 08 - 01)).await,
        7,
        "the province counts everyone once"
    );
    assert_eq!(
        stock(&db, "00004", date!(2025 - 06 - 30)).await,
        4,
        "as it was before the merge"
    );
    clean(&db).await;

    // Every report across the date balances, and the province sees no movement at all.
    let mut ctx = sohoi::ctx::Ctx::read(&db.store, sohoi::auth::Access::system("test"))
        .await
        .expect("read");
    for code in ["01", "00008"] {
        let report = sohoi::reports::movements::movements(
            ctx.acting(&system),
            code,
            sohoi::reports::Period::parse("2025").expect("period"),
        )
        .await
        .expect("report");
        for row in report.rows.iter().chain([&report.total]) {
            assert!(row.balances(), "{code}: {row:?}");
        }
        if code == "01" {
            assert_eq!(
                (report.total.transferred_in, report.total.transferred_out),
                (0, 0),
                "a merge inside the province moves nobody out of it"
            );
        } else {
            assert_eq!(report.total.transferred_in, 4);
        }
    }
    // The old ward's members are found in their new branches, each with two ledger events more.
    let members =
        sohoi::members::service::list(ctx.acting(&system), "00008", &Default::default(), 1, 50)
            .await
            .expect("list");
    assert_eq!(members.total, 7);
    let dung = members
        .members
        .iter()
        .find(|m| m.full_name == "Phạm Thị Dung")
        .expect("Dung");
    assert_eq!(dung.unit_code, "00008");
    let history = sohoi::members::store::history(&mut ctx.tx, dung.id)
        .await
        .expect("history");
    assert_eq!(history.len(), 3);
}

#[tokio::test]
async fn a_plan_file_splits_renames_and_dissolves_leave_the_register_consistent() {
    let db = TestDb::new().await;
    two_wards(&db).await;
    let system = Access::system("test");

    let plan = restructure::parse_plan("ma_cu,ma_moi,ngay_hieu_luc\n00004,00008,01/07/2025\n")
        .expect("plan");
    assert_eq!(plan.len(), 1);
    let err = restructure::parse_plan("00004;00008").expect_err("not a plan line");
    assert!(
        err.render(sohoi::i18n::Lang::Vi)
            .contains("dòng 1 không đúng dạng"),
        "{err:?}"
    );
    let mut ctx = db.ctx().await;
    restructure::apply_plan(ctx.acting(&system), &plan)
        .await
        .expect("plan");
    ctx.finish().await.expect("commit");
    clean(&db).await;

    // A split: the Văn Cao branch goes to another ward, Giảng Võ (00025).
    let mut ctx = db.ctx().await;
    let split = restructure::split(
        ctx.acting(&system),
        "00008",
        &[("00008-02".into(), "00025".into())],
        date!(2025 - 09 - 01),
    )
    .await
    .expect("split");
    ctx.finish().await.expect("commit");
    assert_eq!(split.members_moved, 1);
    assert_eq!(stock(&db, "00025", date!(2025 - 09 - 02)).await, 1);
    assert_eq!(stock(&db, "00008", date!(2025 - 09 - 02)).await, 6);
    clean(&db).await;

    // A rename keeps the old name in history.
    let mut ctx = db.ctx().await;
    restructure::rename(
        ctx.acting(&system),
        "00008",
        "Phường Ngọc Hà mới",
        date!(2025 - 10 - 01),
    )
    .await
    .expect("rename");
    ctx.finish().await.expect("commit");
    let mut ctx = sohoi::ctx::Ctx::read(&db.store, sohoi::auth::Access::system("test"))
        .await
        .expect("read");
    let unit = sohoi::org::store::by_code(&mut ctx.tx, "00008", date!(2025 - 10 - 02))
        .await
        .expect("query")
        .expect("unit");
    assert_eq!(
        sohoi::org::store::name_at(&mut ctx.tx, unit.id, date!(2025 - 09 - 01))
            .await
            .expect("name")
            .as_deref(),
        Some("Phường Ngọc Hà")
    );
    assert_eq!(
        sohoi::org::store::name_at(&mut ctx.tx, unit.id, date!(2025 - 10 - 02))
            .await
            .expect("name")
            .as_deref(),
        Some("Phường Ngọc Hà mới")
    );
    drop(ctx);

    // A unit with members cannot be dissolved; an empty one can.
    let mut ctx = db.ctx().await;
    let refused = restructure::dissolve(ctx.acting(&system), "00008", date!(2025 - 10 - 01))
        .await
        .expect_err("Ngọc Hà holds the members of both wards");
    assert!(
        refused
            .render(sohoi::i18n::Lang::Vi)
            .contains("còn hội viên"),
        "{refused:?}"
    );
    restructure::dissolve(ctx.acting(&system), "00070", date!(2025 - 10 - 01))
        .await
        .expect("an empty ward dissolves");
    ctx.finish().await.expect("commit");
    clean(&db).await;

    // Nobody lost, nobody counted twice.
    assert_eq!(stock(&db, "01", date!(2025 - 10 - 02)).await, 7);
}

#[tokio::test]
async fn restructuring_needs_a_chair_and_respects_the_ledger_order() {
    let db = TestDb::new().await;
    two_wards(&db).await;
    let mut ctx = db.ctx().await;
    // An officer of Hà Nội sees both wards but may not restructure them: forbidden, not
    // "not found" (which would only say she sees nothing).
    let hanoi = sohoi::org::store::by_code(&mut ctx.tx, "01", date!(2025 - 07 - 01))
        .await
        .expect("query")
        .expect("Hà Nội");
    let officer = Access::of_grants(
        "officer",
        vec![sohoi::auth::Grant::new(
            hanoi.id,
            sohoi::auth::Role::Officer.authorities(),
            [],
        )],
    );
    let err = restructure::merge(
        ctx.acting(&officer),
        &["00004".into()],
        "00008",
        date!(2025 - 07 - 01),
    )
    .await
    .expect_err("officer");
    assert!(matches!(err, sohoi::error::Error::Forbidden), "{err:?}");
    drop(ctx);
    // Members who joined on 01/01/2020 cannot be merged away before that.
    let mut ctx = db.ctx().await;
    let early = restructure::merge(
        ctx.acting(&Access::system("test")),
        &["00004".into()],
        "00008",
        date!(2019 - 07 - 01),
    )
    .await;
    let message = early
        .err()
        .map(|e| e.render(sohoi::i18n::Lang::Vi))
        .unwrap_or_default();
    assert!(
        message.contains("có biến động sau ngày hiệu lực"),
        "{message}"
    );
}

#[tokio::test]
async fn a_chair_previews_then_applies_a_merge_on_the_page() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let db = TestDb::new().await;
    two_wards(&db).await;
    let mut ctx = db.ctx().await;
    let account = sohoi::auth::users::NewAccount {
        username: "tinh",
        display_name: "Chủ tịch",
        unit_code: "01",
        role: sohoi::auth::Role::Chair,
        tiers: &[],
    };
    sohoi::auth::users::create(
        ctx.acting(&Access::system("test")),
        &account,
        &sohoi::auth::password::Password::new("mat-khau-thu"),
    )
    .await
    .expect("account");
    let user = sohoi::auth::users::by_username(&mut ctx.tx, "tinh")
        .await
        .expect("user");
    let (token, csrf) = sohoi::auth::sessions::open(&mut ctx.tx, &user)
        .await
        .expect("session");
    ctx.finish().await.expect("commit");
    let app = sohoi::web::app(db.store.clone(), sohoi::i18n::Lang::Vi);
    let post = |body: String| {
        Request::post("/units/00004/restructure")
            .header(header::COOKIE, format!("sohoi_session={token}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request")
    };
    let form = format!("csrf={csrf}&action=merge&target=00008&date=01%2F07%2F2025");
    let response = app
        .clone()
        .oneshot(post(form.clone()))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let page = String::from_utf8_lossy(
        &response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes(),
    )
    .into_owned();
    assert!(
        page.contains("Xem trước: chưa có gì thay đổi") && page.contains("00004 → 00008"),
        "{page}"
    );
    assert_eq!(
        stock(&db, "00004", date!(2025 - 08 - 01)).await,
        4,
        "the preview changed nothing"
    );

    let response = app
        .oneshot(post(format!("{form}&apply=yes")))
        .await
        .expect("response");
    let page = String::from_utf8_lossy(
        &response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes(),
    )
    .into_owned();
    assert!(page.contains("Đã thực hiện."), "{page}");
    assert_eq!(stock(&db, "00008", date!(2025 - 08 - 01)).await, 7);
    clean(&db).await;
}

#[tokio::test]
async fn a_report_can_follow_the_tree_at_the_time_on_a_date_or_today() {
    use sohoi::reports::movements::{Structure, movements_in};
    let db = TestDb::new().await;
    two_wards(&db).await;
    let system = Access::system("test");
    let mut ctx = db.ctx().await;
    restructure::merge(
        ctx.acting(&system),
        &["00004".into()],
        "00008",
        date!(2025 - 07 - 01),
    )
    .await
    .expect("merge");
    ctx.finish().await.expect("commit");
    let mut ctx = sohoi::ctx::Ctx::read(&db.store, sohoi::auth::Access::system("test"))
        .await
        .expect("read");
    let first_half = sohoi::reports::Period::parse("2025-H1").expect("period");
    let year = sohoi::reports::Period::parse("2025").expect("period");
    let row = |r: &sohoi::reports::movements::MovementReport, code: &str| {
        r.rows.iter().find(|x| x.code == code).cloned()
    };

    // At the time: both wards, Ba Đình with its four members.
    let then = movements_in(ctx.acting(&system), "01", first_half, Structure::AtTheTime)
        .await
        .expect("report");
    assert_eq!(row(&then, "00004").map(|r| r.closing), Some(4));
    // On a date after the merge: Ba Đình is gone, its year shows in its own row no more.
    let later = movements_in(
        ctx.acting(&system),
        "01",
        year,
        Structure::AsOf(date!(2025 - 08 - 01)),
    )
    .await
    .expect("report");
    assert!(row(&later, "00004").is_none());
    assert_eq!(
        row(&later, "00008").map(|r| (r.transferred_in, r.closing)),
        Some((4, 7))
    );
    // Restated in today's structure: Ngọc Hà with Ba Đình's history, the merge netted out.
    let restated = movements_in(ctx.acting(&system), "01", year, Structure::Today)
        .await
        .expect("report");
    let ngoc_ha = row(&restated, "00008").expect("Ngọc Hà");
    assert_eq!(
        (
            ngoc_ha.opening,
            ngoc_ha.transferred_in,
            ngoc_ha.transferred_out,
            ngoc_ha.closing
        ),
        (7, 0, 0, 7),
        "{ngoc_ha:?}"
    );
    for r in restated.rows.iter().chain([&restated.total]) {
        assert!(r.balances(), "{r:?}");
    }
    let h1 = movements_in(ctx.acting(&system), "01", first_half, Structure::Today)
        .await
        .expect("report");
    assert_eq!(
        row(&h1, "00008").map(|r| r.closing),
        Some(7),
        "before the merge, today's Ngọc Hà held what both wards held"
    );
}

/// A move between two branches of one ward was never counted by the ward; restated after the
/// ward merged away, it must not be taken out of the successor's transfers either.
#[tokio::test]
async fn a_restated_report_leaves_moves_inside_a_merged_ward_alone() {
    use sohoi::reports::movements::{Structure, movements_in};
    let db = TestDb::new().await;
    two_wards(&db).await;
    let system = Access::system("test");
    let mover = add(&db, "00004-01", "Mai Thị Khánh").await;
    let mut ctx = db.ctx().await;
    sohoi::members::service::transfer(
        ctx.acting(&system),
        mover,
        1,
        "00004-02",
        date!(2025 - 03 - 01),
        None,
    )
    .await
    .expect("move");
    restructure::merge(
        ctx.acting(&system),
        &["00004".into()],
        "00008",
        date!(2025 - 07 - 01),
    )
    .await
    .expect("merge");
    ctx.finish().await.expect("commit");
    let mut ctx = sohoi::ctx::Ctx::read(&db.store, system.clone())
        .await
        .expect("read");
    let year = sohoi::reports::Period::parse("2025").expect("period");
    let restated = movements_in(&mut ctx, "01", year, Structure::Today)
        .await
        .expect("report");
    let ngoc_ha = restated
        .rows
        .iter()
        .find(|r| r.code == "00008")
        .expect("Ngọc Hà");
    assert_eq!(
        (
            ngoc_ha.transferred_in,
            ngoc_ha.transferred_out,
            ngoc_ha.closing
        ),
        (0, 0, 8),
        "{ngoc_ha:?}"
    );
    assert!(
        restated
            .rows
            .iter()
            .chain([&restated.total])
            .all(|r| r.balances() && r.transferred_in >= 0 && r.transferred_out >= 0)
    );
    // The province's restated figures equal its figures as reported: nothing left Hà Nội.
    let as_reported = movements_in(&mut ctx, "01", year, Structure::AtTheTime)
        .await
        .expect("report");
    assert_eq!(
        restated.total.transferred_in,
        as_reported.total.transferred_in
    );
}

/// A member who left a ward that later merged away comes back into the ward it went into,
/// and is counted there; dated before the merge, the restoration is refused, naming the merge.
#[tokio::test]
async fn restoring_a_member_of_a_merged_ward_brings_her_into_its_successor() {
    let db = TestDb::new().await;
    two_wards(&db).await;
    let system = Access::system("test");
    let leaver = add(&db, "00004-01", "Mai Thị Khánh").await;
    let mut ctx = db.ctx().await;
    sohoi::members::service::end(
        ctx.acting(&system),
        leaver,
        1,
        sohoi::members::service::Ending::Left,
        date!(2025 - 03 - 01),
        None,
    )
    .await
    .expect("left");
    restructure::merge(
        ctx.acting(&system),
        &["00004".into()],
        "00008",
        date!(2025 - 07 - 01),
    )
    .await
    .expect("merge");
    ctx.finish().await.expect("commit");

    let mut ctx = db.ctx().await;
    let err = sohoi::members::service::restore(
        ctx.acting(&system),
        leaver,
        2,
        date!(2025 - 05 - 01),
        None,
    )
    .await
    .expect_err("before the merge");
    let message = err.render(sohoi::i18n::Lang::Vi);
    // Her branch went into Ngọc Hà's branch of the same name.
    assert!(
        message.contains("Chi hội Tổ dân phố số 1 (00008-01)") && message.contains("01/07/2025"),
        "{message}"
    );
    drop(ctx);

    let mut ctx = db.ctx().await;
    let into = sohoi::members::service::restore(
        ctx.acting(&system),
        leaver,
        2,
        date!(2025 - 09 - 01),
        None,
    )
    .await
    .expect("restore");
    assert_eq!(into.as_deref(), Some("00008-01"));
    ctx.finish().await.expect("commit");
    assert_eq!(stock(&db, "00008", date!(2025 - 09 - 01)).await, 8);
    assert_eq!(stock(&db, "01", date!(2025 - 09 - 01)).await, 8);
    clean(&db).await;
}
