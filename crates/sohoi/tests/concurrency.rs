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

const GIVEN: [&str; 10] = ["Lan", "Hoa", "Hồng", "Mai", "Cúc", "Đào", "Huệ", "Thủy", "Ngọc", "Yến"];
const FAMILY: [&str; 5] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"];

fn name(i: usize) -> String {
    format!("{} Thị {} {}", FAMILY[i % 5], GIVEN[(i / 5) % 10], GIVEN[(i / 50) % 10])
}

/// A second connection pool on the test database, as wide as a server's.
async fn wide(db: &TestDb) -> Store {
    sohoi::store::connect(&db.url, 32).await.expect("connect")
}

async fn members_at(store: &Store, code: &str) -> i64 {
    let mut ctx = Ctx::read(store, Access::system("test")).await.expect("read");
    sohoi::reports::summary::summary(&mut ctx, code, today()).await.expect("summary").members
}

async fn check_is_clean(store: &Store) {
    let mut tx = store.read().await.expect("read");
    let diffs = sohoi::stats::check::check(&mut tx).await.expect("check");
    assert!(diffs.is_empty(), "{diffs:?}");
}

/// The first commune of a province, for a branch of our own.
async fn a_commune_of(store: &Store, province: &str) -> String {
    let mut ctx = Ctx::read(store, Access::system("test")).await.expect("read");
    let units = sohoi::org::tree::list(&mut ctx, Some(province), 1, today()).await.expect("list");
    units[0].code.clone()
}

/// 300 transfers between Hà Nội and Hồ Chí Minh City, half each way, 32 at a time: at least
/// 297 succeed, the others are conflicts, and the statistics agree with the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_province_transfers_at_once_neither_deadlock_nor_lose_anything() {
    let db = TestDb::new().await;
    let system = Access::system("test");
    let hcm_commune = a_commune_of(&db.store, "79").await;
    let mut ctx = db.ctx().await;
    let hanoi = branches(&mut ctx.tx, "00004", &["Chi hội Tổ dân phố số 1"]).await.remove(0);
    let hcm = branches(&mut ctx.tx, &hcm_commune, &["Chi hội Khu phố 1"]).await.remove(0);
    let mut work = Vec::new();
    for i in 0..300 {
        let (from, to) = if i % 2 == 0 { (&hanoi, &hcm) } else { (&hcm, &hanoi) };
        let added = service::add(ctx.acting(&system), from, input(&raw(&name(i), "01/02/1980"))).await.expect("add");
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
    assert!(to_hanoi + to_hcm >= 297, "only {} of 300 succeeded ({conflicts} conflicts)", to_hanoi + to_hcm);
    assert_eq!(members_at(&store, &hanoi).await, 150 - to_hcm + to_hanoi);
    assert_eq!(members_at(&store, &hcm).await, 150 - to_hanoi + to_hcm);
    assert_eq!(members_at(&store, "TW").await, 300);
    check_is_clean(&store).await;
}
