use sqlx::migrate::Migrator;

use super::Store;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database has schema version {found}, newer than this sohoi knows (up to {known}); use a newer sohoi"
    )]
    Newer { found: i64, known: i64 },
    #[error("cannot update the database schema: {0}")]
    Failed(String),
}

/// Applies the migrations this binary carries, after refusing a database whose schema is
/// newer than the binary (an older binary must never write to it).
pub async fn migrate(store: &Store) -> Result<(), MigrateError> {
    let (migrator, applied) = match store {
        Store::Sqlite(pool) => {
            let exists: Option<String> = sqlx::query_scalar(
                "select name from sqlite_master where type = 'table' and name = '_sqlx_migrations'",
            )
            .fetch_optional(pool)
            .await
            .map_err(|e| MigrateError::Failed(e.to_string()))?;
            let applied = match exists {
                Some(_) => max_applied(
                    sqlx::query_scalar("select max(version) from _sqlx_migrations")
                        .fetch_one(pool)
                        .await,
                )?,
                None => 0,
            };
            (&SQLITE, applied)
        }
        Store::Postgres(pool) => {
            let exists: Option<String> =
                sqlx::query_scalar("select to_regclass('_sqlx_migrations')::text")
                    .fetch_one(pool)
                    .await
                    .map_err(|e| MigrateError::Failed(e.to_string()))?;
            let applied = match exists {
                Some(_) => max_applied(
                    sqlx::query_scalar("select max(version) from _sqlx_migrations")
                        .fetch_one(pool)
                        .await,
                )?,
                None => 0,
            };
            (&POSTGRES, applied)
        }
    };
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    if applied > known {
        return Err(MigrateError::Newer {
            found: applied,
            known,
        });
    }
    let result = match store {
        Store::Sqlite(pool) => migrator.run(pool).await,
        Store::Postgres(pool) => migrator.run(pool).await,
    };
    result.map_err(|e| MigrateError::Failed(e.to_string()))
}

/// The newest migration applied. A table without rows is version 0; a failed read is an
/// error, never version 0 (which would run every migration again over a live database).
fn max_applied(row: Result<Option<i64>, sqlx::Error>) -> Result<i64, MigrateError> {
    row.map(|v| v.unwrap_or(0))
        .map_err(|e| MigrateError::Failed(e.to_string()))
}
