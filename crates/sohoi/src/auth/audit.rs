//! The audit log: append-only (the database refuses updates and deletes).

use crate::on_engine;
use crate::store::Tx;

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
