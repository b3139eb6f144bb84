//! Secondary indexes set aside during a bulk load into empty tables and rebuilt at the end:
//! building an index once over sorted data is far cheaper than growing it row by row. The
//! definitions are read back from the database itself, so the migrations stay the one place
//! that declares them.

use super::Tx;

/// Drops the secondary (non-constraint) indexes of `tables`; returns the statements that
/// recreate them.
pub async fn suspend(tx: &mut Tx, tables: &[&str]) -> Result<Vec<String>, sqlx::Error> {
    let list = tables
        .iter()
        .map(|t| format!("'{}'", t.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(",");
    let (names, ddl): (Vec<String>, Vec<String>) = match tx {
        Tx::Sqlite(c) => {
            let sql = format!(
                "select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ({list})"
            );
            let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut **c)
                .await?;
            rows.into_iter().unzip()
        }
        Tx::Postgres(c) => {
            let sql = format!(
                "select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename in ({list}) \
                 and indexname not in (select conname from pg_constraint)"
            );
            let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut **c)
                .await?;
            rows.into_iter().unzip()
        }
    };
    for name in &names {
        let sql = format!("drop index {name}");
        crate::on_engine!(&mut *tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(&mut **c).await.map(|_| ()))?;
    }
    Ok(ddl)
}

/// Recreates indexes set aside by [`suspend`].
pub async fn restore(tx: &mut Tx, ddl: &[String]) -> Result<(), sqlx::Error> {
    for sql in ddl {
        crate::on_engine!(&mut *tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(&mut **c).await.map(|_| ()))?;
    }
    Ok(())
}
