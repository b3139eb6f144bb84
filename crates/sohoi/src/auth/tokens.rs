//! API tokens: a program acts as the user who made the token, with her scope. Only a hash
//! is stored; the token itself is shown once, when it is made.

use serde::Serialize;

use super::audit;
use super::sessions::{random_token, token_hash};
use super::users::User;
use crate::error::{Error, Result};
use crate::on_engine;
use crate::store::Tx;

/// Every token starts with this, so that a leaked one is easy to recognise in logs.
pub const PREFIX: &str = "sohoi_";

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// The last day it works (yyyy-mm-dd), if it has one.
    pub expires_at: Option<String>,
}

/// How long a token works unless its maker says otherwise.
pub const DEFAULT_DAYS: i64 = 365;

/// Makes a token for `user`, working until `expires` (a year from today by default); returns
/// its id and the token (shown once, never stored).
pub async fn create(tx: &mut Tx, user: &User, name: &str) -> Result<(i64, String)> {
    let expires = crate::clock::today() + time::Duration::days(DEFAULT_DAYS);
    create_until(tx, user, name, expires).await
}

/// [`create`] with the last day the token works.
pub async fn create_until(
    tx: &mut Tx,
    user: &User,
    name: &str,
    expires: time::Date,
) -> Result<(i64, String)> {
    let name = crate::text::clean(name);
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("token_name", "invalid-token-name"));
    }
    let token = format!("{PREFIX}{}", random_token());
    let now = crate::clock::now_text();
    let id: i64 = on_engine!(&mut *tx, c => sqlx::query_scalar(
        "insert into api_tokens (user_id, name, token_hash, created_at, expires_at) values ($1, $2, $3, $4, $5) returning id")
        .bind(user.id).bind(&name).bind(token_hash(&token)).bind(&now).bind(expires.to_string()).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        &format!("user:{}", user.username),
        "token.create",
        None,
        Some(&id.to_string()),
        Some(&name),
    )
    .await?;
    Ok((id, token))
}

/// The user a live token acts for: not revoked, not past its last day, its account enabled.
pub async fn find(tx: &mut Tx, token: &str) -> Result<Option<User>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let row: Option<(i64, String, String)> = on_engine!(tx, c => sqlx::query_as(
        "select u.id, u.username, u.display_name from api_tokens t join users u on u.id = t.user_id \
         where t.token_hash = $1 and t.revoked_at is null and u.disabled_at is null \
           and (t.expires_at is null or t.expires_at >= $2)")
        .bind(token_hash(token)).bind(crate::clock::today().to_string()).fetch_optional(&mut **c).await)?;
    Ok(row.map(|(id, username, display_name)| User {
        id,
        username,
        display_name,
    }))
}

/// A user's tokens, newest first, revoked ones included.
pub async fn list(tx: &mut Tx, user: &User) -> Result<Vec<Token>> {
    Ok(on_engine!(tx, c => sqlx::query_as(
        "select id, name, created_at, revoked_at, expires_at from api_tokens where user_id = $1 order by id desc")
        .bind(user.id).fetch_all(&mut **c).await)?)
}

/// Revokes every live token of `user` (for whoever manages her account); answers how many.
pub async fn revoke_all(tx: &mut Tx, user: &User) -> Result<u64> {
    let now = crate::clock::now_text();
    Ok(
        on_engine!(tx, c => sqlx::query("update api_tokens set revoked_at = $1 where user_id = $2 and revoked_at is null")
        .bind(&now).bind(user.id).execute(&mut **c).await.map(|r| r.rows_affected()))?,
    )
}

/// Revokes one of the user's own tokens. Another user's token is "not found".
pub async fn revoke(tx: &mut Tx, user: &User, id: i64) -> Result<()> {
    let now = crate::clock::now_text();
    let changed = on_engine!(&mut *tx, c => sqlx::query(
        "update api_tokens set revoked_at = $1 where id = $2 and user_id = $3 and revoked_at is null")
        .bind(&now).bind(id).bind(user.id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Err(Error::not_found("token", id.to_string()));
    }
    audit::record(
        tx,
        &format!("user:{}", user.username),
        "token.revoke",
        None,
        Some(&id.to_string()),
        None,
    )
    .await?;
    Ok(())
}
