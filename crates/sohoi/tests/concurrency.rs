//! Many officers writing at once, on both engines: nothing deadlocks unhandled, nothing is
//! lost, every refusal is a clear conflict, and `sohoi check` agrees afterwards.

mod helpers;

use std::sync::Arc;

use helpers::{TestDb, branches, input, raw};
use sohoi::auth::Access;
use sohoi::clock::today;
use sohoi::ctx::Ctx;
use sohoi::error::Error;
use sohoi::members::service;
use sohoi::store::Store;

const GIVEN: [&str; 10] = [
    "Lan", "Hoa", "Hồng", "Mai", "Cúc", "Đào", "Huệ", "Thủy", "Ngọc", "Yến",
];
const FAMILY: [&str; 5] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"];

fn name(i: usize) -> String {
    format!(
        "{} Thị {} {}",
        FAMILY[i % 5],
        GIVEN[(i / 5) % 10],
        GIVEN[(i / 50) % 10]
    )
}

/// A second connection pool on the test database, as wide as a server's.
async fn wide(db: &TestDb) -> Store {
    sohoi::store::connect(&db.url, 32).await.expect("connect")
}

async fn members_at(store: &Store, code: &str) -> i64 {
    let mut ctx = Ctx::read(store, Access::system("test"))
        .await
        .expect("read");
    sohoi::reports::summary::summary(&mut ctx, code, today())
        .await
        .expect("summary")
        .members
}

async fn check_is_clean(store: &Store) {
    let mut tx = store.read().await.expect("read");
    let diffs = sohoi::stats::check::check(&mut tx).await.expect("check");
    assert!(diffs.is_empty(), "{diffs:?}");
}

/// The first commune of a province, for a branch of our own.
async fn a_commune_of(store: &Store, province: &str) -> String {
    let mut ctx = Ctx::read(store, Access::system("test"))
        .await
        .expect("read");
    let units = sohoi::org::tree::list(&mut ctx, Some(province), 1, today())
        .await
        .expect("list");
    units[0].code.clone()
}

/// 300 transfers between Hà Nội and Hồ Chí Minh City (`SOHOI_CONCURRENCY_TRANSFERS` for more:
/// the drills run thousands), half each way, 32 at a time: at least 99 % succeed, the others
/// are conflicts, and the statistics agree with the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_province_transfers_at_once_neither_deadlock_nor_lose_anything() {
    let db = TestDb::new().await;
    let system = Access::system("test");
    let hcm_commune = a_commune_of(&db.store, "79").await;
    let mut ctx = db.ctx().await;
    let hanoi = branches(&mut ctx.tx, "00004", &["Chi hội Tổ dân phố số 1"])
        .await
        .remove(0);
    let hcm = branches(&mut ctx.tx, &hcm_commune, &["Chi hội Khu phố 1"])
        .await
        .remove(0);
    let n: usize = std::env::var("SOHOI_CONCURRENCY_TRANSFERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut work = Vec::new();
    for i in 0..n {
        let (from, to) = if i % 2 == 0 {
            (&hanoi, &hcm)
        } else {
            (&hcm, &hanoi)
        };
        let added = service::add(
            ctx.acting(&system),
            from,
            input(&raw(&name(i), "01/02/1980")),
        )
        .await
        .expect("add");
        work.push((added.id, to.clone()));
    }
    ctx.finish().await.expect("commit");

    let store = wide(&db).await;
    let gate = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for (id, to) in work {
        let store = store.clone();
        let gate = gate.clone();
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("gate");
            let api = Access::system("api");
            sohoi::write_ctx!(store, api, ctx => service::transfer(ctx, id, 1, &to, today(), None).await).map(|_| to)
        });
    }
    let (mut to_hanoi, mut to_hcm, mut conflicts) = (0, 0, 0);
    while let Some(done) = tasks.join_next().await {
        match done.expect("task") {
            Ok(to) if to == hanoi => to_hanoi += 1,
            Ok(_) => to_hcm += 1,
            Err(Error::Conflict { .. }) => conflicts += 1,
            Err(other) => panic!("a transfer failed with {other:?}"),
        }
    }
    // Even-numbered members started in Hà Nội and odd ones in Hồ Chí Minh City.
    let (in_hanoi, n) = (n.div_ceil(2) as i64, n as i64);
    let done = to_hanoi + to_hcm;
    assert!(
        done * 100 >= n * 99,
        "only {done} of {n} succeeded ({conflicts} conflicts)"
    );
    assert_eq!(
        members_at(&store, &hanoi).await,
        in_hanoi - to_hcm + to_hanoi
    );
    assert_eq!(
        members_at(&store, &hcm).await,
        n - in_hanoi - to_hanoi + to_hcm
    );
    assert_eq!(members_at(&store, "TW").await, n);
    check_is_clean(&store).await;
}

/// A member added to a ward at the moment the ward merges away: either she was added first
/// and the merge took her along, or the ward had ended and the add says so. No active member
/// is ever left in a unit that has ended, and the statistics agree with the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_racing_adds_strands_no_one() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let branch = branches(&mut ctx.tx, "00004", &["Chi hội Tổ dân phố số 1"])
        .await
        .remove(0);
    branches(&mut ctx.tx, "00008", &["Chi hội Tổ dân phố số 1"]).await;
    for i in 0..10 {
        service::add(&mut ctx, &branch, input(&raw(&name(i), "01/02/1980")))
            .await
            .expect("add");
    }
    ctx.finish().await.expect("commit");
    let store = wide(&db).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 10..40 {
        let (store, branch) = (store.clone(), branch.clone());
        tasks.spawn(async move {
            let access = Access::system("officer");
            sohoi::write_ctx!(store, access, ctx => service::add(ctx, &branch, input(&raw(&name(i), "01/02/1980"))).await).map(|_| ())
        });
    }
    let merger = {
        let store = store.clone();
        tokio::spawn(async move {
            let access = Access::system("chair");
            sohoi::write_ctx!(store, access, ctx => sohoi::org::restructure::merge(ctx, &["00004".into()], "00008", today()).await)
        })
    };
    let mut added = 10;
    while let Some(done) = tasks.join_next().await {
        match done.expect("task") {
            Ok(()) => added += 1,
            // The ward had ended: said plainly, nothing written.
            Err(
                Error::Invalid {
                    message: "invalid-unit-closed",
                    ..
                }
                | Error::Conflict {
                    message: "conflict-unit-closed",
                    ..
                },
            ) => {}
            Err(other) => panic!("an add failed with {other:?}"),
        }
    }
    merger.await.expect("task").expect("merge");
    assert_eq!(
        members_at(&store, "00008").await,
        added,
        "everyone added is in Ngọc Hà now"
    );
    assert_eq!(members_at(&store, "01").await, added);
    let mut tx = store.read().await.expect("read");
    let stranded: i64 = match &mut tx {
        sohoi::store::Tx::Sqlite(c) => sqlx::query_scalar(STRANDED)
            .bind(today())
            .fetch_one(&mut **c)
            .await
            .expect("count"),
        sohoi::store::Tx::Postgres(c) => sqlx::query_scalar(STRANDED)
            .bind(today())
            .fetch_one(&mut **c)
            .await
            .expect("count"),
    };
    assert_eq!(stranded, 0, "active members in units that have ended");
    drop(tx);
    check_is_clean(&store).await;
}

/// Active members whose unit has ended (or will).
const STRANDED: &str = "select count(*) from members m join units u on u.id = m.unit_id \
    where m.status = 'active' and u.valid_to <= $1";

/// A workbook of `rows` new members, as an officer would type them.
fn workbook(rows: usize) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["STT", "Họ và tên", "Ngày, tháng, năm sinh", "Ngày vào Hội"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for i in 0..rows {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, f64::from(r)).expect("stt");
        sheet
            .write_string(
                r,
                1,
                format!(
                    "{} Thị {} {}",
                    FAMILY[i % 5],
                    GIVEN[(i / 5) % 10],
                    GIVEN[(i / 50) % 10]
                ),
            )
            .expect("name");
        sheet
            .write_string(
                r,
                2,
                format!("{:02}/{:02}/{}", 1 + i % 28, 1 + i % 12, 1960 + i % 40),
            )
            .expect("birth");
        sheet.write_string(r, 3, "01/01/2020").expect("joined");
    }
    book.save_to_buffer().expect("xlsx")
}

/// An import of 2,000 members into Hà Nội while officers transfer members between Hà Nội and
/// Hồ Chí Minh City: the import commits whole, every transfer succeeds or is a clear conflict,
/// and the statistics agree with the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_during_live_writes_loses_nothing() {
    let db = TestDb::new().await;
    let system = Access::system("test");
    let hcm_commune = a_commune_of(&db.store, "79").await;
    let mut ctx = db.ctx().await;
    let hanoi = branches(&mut ctx.tx, "00008", &["Chi hội Tổ dân phố số 1"])
        .await
        .remove(0);
    let hcm = branches(&mut ctx.tx, &hcm_commune, &["Chi hội Khu phố 1"])
        .await
        .remove(0);
    let mut work = Vec::new();
    for i in 0..60 {
        let (from, to) = if i % 2 == 0 {
            (&hanoi, &hcm)
        } else {
            (&hcm, &hanoi)
        };
        let added = service::add(
            ctx.acting(&system),
            from,
            input(&raw(&name(i), "01/02/1980")),
        )
        .await
        .expect("add");
        work.push((added.id, to.clone()));
    }
    ctx.finish().await.expect("commit");

    let store = wide(&db).await;
    let importer = {
        let store = store.clone();
        tokio::spawn(async move {
            let options = sohoi::excel::import::Options {
                unit: "00004".into(),
                ..Default::default()
            };
            let access = Access::system("import");
            let mut ctx = sohoi::ctx::Ctx::write(&store, access).await?;
            let control = sohoi::excel::import::Control::default();
            let outcome = sohoi::excel::import::import(
                &mut ctx,
                workbook(2000),
                &options,
                sohoi::i18n::Lang::Vi,
                &control,
            )
            .await?;
            ctx.finish().await?;
            Ok::<_, Error>(outcome.report.added)
        })
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (id, to) in work {
        let store = store.clone();
        tasks.spawn(async move {
            let api = Access::system("api");
            sohoi::write_ctx!(store, api, ctx => service::transfer(ctx, id, 1, &to, today(), None).await).map(|_| ())
        });
    }
    let mut moved = 0;
    while let Some(done) = tasks.join_next().await {
        match done.expect("task") {
            Ok(()) => moved += 1,
            Err(Error::Conflict { .. }) => {}
            Err(other) => panic!("a transfer failed with {other:?}"),
        }
    }
    assert_eq!(importer.await.expect("task").expect("import"), 2000);
    assert!(moved >= 59, "{moved} of 60 transfers");
    assert_eq!(members_at(&store, "00004").await, 2000);
    assert_eq!(members_at(&store, "TW").await, 2060);
    check_is_clean(&store).await;
}
