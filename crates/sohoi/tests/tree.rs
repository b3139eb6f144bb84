//! The national tree: init, listings, history.

mod helpers;

use helpers::TestDb;
use sohoi::auth::Access;
use sohoi::clock::today;
use sohoi::org::tree;

#[tokio::test]
async fn hanoi_has_126_commune_level_unions() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let units = tree::list(ctx.acting(&Access::system("test")), Some("01"), 1, today())
        .await
        .expect("list");
    assert_eq!(units.len(), 126);
    assert!(
        units
            .iter()
            .any(|u| u.name == "Phường Ba Đình" && u.parent_code.as_deref() == Some("01"))
    );
}

#[tokio::test]
async fn the_country_has_34_provinces_and_3321_communes() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let units = tree::list(ctx.acting(&Access::system("test")), Some("TW"), 2, today())
        .await
        .expect("list");
    assert_eq!(units.iter().filter(|u| u.depth == 1).count(), 34);
    assert_eq!(units.iter().filter(|u| u.depth == 2).count(), 3321);
}

#[tokio::test]
async fn init_twice_changes_nothing() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let report = sohoi::org::reference::init(&mut ctx.tx)
        .await
        .expect("init");
    assert_eq!(report.created, 0);
    assert_eq!(report.existing, 3356);
}

#[tokio::test]
async fn an_unknown_code_is_not_found() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let err = tree::list(
        ctx.acting(&Access::system("test")),
        Some("99999"),
        1,
        today(),
    )
    .await
    .expect_err("unknown");
    assert_eq!(
        err.render(sohoi::i18n::Lang::Vi),
        "Không tìm thấy đơn vị 99999"
    );
}

#[tokio::test]
async fn a_unit_created_later_is_absent_from_earlier_trees() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let commune = sohoi::org::store::by_code(&mut ctx.tx, "00004", today())
        .await
        .expect("q")
        .expect("Ba Đình");
    let created = time::macros::date!(2026 - 01 - 01);
    let unit = sohoi::org::store::NewUnit {
        id: None,
        code: "00004-77",
        kind: sohoi::org::UnitKind::Branch,
        name: "Chi hội Tổ dân phố số 77",
        admin_type: None,
        parent: Some(commune.id),
        province: None,
        valid_from: created,
    };
    sohoi::org::store::insert(&mut ctx.tx, &unit)
        .await
        .expect("insert");
    let scope = Access::system("test");
    let before = tree::list(
        ctx.acting(&scope),
        Some("00004"),
        1,
        time::macros::date!(2025 - 12 - 31),
    )
    .await
    .expect("list");
    let after = tree::list(ctx.acting(&scope), Some("00004"), 1, created)
        .await
        .expect("list");
    assert!(before.is_empty());
    assert_eq!(after.len(), 1);
    // The new branch is a descendant of Hà Nội and of the centre too, in one closure query.
    let hanoi = tree::list(ctx.acting(&scope), Some("01"), 2, created)
        .await
        .expect("list");
    assert!(hanoi.iter().any(|u| u.code == "00004-77" && u.depth == 2));
}

#[tokio::test]
async fn unit_search_ignores_diacritics() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let found = tree::search(ctx.acting(&Access::system("test")), "ba dinh", today(), 10)
        .await
        .expect("search");
    assert!(found.iter().any(|u| u.name == "Phường Ba Đình"));
}
