//! Test support: every test gets its own fresh database holding the national tree, on the
//! engine named by `SOHOI_TEST_ENGINE` (`sqlite`, the default, or `postgres`, at
//! `SOHOI_TEST_PG_URL`, default postgres://postgres@127.0.0.1:5432/test).
//!
//! The tree is built once per test binary into a template (a SQLite file, or a PostgreSQL
//! template database) and each test starts from a copy.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use sohoi::store::{self, Store, Tx};

pub fn engine() -> String {
    std::env::var("SOHOI_TEST_ENGINE").unwrap_or_else(|_| "sqlite".into())
}

fn pg_admin_url() -> String {
    std::env::var("SOHOI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn pg_url(db: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{db}")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The template, built once per test binary on a runtime of its own.
fn template() -> &'static String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let pid = std::process::id();
                let url = if engine() == "postgres" {
                    let name = format!("sohoi_t_tpl_{pid}");
                    admin(&format!("drop database if exists {name}")).await;
                    admin(&format!("create database {name}")).await;
                    pg_url(&name)
                } else {
                    let dir = std::env::temp_dir().join(format!("sohoi-tests-{pid}"));
                    std::fs::create_dir_all(&dir).expect("temp dir");
                    dir.join("template.db").display().to_string()
                };
                let store = store::connect(&url, 2).await.expect("connect template");
                store::migrate(&store).await.expect("migrate template");
                let mut tx = store.begin().await.expect("begin");
                sohoi::org::reference::init(&mut tx)
                    .await
                    .expect("init template");
                tx.commit().await.expect("commit");
                if let Store::Sqlite(pool) = &store {
                    sqlx::query("pragma wal_checkpoint(truncate)")
                        .execute(pool)
                        .await
                        .expect("checkpoint");
                }
                store.close().await;
                url
            })
        })
        .join()
        .expect("template thread")
    })
}

async fn admin(sql: &str) {
    let pool = sqlx::PgPool::connect(&pg_admin_url())
        .await
        .expect("PostgreSQL is reachable for tests");
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .expect(sql);
    pool.close().await;
}

/// The URL of a new, empty PostgreSQL database (for restoring a backup into).
pub async fn empty_pg_database() -> String {
    let name = format!(
        "sohoi_t_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    admin(&format!("create database {name}")).await;
    pg_url(&name)
}

/// A fresh database holding the national tree.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    path: Option<PathBuf>,
}

impl TestDb {
    pub async fn new() -> Self {
        let template = template().clone();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        if engine() == "postgres" {
            let name = format!("sohoi_t_{pid}_{n}");
            let tpl = template
                .rsplit_once('/')
                .map(|(_, t)| t.to_string())
                .unwrap_or_default();
            admin(&format!("create database {name} template {tpl}")).await;
            let url = pg_url(&name);
            let store = store::connect(&url, 4).await.expect("connect");
            TestDb {
                store,
                url,
                path: None,
            }
        } else {
            let path = std::env::temp_dir()
                .join(format!("sohoi-tests-{pid}"))
                .join(format!("t{n}.db"));
            std::fs::copy(&template, &path).expect("copy template");
            let url = path.display().to_string();
            let store = store::connect(&url, 4).await.expect("connect");
            TestDb {
                store,
                url,
                path: Some(path),
            }
        }
    }

    /// A fresh database with the schema and nothing else (to build a tree of one's own).
    pub async fn empty() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let db = if engine() == "postgres" {
            let name = format!("sohoi_t_{pid}_{n}");
            admin(&format!("create database {name}")).await;
            let url = pg_url(&name);
            let store = store::connect(&url, 4).await.expect("connect");
            TestDb {
                store,
                url,
                path: None,
            }
        } else {
            let dir = std::env::temp_dir().join(format!("sohoi-tests-{pid}"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let path = dir.join(format!("e{n}.db"));
            let url = path.display().to_string();
            let store = store::connect(&url, 4).await.expect("connect");
            TestDb {
                store,
                url,
                path: Some(path),
            }
        };
        store::migrate(&db.store).await.expect("migrate");
        db
    }

    /// A write context with full access, as the command line has.
    pub async fn ctx(&self) -> sohoi::ctx::Ctx {
        sohoi::ctx::Ctx::write(&self.store, sohoi::auth::Access::system("test"))
            .await
            .expect("begin")
    }

    pub async fn tx(&self) -> Tx {
        self.store.begin().await.expect("begin")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

/// A minimal valid member, typed as an officer would.
pub fn raw(name: &str, birth: &str) -> sohoi::members::input::RawMember {
    sohoi::members::input::RawMember {
        full_name: name.into(),
        birth_date: birth.into(),
        joined_on: "01/01/2020".into(),
        ethnicity: "Kinh".into(),
        religion: "none".into(),
        education: "upper_secondary".into(),
        occupation: "farmer".into(),
        ..Default::default()
    }
}

pub fn input(raw: &sohoi::members::input::RawMember) -> sohoi::members::MemberInput {
    raw.parse(sohoi::clock::today()).expect("valid test member")
}

/// Creates branches under a commune (the national tree from `init` has none).
pub async fn branches(tx: &mut Tx, commune: &str, names: &[&str]) -> Vec<String> {
    let parent = sohoi::org::store::by_code(tx, commune, sohoi::clock::BEGINNING)
        .await
        .expect("query")
        .expect("commune exists");
    let mut codes = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let code = format!("{commune}-{:02}", i + 1);
        let unit = sohoi::org::store::NewUnit {
            id: None,
            code: &code,
            kind: sohoi::org::UnitKind::Branch,
            name,
            admin_type: None,
            parent: Some(parent.id),
            province: None,
            valid_from: sohoi::clock::BEGINNING,
        };
        sohoi::org::store::insert(tx, &unit)
            .await
            .expect("insert branch");
        codes.push(code);
    }
    codes
}
