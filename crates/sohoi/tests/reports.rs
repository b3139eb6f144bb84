//! The movement report: balances on every row, across periods and partial months.

mod helpers;

use helpers::{TestDb, branches, input, raw};
use sohoi::auth::Access;
use sohoi::members::service::{self, Ending};
use sohoi::reports::Period;
use sohoi::reports::movements::movements;
use time::macros::date;

#[tokio::test]
async fn the_movement_report_counts_each_movement_and_balances() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let scope = Access::system("test");
    let codes = branches(&mut ctx.tx, "00004", &["Chi hội 1", "Chi hội 2"]).await;
    let mut ids = Vec::new();
    for (i, name) in [
        "Nguyễn Thị An",
        "Trần Thị Bình",
        "Lê Thị Chi",
        "Phạm Thị Dung",
    ]
    .iter()
    .enumerate()
    {
        let mut r = raw(name, "1980");
        r.joined_on = if i < 3 {
            "15/03/2024".into()
        } else {
            "20/02/2025".into()
        };
        ids.push(
            service::add(ctx.acting(&scope), &codes[0], input(&r))
                .await
                .expect("add")
                .id,
        );
    }
    service::transfer(
        ctx.acting(&scope),
        ids[0],
        1,
        &codes[1],
        date!(2025 - 04 - 10),
        None,
    )
    .await
    .expect("transfer");
    service::end(
        ctx.acting(&scope),
        ids[1],
        1,
        Ending::Left,
        date!(2025 - 05 - 05),
        None,
    )
    .await
    .expect("leave");
    service::end(
        ctx.acting(&scope),
        ids[2],
        1,
        Ending::Died,
        date!(2025 - 08 - 01),
        None,
    )
    .await
    .expect("died");

    let report = movements(
        ctx.acting(&scope),
        "00004",
        Period::parse("2025-H1").expect("period"),
    )
    .await
    .expect("report");
    let first = report
        .rows
        .iter()
        .find(|r| r.code == codes[0])
        .expect("branch 1");
    assert_eq!(
        (
            first.opening,
            first.new,
            first.transferred_out,
            first.left,
            first.closing
        ),
        (3, 1, 1, 1, 2)
    );
    let second = report
        .rows
        .iter()
        .find(|r| r.code == codes[1])
        .expect("branch 2");
    assert_eq!(
        (second.opening, second.transferred_in, second.closing),
        (0, 1, 1)
    );
    assert_eq!(
        (
            report.total.opening,
            report.total.transferred_in,
            report.total.transferred_out,
            report.total.closing
        ),
        (3, 0, 0, 3)
    );
    assert!(
        report
            .rows
            .iter()
            .chain([&report.total])
            .all(|r| r.balances())
    );

    // A range that cuts months in two still balances and sees only its own days.
    let report = movements(
        ctx.acting(&scope),
        "00004",
        Period::parse("2025-04-11..2025-08-01").expect("period"),
    )
    .await
    .expect("report");
    assert_eq!(
        (
            report.total.opening,
            report.total.left,
            report.total.died,
            report.total.closing
        ),
        (4, 1, 1, 2)
    );
    assert_eq!(report.total.transferred_in, 0);
    assert!(
        report
            .rows
            .iter()
            .chain([&report.total])
            .all(|r| r.balances())
    );

    // The province sees the commune as one row.
    let report = movements(
        ctx.acting(&scope),
        "01",
        Period::parse("2025").expect("period"),
    )
    .await
    .expect("report");
    let ba_dinh = report
        .rows
        .iter()
        .find(|r| r.code == "00004")
        .expect("Ba Đình");
    // A move between two branches of Ba Đình is no transfer for Ba Đình itself.
    assert_eq!(
        (
            ba_dinh.opening,
            ba_dinh.new,
            ba_dinh.transferred_in,
            ba_dinh.transferred_out,
            ba_dinh.closing
        ),
        (3, 1, 0, 0, 2)
    );
    assert_eq!(report.rows.len(), 126);
}

#[tokio::test]
async fn coverage_is_members_over_women_aged_18_and_over() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let scope = Access::system("test");
    for name in ["Nguyễn Thị An", "Trần Thị Bình"] {
        let mut r = raw(name, "1980");
        r.joined_on = "01/01/2025".into();
        service::add(ctx.acting(&scope), "00004", input(&r))
            .await
            .expect("add");
    }
    let unit = sohoi::org::store::by_code(&mut ctx.tx, "00004", sohoi::clock::today())
        .await
        .expect("q")
        .expect("unit");
    sohoi::stats::set_population(&mut ctx.tx, unit.id, 2025, 8)
        .await
        .expect("population");
    let report = movements(
        ctx.acting(&scope),
        "01",
        Period::parse("2025").expect("period"),
    )
    .await
    .expect("report");
    let row = report.rows.iter().find(|r| r.code == "00004").expect("row");
    assert_eq!(row.coverage_rate, Some(0.25));
    assert_eq!(report.total.coverage_rate, None);
}
