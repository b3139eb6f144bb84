//! Accounts, their grants at units, sign-in with a temporary lock after repeated failures,
//! and the access a signed-in user acts with.

use std::collections::BTreeSet;

use serde::Serialize;

use super::access::{Access, Authority, Grant, Reach, Role, Tier};
use super::audit;
use super::password::{self, Password};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::i18n::Args;
use crate::on_engine;
use crate::org;
use crate::store::Tx;

#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// Usernames: 3–40 lower-case letters, digits, dots, dashes and underscores.
fn valid_username(s: &str) -> bool {
    (3..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// An account to create, with its first grant (a role's authorities and some tiers over
/// the unit's subtree).
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub unit_code: &'a str,
    pub role: Role,
    pub tiers: &'a [Tier],
}

/// A grant to give: authorities (a role's, and single ones) and tiers at a unit.
#[derive(Clone, Debug)]
pub struct GrantRequest<'a> {
    pub unit_code: &'a str,
    pub reach: Reach,
    pub authorities: BTreeSet<Authority>,
    pub tiers: BTreeSet<Tier>,
}

impl<'a> GrantRequest<'a> {
    pub fn role(unit_code: &'a str, role: Role, tiers: &[Tier]) -> Self {
        GrantRequest {
            unit_code,
            reach: Reach::Subtree,
            authorities: role.authorities().into_iter().collect(),
            tiers: tiers.iter().copied().collect(),
        }
    }
}

/// Creates an account with one grant. The caller must manage accounts at that unit (a chair
/// or administrator above it, or the command line), and gives at most what she holds there.
pub async fn create(ctx: &mut Ctx, account: &NewAccount<'_>, password: &Password) -> Result<i64> {
    let NewAccount {
        username,
        display_name,
        unit_code,
        role,
        tiers,
    } = *account;
    let request = GrantRequest::role(unit_code, role, tiers);
    let unit = may_give(ctx, &request).await?;
    let username = username.trim().to_ascii_lowercase();
    if !valid_username(&username) {
        return Err(Error::invalid("username", "invalid-username"));
    }
    if !password.is_acceptable() {
        return Err(Error::invalid("password", "invalid-password"));
    }
    let tx = &mut ctx.tx;
    let exists: i64 = on_engine!(&mut *tx, c => sqlx::query_scalar("select count(*) from users where username = $1").bind(&username).fetch_one(&mut **c).await)?;
    if exists > 0 {
        return Err(Error::Conflict {
            message: "conflict-username",
            args: Args::new().with("username", username),
        });
    }
    let display = crate::text::clean(display_name);
    crate::text::within("display_name", &display, crate::text::limits::DISPLAY_NAME)?;
    let hash = password::hash(password);
    let now = crate::clock::now_text();
    let id: i64 = on_engine!(&mut *tx, c => sqlx::query_scalar(
        "insert into users (username, display_name, password_hash, created_at) values ($1, $2, $3, $4) returning id")
        .bind(&username).bind(&display).bind(&hash).bind(&now).fetch_one(&mut **c).await)?;
    insert_grant(ctx, id, unit.id, &request).await?;
    let detail = describe(&request);
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "user.create",
        Some(unit.id),
        Some(&username),
        Some(&detail),
    )
    .await?;
    Ok(id)
}

/// Gives an account another grant. Each grant stands alone: a tier given at one unit says
/// nothing about her other units.
pub async fn grant(ctx: &mut Ctx, username: &str, request: &GrantRequest<'_>) -> Result<()> {
    let unit = may_give(ctx, request).await?;
    let user = by_username(&mut ctx.tx, username).await?;
    insert_grant(ctx, user.id, unit.id, request).await?;
    let detail = describe(request);
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "user.grant",
        Some(unit.id),
        Some(&user.username),
        Some(&detail),
    )
    .await?;
    Ok(())
}

/// Takes back an account's grants at a unit; answers how many there were.
pub async fn revoke(ctx: &mut Ctx, username: &str, unit_code: &str) -> Result<u64> {
    let today = ctx.today;
    let unit = org::tree::find(ctx, unit_code, today).await?;
    ctx.require(Authority::ManageAccounts, unit.id, &unit.code)
        .await?;
    let user = by_username(&mut ctx.tx, username).await?;
    let tx = &mut ctx.tx;
    let n = on_engine!(tx, c => sqlx::query("delete from grants where user_id = $1 and unit_id = $2")
        .bind(user.id).bind(unit.id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(Error::not_found(
            "grant",
            format!("{} @ {}", user.username, unit.code),
        ));
    }
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "user.revoke",
        Some(unit.id),
        Some(&user.username),
        None,
    )
    .await?;
    Ok(n)
}

/// The unit of `request` if the caller may give it: she manages accounts there and holds
/// every authority and tier she gives, at that unit. Administrators are made only by
/// administrators; the support-case tier only by holders of "manage case workers".
async fn may_give(ctx: &mut Ctx, request: &GrantRequest<'_>) -> Result<org::Unit> {
    let today = ctx.today;
    let unit = org::tree::find(ctx, request.unit_code, today).await?;
    ctx.require(Authority::ManageAccounts, unit.id, &unit.code)
        .await?;
    for authority in &request.authorities {
        if !ctx
            .access
            .holds(&mut ctx.tx, *authority, unit.id, today)
            .await?
        {
            return Err(Error::Forbidden);
        }
    }
    let held = ctx.access.tiers_at(&mut ctx.tx, unit.id, today).await?;
    for tier in &request.tiers {
        let allowed = match tier {
            Tier::SupportCases => {
                ctx.access
                    .holds(&mut ctx.tx, Authority::ManageCaseWorkers, unit.id, today)
                    .await?
            }
            other => held.has(*other),
        };
        if !allowed {
            return Err(Error::Forbidden);
        }
    }
    if request.authorities.is_empty() && request.tiers.is_empty() {
        return Err(Error::invalid("role", "invalid-empty-grant"));
    }
    Ok(unit)
}

async fn insert_grant(
    ctx: &mut Ctx,
    user: i64,
    unit: i64,
    request: &GrantRequest<'_>,
) -> Result<()> {
    let authorities = request
        .authorities
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let tiers = request
        .tiers
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let now = crate::clock::now_text();
    let actor = ctx.access.actor().to_string();
    on_engine!(&mut ctx.tx, c => sqlx::query(
        "insert into grants (user_id, unit_id, reach, authorities, tiers, granted_by, granted_at) values ($1, $2, $3, $4, $5, $6, $7)")
        .bind(user)
        .bind(unit)
        .bind(request.reach.as_str())
        .bind(authorities)
        .bind(tiers)
        .bind(actor)
        .bind(now)
        .execute(&mut **c).await.map(|_| ()))?;
    Ok(())
}

/// A grant as the audit log says it: the role's name where the authorities are a role's.
fn describe(request: &GrantRequest<'_>) -> String {
    let authorities = match Role::of(&request.authorities) {
        Some(role) => role.as_str().to_string(),
        None => request
            .authorities
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(","),
    };
    let tiers = request
        .tiers
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let reach = if request.reach == Reach::Unit {
        " reach=unit"
    } else {
        ""
    };
    if tiers.is_empty() {
        format!("{authorities}{reach}")
    } else {
        format!("{authorities} + {tiers}{reach}")
    }
}

#[derive(Debug)]
pub enum SignInError {
    /// Wrong username or password (never told apart).
    Invalid,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for SignInError {
    fn from(e: sqlx::Error) -> Self {
        SignInError::Db(e)
    }
}

/// A hash of nothing, verified for unknown usernames so that they take the time a real check
/// takes and timing does not reveal which usernames exist.
const NOBODY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29ob2lzb2hvaQ$0000000000000000000000000000000000000000000";

/// Checks a username and password. The hash is read in a snapshot and verified on a blocking
/// thread, outside any transaction; every attempt, good or bad, is then written to the audit
/// log with the address it came from. Repeated failures are slowed by the caller's throttle
/// (`web::throttle`), never by locking the account, which anyone could do to anyone.
pub async fn sign_in(
    store: &crate::store::Store,
    username: &str,
    password: Password,
    address: &str,
) -> Result<User, SignInError> {
    let username = username.trim().to_ascii_lowercase();
    let row: Option<(i64, String, String)> = {
        let mut tx = store.read().await?;
        on_engine!(&mut tx, c => sqlx::query_as("select id, display_name, password_hash from users where username = $1 and disabled_at is null")
            .bind(&username).fetch_optional(&mut **c).await)?
    };
    let phc = row
        .as_ref()
        .map_or(NOBODY, |(_, _, hash)| hash.as_str())
        .to_string();
    let good = password::verify_off_thread(password, phc).await && row.is_some();
    let mut tx = store.begin().await?;
    audit_sign_in(
        &mut tx,
        &username,
        if good { "signin.ok" } else { "signin.failed" },
        address,
    )
    .await?;
    tx.commit().await?;
    match row {
        Some((id, display_name, _)) if good => Ok(User {
            id,
            username,
            display_name,
        }),
        _ => Err(SignInError::Invalid),
    }
}

async fn audit_sign_in(
    tx: &mut Tx,
    username: &str,
    action: &str,
    address: &str,
) -> Result<(), sqlx::Error> {
    let at = crate::clock::now_text();
    // What was typed is kept to a bound (it may be megabytes); no account has a longer name.
    let username = audit::cap(username, audit::SUBJECT_CHARS);
    let address = audit::cap(address, audit::ADDRESS_CHARS);
    let (username, address) = (username.as_str(), address.as_str());
    // Filed under the unit of the account's (first) grant, so that the chairs above it read
    // it; attempts on unknown names have no unit and only the central union reads them.
    on_engine!(tx, c => sqlx::query(
        "insert into audit_log (at, actor, action, unit_id, subject, address) values ($1, $2, $3, \
         (select min(g.unit_id) from grants g join users u on u.id = g.user_id where u.username = $4), $4, $5)")
        .bind(at)
        .bind(audit::cap(&format!("user:{username}"), audit::ACTOR_CHARS))
        .bind(action)
        .bind(username)
        .bind(address)
        .execute(&mut **c).await
        .map(|_| ()))
}

/// Changes a user's own password after checking the current one, and ends her other sessions
/// (`keep` is the session she changed it from).
pub async fn change_password(
    tx: &mut Tx,
    user: &User,
    current: &Password,
    new: &Password,
    keep: Option<&str>,
) -> Result<()> {
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
    super::sessions::close_all(tx, user.id, keep).await?;
    audit::record(
        tx,
        &format!("user:{}", user.username),
        "user.password",
        None,
        Some(&user.username),
        None,
    )
    .await?;
    Ok(())
}

/// The account `username` if the caller manages accounts at every unit where it holds a
/// grant (a chair cannot act on an account above her, or beside her).
async fn managed_account(ctx: &mut Ctx, username: &str) -> Result<(User, Option<i64>)> {
    let user = by_username(&mut ctx.tx, username).await?;
    let grants = grants_of(&mut ctx.tx, &user).await?;
    if grants.is_empty() && !ctx.access.is_system() {
        return Err(Error::not_found("user", username));
    }
    for g in &grants {
        match ctx
            .require(Authority::ManageAccounts, g.unit_id, &g.unit_code)
            .await
        {
            Ok(()) => {}
            Err(Error::NotFound { .. }) => return Err(Error::not_found("user", username)),
            Err(e) => return Err(e),
        }
    }
    // Her changes are filed under her (first) grant's unit, so that the chairs above read them.
    Ok((user, grants.first().map(|g| g.unit_id)))
}

/// Disables an account: she can no longer sign in, her sessions end and her tokens stop
/// working; her history stays, and enabling her again restores what she had.
pub async fn disable(ctx: &mut Ctx, username: &str) -> Result<()> {
    let (user, unit) = managed_account(ctx, username).await?;
    let now = crate::clock::now_text();
    on_engine!(&mut ctx.tx, c => sqlx::query("update users set disabled_at = $2 where id = $1 and disabled_at is null")
        .bind(user.id).bind(&now).execute(&mut **c).await.map(|_| ()))?;
    super::sessions::close_all(&mut ctx.tx, user.id, None).await?;
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "user.disable",
        unit,
        Some(&user.username),
        None,
    )
    .await?;
    Ok(())
}

/// Enables a disabled account again.
pub async fn enable(ctx: &mut Ctx, username: &str) -> Result<()> {
    let (user, unit) = managed_account(ctx, username).await?;
    on_engine!(&mut ctx.tx, c => sqlx::query("update users set disabled_at = null where id = $1")
        .bind(user.id).execute(&mut **c).await.map(|_| ()))?;
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "user.enable",
        unit,
        Some(&user.username),
        None,
    )
    .await?;
    Ok(())
}

/// Sets a new password for an account the caller manages (she forgot hers), and ends her
/// sessions.
pub async fn reset_password(ctx: &mut Ctx, username: &str, new: &Password) -> Result<()> {
    let (user, unit) = managed_account(ctx, username).await?;
    if !new.is_acceptable() {
        return Err(Error::invalid("password", "invalid-password"));
    }
    let hash = password::hash(new);
    on_engine!(&mut ctx.tx, c => sqlx::query("update users set password_hash = $2 where id = $1")
        .bind(user.id).bind(hash).execute(&mut **c).await.map(|_| ()))?;
    super::sessions::close_all(&mut ctx.tx, user.id, None).await?;
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "user.reset_password",
        unit,
        Some(&user.username),
        None,
    )
    .await?;
    Ok(())
}

/// Revokes every token of an account the caller manages; answers how many.
pub async fn revoke_tokens(ctx: &mut Ctx, username: &str) -> Result<u64> {
    let (user, unit) = managed_account(ctx, username).await?;
    let n = super::tokens::revoke_all(&mut ctx.tx, &user).await?;
    let detail = format!("{n}");
    audit::record(
        &mut ctx.tx,
        ctx.access.actor(),
        "user.revoke_tokens",
        unit,
        Some(&user.username),
        Some(&detail),
    )
    .await?;
    Ok(n)
}

/// A grant as stored, with its unit.
#[derive(Clone, Debug, Serialize)]
pub struct GrantView {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub reach: Reach,
    pub role: Option<Role>,
    pub authorities: BTreeSet<Authority>,
    pub tiers: BTreeSet<Tier>,
}

/// A user's grants, in unit code order.
pub async fn grants_of(tx: &mut Tx, user: &User) -> Result<Vec<GrantView>> {
    let rows: Vec<(i64, String, String, String, String, String)> = on_engine!(tx, c => sqlx::query_as(
        "select g.unit_id, u.code, u.name, g.reach, g.authorities, g.tiers from grants g join units u on u.id = g.unit_id \
         where g.user_id = $1 order by u.code, g.id")
        .bind(user.id).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(unit_id, unit_code, unit_name, reach, authorities, tiers)| {
                let authorities: BTreeSet<Authority> = authorities
                    .split(',')
                    .filter_map(Authority::parse)
                    .collect();
                GrantView {
                    unit_id,
                    unit_code,
                    unit_name,
                    reach: Reach::parse(&reach).unwrap_or(Reach::Subtree),
                    role: Role::of(&authorities),
                    authorities,
                    tiers: tiers.split(',').filter_map(Tier::parse).collect(),
                }
            },
        )
        .collect())
}

/// The access a user acts with: her grants, each standing alone. A grant at a unit that was
/// merged away acts at the units it went into.
pub async fn access_for(tx: &mut Tx, user: &User) -> Result<Access> {
    let today = crate::clock::today();
    let mut grants = Vec::new();
    for g in grants_of(tx, user).await? {
        let open = org::store::by_id(tx, g.unit_id, today)
            .await?
            .is_some_and(|u| u.valid_to > today);
        let units = if open {
            vec![g.unit_id]
        } else {
            org::store::successors(tx, g.unit_id).await?
        };
        for unit_id in units {
            grants.push(Grant {
                unit_id,
                reach: g.reach,
                authorities: g.authorities.clone(),
                tiers: g.tiers.clone(),
            });
        }
    }
    Ok(Access::of_grants(format!("user:{}", user.username), grants))
}

/// The account with this username (for the command line, which acts for the operator).
pub async fn by_username(tx: &mut Tx, username: &str) -> Result<User> {
    let row: Option<(i64, String, String)> = on_engine!(tx, c => sqlx::query_as(
        "select id, username, display_name from users where username = $1").bind(username).fetch_optional(&mut **c).await)?;
    let (id, username, display_name) =
        row.ok_or_else(|| crate::error::Error::not_found("user", username))?;
    Ok(User {
        id,
        username,
        display_name,
    })
}

/// An account's grant as the accounts page lists it.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub unit_code: String,
    pub authorities: String,
    pub tiers: String,
    pub locked_until: Option<String>,
}

impl Account {
    /// The role whose authorities the grant carries, if any.
    pub fn role(&self) -> Option<Role> {
        Role::of(
            &self
                .authorities
                .split(',')
                .filter_map(Authority::parse)
                .collect(),
        )
    }

    pub fn tiers(&self) -> Vec<Tier> {
        self.tiers.split(',').filter_map(Tier::parse).collect()
    }
}

/// The accounts with a grant where the caller manages accounts, a grant a row.
pub async fn accounts(ctx: &mut Ctx) -> Result<Vec<Account>> {
    let roots = ctx.access.roots(Authority::ManageAccounts);
    if roots.is_empty() {
        return Err(Error::Forbidden);
    }
    let filter = roots.sql("g.unit_id", "$1");
    let sql = format!(
        "select u.username, u.display_name, n.code as unit_code, g.authorities, g.tiers, u.locked_until \
         from grants g join users u on u.id = g.user_id join units n on n.id = g.unit_id where {filter} \
         order by n.code, u.username limit 1000"
    );
    let today = ctx.today;
    let rows: Vec<Account> = on_engine!(&mut ctx.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(today).fetch_all(&mut **c).await)?;
    Ok(rows)
}
