//! Accounts, their roles in the tree, sign-in with a temporary lock after repeated
//! failures, and the scope a signed-in user acts with.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::audit;
use super::password::{self, Password};
use super::scope::Scope;
use crate::error::{Error, Result};
use crate::i18n::Args;
use crate::on_engine;
use crate::org;
use crate::store::Tx;

/// Failures in a row that lock an account, and for how long.
pub const MAX_FAILURES: i32 = 5;
pub const LOCK_MINUTES: i64 = 15;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees her subtree.
    Viewer,
    /// Also edits members.
    Officer,
    /// Also manages the accounts of her subtree and approves.
    Chair,
    /// Everything in her subtree.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Officer, Role::Chair, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Officer => "officer",
            Role::Chair => "chair",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// Usernames: 3–40 lower-case letters, digits, dots, dashes and underscores.
fn valid_username(s: &str) -> bool {
    (3..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// An account to create, with its one role.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub unit_code: &'a str,
    pub role: Role,
    pub sensitive: bool,
}

/// Creates an account with one role at one unit. The caller must manage accounts at that
/// unit (a chair or administrator above it, or the command line).
pub async fn create(tx: &mut Tx, scope: &Scope, account: &NewAccount<'_>, password: &Password) -> Result<i64> {
    let NewAccount { username, display_name, unit_code, role, sensitive } = *account;
    let today = crate::clock::today();
    let unit = org::tree::find(tx, scope, unit_code, today).await?;
    scope.ensure_manage(tx, unit.id, today, &unit.code).await?;
    // A chair gives at most what she has: no administrators, no sensitive grant she lacks.
    if (role == Role::Admin && !scope.grants_admin()) || (sensitive && !scope.sees_sensitive()) {
        return Err(Error::Forbidden);
    }
    let username = username.trim().to_ascii_lowercase();
    if !valid_username(&username) {
        return Err(Error::invalid("username", "invalid-username"));
    }
    if !password.is_acceptable() {
        return Err(Error::invalid("password", "invalid-password"));
    }
    let exists: i64 = on_engine!(&mut *tx, c => sqlx::query_scalar("select count(*) from users where username = $1").bind(&username).fetch_one(&mut **c).await)?;
    if exists > 0 {
        return Err(Error::Conflict { message: "conflict-username", args: Args::new().with("username", username) });
    }
    let display = crate::text::clean(display_name);
    let hash = password::hash(password);
    let now = crate::clock::now_text();
    let id: i64 = on_engine!(&mut *tx, c => sqlx::query_scalar(
        "insert into users (username, display_name, password_hash, created_at) values ($1, $2, $3, $4) returning id")
        .bind(&username).bind(&display).bind(&hash).bind(&now).fetch_one(&mut **c).await)?;
    on_engine!(&mut *tx, c => sqlx::query("insert into user_roles (user_id, unit_id, role, sensitive) values ($1, $2, $3, $4)")
        .bind(id).bind(unit.id).bind(role.as_str()).bind(sensitive).execute(&mut **c).await.map(|_| ()))?;
    audit::record(tx, scope.actor(), "user.create", Some(unit.id), Some(&username), Some(role.as_str())).await?;
    Ok(id)
}

#[derive(Debug)]
pub enum SignInError {
    /// Wrong username or password (never told apart).
    Invalid,
    /// Too many failures: locked until this time.
    Locked(OffsetDateTime),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for SignInError {
    fn from(e: sqlx::Error) -> Self {
        SignInError::Db(e)
    }
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

fn format_time(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Checks a username and password. Every attempt, good or bad, is written to the audit log
/// with the address it came from.
pub async fn sign_in(tx: &mut Tx, username: &str, password: &Password, address: &str) -> Result<User, SignInError> {
    let username = username.trim().to_ascii_lowercase();
    let row: Option<(i64, String, String, i32, Option<String>)> = on_engine!(&mut *tx, c => sqlx::query_as(
        "select id, display_name, password_hash, failed_attempts, locked_until from users where username = $1")
        .bind(&username).fetch_optional(&mut **c).await)?;
    let now = OffsetDateTime::now_utc().to_offset(crate::clock::VIETNAM);
    let Some((id, display_name, hash, failures, locked_until)) = row else {
        // Spend the time a real check takes, so that timing does not reveal usernames.
        password::verify(password, "$argon2id$v=19$m=19456,t=2,p=1$c29ob2lzb2hvaQ$0000000000000000000000000000000000000000000");
        audit_sign_in(tx, &username, "signin.failed", address).await?;
        return Err(SignInError::Invalid);
    };
    if let Some(until) = locked_until.as_deref().and_then(parse_time)
        && until > now
    {
        audit_sign_in(tx, &username, "signin.locked", address).await?;
        return Err(SignInError::Locked(until));
    }
    if !password::verify(password, &hash) {
        let failures = failures + 1;
        let lock = (failures >= MAX_FAILURES).then(|| format_time(now + Duration::minutes(LOCK_MINUTES)));
        on_engine!(&mut *tx, c => sqlx::query("update users set failed_attempts = $2, locked_until = $3 where id = $1")
            .bind(id).bind(if lock.is_some() { 0 } else { failures }).bind(&lock).execute(&mut **c).await.map(|_| ()))?;
        audit_sign_in(tx, &username, "signin.failed", address).await?;
        return Err(match lock.as_deref().and_then(parse_time) {
            Some(until) => SignInError::Locked(until),
            None => SignInError::Invalid,
        });
    }
    on_engine!(&mut *tx, c => sqlx::query("update users set failed_attempts = 0, locked_until = null where id = $1")
        .bind(id).execute(&mut **c).await.map(|_| ()))?;
    audit_sign_in(tx, &username, "signin.ok", address).await?;
    Ok(User { id, username, display_name })
}

async fn audit_sign_in(tx: &mut Tx, username: &str, action: &str, address: &str) -> Result<(), sqlx::Error> {
    let at = crate::clock::now_text();
    // Filed under the unit of the account's (first) role, so that the chairs above it read
    // it; attempts on unknown names have no unit and only the central union reads them.
    on_engine!(tx, c => sqlx::query(
        "insert into audit_log (at, actor, action, unit_id, subject, address) values ($1, $2, $3, \
         (select min(r.unit_id) from user_roles r join users u on u.id = r.user_id where u.username = $4), $4, $5)")
        .bind(at).bind(format!("user:{username}")).bind(action).bind(username).bind(address).execute(&mut **c).await.map(|_| ()))
}

/// Changes a user's own password after checking the current one.
pub async fn change_password(tx: &mut Tx, user: &User, current: &Password, new: &Password) -> Result<()> {
    let hash: String = on_engine!(&mut *tx, c => sqlx::query_scalar("select password_hash from users where id = $1")
        .bind(user.id).fetch_one(&mut **c).await)?;
    if !password::verify(current, &hash) {
        return Err(Error::invalid("password", "invalid-current-password"));
    }
    if !new.is_acceptable() {
        return Err(Error::invalid("password", "invalid-password"));
    }
    let hash = password::hash(new);
    on_engine!(&mut *tx, c => sqlx::query("update users set password_hash = $2 where id = $1")
        .bind(user.id).bind(hash).execute(&mut **c).await.map(|_| ()))?;
    audit::record(tx, &format!("user:{}", user.username), "user.password", None, Some(&user.username), None).await?;
    Ok(())
}

/// The scope a user acts with: every unit she holds a role at, with its subtree.
pub async fn scope_for(tx: &mut Tx, user: &User) -> Result<Scope> {
    let roles: Vec<(i64, String, bool)> = on_engine!(&mut *tx, c => sqlx::query_as(
        "select unit_id, role, sensitive from user_roles where user_id = $1 order by unit_id")
        .bind(user.id).fetch_all(&mut **c).await)?;
    let mut view = Vec::new();
    let mut edit = Vec::new();
    let mut manage = Vec::new();
    let mut sensitive = false;
    let mut admin = false;
    for (unit, role, grant) in roles {
        let role = Role::parse(&role).unwrap_or(Role::Viewer);
        view.push(unit);
        if role >= Role::Officer {
            edit.push(unit);
        }
        if role >= Role::Chair {
            manage.push(unit);
        }
        admin |= role == Role::Admin;
        sensitive |= grant;
    }
    Ok(Scope::with_roles(format!("user:{}", user.username), view, edit, manage, sensitive).granting_admin(admin))
}

/// The account with this username (for the command line, which acts for the operator).
pub async fn by_username(tx: &mut Tx, username: &str) -> Result<User> {
    let row: Option<(i64, String, String)> = on_engine!(tx, c => sqlx::query_as(
        "select id, username, display_name from users where username = $1").bind(username).fetch_optional(&mut **c).await)?;
    let (id, username, display_name) = row.ok_or_else(|| crate::error::Error::not_found("user", username))?;
    Ok(User { id, username, display_name })
}

/// The units a user holds roles at, with the role (for her home page).
pub async fn roles_of(tx: &mut Tx, user: &User) -> Result<Vec<(String, Role)>> {
    let rows: Vec<(String, String)> = on_engine!(tx, c => sqlx::query_as(
        "select u.code, r.role from user_roles r join units u on u.id = r.unit_id where r.user_id = $1 order by u.code")
        .bind(user.id).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().filter_map(|(code, role)| Role::parse(&role).map(|r| (code, r))).collect())
}

/// An account as the accounts page lists it.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub unit_code: String,
    pub role: String,
    pub sensitive: bool,
    pub locked_until: Option<String>,
}

/// The accounts with a role in the subtrees where the caller manages accounts.
pub async fn accounts(tx: &mut Tx, scope: &Scope) -> Result<Vec<Account>> {
    let filter = match scope.manage_roots() {
        super::scope::Roots::All => String::new(),
        super::scope::Roots::Units(ids) if ids.is_empty() => return Err(Error::Forbidden),
        // Unit ids come from the caller's roles, never from user text.
        super::scope::Roots::Units(ids) => format!(
            "where r.unit_id in (select descendant_id from unit_closure where ancestor_id in ({}) and valid_from <= $1 and valid_to > $1)",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let sql = format!(
        "select u.username, u.display_name, n.code as unit_code, r.role, r.sensitive, u.locked_until \
         from user_roles r join users u on u.id = r.user_id join units n on n.id = r.unit_id {filter} order by n.code, u.username limit 1000"
    );
    let today = crate::clock::today();
    let rows: Vec<Account> = on_engine!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(&*sql));
        if filter.is_empty() { q.fetch_all(&mut **c).await } else { q.bind(today).fetch_all(&mut **c).await }
    })?;
    Ok(rows)
}
