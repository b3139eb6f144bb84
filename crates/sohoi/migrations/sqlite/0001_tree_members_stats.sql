-- The organisation tree with history (DESIGN principle 1).
-- Dates are ISO text (YYYY-MM-DD); an open interval ends on 9999-12-31, so that
-- "valid at D" is always `valid_from <= D and valid_to > D` and can use an index.
create table units (
    id          integer primary key,
    code        text    not null unique,
    kind        text    not null check (kind in ('central', 'province', 'commune', 'branch', 'group', 'agency')),
    name        text    not null,
    name_fold   text    not null,
    admin_type  text,
    province_id integer references units (id),
    valid_from  text    not null,
    valid_to    text    not null default '9999-12-31'
);
create index units_name_fold on units (name_fold);

-- Names over time (a rename closes one row and opens another).
create table unit_names (
    unit_id    integer not null references units (id),
    name       text    not null,
    valid_from text    not null,
    valid_to   text    not null default '9999-12-31',
    primary key (unit_id, valid_from)
);

-- Parent links over time.
create table unit_links (
    unit_id    integer not null references units (id),
    parent_id  integer not null references units (id),
    valid_from text    not null,
    valid_to   text    not null default '9999-12-31',
    primary key (unit_id, valid_from)
);
create index unit_links_parent on unit_links (parent_id, valid_from);

-- Temporal closure: every (ancestor, descendant) pair with the interval in which it holds,
-- including each unit with itself at depth 0. "All descendants of X at D" is one range scan.
create table unit_closure (
    ancestor_id   integer not null references units (id),
    descendant_id integer not null references units (id),
    depth         integer not null,
    valid_from    text    not null,
    valid_to      text    not null default '9999-12-31',
    primary key (ancestor_id, descendant_id, valid_from)
);
create index unit_closure_descendant on unit_closure (descendant_id, valid_from);

-- Women aged 18+ living in a unit's area, per year (for the coverage rate).
create table unit_population (
    unit_id integer not null references units (id),
    year    integer not null,
    women_18_plus integer not null check (women_18_plus >= 0),
    primary key (unit_id, year)
);

-- The member register: the current state, a projection of the ledger (DESIGN principle 2).
-- province_id is carried on every table that grows with members (DESIGN principle 5).
create table members (
    id              integer primary key,
    province_id     integer not null,
    unit_id         integer not null references units (id),
    status          text    not null check (status in ('active', 'left', 'died', 'transferred')),
    honorary        integer not null default 0,
    full_name       text    not null,
    -- Folded (no diacritics, lower case) full name, and the same with the given name first:
    -- prefix searches on these two find "thuy", "nguyen thi lan" and "tran huong".
    name_fold       text    not null,
    search_key      text    not null,
    sort_key        blob    not null,
    birth_year      integer,
    birth_month     integer,
    birth_day       integer,
    sex             text    not null check (sex in ('female', 'male')),
    national_id     text,
    phone           text,
    address         text,
    ethnicity       text,
    religion        text,
    education       text,
    qualification   text,
    political_theory text,
    occupation      text,
    party_member    integer not null default 0,
    segments        text    not null default '',
    card_number     text,
    joined_on       text,
    version         integer not null default 1
);
-- The same person is never an active member twice: one active row per national ID.
create unique index members_active_national_id on members (national_id) where status = 'active' and national_id is not null;
create index members_unit_sort on members (unit_id, sort_key);
create index members_fold_birth on members (name_fold, birth_year);
create index members_search on members (search_key);
create index members_province_search on members (province_id, search_key);
create index members_card on members (card_number) where card_number is not null;

-- The membership ledger: append-only. Each row carries the member's classification at the
-- time of the event, so that its effect on the statistics depends on the row alone.
create table member_events (
    id            integer primary key,
    province_id   integer not null,
    member_id     integer not null references members (id),
    kind          text    not null check (kind in ('joined', 'transferred_out', 'transferred_in', 'left', 'died', 'restored', 'corrected')),
    effective_on  text    not null,
    unit_id       integer not null references units (id),
    other_unit_id integer references units (id),
    honorary      integer not null,
    birth_year    integer,
    ethnicity     text,
    religion      text,
    education     text,
    occupation    text,
    party_member  integer not null,
    segments      text    not null,
    before        text,
    changes       text,
    note          text,
    recorded_by   text    not null,
    recorded_at   text    not null
);
create index member_events_member on member_events (member_id, id);
create index member_events_province on member_events (province_id, id);
create index member_events_effective on member_events (effective_on);
create trigger member_events_no_update before update on member_events
begin select raise(abort, 'the membership ledger is append-only'); end;
create trigger member_events_no_delete before delete on member_events
begin select raise(abort, 'the membership ledger is append-only'); end;

-- Maintained statistics (DESIGN principle 3): monthly changes per unit and cell, written for
-- the unit of the event and every ancestor it had at the effective date, in the same
-- transaction as the event. `stat_totals` holds the running sum of all months, so that the
-- stock at a recent date subtracts only the few months after it.
create table stat_cells (
    unit_id integer not null,
    measure text    not null,
    dim     text    not null,
    value   text    not null,
    month   integer not null,
    n       integer not null,
    primary key (unit_id, measure, dim, value, month)
) without rowid;
create table stat_totals (
    unit_id integer not null,
    measure text    not null,
    dim     text    not null,
    value   text    not null,
    n       integer not null,
    primary key (unit_id, measure, dim, value)
) without rowid;

-- Facts about this database: where its reference data came from, when it was created.
create table meta (key text primary key, value text not null);

-- Who did what: every write, sign-in and read of sensitive fields. Append-only.
create table audit_log (
    id       integer primary key,
    at       text not null,
    actor    text not null,
    action   text not null,
    unit_id  integer,
    subject  text,
    detail   text,
    address  text
);
create index audit_log_unit on audit_log (unit_id, id);
create trigger audit_log_no_update before update on audit_log
begin select raise(abort, 'the audit log is append-only'); end;
create trigger audit_log_no_delete before delete on audit_log
begin select raise(abort, 'the audit log is append-only'); end;
