//! Storage on two engines with one schema (DESIGN principle 5).
//!
//! `Store` holds a pool of either engine and `Tx` a transaction of either engine. Queries are
//! plain SQL checked at run time; where the engines agree, one statement serves both through
//! [`on_engine!`], which only picks the connection and leaves the SQL in sight. Where they
//! differ (full-text search, bulk loading), the two versions stand side by side in the
//! store module of the domain that owns the table.

mod connect;
pub mod indexes;
mod migrate;

pub use connect::{DEFAULT_URL, connect};
pub use migrate::migrate;

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// A database of either engine.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction of either engine. Every service function works inside one, so that a
/// ledger event and its statistics are written together or not at all.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same expression on whichever engine `$tx` holds. Inside, `$c` is the engine's
/// `&mut Transaction`; pass `&mut **$c` as the executor.
#[macro_export]
macro_rules! on_engine {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite($c) => $body,
            $crate::store::Tx::Postgres($c) => $body,
        }
    };
}

impl Store {
    /// A transaction that may write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a transaction that read first and then tried to write could otherwise
    /// fail when another writer committed in between, instead of waiting its turn.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin_with("begin immediate").await?),
            Store::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction that only reads: a consistent snapshot that never waits for writers.
    /// SQLite: a deferred transaction that never writes, so it never takes the write lock;
    /// its snapshot starts at its first read. PostgreSQL: REPEATABLE READ, READ ONLY, so that
    /// every statement sees the same snapshot — a report cannot straddle a commit — and a
    /// write by mistake fails instead of happening.
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Store::Postgres(pool) => Tx::Postgres(
                pool.begin_with("begin isolation level repeatable read read only")
                    .await?,
            ),
        })
    }

    pub fn engine(&self) -> Engine {
        match self {
            Store::Sqlite(_) => Engine::Sqlite,
            Store::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool) => pool.close().await,
            Store::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine's name, as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

/// Runs `$body` in a write transaction of `$store`, with `$tx` bound to it (`&mut Tx`), and
/// commits. A transaction the engine chose as the victim of a deadlock or a serialization
/// failure runs again from the start, up to [`WRITE_ATTEMPTS`] times: what it read may have
/// changed, so the whole body runs again, never only its end. Any other error rolls back and
/// is returned. `$body` is an expression of type `crate::error::Result<T>`.
///
/// ```ignore
/// let ok = sohoi::write_tx!(store, tx => service::transfer(tx, &scope, id, version, "00004", today, None).await)?;
/// ```
///
/// A macro rather than a method taking an async closure: the future of a generic async
/// closure cannot yet be shown to be `Send`, which every server task must be.
#[macro_export]
macro_rules! write_tx {
    ($store:expr, $tx:ident => $body:expr) => {{
        let store: &$crate::store::Store = &$store;
        $crate::retrying!(async {
            let mut transaction = store.begin().await?;
            let value = {
                let $tx = &mut transaction;
                let body: $crate::error::Result<_> = $body;
                body
            }?;
            transaction.commit().await?;
            Ok(value)
        })
    }};
}

/// Evaluates `$attempt` (an async block giving `crate::error::Result<T>`, one whole
/// transaction) and, when the engine rolled it back to break a deadlock or a serialization
/// failure, evaluates it again, up to [`WRITE_ATTEMPTS`] times. The loop of [`write_tx!`] and
/// `write_ctx!`.
#[macro_export]
#[doc(hidden)]
macro_rules! retrying {
    ($attempt:expr) => {{
        let mut attempt = 1;
        loop {
            let outcome: $crate::error::Result<_> = $attempt.await;
            match outcome {
                Err(e)
                    if attempt < $crate::store::WRITE_ATTEMPTS
                        && $crate::store::is_retryable(&e) =>
                {
                    $crate::store::before_retry(attempt, &e).await;
                    attempt += 1;
                }
                other => break other,
            }
        }
    }};
}

/// A short pause before running a transaction again, longer at each attempt, so that the
/// transaction it collided with can finish.
pub async fn before_retry(attempt: u32, e: &crate::error::Error) {
    tracing::info!(
        "giao dịch bị huỷ vì tranh chấp với giao dịch khác, chạy lại (lần {attempt}): {e}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(attempt))).await;
}

/// How many times [`write_tx!`] runs a transaction the engine rolled back to break a
/// deadlock or a serialization conflict.
pub const WRITE_ATTEMPTS: u32 = 3;

/// Whether the engine rolled the transaction back only because another one ran at the same
/// time (PostgreSQL: serialization_failure, deadlock_detected), so that running it again can
/// succeed.
pub fn is_retryable(e: &crate::error::Error) -> bool {
    match e {
        crate::error::Error::Db(sqlx::Error::Database(db)) => {
            matches!(db.code().as_deref(), Some("40001" | "40P01"))
        }
        _ => false,
    }
}

/// Takes the write lock of each province in `provinces`, in ascending order, until the
/// transaction ends (PostgreSQL advisory locks; SQLite has one writer at a time already).
///
/// Every writer to the ledger takes the locks of the provinces it touches before it writes,
/// and all in one order, so two writers never wait for each other in a cycle: a transfer from
/// Hà Nội to Hồ Chí Minh City and one the other way queue instead of deadlocking. Taken before
/// a writer checks what it depends on (the unit is open, the member unchanged), the lock also
/// makes the check and the write one step: a merge cannot close a unit in between.
pub async fn lock_provinces(tx: &mut Tx, provinces: &[i64]) -> Result<(), sqlx::Error> {
    let Tx::Postgres(c) = tx else { return Ok(()) };
    let mut ids = provinces.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        sqlx::query("select pg_advisory_xact_lock($1, $2)")
            .bind(PROVINCE_LOCK_SPACE)
            .bind(i32::try_from(id).map_err(|e| sqlx::Error::Encode(e.into()))?)
            .execute(&mut **c)
            .await?;
    }
    Ok(())
}

/// The first key of the two-key advisory locks that stand for provinces ("SH").
const PROVINCE_LOCK_SPACE: i32 = 0x5348;

/// The end of an open validity interval.
pub const OPEN_END: time::Date = time::macros::date!(9999 - 12 - 31);

/// After a bulk load: PostgreSQL gets its planner statistics and visibility map at once
/// (`VACUUM ANALYZE`), rather than whenever autovacuum comes by, if it runs at all; without
/// them it plans a national register as if it were empty. SQLite plans without statistics.
pub async fn after_bulk_load(store: &Store) -> Result<(), sqlx::Error> {
    if let Store::Postgres(pool) = store {
        sqlx::query("vacuum (analyze)").execute(pool).await?;
    }
    Ok(())
}

/// Writes a consistent copy of the database at `url` to `to` while others read and write it.
/// SQLite: `VACUUM INTO` reads one snapshot into a file that is itself a database (restore by
/// using it). PostgreSQL: `pg_dump --format=custom` reads one snapshot (restore with
/// `pg_restore -d NEW_DATABASE FILE`); PostgreSQL's own tool is the one its operators trust,
/// and it must be on the PATH.
pub async fn backup(store: &Store, url: &str, to: &std::path::Path) -> Result<(), String> {
    if to.exists() {
        return Err(format!("{} exists", to.display()));
    }
    match store {
        Store::Sqlite(pool) => {
            let path = to.to_str().ok_or("the path is not UTF-8")?.to_string();
            sqlx::query("vacuum into $1")
                .bind(path)
                .execute(pool)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        Store::Postgres(_) => {
            // The password goes by the environment, never on pg_dump's command line.
            let (url, password) = connect::without_password(url);
            let mut command = tokio::process::Command::new("pg_dump");
            if let Some(password) = password {
                command.env("PGPASSWORD", password);
            }
            let out = command
                .arg("--format=custom")
                .arg("--file")
                .arg(to)
                .arg("--dbname")
                .arg(url)
                .output()
                .await
                .map_err(|e| format!("pg_dump: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                let _ = std::fs::remove_file(to);
                Err(format!(
                    "pg_dump: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        }
    }
}
