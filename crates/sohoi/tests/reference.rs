//! The official unit codes: `sohoi init` builds the tree of Decision 19/2025/QĐ-TTg, and a
//! database built from the earlier draft list is corrected without losing anything.

mod helpers;

use helpers::{TestDb, input, raw};
use sohoi::auth::Access;
use sohoi::auth::Role;
use sohoi::auth::password::Password;
use sohoi::auth::users::{self, NewAccount};
use sohoi::clock::today;
use sohoi::org::correction;
use sohoi::org::reference::{self, DRAFT_SOURCE};
use sohoi::org::store::{by_code, get_meta, name_at};
use sohoi::store::Tx;
use time::macros::date;

const NAMES: [&str; 4] = [
    "Nguyễn Thị Lan",
    "Trần Thị Hoa",
    "Lê Thị Hồng",
    "Phạm Thị Mai",
];

const DRAFT_CSV: &str = include_str!("data/vn-admin-units-2025-draft.csv");

/// A database built as the first releases built it: the draft list.
async fn draft_database() -> TestDb {
    let db = TestDb::empty().await;
    let mut ctx = db.ctx().await;
    let rows = reference::parse_rows(DRAFT_CSV).expect("draft list parses");
    reference::init_from(&mut ctx.tx, &rows, DRAFT_SOURCE)
        .await
        .expect("draft tree");
    ctx.finish().await.expect("commit");
    db
}

async fn unit(tx: &mut Tx, code: &str) -> sohoi::org::Unit {
    by_code(tx, code, today())
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("unit {code}"))
}

async fn id_of(tx: &mut Tx, code: &str) -> i64 {
    unit(tx, code).await.id
}

async fn absent(tx: &mut Tx, code: &str) -> bool {
    by_code(tx, code, today()).await.expect("query").is_none()
}

async fn members_of(ctx: &mut sohoi::ctx::Ctx, code: &str) -> i64 {
    sohoi::reports::summary::summary(ctx.acting(&Access::system("test")), code, today())
        .await
        .expect("summary")
        .members
}

#[tokio::test]
async fn init_builds_the_official_tree() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let lang = unit(&mut ctx.tx, "00199").await;
    assert_eq!(lang.name, "Phường Láng");
    let kim_lien = unit(&mut ctx.tx, "00229").await;
    assert_eq!(kim_lien.name, "Phường Kim Liên");
    assert!(absent(&mut ctx.tx, "00187").await, "00187 is a draft code");
    assert_eq!(unit(&mut ctx.tx, "04").await.name, "Tỉnh Cao Bằng");
    assert_eq!(
        get_meta(&mut ctx.tx, "reference_data")
            .await
            .expect("meta")
            .as_deref(),
        Some(reference::REFERENCE_SOURCE)
    );
    // An official tree has nothing to correct.
    assert!(
        correction::plan(&mut ctx.tx)
            .await
            .expect("plan")
            .is_empty()
    );
}

#[tokio::test]
async fn init_refuses_a_draft_database_until_it_is_corrected() {
    let db = draft_database().await;
    let mut ctx = db.ctx().await;
    let err = reference::init(&mut ctx.tx)
        .await
        .expect_err("a draft tree must be corrected first");
    let service = err
        .downcast_ref::<sohoi::error::Error>()
        .expect("a service error");
    assert!(
        service
            .render(sohoi::i18n::Lang::Vi)
            .contains("sohoi reference correct")
    );
    // Nothing was added beside the draft units.
    assert!(absent(&mut ctx.tx, "00199").await);
}

#[tokio::test]
async fn a_draft_database_is_corrected_keeping_members_history_accounts_and_audit() {
    let db = draft_database().await;
    let system = Access::system("test");
    let mut ctx = db.ctx().await;
    // Phường Láng under its draft code, with a branch and members; a three-way rotation in
    // Cao Bằng (Vinh Quý 01537 → 01561, Lý Quốc 01558 → 01537, Hạ Lang 01561 → 01558).
    let lang_id = id_of(&mut ctx.tx, "00187").await;
    let branch = helpers::branches(&mut ctx.tx, "00187", &["Chi hội Tổ dân phố số 1"])
        .await
        .remove(0);
    assert_eq!(branch, "00187-01");
    let branch_id = id_of(&mut ctx.tx, &branch).await;
    for name in &NAMES[..3] {
        sohoi::members::service::add(
            ctx.acting(&system),
            &branch,
            input(&raw(name, "01/02/1980")),
        )
        .await
        .expect("add");
    }
    let rotation = [
        ("01537", "01561", "Xã Vinh Quý", 2),
        ("01558", "01537", "Xã Lý Quốc", 1),
        ("01561", "01558", "Xã Hạ Lang", 4),
    ];
    let mut rotation_ids = Vec::new();
    for (draft, _, name, n) in rotation {
        let id = id_of(&mut ctx.tx, draft).await;
        assert_eq!(unit(&mut ctx.tx, draft).await.name, name);
        rotation_ids.push(id);
        for member in &NAMES[..n] {
            sohoi::members::service::add(
                ctx.acting(&system),
                draft,
                input(&raw(member, "03/04/1975")),
            )
            .await
            .expect("add");
        }
    }
    let account = NewAccount {
        username: "lang",
        display_name: "Chủ tịch Hội Láng",
        unit_code: "00187",
        role: Role::Chair,
        tiers: &[],
    };
    users::create(
        ctx.acting(&system),
        &account,
        &Password::new("mat-khau-thu"),
    )
    .await
    .expect("account");
    let dong_nai_commune = id_of(&mut ctx.tx, "25270").await;
    ctx.finish().await.expect("commit");

    // The preview lists every code of the corrections file and changes nothing.
    let mut ctx = db.ctx().await;
    let plan = correction::plan(&mut ctx.tx).await.expect("plan");
    assert!(plan.from_draft);
    assert_eq!(
        plan.codes.len(),
        correction::code_corrections()
            .expect("corrections parse")
            .len()
    );
    assert!(plan.skipped.is_empty(), "{:?}", plan.skipped);
    let lang_change = plan
        .codes
        .iter()
        .find(|c| c.from == "00187")
        .expect("Láng is corrected");
    assert_eq!(
        (lang_change.to.as_str(), lang_change.branches.len()),
        ("00199", 1)
    );
    assert!(
        plan.spellings
            .iter()
            .any(|s| s.code == "04" && s.from == "Cao Bằng" && s.to == "Tỉnh Cao Bằng")
    );
    assert!(
        plan.spellings
            .iter()
            .any(|s| s.code == "00175" && s.from == "Phường Yên Hòa" && s.to == "Phường Yên Hoà")
    );
    let kinds: Vec<&str> = plan.kind_changes.iter().map(|k| k.code.as_str()).collect();
    assert!(
        kinds.contains(&"75") && kinds.contains(&"25270"),
        "{kinds:?}"
    );
    drop(ctx);

    // Applied, with the date of the decision behind the later changes.
    let decided = date!(2026 - 04 - 15);
    let mut ctx = db.ctx().await;
    let applied = correction::apply(&mut ctx.tx, &plan, "cli:test", Some(decided))
        .await
        .expect("apply");
    ctx.finish().await.expect("commit");
    assert_eq!(
        (
            applied.codes,
            applied.branches,
            applied.kind_changes_pending
        ),
        (plan.codes.len(), 1, 0)
    );

    let mut ctx = db.ctx().await;
    // The same unit under its official code, with its branch, members and account.
    assert_eq!(id_of(&mut ctx.tx, "00199").await, lang_id);
    assert_eq!(id_of(&mut ctx.tx, "00199-01").await, branch_id);
    assert!(absent(&mut ctx.tx, "00187").await);
    assert_eq!(members_of(&mut ctx, "00199").await, 3);
    let user = users::by_username(&mut ctx.tx, "lang").await.expect("user");
    let grants = users::grants_of(&mut ctx.tx, &user).await.expect("grants");
    assert_eq!(
        grants
            .iter()
            .map(|g| (g.unit_code.as_str(), g.role))
            .collect::<Vec<_>>(),
        vec![("00199", Some(Role::Chair))]
    );
    let access = users::access_for(&mut ctx.tx, &user).await.expect("access");
    assert_eq!(
        sohoi::reports::summary::summary(ctx.acting(&access), "00199-01", today())
            .await
            .expect("her branch")
            .members,
        3
    );
    // The rotation: each unit kept its id and members and took its official code.
    for ((_, official, name, n), id) in rotation.iter().zip(&rotation_ids) {
        let commune = unit(&mut ctx.tx, official).await;
        assert_eq!((commune.id, commune.name.as_str()), (*id, *name));
        assert_eq!(members_of(&mut ctx, official).await, *n as i64);
    }
    // A change of kind is dated: the old name holds before the decision.
    assert_eq!(
        name_at(&mut ctx.tx, dong_nai_commune, date!(2026 - 01 - 01))
            .await
            .expect("query")
            .as_deref(),
        Some("Xã Lộc Ninh")
    );
    assert_eq!(
        name_at(&mut ctx.tx, dong_nai_commune, decided)
            .await
            .expect("query")
            .as_deref(),
        Some("Phường Lộc Ninh")
    );
    // The tree is now the official list, name for name and kind for kind.
    for row in reference::reference_rows().expect("official list parses") {
        let commune = unit(&mut ctx.tx, &row.unit_code).await;
        assert_eq!(
            (commune.name.as_str(), commune.admin_type.as_deref()),
            (row.unit_name.as_str(), Some(row.unit_type.as_str()))
        );
        let province = unit(&mut ctx.tx, &row.province_code).await;
        assert_eq!(province.name, row.province_name);
    }
    // The statistics still agree with the ledger, and the audit log says what was corrected.
    assert!(
        sohoi::stats::check::check(&mut ctx.tx)
            .await
            .expect("check")
            .is_empty()
    );
    let audit = sohoi::auth::audit::list(ctx.acting(&system), None, 10_000)
        .await
        .expect("audit");
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "reference.code")
            .count(),
        plan.codes.len()
    );
    let lang_entry = audit
        .iter()
        .find(|e| e.action == "reference.code" && e.subject.as_deref() == Some("00199"))
        .expect("Láng's entry");
    assert!(
        lang_entry
            .detail
            .as_deref()
            .unwrap_or_default()
            .starts_with("00187 → 00199")
    );
    assert!(audit.iter().any(|e| e.action == "reference.corrected"));
    // A second run finds nothing, and init now adds nothing.
    assert!(
        correction::plan(&mut ctx.tx)
            .await
            .expect("plan")
            .is_empty()
    );
    assert_eq!(reference::init(&mut ctx.tx).await.expect("init").created, 0);
}

#[tokio::test]
async fn changes_of_kind_wait_for_the_decisions_date() {
    let db = draft_database().await;
    let mut ctx = db.ctx().await;
    let plan = correction::plan(&mut ctx.tx).await.expect("plan");
    let applied = correction::apply(&mut ctx.tx, &plan, "cli:test", None)
        .await
        .expect("apply");
    ctx.finish().await.expect("commit");
    assert_eq!(applied.kind_changes_pending, plan.kind_changes.len());
    let mut ctx = db.ctx().await;
    assert_eq!(unit(&mut ctx.tx, "25270").await.name, "Xã Lộc Ninh");
    // The codes are official now; only the changes of kind remain, and a dated run makes them.
    assert!(
        !reference::built_from_draft(&mut ctx.tx)
            .await
            .expect("query")
    );
    let rest = correction::plan(&mut ctx.tx).await.expect("plan");
    assert!(rest.codes.is_empty() && rest.spellings.is_empty());
    assert_eq!(rest.kind_changes.len(), plan.kind_changes.len());
    correction::apply(&mut ctx.tx, &rest, "cli:test", Some(date!(2026 - 04 - 15)))
        .await
        .expect("apply");
    assert_eq!(unit(&mut ctx.tx, "25270").await.name, "Phường Lộc Ninh");
    assert!(
        correction::plan(&mut ctx.tx)
            .await
            .expect("plan")
            .is_empty()
    );
}

/// The command-line story of the correction, as an administrator runs it.
#[tokio::test]
async fn the_correct_command_previews_then_applies() {
    let db = draft_database().await;
    db.store.close().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sohoi"))
            .arg("--db")
            .arg(&db.url)
            .args(args)
            .env("SOHOI_LANG", "vi")
            .output()
            .expect("run sohoi")
    };
    let init = run(&["init"]);
    assert!(!init.status.success());
    assert!(String::from_utf8_lossy(&init.stderr).contains("sohoi reference correct"));

    let preview = run(&["reference", "correct"]);
    let text = String::from_utf8_lossy(&preview.stdout);
    assert!(
        preview.status.success(),
        "{}",
        String::from_utf8_lossy(&preview.stderr)
    );
    assert!(text.contains("00187 → 00199  Phường Láng"), "{text}");
    assert!(text.contains("04  Cao Bằng → Tỉnh Cao Bằng"), "{text}");
    assert!(text.contains("--changes-on"), "{text}");
    assert!(text.contains("Xem trước: chưa thay đổi gì"), "{text}");

    let applied = run(&[
        "reference",
        "correct",
        "--apply",
        "--changes-on",
        "15/04/2026",
    ]);
    let text = String::from_utf8_lossy(&applied.stdout);
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert!(text.contains("Đã sửa: 124 mã đơn vị"), "{text}");

    let again = run(&["reference", "correct"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("không có gì cần sửa"));
    let check = run(&["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let units = run(&["units", "--under", "01", "--depth", "1"]);
    assert!(String::from_utf8_lossy(&units.stdout).contains("00199"));
}
