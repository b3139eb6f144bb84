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
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Store::Postgres(pool) => Tx::Postgres(pool.begin().await?),
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
            sqlx::query("vacuum into $1").bind(path).execute(pool).await.map(|_| ()).map_err(|e| e.to_string())
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
                Err(format!("pg_dump: {}", String::from_utf8_lossy(&out.stderr).trim()))
            }
        }
    }
}
