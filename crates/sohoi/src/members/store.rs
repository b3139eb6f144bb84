//! SQL over the member register and its ledger. Only `members` touches these tables.

use time::Date;

use super::domain::{BirthDate, Sex};
use super::model::{Class, Event, EventKind, Member, MemberInput, Status};
use crate::on_engine;
use crate::org::store::sql as tree;
use crate::store::Tx;

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    province_id: i64,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    status: String,
    honorary: bool,
    full_name: String,
    birth_year: Option<i32>,
    birth_month: Option<i32>,
    birth_day: Option<i32>,
    sex: String,
    national_id: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    ethnicity: Option<String>,
    religion: Option<String>,
    education: Option<String>,
    qualification: Option<String>,
    political_theory: Option<String>,
    occupation: Option<String>,
    party_member: bool,
    segments: String,
    card_number: Option<String>,
    joined_on: Option<Date>,
    version: i32,
}

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Self {
        Member {
            id: r.id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            status: Status::parse(&r.status).unwrap_or(Status::Active),
            honorary: r.honorary,
            full_name: r.full_name,
            birth: r.birth_year.map(|year| BirthDate {
                year,
                month: r.birth_month.and_then(|m| u8::try_from(m).ok()),
                day: r.birth_day.and_then(|d| u8::try_from(d).ok()),
            }),
            sex: if r.sex == "male" {
                Sex::Male
            } else {
                Sex::Female
            },
            national_id: r.national_id,
            phone: r.phone,
            address: r.address,
            ethnicity: r.ethnicity,
            religion: r.religion,
            education: r.education,
            qualification: r.qualification,
            political_theory: r.political_theory,
            occupation: r.occupation,
            party_member: Some(r.party_member),
            segments: Class::parse_segments(&r.segments),
            card_number: r.card_number,
            joined_on: r.joined_on,
            version: r.version,
            unit_id: r.unit_id,
            province_id: r.province_id,
        }
    }
}

const MEMBER_SELECT: &str = "select m.id, m.province_id, m.unit_id, u.code as unit_code, u.name as unit_name, m.status, \
    m.honorary, m.full_name, m.birth_year, m.birth_month, m.birth_day, m.sex, m.national_id, m.phone, m.address, \
    m.ethnicity, m.religion, m.education, m.qualification, m.political_theory, m.occupation, m.party_member, \
    m.segments, m.card_number, m.joined_on, m.version from members m join units u on u.id = m.unit_id";

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Member>, sqlx::Error> {
    let sql = format!("{MEMBER_SELECT} where m.id = $1");
    let row: Option<MemberRow> = on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(id).fetch_optional(&mut **c).await)?;
    Ok(row.map(Member::from))
}

/// Inserts the projection row of a new member; returns her id.
pub async fn insert(
    tx: &mut Tx,
    province_id: i64,
    unit_id: i64,
    m: &MemberInput,
) -> Result<i64, sqlx::Error> {
    let sql = "insert into members (province_id, unit_id, status, honorary, full_name, name_fold, sort_key, \
        birth_year, birth_month, birth_day, sex, national_id, phone, address, ethnicity, religion, education, \
        qualification, political_theory, occupation, party_member, segments, card_number, joined_on, search_key) \
        values ($1, $2, 'active', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) \
        returning id";
    let name = m.full_name.as_str();
    on_engine!(tx, c => sqlx::query_scalar(sql)
        .bind(province_id).bind(unit_id).bind(m.honorary).bind(name).bind(crate::text::fold(name))
        .bind(crate::text::person_sort_key(name))
        .bind(m.birth.map(|b| b.year))
        .bind(m.birth.and_then(|b| b.month).map(i32::from))
        .bind(m.birth.and_then(|b| b.day).map(i32::from))
        .bind(m.sex.as_str())
        .bind(m.national_id.as_ref().map(|n| n.as_str()))
        .bind(m.phone.as_ref().map(|p| p.as_str()))
        .bind(m.address.as_deref())
        .bind(m.ethnicity.as_deref())
        .bind(m.religion.as_deref())
        .bind(m.education.as_deref())
        .bind(m.qualification.as_deref())
        .bind(m.political_theory.as_deref())
        .bind(m.occupation.as_deref())
        .bind(m.party_member)
        .bind(m.segments.join(","))
        .bind(m.card_number.as_deref())
        .bind(m.joined_on)
        .bind(crate::text::person_search_key(name))
        .fetch_one(&mut **c).await)
}

/// Rewrites the record fields of a member if her version is still `version`; false when
/// someone else saved first.
pub async fn update_fields(
    tx: &mut Tx,
    id: i64,
    version: i32,
    m: &MemberInput,
) -> Result<bool, sqlx::Error> {
    let sql = "update members set honorary = $3, full_name = $4, name_fold = $5, sort_key = $6, birth_year = $7, \
        birth_month = $8, birth_day = $9, sex = $10, national_id = $11, phone = $12, address = $13, ethnicity = $14, \
        religion = $15, education = $16, qualification = $17, political_theory = $18, occupation = $19, \
        party_member = $20, segments = $21, card_number = $22, joined_on = $23, search_key = $24, version = version + 1 \
        where id = $1 and version = $2";
    let name = m.full_name.as_str();
    let done = on_engine!(tx, c => sqlx::query(sql)
        .bind(id).bind(version).bind(m.honorary).bind(name).bind(crate::text::fold(name))
        .bind(crate::text::person_sort_key(name))
        .bind(m.birth.map(|b| b.year))
        .bind(m.birth.and_then(|b| b.month).map(i32::from))
        .bind(m.birth.and_then(|b| b.day).map(i32::from))
        .bind(m.sex.as_str())
        .bind(m.national_id.as_ref().map(|n| n.as_str()))
        .bind(m.phone.as_ref().map(|p| p.as_str()))
        .bind(m.address.as_deref())
        .bind(m.ethnicity.as_deref())
        .bind(m.religion.as_deref())
        .bind(m.education.as_deref())
        .bind(m.qualification.as_deref())
        .bind(m.political_theory.as_deref())
        .bind(m.occupation.as_deref())
        .bind(m.party_member)
        .bind(m.segments.join(","))
        .bind(m.card_number.as_deref())
        .bind(m.joined_on)
        .bind(crate::text::person_search_key(name))
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Moves a member's projection to a status and unit, if her version is still `version`.
pub async fn set_place(
    tx: &mut Tx,
    id: i64,
    version: i32,
    status: Status,
    unit_id: i64,
    province_id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = "update members set status = $3, unit_id = $4, province_id = $5, version = version + 1 where id = $1 and version = $2";
    let done = on_engine!(tx, c => sqlx::query(sql).bind(id).bind(version).bind(status.as_str()).bind(unit_id).bind(province_id)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub struct NewEvent<'a> {
    pub province_id: i64,
    pub member_id: i64,
    pub kind: EventKind,
    pub effective_on: Date,
    pub unit_id: i64,
    pub other_unit_id: Option<i64>,
    pub class: &'a Class,
    pub before: Option<&'a Class>,
    pub changes: Option<serde_json::Value>,
    pub note: Option<&'a str>,
    pub recorded_by: &'a str,
    pub recorded_at: &'a str,
}

/// Appends one event to the ledger.
pub(super) async fn append(tx: &mut Tx, e: &NewEvent<'_>) -> Result<i64, sqlx::Error> {
    let sql = "insert into member_events (province_id, member_id, kind, effective_on, unit_id, other_unit_id, honorary, \
        birth_year, ethnicity, religion, education, occupation, party_member, segments, before, changes, note, recorded_by, recorded_at) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) returning id";
    let before = e
        .before
        .map(|b| serde_json::to_string(b).unwrap_or_default());
    let changes = e.changes.as_ref().map(|c| c.to_string());
    on_engine!(tx, c => sqlx::query_scalar(sql)
        .bind(e.province_id)
        .bind(e.member_id)
        .bind(e.kind.as_str())
        .bind(e.effective_on)
        .bind(e.unit_id)
        .bind(e.other_unit_id)
        .bind(e.class.honorary)
        .bind(e.class.birth_year)
        .bind(e.class.ethnicity.as_deref())
        .bind(e.class.religion.as_deref())
        .bind(e.class.education.as_deref())
        .bind(e.class.occupation.as_deref())
        .bind(e.class.party_member)
        .bind(e.class.segments_text())
        .bind(before.as_deref())
        .bind(changes.as_deref())
        .bind(e.note)
        .bind(e.recorded_by)
        .bind(e.recorded_at)
        .fetch_one(&mut **c).await)
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    member_id: i64,
    kind: String,
    effective_on: Date,
    unit_id: i64,
    unit_code: String,
    other_unit_code: Option<String>,
    other_unit_id: Option<i64>,
    honorary: bool,
    birth_year: Option<i32>,
    ethnicity: Option<String>,
    religion: Option<String>,
    education: Option<String>,
    occupation: Option<String>,
    party_member: bool,
    segments: String,
    before: Option<String>,
    changes: Option<String>,
    note: Option<String>,
    recorded_by: String,
    recorded_at: String,
}

impl EventRow {
    fn into_event(self) -> Result<Event, sqlx::Error> {
        let kind = EventKind::parse(&self.kind).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown event kind {}", self.kind).into())
        })?;
        let before = match self.before {
            Some(json) => {
                Some(serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(e.into()))?)
            }
            None => None,
        };
        Ok(Event {
            id: self.id,
            member_id: self.member_id,
            kind,
            effective_on: self.effective_on,
            unit_id: self.unit_id,
            unit_code: self.unit_code,
            other_unit_code: self.other_unit_code,
            other_unit_id: self.other_unit_id,
            class: Class {
                honorary: self.honorary,
                birth_year: self.birth_year,
                ethnicity: self.ethnicity,
                religion: self.religion,
                education: self.education,
                occupation: self.occupation,
                party_member: self.party_member,
                segments: Class::parse_segments(&self.segments),
            },
            before,
            changes: self.changes.and_then(|c| serde_json::from_str(&c).ok()),
            note: self.note,
            recorded_by: self.recorded_by,
            recorded_at: self.recorded_at,
        })
    }
}

const EVENT_SELECT: &str = "select e.id, e.member_id, e.kind, e.effective_on, e.unit_id, u.code as unit_code, \
    o.code as other_unit_code, e.other_unit_id, e.honorary, e.birth_year, e.ethnicity, e.religion, e.education, e.occupation, \
    e.party_member, e.segments, e.before, e.changes, e.note, e.recorded_by, e.recorded_at \
    from member_events e join units u on u.id = e.unit_id left join units o on o.id = e.other_unit_id";

/// A member's ledger, oldest first.
pub async fn history(tx: &mut Tx, member_id: i64) -> Result<Vec<Event>, sqlx::Error> {
    let sql = format!("{EVENT_SELECT} where e.member_id = $1 order by e.id");
    let rows: Vec<EventRow> = on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(member_id).fetch_all(&mut **c).await)?;
    rows.into_iter().map(EventRow::into_event).collect()
}

/// Ledger events of one province with ids after `after_id`, at most `limit`, in id order
/// (for streaming the ledger through `sohoi check` a province at a time).
pub async fn events_page(
    tx: &mut Tx,
    province_id: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Event>, sqlx::Error> {
    let sql =
        format!("{EVENT_SELECT} where e.province_id = $1 and e.id > $2 order by e.id limit $3");
    let rows: Vec<EventRow> = on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(province_id).bind(after_id).bind(limit).fetch_all(&mut **c).await)?;
    rows.into_iter().map(EventRow::into_event).collect()
}

/// Events effective in `(after, upto]` whose unit was under `ancestor` at their date.
pub async fn events_under(
    tx: &mut Tx,
    ancestor: i64,
    after: Date,
    upto: Date,
) -> Result<Vec<Event>, sqlx::Error> {
    let sql = format!(
        "{EVENT_SELECT} {} where c.ancestor_id = $1 and e.effective_on > $2 and e.effective_on <= $3 order by e.id",
        tree::ancestors_join("c", "e.unit_id", "e.effective_on")
    );
    let rows: Vec<EventRow> = on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(ancestor).bind(after).bind(upto).fetch_all(&mut **c).await)?;
    rows.into_iter().map(EventRow::into_event).collect()
}

/// The provinces that events are filed under.
pub async fn event_provinces(tx: &mut Tx) -> Result<Vec<i64>, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar("select distinct province_id from member_events order by province_id").fetch_all(&mut **c).await)
}

/// The date of a member's latest event that the statistics count: every change of status
/// or unit, and every correction that moved her between cells.
pub async fn last_movement(tx: &mut Tx, member_id: i64) -> Result<Option<Date>, sqlx::Error> {
    let sql = "select max(effective_on) from member_events where member_id = $1 and (kind <> 'corrected' or before is not null)";
    on_engine!(tx, c => sqlx::query_scalar(sql).bind(member_id).fetch_one(&mut **c).await)
}

/// The active member holding a national ID, if any: (id, name, unit code, unit name).
pub async fn active_by_national_id(
    tx: &mut Tx,
    national_id: &str,
) -> Result<Option<(i64, String, String, String)>, sqlx::Error> {
    let sql = "select m.id, m.full_name, u.code, u.name from members m join units u on u.id = m.unit_id \
               where m.national_id = $1 and m.status = 'active'";
    on_engine!(tx, c => sqlx::query_as(sql).bind(national_id).fetch_optional(&mut **c).await)
}

/// (id, name, birth year, month, day, unit code) of a possible duplicate.
pub type SimilarRow = (i64, String, Option<i32>, Option<i32>, Option<i32>, String);

/// Active members with the same folded name and birth year whose unit lies under `commune`
/// today.
pub async fn similar_under(
    tx: &mut Tx,
    name_fold: &str,
    birth_year: Option<i32>,
    commune: i64,
    today: Date,
) -> Result<Vec<SimilarRow>, sqlx::Error> {
    let sql = format!(
        "select m.id, m.full_name, m.birth_year, m.birth_month, m.birth_day, u.code from members m \
         join units u on u.id = m.unit_id {} \
         where m.name_fold = $1 and (m.birth_year = $2 or ($2 is null and m.birth_year is null)) \
           and m.status = 'active' and c.ancestor_id = $3 order by m.id",
        tree::ancestors_join("c", "m.unit_id", "$4")
    );
    on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).bind(name_fold).bind(birth_year).bind(commune).bind(today).fetch_all(&mut **c).await)
}

/// The smallest string greater than every string that starts with `prefix`.
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_string();
    match end.pop() {
        Some(last) => end.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX)),
        None => end.push(char::MAX),
    }
    end
}

/// Which folded name a prefix search runs on.
#[derive(Clone, Copy, Debug)]
pub enum NameKey {
    /// "nguyen thi thuy"
    FamilyFirst,
    /// "thuy nguyen thi"
    GivenFirst,
}

/// Members whose folded name starts with `prefix` (in `province` if given), at most
/// `limit`, in key order: an index range scan, whatever the size of the register.
pub async fn prefix_ids(
    tx: &mut Tx,
    key: NameKey,
    prefix: &str,
    province: Option<i64>,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let column = match key {
        NameKey::FamilyFirst => "name_fold",
        NameKey::GivenFirst => "search_key",
    };
    let sql = format!(
        "select id from members where {column} >= $1 and {column} < $2 and ($3 = 0 or province_id = $3) order by {column} limit $4"
    );
    let end = prefix_end(prefix);
    on_engine!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql))
        .bind(prefix).bind(&end).bind(province.unwrap_or(0)).bind(limit).fetch_all(&mut **c).await)
}

/// Members under `root` today whose folded name contains every one of `words` (a scan of
/// the subtree's members, for subtrees the size of a commune).
pub async fn words_under(
    tx: &mut Tx,
    root: i64,
    today: Date,
    words: &[String],
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut sql = format!(
        "select m.id from members m where m.unit_id in ({})",
        tree::subtree("$1", "$2")
    );
    for i in 0..words.len() {
        sql.push_str(&format!(" and m.name_fold like ${}", i + 4));
    }
    sql.push_str(" order by m.search_key limit $3");
    on_engine!(tx, c => {
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(root).bind(today).bind(limit);
        for w in words {
            q = q.bind(format!("%{}%", w.replace(['%', '_'], "")));
        }
        q.fetch_all(&mut **c).await
    })
}

/// Members by id, with their units.
pub async fn by_ids(tx: &mut Tx, ids: &[i64]) -> Result<Vec<Member>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("{MEMBER_SELECT} where m.id in ({list})");
    let rows: Vec<MemberRow> =
        on_engine!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(&*sql)).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().map(Member::from).collect())
}

/// A page of the members whose unit lies under `root` today, in Vietnamese name order.
/// What a member list is narrowed to (all empty: every active and former member).
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    /// One of [`super::codes::SEGMENTS`].
    pub segment: Option<String>,
    /// Birth years, first and last included (an age band at a date).
    pub born: Option<(i32, i32)>,
}

pub async fn page_under(
    tx: &mut Tx,
    root: i64,
    today: Date,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
    known_total: Option<i64>,
) -> Result<(Vec<Member>, i64), sqlx::Error> {
    // Only the filters in use go into the statement: PostgreSQL plans a prepared statement
    // generically after a few runs, and "$n = '' or …" conditions would make it sort the
    // whole subtree every time.
    enum Arg {
        Int(i64),
        Text(String),
        Day(Date),
    }
    let mut args = vec![Arg::Int(root), Arg::Day(today)];
    // The subtree drives the join (one closure row per unit at a date), so that both engines
    // reach the members by the (unit, status, sort key) index.
    let mut condition = tree::subtree_driving(
        "c",
        "join members m on m.unit_id = c.descendant_id",
        "$1",
        "$2",
    );
    if let Some(status) = filter.status {
        args.push(Arg::Text(status.as_str().into()));
        condition.push_str(&format!(" and m.status = ${}", args.len()));
    }
    if let Some(segment) = &filter.segment {
        args.push(Arg::Text(format!("%,{segment},%")));
        condition.push_str(&format!(
            " and (',' || m.segments || ',') like ${}",
            args.len()
        ));
    }
    if let Some((from, to)) = filter.born {
        args.push(Arg::Int(from.into()));
        args.push(Arg::Int(to.into()));
        condition.push_str(&format!(
            " and m.birth_year between ${} and ${}",
            args.len() - 1,
            args.len()
        ));
    }
    let n = args.len();
    // The page is chosen on narrow rows read from the index alone (id and sort key), and only
    // its rows are then read whole: a commune's thousands of members are sorted without
    // carrying their 26 columns, and a deep page no longer reads every row it skips.
    let select = format!(
        "select m.id, m.province_id, m.unit_id, u.code as unit_code, u.name as unit_name, m.status, \
        m.honorary, m.full_name, m.birth_year, m.birth_month, m.birth_day, m.sex, m.national_id, m.phone, m.address, \
        m.ethnicity, m.religion, m.education, m.qualification, m.political_theory, m.occupation, m.party_member, \
        m.segments, m.card_number, m.joined_on, m.version \
        from (select m.id, m.sort_key {condition} order by m.sort_key, m.id limit ${} offset ${}) p \
        join members m on m.id = p.id join units u on u.id = m.unit_id order by p.sort_key, p.id",
        n + 1,
        n + 2
    );
    let count_sql = format!("select count(*) {condition}");
    // Binds the filter's arguments, in order, to a query of either engine.
    macro_rules! bind_args {
        ($q:expr) => {{
            let mut q = $q;
            for a in &args {
                q = match a {
                    Arg::Int(v) => q.bind(*v),
                    Arg::Text(v) => q.bind(v.clone()),
                    Arg::Day(v) => q.bind(*v),
                };
            }
            q
        }};
    }
    let rows: Vec<MemberRow> = on_engine!(&mut *tx, c => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(&*select))).bind(limit).bind(offset).fetch_all(&mut **c).await)?;
    let total: i64 = match known_total {
        Some(n) => n,
        None => {
            on_engine!(tx, c => bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(&*count_sql))).fetch_one(&mut **c).await)?
        }
    };
    Ok((rows.into_iter().map(Member::from).collect(), total))
}

/// A member row for bulk loading (the demo generator), with its id chosen by the caller.
pub struct BulkMember {
    pub id: i64,
    pub province_id: i64,
    pub unit_id: i64,
    pub status: Status,
    pub input: MemberInput,
}

/// A ledger row for bulk loading.
pub struct BulkEvent {
    pub id: i64,
    pub province_id: i64,
    pub member_id: i64,
    pub kind: EventKind,
    pub effective_on: Date,
    pub unit_id: i64,
    pub other_unit_id: Option<i64>,
    pub class: Class,
}

/// Rows per statement for bulk loads: 25 parameters a row stays under SQLite's 32,766.
const BULK_ROWS: usize = 1000;

pub async fn bulk_insert(tx: &mut Tx, members: &[BulkMember]) -> Result<(), sqlx::Error> {
    for chunk in members.chunks(BULK_ROWS) {
        on_engine!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "insert into members (id, province_id, unit_id, status, honorary, full_name, name_fold, sort_key, \
                 birth_year, birth_month, birth_day, sex, national_id, phone, address, ethnicity, religion, education, \
                 qualification, political_theory, occupation, party_member, segments, card_number, joined_on, search_key) ",
            );
            q.push_values(chunk, |mut b, r| {
                let m = &r.input;
                let name = m.full_name.as_str();
                let fold = crate::text::fold(name);
                b.push_bind(r.id).push_bind(r.province_id).push_bind(r.unit_id).push_bind(r.status.as_str()).push_bind(m.honorary)
                    .push_bind(name.to_string()).push_bind(fold).push_bind(crate::text::person_sort_key(name))
                    .push_bind(m.birth.map(|b| b.year)).push_bind(m.birth.and_then(|b| b.month).map(i32::from))
                    .push_bind(m.birth.and_then(|b| b.day).map(i32::from)).push_bind(m.sex.as_str())
                    .push_bind(m.national_id.as_ref().map(|n| n.as_str().to_string())).push_bind(m.phone.as_ref().map(|p| p.as_str().to_string()))
                    .push_bind(m.address.clone()).push_bind(m.ethnicity.clone()).push_bind(m.religion.clone()).push_bind(m.education.clone())
                    .push_bind(m.qualification.clone()).push_bind(m.political_theory.clone()).push_bind(m.occupation.clone())
                    .push_bind(m.party_member).push_bind(m.segments.join(",")).push_bind(m.card_number.clone()).push_bind(m.joined_on)
                    .push_bind(crate::text::person_search_key(name));
            });
            q.build().execute(&mut **c).await?;
        });
    }
    Ok(())
}

pub(super) async fn bulk_append(
    tx: &mut Tx,
    events: &[BulkEvent],
    recorded_by: &str,
    recorded_at: &str,
) -> Result<(), sqlx::Error> {
    for chunk in events.chunks(BULK_ROWS) {
        on_engine!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "insert into member_events (id, province_id, member_id, kind, effective_on, unit_id, other_unit_id, honorary, \
                 birth_year, ethnicity, religion, education, occupation, party_member, segments, recorded_by, recorded_at) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.id).push_bind(e.province_id).push_bind(e.member_id).push_bind(e.kind.as_str()).push_bind(e.effective_on)
                    .push_bind(e.unit_id).push_bind(e.other_unit_id).push_bind(e.class.honorary).push_bind(e.class.birth_year)
                    .push_bind(e.class.ethnicity.clone()).push_bind(e.class.religion.clone()).push_bind(e.class.education.clone())
                    .push_bind(e.class.occupation.clone()).push_bind(e.class.party_member).push_bind(e.class.segments_text())
                    .push_bind(recorded_by.to_string()).push_bind(recorded_at.to_string());
            });
            q.build().execute(&mut **c).await?;
        });
    }
    Ok(())
}

/// Transfers effective from `from` to `to` whose two ends lay, at the time, under two
/// *different* units of `units`: a transfer between two units of one of them is excluded.
pub async fn transfers_between(
    tx: &mut Tx,
    units: &[i64],
    from: Date,
    to: Date,
) -> Result<i64, sqlx::Error> {
    if units.len() < 2 {
        return Ok(0);
    }
    // Unit ids come from the lineage, never from user text.
    let list = units
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "select count(*) from member_events e {} {} \
         where e.kind = 'transferred_in' and e.effective_on >= $1 and e.effective_on <= $2 \
           and c.ancestor_id in ({list}) and o.ancestor_id in ({list}) and c.ancestor_id <> o.ancestor_id",
        tree::ancestors_join("c", "e.unit_id", "e.effective_on"),
        tree::ancestors_join("o", "e.other_unit_id", "e.effective_on")
    );
    on_engine!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(from).bind(to).fetch_one(&mut **c).await)
}

/// Ledger events after `on` at any unit that was ever under `unit` (at either end of a
/// transfer): a unit cannot end before its history does.
pub async fn events_after_under(tx: &mut Tx, unit: i64, on: Date) -> Result<i64, sqlx::Error> {
    let under = tree::ever_under("$1");
    let sql = format!(
        "select (select count(*) from member_events e where e.unit_id in ({under}) and e.effective_on > $2) \
              + (select count(*) from member_events e where e.other_unit_id in ({under}) and e.effective_on > $2)"
    );
    on_engine!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql)).bind(unit).bind(on).fetch_one(&mut **c).await)
}

/// The largest member and event ids (bulk loads continue after them).
pub async fn max_ids(tx: &mut Tx) -> Result<(i64, i64), sqlx::Error> {
    on_engine!(tx, c => sqlx::query_as("select (select coalesce(max(id), 0) from members), (select coalesce(max(id), 0) from member_events)")
        .fetch_one(&mut **c).await)
}

pub async fn count(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar("select count(*) from members").fetch_one(&mut **c).await)
}

/// After rows were loaded with explicit ids, moves PostgreSQL's id sequences past them.
pub async fn reset_sequences(tx: &mut Tx) -> Result<(), sqlx::Error> {
    if let Tx::Postgres(c) = tx {
        for table in ["units", "members", "member_events", "audit_log"] {
            let sql = format!(
                "select setval(pg_get_serial_sequence('{table}', 'id'), greatest((select coalesce(max(id), 0) from {table}), 1))"
            );
            sqlx::query(sqlx::AssertSqlSafe(&*sql))
                .execute(&mut **c)
                .await?;
        }
    }
    Ok(())
}

/// `n` fresh ids for `table` (members or member_events), for rows written in bulk. SQLite
/// continues after the largest id (the caller holds the write lock); PostgreSQL draws them
/// from the table's sequence, so that concurrent writers never collide.
pub async fn reserve_ids(
    tx: &mut Tx,
    table: &'static str,
    n: usize,
) -> Result<Vec<i64>, sqlx::Error> {
    debug_assert!(matches!(table, "members" | "member_events"));
    match tx {
        Tx::Sqlite(c) => {
            let sql = format!("select coalesce(max(id), 0) from {table}");
            let max: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql))
                .fetch_one(&mut **c)
                .await?;
            Ok((max + 1..=max + n as i64).collect())
        }
        Tx::Postgres(c) => {
            let sql = format!(
                "select nextval(pg_get_serial_sequence('{table}', 'id')) from generate_series(1, $1)"
            );
            sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql))
                .bind(n as i64)
                .fetch_all(&mut **c)
                .await
        }
    }
}

/// Members who may be the people of an imported chunk: by national ID (active, anywhere), by card
/// number or by folded name (the caller narrows these to her commune).
pub async fn matching(
    tx: &mut Tx,
    national_ids: &[String],
    card_numbers: &[String],
    name_folds: &[String],
) -> Result<Vec<Member>, sqlx::Error> {
    let json = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let rows: Vec<MemberRow> = match tx {
        Tx::Sqlite(c) => {
            let sql = format!(
                "{MEMBER_SELECT} where (m.status = 'active' and m.national_id in (select value from json_each($1))) \
                 or m.card_number in (select value from json_each($2)) or m.name_fold in (select value from json_each($3))"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql))
                .bind(json(national_ids))
                .bind(json(card_numbers))
                .bind(json(name_folds))
                .fetch_all(&mut **c)
                .await?
        }
        Tx::Postgres(c) => {
            let sql = format!(
                "{MEMBER_SELECT} where (m.status = 'active' and m.national_id in (select jsonb_array_elements_text($1::jsonb))) \
                 or m.card_number in (select jsonb_array_elements_text($2::jsonb)) or m.name_fold in (select jsonb_array_elements_text($3::jsonb))"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(&*sql))
                .bind(json(national_ids))
                .bind(json(card_numbers))
                .bind(json(name_folds))
                .fetch_all(&mut **c)
                .await?
        }
    };
    Ok(rows.into_iter().map(Member::from).collect())
}

/// The active members of one unit (not of its subtree), with what the statistics count of them.
pub async fn active_in_unit(tx: &mut Tx, unit: i64) -> Result<Vec<(i64, Class)>, sqlx::Error> {
    type Row = (
        i64,
        bool,
        Option<i32>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
        String,
    );
    let rows: Vec<Row> = on_engine!(tx, c => sqlx::query_as(
        "select id, honorary, birth_year, ethnicity, religion, education, occupation, party_member, segments \
         from members where unit_id = $1 and status = 'active' order by id")
        .bind(unit).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                honorary,
                birth_year,
                ethnicity,
                religion,
                education,
                occupation,
                party_member,
                segments,
            )| {
                (
                    id,
                    Class {
                        honorary,
                        birth_year,
                        ethnicity,
                        religion,
                        education,
                        occupation,
                        party_member,
                        segments: Class::parse_segments(&segments),
                    },
                )
            },
        )
        .collect())
}

/// How many active members of `unit` have a movement effective after `on` (a restructuring
/// on `on` would put their ledger out of order).
pub async fn moved_after(tx: &mut Tx, unit: i64, on: Date) -> Result<i64, sqlx::Error> {
    on_engine!(tx, c => sqlx::query_scalar(
        "select count(distinct e.member_id) from member_events e join members m on m.id = e.member_id \
         where m.unit_id = $1 and m.status = 'active' and e.effective_on > $2 and e.kind <> 'corrected'")
        .bind(unit).bind(on).fetch_one(&mut **c).await)
}

/// Moves every active member of `from` to `to` (their ledger events are written by the caller).
pub async fn move_active(
    tx: &mut Tx,
    from: i64,
    to: i64,
    province: i64,
) -> Result<u64, sqlx::Error> {
    on_engine!(tx, c => sqlx::query(
        "update members set unit_id = $2, province_id = $3, version = version + 1 where unit_id = $1 and status = 'active'")
        .bind(from).bind(to).bind(province).execute(&mut **c).await.map(|r| r.rows_affected()))
}
