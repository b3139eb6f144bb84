//! SQL over the report-round tables. Only `rounds` reads or writes them.

use std::collections::HashMap;

use time::Date;

use super::form::{Definition, Form};
use super::indicator::{Indicator, Measure, Rule, Source};
use super::model::{Event, Progress, Response, Round, Status};
use crate::on_engine;
use crate::store::Tx;

/// Rows per multi-row insert (well under both engines' bound-parameter limits).
const CHUNK: usize = 1000;

#[derive(sqlx::FromRow)]
struct IndicatorRow {
    code: String,
    name: String,
    name_en: String,
    measure: String,
    rule: String,
    formula: Option<String>,
    source: String,
    tier: Option<String>,
}

pub async fn indicator(tx: &mut Tx, code: &str) -> Result<Option<Indicator>, sqlx::Error> {
    let row: Option<IndicatorRow> = on_engine!(tx, c => sqlx::query_as(
        "select code, name, name_en, measure, rule, formula, source, tier from indicators where code = $1")
        .bind(code).fetch_optional(&mut **c).await)?;
    Ok(row.map(|r| Indicator {
        code: r.code,
        name: r.name,
        name_en: r.name_en,
        measure: Measure::parse(&r.measure).unwrap_or(Measure::Text),
        rule: match r.rule.as_str() {
            "sum" => Rule::Sum,
            "formula" => Rule::Formula,
            _ => Rule::Own,
        },
        formula: r.formula,
        source: Source::parse(&r.source).unwrap_or(Source::Entered),
        tier: r.tier.as_deref().and_then(crate::auth::Tier::parse),
    }))
}

pub async fn define_indicator(tx: &mut Tx, i: &Indicator, actor: &str) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query(
        "insert into indicators (code, name, name_en, measure, rule, formula, source, tier, defined_by, defined_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(&i.code).bind(&i.name).bind(&i.name_en).bind(i.measure.as_str()).bind(i.rule.as_str())
        .bind(&i.formula).bind(i.source.key()).bind(i.tier.map(|t| t.as_str()))
        .bind(actor).bind(crate::clock::now_text())
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct FormRow {
    id: i64,
    code: String,
    version: i64,
    definition: String,
}

fn form_of(row: FormRow) -> Result<Form, sqlx::Error> {
    let definition: Definition = serde_json::from_str(&row.definition)
        .map_err(|e| sqlx::Error::Decode(format!("form {}: {e}", row.code).into()))?;
    Ok(Form {
        id: row.id,
        code: row.code,
        version: row.version,
        definition,
    })
}

pub async fn latest_form(tx: &mut Tx, code: &str) -> Result<Option<Form>, sqlx::Error> {
    let row: Option<FormRow> = on_engine!(tx, c => sqlx::query_as(
        "select id, code, version, definition from forms where code = $1 order by version desc limit 1")
        .bind(code).fetch_optional(&mut **c).await)?;
    row.map(form_of).transpose()
}

pub async fn form(tx: &mut Tx, id: i64) -> Result<Option<Form>, sqlx::Error> {
    let row: Option<FormRow> = on_engine!(tx, c => sqlx::query_as(
        "select id, code, version, definition from forms where id = $1")
        .bind(id).fetch_optional(&mut **c).await)?;
    row.map(form_of).transpose()
}

/// The latest version of every form.
pub async fn forms(tx: &mut Tx) -> Result<Vec<Form>, sqlx::Error> {
    let rows: Vec<FormRow> = on_engine!(tx, c => sqlx::query_as(
        "select id, code, version, definition from forms f \
         where version = (select max(version) from forms g where g.code = f.code) order by code")
        .fetch_all(&mut **c).await)?;
    rows.into_iter().map(form_of).collect()
}

pub async fn insert_form(
    tx: &mut Tx,
    code: &str,
    definition: &Definition,
    actor: &str,
) -> Result<i64, sqlx::Error> {
    let version: i64 = on_engine!(&mut *tx, c => sqlx::query_scalar(
        "select coalesce(max(version), 0) + 1 from forms where code = $1")
        .bind(code).fetch_one(&mut **c).await)?;
    let json = serde_json::to_string(definition).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let reporters: Vec<&str> = definition.reporters.iter().map(|k| k.as_str()).collect();
    on_engine!(tx, c => sqlx::query(
        "insert into forms (code, version, name, name_en, reporters, definition, loaded_by, loaded_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(code).bind(version).bind(&definition.name).bind(&definition.name_en)
        .bind(reporters.join(",")).bind(json).bind(actor).bind(crate::clock::now_text())
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(version)
}

const ROUND_COLUMNS: &str = "r.id, r.form_id, f.code as form_code, f.version as form_version, f.name as form_name, \
     r.period, r.period_from, r.period_to, r.opener_id, o.code as opener_code, o.name as opener_name, \
     r.target_kind, r.cutoff, r.due, r.closes, r.opened_by, r.opened_at";
const ROUND_FROM: &str =
    "rounds r join forms f on f.id = r.form_id join units o on o.id = r.opener_id";

pub async fn insert_round(tx: &mut Tx, round: &Round) -> Result<i64, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar(
        "insert into rounds (form_id, period, period_from, period_to, opener_id, target_kind, cutoff, due, closes, opened_by, opened_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id")
        .bind(round.form_id).bind(&round.period).bind(round.period_from).bind(round.period_to)
        .bind(round.opener_id).bind(&round.target_kind).bind(round.cutoff).bind(round.due)
        .bind(round.closes).bind(&round.opened_by).bind(&round.opened_at)
        .fetch_one(&mut **c).await)
}

pub async fn round(tx: &mut Tx, id: i64) -> Result<Option<Round>, sqlx::Error> {
    let sql = format!("select {ROUND_COLUMNS} from {ROUND_FROM} where r.id = $1");
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **c).await)
}

/// The rounds a unit takes part in (it has a response in them), newest first.
pub async fn rounds_of(tx: &mut Tx, unit: i64, limit: i64) -> Result<Vec<Round>, sqlx::Error> {
    let sql = format!(
        "select {ROUND_COLUMNS} from {ROUND_FROM} join responses s on s.round_id = r.id \
         where s.unit_id = $1 order by r.id desc limit $2"
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(unit).bind(limit).fetch_all(&mut **c).await)
}

/// Every round, newest first (the command line's administrator).
pub async fn all_rounds(tx: &mut Tx, limit: i64) -> Result<Vec<Round>, sqlx::Error> {
    let sql = format!("select {ROUND_COLUMNS} from {ROUND_FROM} order by r.id desc limit $1");
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(&mut **c).await)
}

/// A response to insert when a round opens.
pub struct NewResponse {
    pub unit_id: i64,
    pub parent_unit_id: Option<i64>,
    pub depth: i64,
    pub is_target: bool,
}

pub async fn insert_responses(
    tx: &mut Tx,
    round: &Round,
    responses: &[NewResponse],
) -> Result<(), sqlx::Error> {
    for chunk in responses.chunks(CHUNK) {
        on_engine!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "insert into responses (round_id, unit_id, parent_unit_id, depth, is_target, due, closes) ");
            q.push_values(chunk, |mut b, r| {
                b.push_bind(round.id).push_bind(r.unit_id).push_bind(r.parent_unit_id).push_bind(r.depth)
                    .push_bind(i64::from(r.is_target)).push_bind(round.due).push_bind(round.closes);
            });
            q.build().execute(&mut **c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// After a large round is opened: PostgreSQL's planner learns how many responses a round
/// has, so that a board lists its first missing units from the index in order instead of
/// sorting the whole round (measured: 247 ms before, 2 ms after, on a round to every branch).
/// SQLite's planner needs no statistics for it.
pub async fn refresh_statistics(tx: &mut Tx) -> Result<(), sqlx::Error> {
    if let Tx::Postgres(c) = tx {
        sqlx::query("analyze responses").execute(&mut **c).await?;
    }
    Ok(())
}

/// Every response id of a round by unit (to build the rows that refer to them).
pub async fn response_ids(tx: &mut Tx, round: i64) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let rows: Vec<(i64, i64)> = on_engine!(tx, c => sqlx::query_as(
        "select unit_id, id from responses where round_id = $1")
        .bind(round).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().collect())
}

/// Inserts the completeness rows of a round's aggregating responses: (response, expected).
pub async fn insert_progress(tx: &mut Tx, expected: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    for chunk in expected.chunks(CHUNK) {
        on_engine!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new("insert into round_progress (response_id, expected, not_started) ");
            q.push_values(chunk, |mut b, (id, n)| {
                b.push_bind(*id).push_bind(*n).push_bind(*n);
            });
            q.build().execute(&mut **c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

const RESPONSE_COLUMNS: &str = "s.id, s.round_id, s.unit_id, u.code as unit_code, u.name as unit_name, u.kind as unit_kind, \
     s.parent_unit_id, s.depth, s.is_target, s.status, s.due, s.closes, s.late_until, s.submitted_on, s.late, s.waived, \
     s.reason, s.approved_once, s.changed_after_approval, s.document_id, s.version";

pub async fn response(tx: &mut Tx, round: i64, unit: i64) -> Result<Option<Response>, sqlx::Error> {
    let sql = format!(
        "select {RESPONSE_COLUMNS} from responses s join units u on u.id = s.unit_id where s.round_id = $1 and s.unit_id = $2"
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round).bind(unit).fetch_optional(&mut **c).await)
}

/// The responses directly under `parent`'s, by unit name.
pub async fn children(tx: &mut Tx, round: i64, parent: i64) -> Result<Vec<Response>, sqlx::Error> {
    let sql = format!(
        "select {RESPONSE_COLUMNS} from responses s join units u on u.id = s.unit_id \
         where s.round_id = $1 and s.parent_unit_id = $2 order by u.code"
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round).bind(parent).fetch_all(&mut **c).await)
}

/// Records a response's new state; fails (returns false) when `version` is stale.
pub async fn update_response(tx: &mut Tx, r: &Response) -> Result<bool, sqlx::Error> {
    let done = on_engine!(tx, c => sqlx::query(
        "update responses set status = $1, due = $2, closes = $3, late_until = $4, submitted_on = $5, late = $6, \
         waived = $7, reason = $8, approved_once = $9, changed_after_approval = $10, document_id = $11, version = version + 1 \
         where id = $12 and version = $13")
        .bind(r.status.as_str()).bind(r.due).bind(r.closes).bind(r.late_until).bind(r.submitted_on)
        .bind(i64::from(r.late)).bind(i64::from(r.waived)).bind(&r.reason).bind(i64::from(r.approved_once))
        .bind(r.changed_after_approval).bind(r.document_id).bind(r.id).bind(r.version)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Moves the due and closing dates of every response strictly under `unit`'s.
pub async fn set_deadlines_under(
    tx: &mut Tx,
    round: i64,
    unit: i64,
    due: Date,
    closes: Option<Date>,
    at: Date,
) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "update responses set due = $1, closes = $2, version = version + 1 where round_id = $3 and unit_id <> $4 \
         and unit_id in ({})",
        crate::org::store::sql::subtree("$4", "$5")
    );
    let done = on_engine!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(due).bind(closes).bind(round).bind(unit).bind(at)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// A response's own entries.
pub async fn values(tx: &mut Tx, response: i64) -> Result<HashMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> = on_engine!(tx, c => sqlx::query_as(
        "select indicator, value from response_values where response_id = $1")
        .bind(response).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().collect())
}

pub async fn set_value(
    tx: &mut Tx,
    response: i64,
    indicator: &str,
    value: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_engine!(&mut *tx, c => sqlx::query("delete from response_values where response_id = $1 and indicator = $2")
        .bind(response).bind(indicator).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    if let Some(value) = value {
        on_engine!(tx, c => sqlx::query("insert into response_values (response_id, indicator, value) values ($1, $2, $3)")
            .bind(response).bind(indicator).bind(value).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The submitted figures of several responses at once: response → indicator → value.
pub async fn figures(
    tx: &mut Tx,
    responses: &[i64],
) -> Result<HashMap<i64, HashMap<String, String>>, sqlx::Error> {
    let mut out: HashMap<i64, HashMap<String, String>> = HashMap::new();
    for chunk in responses.chunks(CHUNK) {
        let rows: Vec<(i64, String, String)> = on_engine!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new("select response_id, indicator, value from response_figures where response_id in (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as().fetch_all(&mut **c).await
        })?;
        for (id, indicator, value) in rows {
            out.entry(id).or_default().insert(indicator, value);
        }
    }
    Ok(out)
}

pub async fn replace_figures(
    tx: &mut Tx,
    response: i64,
    figures: &[(String, String)],
) -> Result<(), sqlx::Error> {
    on_engine!(&mut *tx, c => sqlx::query("delete from response_figures where response_id = $1")
        .bind(response).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    for chunk in figures.chunks(CHUNK) {
        on_engine!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new("insert into response_figures (response_id, indicator, value) ");
            q.push_values(chunk, |mut b, (i, v)| {
                b.push_bind(response).push_bind(i).push_bind(v);
            });
            q.build().execute(&mut **c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn append_event(tx: &mut Tx, e: &Event) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query(
        "insert into response_events (response_id, kind, indicator, old_value, new_value, reason, actor, at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(e.response_id).bind(&e.kind).bind(&e.indicator).bind(&e.old_value).bind(&e.new_value)
        .bind(&e.reason).bind(&e.actor).bind(&e.at)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn events(tx: &mut Tx, response: i64) -> Result<Vec<Event>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_as(
        "select response_id, kind, indicator, old_value, new_value, reason, actor, at from response_events \
         where response_id = $1 order by id")
        .bind(response).fetch_all(&mut **c).await)
}

pub async fn progress(tx: &mut Tx, response: i64) -> Result<Option<Progress>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_as(
        "select expected, not_started, draft, submitted, returned, approved, waived, on_time, late \
         from round_progress where response_id = $1")
        .bind(response).fetch_optional(&mut **c).await)
}

/// The completeness rows of several responses.
pub async fn progress_of(
    tx: &mut Tx,
    responses: &[i64],
) -> Result<HashMap<i64, Progress>, sqlx::Error> {
    let mut out = HashMap::new();
    for chunk in responses.chunks(CHUNK) {
        let rows: Vec<ProgressRow> = on_engine!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "select response_id, expected, not_started, draft, submitted, returned, approved, waived, on_time, late \
                 from round_progress where response_id in (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as().fetch_all(&mut **c).await
        })?;
        for r in rows {
            out.insert(r.response_id, r.progress());
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct ProgressRow {
    response_id: i64,
    expected: i64,
    not_started: i64,
    draft: i64,
    submitted: i64,
    returned: i64,
    approved: i64,
    waived: i64,
    on_time: i64,
    late: i64,
}

impl ProgressRow {
    fn progress(&self) -> Progress {
        Progress {
            expected: self.expected,
            not_started: self.not_started,
            draft: self.draft,
            submitted: self.submitted,
            returned: self.returned,
            approved: self.approved,
            waived: self.waived,
            on_time: self.on_time,
            late: self.late,
        }
    }
}

/// Adds `delta` to the completeness rows of the responses of `units` in `round`.
pub async fn add_progress(
    tx: &mut Tx,
    round: i64,
    units: &[i64],
    delta: &Progress,
) -> Result<(), sqlx::Error> {
    for unit in units {
        on_engine!(&mut *tx, c => sqlx::query(
            "update round_progress set not_started = not_started + $1, draft = draft + $2, submitted = submitted + $3, \
             returned = returned + $4, approved = approved + $5, waived = waived + $6, on_time = on_time + $7, late = late + $8 \
             where response_id = (select id from responses where round_id = $9 and unit_id = $10)")
            .bind(delta.not_started).bind(delta.draft).bind(delta.submitted).bind(delta.returned)
            .bind(delta.approved).bind(delta.waived).bind(delta.on_time).bind(delta.late)
            .bind(round).bind(*unit)
            .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Target responses under `unit`'s in `round` that are not in yet (not started, draft or
/// returned, not waived), by name: the names behind the "missing" count.
pub async fn missing_under(
    tx: &mut Tx,
    round: i64,
    unit: i64,
    at: Date,
    limit: i64,
) -> Result<Vec<Response>, sqlx::Error> {
    let sql = format!(
        "select {RESPONSE_COLUMNS} from responses s join units u on u.id = s.unit_id \
         where s.round_id = $1 and s.is_target = 1 and s.waived = 0 and s.status in ('not_started', 'draft', 'returned') \
         and s.unit_id in ({}) order by s.unit_id limit $4",
        crate::org::store::sql::subtree("$2", "$3")
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round).bind(unit).bind(at).bind(limit).fetch_all(&mut **c).await)
}

/// The same for the whole round (the opener's board): every target is under the opener, so no
/// tree filter is needed, and the few names shown come from one indexed scan of the round.
pub async fn missing_in_round(
    tx: &mut Tx,
    round: i64,
    limit: i64,
) -> Result<Vec<Response>, sqlx::Error> {
    let sql = format!(
        "select {RESPONSE_COLUMNS} from responses s join units u on u.id = s.unit_id \
         where s.round_id = $1 and s.is_target = 1 and s.waived = 0 and s.status in ('not_started', 'draft', 'returned') \
         order by s.unit_id limit $2"
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round).bind(limit).fetch_all(&mut **c).await)
}

pub async fn add_lock(tx: &mut Tx, response: &Response, round: &Round) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query(
        "insert into period_locks (response_id, unit_id, period_from, period_to) values ($1, $2, $3, $4)")
        .bind(response.id).bind(response.unit_id).bind(round.period_from).bind(round.period_to)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_lock(tx: &mut Tx, response: i64) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query("delete from period_locks where response_id = $1")
        .bind(response).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether any period lock ends on or after `from` (most writes then need no further check).
pub async fn any_lock_since(tx: &mut Tx, from: Date) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_engine!(tx, c => sqlx::query_scalar(
        "select response_id from period_locks where period_to >= $1 limit 1")
        .bind(from).fetch_optional(&mut **c).await)?;
    Ok(found.is_some())
}

/// The approved report whose lock covers `on` at `unit` or one of its ancestors at `on`:
/// (locked unit's name, period).
pub async fn lock_covering(
    tx: &mut Tx,
    unit: i64,
    on: Date,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let sql = format!(
        "select u.name, r.period from period_locks l {} \
         join responses s on s.id = l.response_id join rounds r on r.id = s.round_id join units u on u.id = l.unit_id \
         where c.ancestor_id = l.unit_id and l.period_from <= $2 and l.period_to >= $2 limit 1",
        crate::org::store::sql::ancestors_join("c", "$1", "$2")
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(unit).bind(on).fetch_optional(&mut **c).await)
}

/// The last day of the approved periods that cover `on` at `unit` or a unit above it.
pub async fn lock_end_covering(
    tx: &mut Tx,
    unit: i64,
    on: Date,
) -> Result<Option<Date>, sqlx::Error> {
    let sql = format!(
        "select max(l.period_to) from period_locks l {} \
         where c.ancestor_id = l.unit_id and l.period_from <= $2 and l.period_to >= $2",
        crate::org::store::sql::ancestors_join("c", "$1", "$2")
    );
    on_engine!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(unit).bind(on).fetch_one(&mut **c).await)
}

/// The unit's responses still to do (not submitted, or returned), oldest due first.
pub async fn to_answer(tx: &mut Tx, unit: i64, limit: i64) -> Result<Vec<Response>, sqlx::Error> {
    let sql = format!(
        "select {RESPONSE_COLUMNS} from responses s join units u on u.id = s.unit_id \
         where s.unit_id = $1 and s.depth > 0 and s.status in ('not_started', 'draft', 'returned') and s.waived = 0 order by s.due, s.id limit $2"
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(unit).bind(limit).fetch_all(&mut **c).await)
}

/// The children's responses waiting for the unit's review.
pub async fn to_review(tx: &mut Tx, unit: i64, limit: i64) -> Result<Vec<Response>, sqlx::Error> {
    let sql = format!(
        "select {RESPONSE_COLUMNS} from responses s join units u on u.id = s.unit_id \
         where s.parent_unit_id = $1 and s.status = 'submitted' order by s.due, s.id limit $2"
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(unit).bind(limit).fetch_all(&mut **c).await)
}

/// The response of the same form code, unit and target kind for the latest period that ended
/// before `before`: (its submitted figures).
pub async fn previous_figures(
    tx: &mut Tx,
    form_code: &str,
    unit: i64,
    before: Date,
) -> Result<Option<(String, HashMap<String, String>)>, sqlx::Error> {
    let found: Option<(i64, String)> = on_engine!(&mut *tx, c => sqlx::query_as(
        "select s.id, r.period from responses s join rounds r on r.id = s.round_id join forms f on f.id = r.form_id \
         where s.unit_id = $1 and f.code = $2 and r.period_to < $3 and s.status in ('submitted', 'approved') \
         order by r.period_to desc, r.period_from desc limit 1")
        .bind(unit).bind(form_code).bind(before).fetch_optional(&mut **c).await)?;
    let Some((id, period)) = found else {
        return Ok(None);
    };
    let mut figures = figures(tx, &[id]).await?;
    Ok(Some((period, figures.remove(&id).unwrap_or_default())))
}

/// Next number of a document series, taken under the row's lock.
pub async fn next_number(
    tx: &mut Tx,
    unit: i64,
    doc_type: &str,
    year: i32,
) -> Result<i64, sqlx::Error> {
    let year = i64::from(year);
    on_engine!(&mut *tx, c => sqlx::query(
        "insert into document_series (unit_id, doc_type, year, last_number) values ($1, $2, $3, 0) \
         on conflict (unit_id, doc_type, year) do nothing")
        .bind(unit).bind(doc_type).bind(year).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    on_engine!(tx, c => sqlx::query_scalar(
        "update document_series set last_number = last_number + 1 where unit_id = $1 and doc_type = $2 and year = $3 \
         returning last_number")
        .bind(unit).bind(doc_type).bind(year).fetch_one(&mut **c).await)
}

pub async fn abbreviation(tx: &mut Tx, unit: i64) -> Result<Option<String>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar("select abbreviation from unit_abbreviations where unit_id = $1")
        .bind(unit).fetch_optional(&mut **c).await)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_document(
    tx: &mut Tx,
    unit: i64,
    doc_type: &str,
    year: i32,
    number: i64,
    symbol: &str,
    subject: &str,
    actor: &str,
) -> Result<i64, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar(
        "insert into issued_documents (unit_id, doc_type, year, number, symbol, subject, issued_by, issued_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id")
        .bind(unit).bind(doc_type).bind(i64::from(year)).bind(number).bind(symbol).bind(subject)
        .bind(actor).bind(crate::clock::now_text())
        .fetch_one(&mut **c).await)
}

/// An issued document's symbol and number.
pub async fn document_symbol(tx: &mut Tx, id: i64) -> Result<Option<(String, i64)>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_as("select symbol, number from issued_documents where id = $1")
        .bind(id).fetch_optional(&mut **c).await)
}

/// Records the document a response was issued as (its number is kept from then on).
pub async fn set_document(tx: &mut Tx, response: i64, document: i64) -> Result<(), sqlx::Error> {
    on_engine!(tx, c => sqlx::query("update responses set document_id = $1, version = version + 1 where id = $2")
        .bind(document).bind(response).execute(&mut **c).await.map(|_| ()))
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Approved => "approved",
        }
    }
}
