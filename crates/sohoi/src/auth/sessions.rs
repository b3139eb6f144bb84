//! Sessions on our own tables: a random token in an HttpOnly cookie, only its hash in the
//! database, a CSRF token per session, and an expiry.

use blake2::{Blake2b512, Digest};
use rand::Rng;
use time::{Duration, OffsetDateTime};

use super::users::User;
use crate::on_engine;
use crate::store::Tx;

/// How long a session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;

pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn token_hash(token: &str) -> String {
    let digest = Blake2b512::digest(token.as_bytes());
    digest.iter().take(32).map(|b| format!("{b:02x}")).collect()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Opens a session; returns (cookie token, CSRF token).
pub async fn open(tx: &mut Tx, user: &User) -> Result<(String, String), sqlx::Error> {
    let token = random_token();
    let csrf = random_token();
    let now = OffsetDateTime::now_utc();
    // Expired sessions go as new ones come: the table holds only live ones.
    on_engine!(&mut *tx, c => sqlx::query("delete from sessions where user_id = $1 and expires_at < $2")
        .bind(user.id)
        .bind(rfc3339(now))
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    on_engine!(tx, c => sqlx::query("insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values ($1, $2, $3, $4, $5)")
        .bind(token_hash(&token))
        .bind(user.id)
        .bind(&csrf)
        .bind(rfc3339(now))
        .bind(rfc3339(now + Duration::hours(SESSION_HOURS)))
        .execute(&mut **c).await.map(|_| ()))?;
    Ok((token, csrf))
}

/// The user and CSRF token of a live session.
pub async fn find(tx: &mut Tx, token: &str) -> Result<Option<(User, String)>, sqlx::Error> {
    let row: Option<(i64, String, String, String, String)> = on_engine!(tx, c => sqlx::query_as(
        "select u.id, u.username, u.display_name, s.csrf_token, s.expires_at from sessions s join users u on u.id = s.user_id \
         where s.token_hash = $1 and u.disabled_at is null").bind(token_hash(token)).fetch_optional(&mut **c).await)?;
    Ok(row.and_then(|(id, username, display_name, csrf, expires)| {
        let expires =
            OffsetDateTime::parse(&expires, &time::format_description::well_known::Rfc3339).ok()?;
        (expires > OffsetDateTime::now_utc()).then_some((
            User {
                id,
                username,
                display_name,
            },
            csrf,
        ))
    }))
}

/// Ends every session of `user` but the one of `keep` (none with `None`): after a password
/// change, or "sign out everywhere".
pub async fn close_all(tx: &mut Tx, user: i64, keep: Option<&str>) -> Result<u64, sqlx::Error> {
    let keep = keep.map(token_hash).unwrap_or_default();
    on_engine!(tx, c => sqlx::query("delete from sessions where user_id = $1 and token_hash <> $2")
        .bind(user)
        .bind(keep)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))
}

pub async fn close(tx: &mut Tx, token: &str) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query("delete from sessions where token_hash = $1").bind(token_hash(token)).execute(&mut **c).await.map(|_| ()))
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
