//! SQL over the tree tables. Only `org` reads or writes them; other domains call the
//! functions in `org::tree`.

use sqlx::Row;
use time::Date;

use super::model::{Unit, UnitKind};
use crate::on_engine;
use crate::store::{OPEN_END, Tx};

const UNIT_COLUMNS: &str = "u.id, u.code, u.kind, u.name, u.admin_type, u.valid_from, u.valid_to, \
     (select p.code from unit_links l join units p on p.id = l.parent_id \
       where l.unit_id = u.id and l.valid_from <= $2 and l.valid_to > $2) as parent_code";

fn unit_from_row<R: Row>(row: &R, depth: i32) -> Result<Unit, sqlx::Error>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Date: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    let kind: String = row.try_get("kind")?;
    Ok(Unit {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        kind: UnitKind::parse(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown unit kind {kind}").into()))?,
        name: row.try_get("name")?,
        admin_type: row.try_get("admin_type")?,
        parent_code: row.try_get("parent_code")?,
        depth,
        valid_from: row.try_get("valid_from")?,
        valid_to: row.try_get("valid_to")?,
    })
}

/// The unit with `code` as it stood at `at` (its parent as of that date).
pub async fn by_code(tx: &mut Tx, code: &str, at: Date) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("select {UNIT_COLUMNS} from units u where u.code = $1");
    on_engine!(tx, c => {
        let row = sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(code).bind(at).fetch_optional(&mut **c).await?;
        row.map(|r| unit_from_row(&r, 0)).transpose()
    })
}

pub async fn by_id(tx: &mut Tx, id: i64, at: Date) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("select {UNIT_COLUMNS} from units u where u.id = $1");
    on_engine!(tx, c => {
        let row = sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(id).bind(at).fetch_optional(&mut **c).await?;
        row.map(|r| unit_from_row(&r, 0)).transpose()
    })
}

/// Descendants of `ancestor` at `at`, from depth 1 to `max_depth`, in one indexed query on
/// the closure table.
pub async fn descendants(
    tx: &mut Tx,
    ancestor: i64,
    at: Date,
    max_depth: i32,
) -> Result<Vec<Unit>, sqlx::Error> {
    let sql = format!(
        "select {UNIT_COLUMNS}, c.depth from unit_closure c join units u on u.id = c.descendant_id \
         where c.ancestor_id = $1 and c.valid_from <= $2 and c.valid_to > $2 \
           and c.depth between 1 and $3 and u.valid_from <= $2 and u.valid_to > $2 \
         order by c.depth, u.code"
    );
    on_engine!(tx, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(ancestor).bind(at).bind(max_depth).fetch_all(&mut **c).await?;
        rows.iter().map(|r| unit_from_row(r, r.try_get("depth")?)).collect()
    })
}

/// The units under `ancestor` at `at`, down to `max_depth` levels, as (id, parent id, kind,
/// depth), parents before children: the shape a report round is sent down.
pub async fn tree_below(
    tx: &mut Tx,
    ancestor: i64,
    at: Date,
    max_depth: i64,
) -> Result<Vec<(i64, i64, String, i64)>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_as(
        "select c.descendant_id, l.parent_id, u.kind, cast(c.depth as bigint) from unit_closure c \
         join units u on u.id = c.descendant_id \
         join unit_links l on l.unit_id = c.descendant_id and l.valid_from <= $2 and l.valid_to > $2 \
         where c.ancestor_id = $1 and c.depth between 1 and $3 and c.valid_from <= $2 and c.valid_to > $2 \
         order by c.depth")
        .bind(ancestor).bind(at).bind(max_depth).fetch_all(&mut **c).await)
}

/// The province a unit belongs to (a province is its own); none for the centre.
pub async fn province_of(tx: &mut Tx, unit: i64) -> Result<Option<i64>, sqlx::Error> {
    let found: Option<Option<i64>> = on_engine!(tx, c => sqlx::query_scalar(
        "select case when kind = 'province' then id else province_id end from units where id = $1")
        .bind(unit).fetch_optional(&mut **c).await)?;
    Ok(found.flatten())
}

/// How many units of `kind` are under `ancestor` at `at`.
pub async fn count_under(
    tx: &mut Tx,
    ancestor: i64,
    kind: UnitKind,
    at: Date,
) -> Result<i64, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar(
        "select count(*) from unit_closure c join units u on u.id = c.descendant_id \
         where c.ancestor_id = $1 and c.depth > 0 and c.valid_from <= $2 and c.valid_to > $2 and u.kind = $3")
        .bind(ancestor).bind(at).bind(kind.as_str()).fetch_one(&mut **c).await)
}

/// Ids of the units ever under `unit`, at any date (itself included).
pub async fn units_ever_under(tx: &mut Tx, unit: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar("select distinct descendant_id from unit_closure where ancestor_id = $1")
        .bind(unit).fetch_all(&mut **c).await)
}

/// Ids of the ancestors of `unit` at `at`, the unit itself first (depth 0).
pub async fn ancestor_ids(tx: &mut Tx, unit: i64, at: Date) -> Result<Vec<i64>, sqlx::Error> {
    let sql = "select ancestor_id from unit_closure where descendant_id = $1 \
               and valid_from <= $2 and valid_to > $2 order by depth";
    on_engine!(tx, c => sqlx::query_scalar(sql).bind(unit).bind(at).fetch_all(&mut **c).await)
}

/// The ancestors of `unit` at `at`, the root first and the unit itself last, in one statement
/// (a page's breadcrumb and every write's look-ups go through it).
pub async fn ancestors(tx: &mut Tx, unit: i64, at: Date) -> Result<Vec<Unit>, sqlx::Error> {
    let sql = format!(
        "select {UNIT_COLUMNS} from unit_closure c join units u on u.id = c.ancestor_id \
         where c.descendant_id = $1 and c.valid_from <= $2 and c.valid_to > $2 order by c.depth desc"
    );
    on_engine!(tx, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(unit).bind(at).fetch_all(&mut **c).await?;
        rows.iter().map(|r| unit_from_row(r, 0)).collect()
    })
}

/// The ancestors of `unit` at `at` with their kinds, the unit itself first.
pub async fn ancestors_with_kind(
    tx: &mut Tx,
    unit: i64,
    at: Date,
) -> Result<Vec<(i64, UnitKind)>, sqlx::Error> {
    let sql = "select c.ancestor_id, u.kind from unit_closure c join units u on u.id = c.ancestor_id \
               where c.descendant_id = $1 and c.valid_from <= $2 and c.valid_to > $2 order by c.depth";
    let rows: Vec<(i64, String)> =
        on_engine!(tx, c => sqlx::query_as(sql).bind(unit).bind(at).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind)| UnitKind::parse(&kind).map(|k| (id, k)))
        .collect())
}

/// The kinds of the given units.
pub async fn kinds(
    tx: &mut Tx,
    units: &[i64],
) -> Result<std::collections::HashMap<i64, UnitKind>, sqlx::Error> {
    if units.is_empty() {
        return Ok(Default::default());
    }
    let list = units
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!("select id, kind from units where id in ({list})");
    let rows: Vec<(i64, String)> =
        on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind)| UnitKind::parse(&kind).map(|k| (id, k)))
        .collect())
}

/// Whether `unit` lies in the subtree of `ancestor` at `at` (a unit is in its own subtree).
pub async fn is_within(
    tx: &mut Tx,
    unit: i64,
    ancestor: i64,
    at: Date,
) -> Result<bool, sqlx::Error> {
    let sql = "select count(*) from unit_closure where ancestor_id = $1 and descendant_id = $2 \
               and valid_from <= $3 and valid_to > $3";
    let n: i64 = on_engine!(tx, c => sqlx::query_scalar(sql).bind(ancestor).bind(unit).bind(at).fetch_one(&mut **c).await)?;
    Ok(n > 0)
}

/// Which of `units` lie in the subtree of `ancestor` at `at`, in one statement.
pub async fn within_of(
    tx: &mut Tx,
    ancestor: i64,
    units: &[i64],
    at: Date,
) -> Result<Vec<i64>, sqlx::Error> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    // Unit ids come from our own tables, never from user text.
    let list = units
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "select descendant_id from unit_closure where ancestor_id = $1 and descendant_id in ({list}) \
         and valid_from <= $2 and valid_to > $2"
    );
    on_engine!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(ancestor).bind(at).fetch_all(&mut **c).await)
}

/// The units `unit` went into, directly or through later restructurings (merged into,
/// split into), nearest first; empty for a unit that never ended.
pub async fn successors(tx: &mut Tx, unit: i64) -> Result<Vec<i64>, sqlx::Error> {
    let mut found: Vec<i64> = Vec::new();
    let mut frontier = vec![unit];
    // A lineage has no cycles; the bound only guards against a damaged table.
    for _ in 0..16 {
        if frontier.is_empty() {
            break;
        }
        let list = frontier
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "select distinct to_unit_id from unit_lineage where from_unit_id in ({list}) \
             and kind in ('merge', 'split') and to_unit_id <> from_unit_id"
        );
        let next: Vec<i64> = on_engine!(&mut *tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).fetch_all(&mut **c).await)?;
        frontier = next
            .into_iter()
            .filter(|u| *u != unit && !found.contains(u))
            .collect();
        found.extend(&frontier);
    }
    Ok(found)
}

/// The roots of the tree at `at` (units without a parent).
pub async fn roots(tx: &mut Tx, at: Date) -> Result<Vec<Unit>, sqlx::Error> {
    let sql = format!(
        "select {UNIT_COLUMNS} from units u where u.valid_from <= $2 and u.valid_to > $2 \
         and not exists (select 1 from unit_links l where l.unit_id = u.id and l.valid_from <= $2 and l.valid_to > $2) \
         and u.id > $1 order by u.code"
    );
    on_engine!(tx, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(0_i64).bind(at).fetch_all(&mut **c).await?;
        rows.iter().map(|r| unit_from_row(r, 0)).collect()
    })
}

pub struct NewUnit<'a> {
    pub id: Option<i64>,
    pub code: &'a str,
    pub kind: UnitKind,
    pub name: &'a str,
    pub admin_type: Option<&'a str>,
    pub parent: Option<i64>,
    pub province: Option<i64>,
    pub valid_from: Date,
}

/// Inserts a unit with its name, its parent link and its closure rows; returns its id.
pub async fn insert(tx: &mut Tx, unit: &NewUnit<'_>) -> Result<i64, sqlx::Error> {
    let fold = crate::text::fold(unit.name);
    let id: i64 = on_engine!(tx, c => {
        sqlx::query_scalar(
            "insert into units (id, code, kind, name, name_fold, admin_type, province_id, valid_from, valid_to) \
             values (coalesce($1, (select coalesce(max(id), 0) + 1 from units)), $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        )
        .bind(unit.id).bind(unit.code).bind(unit.kind.as_str()).bind(unit.name).bind(&fold)
        .bind(unit.admin_type).bind(unit.province).bind(unit.valid_from).bind(OPEN_END)
        .fetch_one(&mut **c).await
    })?;
    // A province is its own province; record it once the id is known.
    if unit.kind == UnitKind::Province {
        on_engine!(tx, c => sqlx::query("update units set province_id = id where id = $1").bind(id).execute(&mut **c).await.map(|_| ()))?;
    }
    on_engine!(tx, c => {
        sqlx::query("insert into unit_names (unit_id, name, valid_from, valid_to) values ($1, $2, $3, $4)")
            .bind(id).bind(unit.name).bind(unit.valid_from).bind(OPEN_END).execute(&mut **c).await?;
        sqlx::query("insert into unit_closure (ancestor_id, descendant_id, depth, valid_from, valid_to) values ($1, $1, 0, $2, $3)")
            .bind(id).bind(unit.valid_from).bind(OPEN_END).execute(&mut **c).await?;
        if let Some(parent) = unit.parent {
            sqlx::query("insert into unit_links (unit_id, parent_id, valid_from, valid_to) values ($1, $2, $3, $4)")
                .bind(id)
                .bind(parent)
                .bind(unit.valid_from)
                .bind(OPEN_END)
                .execute(&mut **c).await?;
            // The new unit descends from every ancestor of its parent, for as long as the
            // parent does.
            sqlx::query(
                "insert into unit_closure (ancestor_id, descendant_id, depth, valid_from, valid_to) \
                 select ancestor_id, $1, depth + 1, $3, valid_to from unit_closure \
                 where descendant_id = $2 and valid_from <= $3 and valid_to > $3",
            )
            .bind(id).bind(parent).bind(unit.valid_from).execute(&mut **c).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(id)
}

pub async fn max_id(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar("select coalesce(max(id), 0) from units").fetch_one(&mut **c).await)
}

/// SQL of the tree that other modules splice into their statements: the temporal closure
/// (`unit_closure`) is named only here, so that its shape can change in one place. Each
/// function returns a fragment; the caller binds the parameters it names. Ids given as text
/// come from our own tables, never from user text.
pub mod sql {
    /// `join unit_closure {alias} on {alias}.descendant_id = {column}`, holding at `date`
    /// (an expression or a parameter): `{alias}.ancestor_id` is then each ancestor of the unit.
    pub fn ancestors_join(alias: &str, column: &str, date: &str) -> String {
        format!(
            "join unit_closure {alias} on {alias}.descendant_id = {column} and {alias}.valid_from <= {date} and {alias}.valid_to > {date}"
        )
    }

    /// `select descendant_id …`: the units under `ancestor` (itself included) at `date`.
    pub fn subtree(ancestor: &str, date: &str) -> String {
        format!(
            "select descendant_id from unit_closure where ancestor_id = {ancestor} and valid_from <= {date} and valid_to > {date}"
        )
    }

    /// `from unit_closure {alias} {join} where …`: the units under `ancestor` at `date` as rows
    /// that drive `join` (on `{alias}.descendant_id`), so that an index on the joined table's
    /// unit is used.
    pub fn subtree_driving(alias: &str, join: &str, ancestor: &str, date: &str) -> String {
        format!(
            "from unit_closure {alias} {join} where {alias}.ancestor_id = {ancestor} and {alias}.valid_from <= {date} and {alias}.valid_to > {date}"
        )
    }

    /// `select descendant_id …`: the units ever under `ancestor`, at any date.
    pub fn ever_under(ancestor: &str) -> String {
        format!("select descendant_id from unit_closure where ancestor_id = {ancestor}")
    }

    /// `select descendant_id …`: the units ever under any province.
    pub fn ever_under_a_province() -> String {
        "select c.descendant_id from unit_closure c join units p on p.id = c.ancestor_id where p.kind = 'province'".to_string()
    }

    /// `select descendant_id …`: the units ever directly under `unit`.
    pub fn children_ever(unit: &str) -> String {
        format!("select descendant_id from unit_closure where ancestor_id = {unit} and depth = 1")
    }

    /// The SQL condition "`column` names a unit under one of `subtrees` (at the date bound as
    /// `date_param`), or one of `units`, or a unit that went into one of those (rights follow
    /// lineage: the history of a merged unit stays with its successor)". Other modules filter by
    /// the tree with this fragment and never join `unit_closure` themselves. Ids come from grants
    /// and our own tables, never from user text.
    pub fn under(column: &str, subtrees: &[i64], units: &[i64], date_param: &str) -> String {
        let list = |ids: &[i64]| {
            if ids.is_empty() {
                "0".to_string()
            } else {
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            }
        };
        let (subtrees, units) = (list(subtrees), list(units));
        let under = format!(
            "select descendant_id from unit_closure where ancestor_id in ({subtrees}) \
             and valid_from <= {date_param} and valid_to > {date_param}"
        );
        format!(
            "({column} in ({under}) or {column} in ({units}) or {column} in (select from_unit_id from unit_lineage \
               where kind in ('merge', 'split') and (to_unit_id in ({under}) or to_unit_id in ({units}))))"
        )
    }
}

/// Units valid at `at` whose folded name contains the folded query and that meet `within`
/// (a condition on `u.id`, from [`sql::under`], with the date as `$2`), at most `limit`.
pub async fn search(
    tx: &mut Tx,
    folded: &str,
    within: &str,
    at: Date,
    limit: i64,
) -> Result<Vec<Unit>, sqlx::Error> {
    let sql = format!(
        "select {UNIT_COLUMNS} from units u where u.name_fold like $1 and u.valid_from <= $2 and u.valid_to > $2 and {within} \
         order by length(u.code), u.code limit $3"
    );
    // LIKE's wildcards and PostgreSQL's escape character are taken out of what was typed.
    let pattern = format!("%{}%", folded.replace(['%', '_', '\\'], ""));
    on_engine!(tx, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(pattern).bind(at).bind(limit).fetch_all(&mut **c).await?;
        rows.iter().map(|r| unit_from_row(r, 0)).collect()
    })
}

pub async fn set_meta(tx: &mut Tx, key: &str, value: &str) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query("insert into meta (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value")
        .bind(key).bind(value).execute(&mut **c).await.map(|_| ()))?;
    Ok(())
}

pub async fn get_meta(tx: &mut Tx, key: &str) -> Result<Option<String>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar("select value from meta where key = $1").bind(key).fetch_optional(&mut **c).await)
}

/// A commune-level unit with the chain above it, for bulk generation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommuneChain {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub admin_type: Option<String>,
    pub province_id: i64,
    pub province_code: String,
    pub central_id: i64,
}

/// Every commune valid at `at`, with its province and the root above it, in code order.
pub async fn communes(tx: &mut Tx, at: Date) -> Result<Vec<CommuneChain>, sqlx::Error> {
    let sql = "select u.id, u.code, u.name, u.admin_type, p.id as province_id, p.code as province_code, r.id as central_id \
        from units u \
        join unit_closure cp on cp.descendant_id = u.id and cp.depth = 1 and cp.valid_from <= $1 and cp.valid_to > $1 \
        join units p on p.id = cp.ancestor_id \
        join unit_closure cr on cr.descendant_id = u.id and cr.depth = 2 and cr.valid_from <= $1 and cr.valid_to > $1 \
        join units r on r.id = cr.ancestor_id \
        where u.kind = 'commune' and u.valid_from <= $1 and u.valid_to > $1 order by p.code, u.code";
    on_engine!(tx, c => sqlx::query_as(sql).bind(at).fetch_all(&mut **c).await)
}

/// A unit created in bulk under a parent whose ancestors (nearest first) are known.
pub struct BulkUnit {
    pub id: i64,
    pub code: String,
    pub kind: UnitKind,
    pub name: String,
    pub province_id: i64,
}

/// Inserts many units under one parent at once: rows, names, links and closure.
pub async fn bulk_insert(
    tx: &mut Tx,
    units: &[BulkUnit],
    parent_chain: &[i64],
    valid_from: Date,
) -> Result<(), sqlx::Error> {
    if units.is_empty() {
        return Ok(());
    }
    let parent = parent_chain[0];
    on_engine!(tx, c => {
        let mut q = sqlx::QueryBuilder::new("insert into units (id, code, kind, name, name_fold, admin_type, province_id, valid_from, valid_to) ");
        q.push_values(units, |mut b, u| {
            b.push_bind(u.id).push_bind(&u.code).push_bind(u.kind.as_str()).push_bind(&u.name)
                .push_bind(crate::text::fold(&u.name)).push_bind(None::<String>).push_bind(u.province_id)
                .push_bind(valid_from).push_bind(OPEN_END);
        });
        q.build().execute(&mut **c).await?;
        let mut q = sqlx::QueryBuilder::new("insert into unit_names (unit_id, name, valid_from, valid_to) ");
        q.push_values(units, |mut b, u| {
            b.push_bind(u.id).push_bind(&u.name).push_bind(valid_from).push_bind(OPEN_END);
        });
        q.build().execute(&mut **c).await?;
        let mut q = sqlx::QueryBuilder::new("insert into unit_links (unit_id, parent_id, valid_from, valid_to) ");
        q.push_values(units, |mut b, u| {
            b.push_bind(u.id).push_bind(parent).push_bind(valid_from).push_bind(OPEN_END);
        });
        q.build().execute(&mut **c).await?;
        let closure: Vec<(i64, i64, i32)> = units
            .iter()
            .flat_map(|u| std::iter::once((u.id, u.id, 0)).chain(parent_chain.iter().enumerate().map(|(i, a)| (*a, u.id, i as i32 + 1))))
            .collect();
        for chunk in closure.chunks(2000) {
            let mut q = sqlx::QueryBuilder::new("insert into unit_closure (ancestor_id, descendant_id, depth, valid_from, valid_to) ");
            q.push_values(chunk, |mut b, (a, d, depth)| {
                b.push_bind(*a).push_bind(*d).push_bind(*depth).push_bind(valid_from).push_bind(OPEN_END);
            });
            q.build().execute(&mut **c).await?;
        }
        Ok::<_, sqlx::Error>(())
    })
}

/// Ends a unit and everything under it at `end` (exclusive): its names, parent links and
/// closure rows stop holding from that day; its history stays.
pub async fn close_subtree(tx: &mut Tx, unit: i64, end: Date) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<i64> = on_engine!(&mut *tx, c => sqlx::query_scalar(
        "select descendant_id from unit_closure where ancestor_id = $1 and valid_to > $2 and valid_from < $2")
        .bind(unit).bind(end).fetch_all(&mut **c).await)?;
    let list = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    let members = match tx {
        Tx::Sqlite(_) => "(select value from json_each($2))",
        Tx::Postgres(_) => "(select (jsonb_array_elements_text($2::jsonb))::bigint)",
    };
    for sql in [
        format!("update units set valid_to = $1 where id in {members} and valid_to > $1"),
        format!("update unit_names set valid_to = $1 where unit_id in {members} and valid_to > $1"),
        format!("update unit_links set valid_to = $1 where unit_id in {members} and valid_to > $1"),
        format!(
            "update unit_closure set valid_to = $1 where descendant_id in {members} and valid_to > $1"
        ),
    ] {
        on_engine!(&mut *tx, c => sqlx::query(sqlx::AssertSqlSafe(&*sql)).bind(end).bind(&list).execute(&mut **c).await.map(|_| ()))?;
    }
    Ok(ids)
}

/// A new name from `from` on; the old one keeps its interval.
pub async fn rename(tx: &mut Tx, unit: i64, name: &str, from: Date) -> Result<(), sqlx::Error> {
    let fold = crate::text::fold(name);
    on_engine!(tx, c => {
        sqlx::query("update unit_names set valid_to = $2 where unit_id = $1 and valid_from < $2 and valid_to > $2")
            .bind(unit).bind(from).execute(&mut **c).await?;
        sqlx::query("delete from unit_names where unit_id = $1 and valid_from = $2").bind(unit).bind(from).execute(&mut **c).await?;
        sqlx::query("insert into unit_names (unit_id, name, valid_from, valid_to) values ($1, $2, $3, $4)")
            .bind(unit).bind(name).bind(from).bind(OPEN_END).execute(&mut **c).await?;
        sqlx::query("update units set name = $2, name_fold = $3 where id = $1").bind(unit).bind(name).bind(&fold).execute(&mut **c).await?;
        Ok::<_, sqlx::Error>(())
    })
}

/// The name a unit had at `at` (its current name if no history says otherwise).
pub async fn name_at(tx: &mut Tx, unit: i64, at: Date) -> Result<Option<String>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar("select name from unit_names where unit_id = $1 and valid_from <= $2 and valid_to > $2")
        .bind(unit).bind(at).fetch_optional(&mut **c).await)
}

/// Records that `from` became (part of) `to` on `on`.
pub async fn add_lineage(
    tx: &mut Tx,
    from: i64,
    to: i64,
    kind: &str,
    on: Date,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let now = crate::clock::now_text();
    on_engine!(tx, c => sqlx::query(
        "insert into unit_lineage (from_unit_id, to_unit_id, kind, effective_on, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6)")
        .bind(from)
        .bind(to)
        .bind(kind)
        .bind(on)
        .bind(actor)
        .bind(now)
        .execute(&mut **c).await
        .map(|_| ()))
}

/// The successors of each unit through the lineage (unit → units it became), for reports
/// restated in today's structure.
pub async fn lineage(tx: &mut Tx) -> Result<Vec<(i64, i64, String, Date)>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_as("select from_unit_id, to_unit_id, kind, effective_on from unit_lineage order by id")
        .fetch_all(&mut **c).await)
}

/// The unit `unit` was merged into, as it stands today (following later merges), with the
/// date of the first merge; `None` if it was never merged away.
pub async fn merged_into(tx: &mut Tx, unit: i64) -> Result<Option<(Unit, Date)>, sqlx::Error> {
    let first: Option<(i64, Date)> = on_engine!(&mut *tx, c => sqlx::query_as(
        "select to_unit_id, effective_on from unit_lineage where from_unit_id = $1 and kind = 'merge' order by id limit 1")
        .bind(unit).fetch_optional(&mut **c).await)?;
    let Some((mut to, on)) = first else {
        return Ok(None);
    };
    for _ in 0..16 {
        let next: Option<i64> = on_engine!(&mut *tx, c => sqlx::query_scalar(
            "select to_unit_id from unit_lineage where from_unit_id = $1 and kind = 'merge' order by id limit 1")
            .bind(to).fetch_optional(&mut **c).await)?;
        match next {
            Some(n) if n != to => to = n,
            _ => break,
        }
    }
    Ok(by_id(tx, to, crate::clock::today()).await?.map(|u| (u, on)))
}

/// A code for a new unit under `parent`: the parent's code, a dash, the next free number.
pub async fn next_child_code(tx: &mut Tx, parent_code: &str) -> Result<String, sqlx::Error> {
    let codes: Vec<String> = on_engine!(tx, c => sqlx::query_scalar("select code from units where code like $1")
        .bind(format!("{parent_code}-%")).fetch_all(&mut **c).await)?;
    let next = codes
        .iter()
        .filter_map(|c| {
            c.strip_prefix(parent_code)?
                .strip_prefix('-')?
                .parse::<u32>()
                .ok()
        })
        .max()
        .unwrap_or(0)
        + 1;
    Ok(format!("{parent_code}-{next:02}"))
}
