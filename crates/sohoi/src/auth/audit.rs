//! The audit log: append-only (the database refuses updates and deletes).

use crate::on_engine;
use crate::store::Tx;

/// The longest each stored field of an entry may be, in characters.
pub const ACTOR_CHARS: usize = 80;
pub const ACTION_CHARS: usize = 60;
pub const SUBJECT_CHARS: usize = 200;
pub const DETAIL_CHARS: usize = 2_000;
pub const ADDRESS_CHARS: usize = 64;

/// `s`, cut to `n` characters (with an ellipsis when cut).
pub fn cap(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

/// Records an action in the caller's transaction, so that it exists exactly when the
/// action does.
pub async fn record(
    tx: &mut Tx,
    actor: &str,
    action: &str,
    unit_id: Option<i64>,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    let at = crate::clock::now_text();
    // Every stored field has a bound: a typed username of megabytes is kept to its first
    // characters, so that nobody can flood the log without signing in.
    let (actor, action) = (cap(actor, ACTOR_CHARS), cap(action, ACTION_CHARS));
    let (subject, detail) = (
        subject.map(|s| cap(s, SUBJECT_CHARS)),
        detail.map(|d| cap(d, DETAIL_CHARS)),
    );
    let (actor, action, subject, detail) = (
        actor.as_str(),
        action.as_str(),
        subject.as_deref(),
        detail.as_deref(),
    );
    on_engine!(tx, c => sqlx::query("insert into audit_log (at, actor, action, unit_id, subject, detail) values ($1, $2, $3, $4, $5, $6)")
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(unit_id)
        .bind(subject)
        .bind(detail)
        .execute(&mut **c).await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub unit_code: Option<String>,
    pub subject: Option<String>,
    pub detail: Option<String>,
    pub address: Option<String>,
}

/// The newest entries about the units where the caller manages accounts (chairs and
/// administrators), `per_page` at a time, before entry `before` if given. Reading the log
/// changes nothing in it.
pub async fn list(
    ctx: &mut crate::ctx::Ctx,
    before: Option<i64>,
    per_page: i64,
) -> crate::error::Result<Vec<Entry>> {
    let roots = ctx.access.roots(super::Authority::ManageAccounts);
    if roots.is_empty() {
        return Err(crate::error::Error::Forbidden);
    }
    let within = roots.sql("a.unit_id", "$3");
    let central = match &roots {
        super::access::Roots::All => "true".to_string(),
        // Entries without a unit (sign-in attempts on unknown names) go to the central union.
        super::access::Roots::Units { subtrees, .. } => format!(
            "exists (select 1 from units c where c.id in ({}) and c.kind = 'central')",
            if subtrees.is_empty() {
                "0".to_string()
            } else {
                subtrees
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            }
        ),
    };
    let sql = format!(
        "select a.id, a.at, a.actor, a.action, u.code as unit_code, a.subject, a.detail, a.address from audit_log a \
         left join units u on u.id = a.unit_id where a.id < $1 and ({within} or (a.unit_id is null and {central})) \
         order by a.id desc limit $2"
    );
    let today = ctx.today;
    let tx = &mut ctx.tx;
    let rows: Vec<Entry> = on_engine!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(before.unwrap_or(i64::MAX)).bind(per_page).bind(today).fetch_all(&mut **c).await
    })?;
    Ok(rows)
}
