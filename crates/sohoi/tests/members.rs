//! The register: adding, correcting, transferring, ending and restoring memberships, with
//! the ledger, the statistics, duplicates, search and scope.

mod helpers;

use helpers::{TestDb, branches, input, raw};
use sohoi::auth::{Access, Grant, Role};
use sohoi::clock::today;
use sohoi::error::Error;
use sohoi::i18n::Lang;
use sohoi::members::EventKind;
use sohoi::members::service::{self, Ending};
use time::macros::date;

fn admin() -> Access {
    Access::system("test")
}

#[tokio::test]
async fn a_new_member_is_counted_up_the_tree() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let codes = branches(&mut ctx.tx, "00004", &["Chi hội Tổ dân phố số 1"]).await;
    let added = service::add(
        ctx.acting(&admin()),
        &codes[0],
        input(&raw("Nguyễn Thị Thủy", "12/05/1980")),
    )
    .await
    .expect("add");
    for unit in [codes[0].as_str(), "00004", "01", "TW"] {
        let s = sohoi::reports::summary::summary(ctx.acting(&admin()), unit, today())
            .await
            .expect("summary");
        assert_eq!(s.members, 1, "{unit}");
    }
    let view = service::show(ctx.acting(&admin()), added.id)
        .await
        .expect("show");
    assert_eq!(view.history.len(), 1);
    assert_eq!(view.history[0].kind, EventKind::Joined);
    assert!(
        sohoi::stats::check::check(&mut ctx.tx)
            .await
            .expect("check")
            .is_empty()
    );
}

#[tokio::test]
async fn the_same_national_id_is_refused_naming_the_member_and_her_unit() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let mut first = raw("Trần Thị Lan", "05/03/1978");
    first.national_id = "001178000042".into();
    service::add(ctx.acting(&admin()), "00004", input(&first))
        .await
        .expect("first");
    let mut second = raw("Trần Thị Lan Anh", "05/03/1978");
    second.national_id = "001178000042".into();
    let err = service::add(ctx.acting(&admin()), "00008", input(&second))
        .await
        .expect_err("duplicate");
    let message = err.render(Lang::Vi);
    assert!(message.contains("Trần Thị Lan"), "{message}");
    assert!(message.contains("Phường Ba Đình"), "{message}");
}

#[tokio::test]
async fn same_name_and_birth_in_one_commune_is_flagged_not_refused() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let codes = branches(&mut ctx.tx, "00004", &["Chi hội 1", "Chi hội 2"]).await;
    service::add(
        ctx.acting(&admin()),
        &codes[0],
        input(&raw("Lê Thị Hoà", "1960")),
    )
    .await
    .expect("first");
    let added = service::add(
        ctx.acting(&admin()),
        &codes[1],
        input(&raw("le thi hoa", "1960")),
    )
    .await
    .expect("second");
    assert_eq!(added.similar.len(), 1);
    assert_eq!(added.similar[0].unit_code, codes[0]);
    // In another commune she is not flagged.
    let elsewhere = service::add(
        ctx.acting(&admin()),
        "00008",
        input(&raw("Lê Thị Hòa", "1960")),
    )
    .await
    .expect("third");
    assert!(elsewhere.similar.is_empty());
}

async fn members(ctx: &mut sohoi::ctx::Ctx, unit: &str) -> i64 {
    sohoi::reports::summary::summary(ctx.acting(&admin()), unit, today())
        .await
        .expect("summary")
        .members
}

#[tokio::test]
async fn a_transfer_writes_out_and_in_and_moves_the_counts() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let added = service::add(
        ctx.acting(&admin()),
        "00004",
        input(&raw("Phạm Thị Hương", "1975")),
    )
    .await
    .expect("add");
    service::transfer(
        ctx.acting(&admin()),
        added.id,
        1,
        "25747",
        date!(2025 - 03 - 10),
        Some("chuyển nơi ở"),
    )
    .await
    .expect("transfer");
    let view = service::show(ctx.acting(&admin()), added.id)
        .await
        .expect("show");
    let kinds: Vec<_> = view.history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::Joined,
            EventKind::TransferredOut,
            EventKind::TransferredIn
        ]
    );
    assert_eq!(view.member.unit_code, "25747");
    assert_eq!(members(&mut ctx, "01").await, 0);
    assert_eq!(members(&mut ctx, "79").await, 1);
    assert_eq!(members(&mut ctx, "TW").await, 1);
    // As of before the transfer she was still in Hà Nội.
    let s = sohoi::reports::summary::summary(ctx.acting(&admin()), "01", date!(2025 - 03 - 09))
        .await
        .expect("summary");
    assert_eq!(s.members, 1);
    assert!(
        sohoi::stats::check::check(&mut ctx.tx)
            .await
            .expect("check")
            .is_empty()
    );
}

#[tokio::test]
async fn leaving_and_restoring_are_events_and_a_stale_version_is_refused() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let added = service::add(
        ctx.acting(&admin()),
        "00004",
        input(&raw("Đỗ Thị Mai", "1990")),
    )
    .await
    .expect("add");
    service::end(
        ctx.acting(&admin()),
        added.id,
        1,
        Ending::Left,
        date!(2025 - 06 - 01),
        Some("chuyển ra nước ngoài"),
    )
    .await
    .expect("leave");
    let err = service::restore(ctx.acting(&admin()), added.id, 1, today(), None)
        .await
        .expect_err("stale version");
    assert!(matches!(
        err,
        Error::Conflict {
            message: "conflict-stale",
            ..
        }
    ));
    service::restore(ctx.acting(&admin()), added.id, 2, today(), None)
        .await
        .expect("restore");
    let view = service::show(ctx.acting(&admin()), added.id)
        .await
        .expect("show");
    assert_eq!(
        view.history.iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![EventKind::Joined, EventKind::Left, EventKind::Restored]
    );
    assert!(
        sohoi::stats::check::check(&mut ctx.tx)
            .await
            .expect("check")
            .is_empty()
    );
}

#[tokio::test]
async fn a_correction_moves_the_breakdown_and_is_kept_in_the_ledger() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let added = service::add(
        ctx.acting(&admin()),
        "00004",
        input(&raw("Bùi Thị Yến", "1985")),
    )
    .await
    .expect("add");
    let mut corrected = raw("Bùi Thị Yến", "1985");
    corrected.education = "lower_secondary".into();
    assert!(
        service::edit(
            ctx.acting(&admin()),
            added.id,
            1,
            input(&corrected),
            today()
        )
        .await
        .expect("edit")
    );
    let s = sohoi::reports::summary::summary(ctx.acting(&admin()), "TW", today())
        .await
        .expect("summary");
    assert_eq!(s.breakdowns["education"].get("lower_secondary"), Some(&1));
    assert_eq!(s.breakdowns["education"].get("upper_secondary"), None);
    let view = service::show(ctx.acting(&admin()), added.id)
        .await
        .expect("show");
    let last = view.history.last().expect("event");
    assert_eq!(last.kind, EventKind::Corrected);
    assert!(
        last.changes
            .as_ref()
            .is_some_and(|c| c.get("education").is_some())
    );
    assert!(
        sohoi::stats::check::check(&mut ctx.tx)
            .await
            .expect("check")
            .is_empty()
    );
}

#[tokio::test]
async fn the_ledger_refuses_updates_and_deletes() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    service::add(
        ctx.acting(&admin()),
        "00004",
        input(&raw("Vũ Thị Hạnh", "1970")),
    )
    .await
    .expect("add");
    ctx.finish().await.expect("commit");
    for sql in [
        "update member_events set unit_id = unit_id",
        "delete from member_events",
    ] {
        let mut ctx = db.ctx().await;
        let result = sohoi::on_engine!(&mut ctx.tx, c => sqlx::query(sql).execute(&mut **c).await.map(|_| ()));
        let message = result.expect_err("refused").to_string();
        assert!(message.contains("append-only"), "{message}");
    }
}

#[tokio::test]
async fn search_ignores_case_diacritics_and_tone_placement() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    for name in [
        "Nguyễn Thị Thủy",
        "Trần Thị Thuỷ",
        "Lê Thị Thúy",
        "Đặng Thị Lan",
    ] {
        service::add(ctx.acting(&admin()), "00004", input(&raw(name, "1980")))
            .await
            .expect("add");
    }
    let found = service::search(ctx.acting(&admin()), "thuy", None, 50)
        .await
        .expect("search");
    let names: Vec<_> = found.iter().map(|m| m.full_name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let found = service::search(ctx.acting(&admin()), "dang lan", None, 50)
        .await
        .expect("search");
    assert_eq!(
        found
            .iter()
            .map(|m| m.full_name.as_str())
            .collect::<Vec<_>>(),
        vec!["Đặng Thị Lan"]
    );
}

#[tokio::test]
async fn lists_sort_by_given_name_in_vietnamese_order() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    for name in [
        "Trần Thị Ân",
        "Lê Thị Ăn",
        "Nguyễn Thị Anh",
        "Bùi Thị Đào",
        "Đỗ Thị Dung",
    ] {
        service::add(ctx.acting(&admin()), "00004", input(&raw(name, "1980")))
            .await
            .expect("add");
    }
    let page = service::list(
        ctx.acting(&admin()),
        "00004",
        &sohoi::members::ListFilter::default(),
        1,
        50,
    )
    .await
    .expect("list");
    let names: Vec<_> = page.members.iter().map(|m| m.full_name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Nguyễn Thị Anh",
            "Lê Thị Ăn",
            "Trần Thị Ân",
            "Đỗ Thị Dung",
            "Bùi Thị Đào"
        ]
    );
}

#[tokio::test]
async fn a_commune_officer_never_sees_another_communes_member() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let theirs = service::add(
        ctx.acting(&admin()),
        "00008",
        input(&raw("Hoàng Thị Nga", "1980")),
    )
    .await
    .expect("add");
    let mine = service::add(
        ctx.acting(&admin()),
        "00004",
        input(&raw("Hoàng Thị Ngà", "1981")),
    )
    .await
    .expect("add");
    let ba_dinh = sohoi::org::store::by_code(&mut ctx.tx, "00004", today())
        .await
        .expect("q")
        .expect("unit");
    let officer = Access::of_grants(
        "officer",
        vec![Grant::new(ba_dinh.id, Role::Officer.authorities(), [])],
    );
    let err = service::show(ctx.acting(&officer), theirs.id)
        .await
        .expect_err("outside scope");
    assert!(matches!(err, Error::NotFound { .. }));
    let found = service::search(ctx.acting(&officer), "hoang", None, 50)
        .await
        .expect("search");
    assert_eq!(
        found.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![mine.id]
    );
    // Without the sensitive grant, ethnicity, religion and national ID are not shown.
    let view = service::show(ctx.acting(&officer), mine.id)
        .await
        .expect("own member");
    assert_eq!(view.member.ethnicity, None);
    assert_eq!(view.member.party_member, None);
    let err = sohoi::org::tree::find(ctx.acting(&officer), "00008", today())
        .await
        .expect_err("other commune");
    assert!(matches!(err, Error::NotFound { .. }));
}

#[tokio::test]
async fn charter_rules_hold_for_ordinary_members() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let mut man = raw("Nguyễn Văn Nam", "1980");
    man.sex = "nam".into();
    let err = service::add(ctx.acting(&admin()), "00004", input(&man))
        .await
        .expect_err("a man as ordinary member");
    assert!(err.render(Lang::Vi).contains("danh dự"));
    man.honorary = true;
    service::add(ctx.acting(&admin()), "00004", input(&man))
        .await
        .expect("an honorary member");
    let mut young = raw("Trần Thị Bé", "2015");
    young.joined_on = String::new();
    let err = service::add(ctx.acting(&admin()), "00004", input(&young))
        .await
        .expect_err("under 18");
    assert!(err.render(Lang::Vi).contains("18"));
}

#[tokio::test]
async fn members_do_not_belong_to_provinces() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let err = service::add(
        ctx.acting(&admin()),
        "01",
        input(&raw("Nguyễn Thị Lan", "1980")),
    )
    .await
    .expect_err("province");
    assert!(matches!(err, Error::Invalid { field: "unit", .. }));
}

/// Every free text has a bound checked where it is typed, and a stored text longer than a
/// spreadsheet cell is cut in an export, never an export that fails.
#[tokio::test]
async fn free_texts_have_bounds_and_exports_cut_what_is_too_long() {
    let db = TestDb::new().await;
    let mut r = raw("Phạm Thị Yến", "1980");
    r.address = "Số 1 phố Huế ".repeat(100);
    let errors = r
        .parse(today())
        .expect_err("an address of 1,300 characters");
    assert_eq!(errors[0].render(Lang::Vi), "Địa chỉ: dài quá 300 ký tự");
    let mut ctx = db.ctx().await;
    let added = service::add(
        ctx.acting(&admin()),
        "00004",
        input(&raw("Phạm Thị Yến", "1980")),
    )
    .await
    .expect("add");
    let note = "x".repeat(1_001);
    let err = service::end(
        ctx.acting(&admin()),
        added.id,
        1,
        Ending::Left,
        today(),
        Some(&note),
    )
    .await
    .expect_err("a long note");
    assert_eq!(err.render(Lang::Vi), "Ghi chú: dài quá 1000 ký tự");
    // An address stored before the limits, longer than a cell: the export cuts it.
    let long = "A".repeat(40_000);
    sohoi::on_engine!(&mut ctx.tx, c => sqlx::query("update members set address = $1 where id = $2")
        .bind(&long).bind(added.id).execute(&mut **c).await.map(|_| ())).expect("update");
    let bytes =
        sohoi::excel::members_workbook(&mut ctx, "00004", "", &Default::default(), Lang::Vi)
            .await
            .expect("the export does not fail");
    assert!(bytes.len() > 1000);
}
