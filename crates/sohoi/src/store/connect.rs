use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::Store;

/// The embedded default: one file in the working directory.
pub const DEFAULT_URL: &str = "sqlite://sohoi.db";

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot open database {url}: {reason}")]
    Open { url: String, reason: String },
}

/// Opens the database named by `url`: `postgres://…` for PostgreSQL; `sqlite://PATH`,
/// `sqlite:PATH` or a plain file path for SQLite (created if missing, in WAL mode).
pub async fn connect(url: &str, max_connections: u32) -> Result<Store, ConnectError> {
    let fail = |e: sqlx::Error| ConnectError::Open {
        url: redact(url),
        reason: plain(&e),
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(fail)?;
        return Ok(Store::Postgres(pool));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map_err(fail)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory");
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(fail)?;
    Ok(Store::Sqlite(pool))
}

/// Where the password sits in a connection URL (`scheme://user:password@host…`), if it has one.
fn password_span(url: &str) -> Option<std::ops::Range<usize>> {
    let start = url.find("://")? + 3;
    let at = url.rfind('@').filter(|at| *at > start)?;
    let colon = url[start..at].find(':')? + start;
    Some(colon + 1..at)
}

/// A connection URL without its password, and the password: for handing a URL to another
/// program (pg_dump) without showing the password in the process list.
pub(super) fn without_password(url: &str) -> (String, Option<String>) {
    match password_span(url) {
        Some(span) => (
            format!("{}{}", &url[..span.start - 1], &url[span.end..]),
            Some(url[span].to_string()),
        ),
        None => (url.to_string(), None),
    }
}

/// Hides a password in a connection URL before it reaches a message or a log.
fn redact(url: &str) -> String {
    match password_span(url) {
        Some(span) => format!("{}***{}", &url[..span.start], &url[span.end..]),
        None => url.to_string(),
    }
}

/// The one-line reason behind a database error.
fn plain(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_is_taken_out_of_the_url() {
        let (url, password) = super::without_password("postgres://sohoi:s3cr@t@db:5432/x");
        assert_eq!(
            (url.as_str(), password.as_deref()),
            ("postgres://sohoi@db:5432/x", Some("s3cr@t"))
        );
        assert_eq!(
            super::without_password("postgres://sohoi@db/x"),
            ("postgres://sohoi@db/x".to_string(), None)
        );
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            super::redact("postgres://sohoi:secret@db/x"),
            "postgres://sohoi:***@db/x"
        );
        assert_eq!(super::redact("sohoi.db"), "sohoi.db");
    }
}
