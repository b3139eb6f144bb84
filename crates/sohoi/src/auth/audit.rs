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
