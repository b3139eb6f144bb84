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
        .bind(at).bind(actor).bind(action).bind(unit_id).bind(subject).bind(detail).execute(&mut **c).await.map(|r| r.rows_affected()))?;
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

/// The newest entries about the subtrees where the caller manages accounts (chairs and
/// administrators), `per_page` at a time, before entry `before` if given. Reading the log
/// changes nothing in it.
pub async fn list(tx: &mut Tx, scope: &super::Scope, before: Option<i64>, per_page: i64) -> crate::error::Result<Vec<Entry>> {
    let roots = match scope.manage_roots() {
        super::scope::Roots::All => None,
        super::scope::Roots::Units(ids) if ids.is_empty() => return Err(crate::error::Error::Forbidden),
        super::scope::Roots::Units(ids) => Some(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
    };
    let filter = match roots {
        None => String::new(),
        // Unit ids come from the caller's roles, never from user text.
        // Entries without a unit (sign-in attempts on unknown names) go to the central union.
        Some(list) => format!(
            "and (a.unit_id in (select descendant_id from unit_closure where ancestor_id in ({list}) and valid_from <= $3 and valid_to > $3) \
              or (a.unit_id is null and exists (select 1 from units c where c.id in ({list}) and c.kind = 'central')))"
        ),
    };
    let sql = format!(
        "select a.id, a.at, a.actor, a.action, u.code as unit_code, a.subject, a.detail, a.address from audit_log a \
         left join units u on u.id = a.unit_id where a.id < $1 {filter} order by a.id desc limit $2"
    );
    let today = crate::clock::today();
    let rows: Vec<Entry> = on_engine!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(before.unwrap_or(i64::MAX)).bind(per_page);
        if filter.is_empty() { q.fetch_all(&mut **c).await } else { q.bind(today).fetch_all(&mut **c).await }
    })?;
    Ok(rows)
}
