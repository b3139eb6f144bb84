-- Report rounds (the work side's one cycle): indicators, versioned forms, rounds sent down
-- the tree, one response per (round, unit) with its append-only history, completeness
-- counters kept with every change, period locks on the member ledger, and the one
-- numbering service of issued documents.

-- A named figure. Once defined, an indicator is never changed: a form that needs another
-- meaning defines another code.
create table indicators (
    code       text primary key,
    name       text not null,
    name_en    text not null,
    measure    text not null check (measure in ('people', 'households', 'units', 'vnd', 'percent', 'yes_no', 'text')),
    rule       text not null check (rule in ('sum', 'own', 'formula')),
    formula    text,
    source     text not null,
    tier       text,
    defined_by text not null,
    defined_at text not null
);

-- A form version: its parsed definition (sections, rows, rules, narrative outline) as JSON.
-- A form in use is never edited; loading a changed file makes the next version.
create table forms (
    id         integer primary key,
    code       text    not null,
    version    integer not null,
    name       text    not null,
    name_en    text    not null,
    reporters  text    not null,
    definition text    not null,
    loaded_by  text    not null,
    loaded_at  text    not null,
    unique (code, version)
);

create table rounds (
    id          integer primary key,
    form_id     integer not null references forms (id),
    period      text    not null,
    period_from text    not null,
    period_to   text    not null,
    opener_id   integer not null references units (id),
    target_kind text    not null,
    cutoff      text    not null,
    due         text    not null,
    closes      text,
    opened_by   text    not null,
    opened_at   text    not null
);
create index rounds_opener on rounds (opener_id);

-- One response per (round, unit): the opener's, every unit's between, and the targets'.
-- `due` and `closes` are the unit's own (a province may set earlier ones for its part).
create table responses (
    id             integer primary key,
    round_id       integer not null references rounds (id),
    unit_id        integer not null references units (id),
    parent_unit_id integer references units (id),
    depth          integer not null,
    is_target      integer not null,
    status         text    not null default 'not_started' check (status in ('not_started', 'draft', 'submitted', 'returned', 'approved')),
    due            text    not null,
    closes         text,
    late_until     text,
    submitted_on   text,
    late           integer not null default 0,
    waived         integer not null default 0,
    reason         text,
    approved_once  integer not null default 0,
    changed_after_approval integer not null default 0,
    document_id    integer,
    version        integer not null default 1,
    unique (round_id, unit_id)
);
create index responses_children on responses (round_id, parent_unit_id);
create index responses_unit on responses (unit_id, status);

-- The unit's own entries as they stand now (history is in response_events).
create table response_values (
    response_id integer not null references responses (id),
    indicator   text    not null,
    value       text    not null,
    primary key (response_id, indicator)
);

-- Every figure of the form as the unit submitted it: own entries, computed figures and its
-- children's sums. Approved, these are what was reported, whatever happens to the tree.
create table response_figures (
    response_id integer not null references responses (id),
    indicator   text    not null,
    value       text    not null,
    primary key (response_id, indicator)
);

-- Append-only: who changed what, when, from what to what, and why.
create table response_events (
    id          integer primary key,
    response_id integer not null references responses (id),
    kind        text    not null,
    indicator   text,
    old_value   text,
    new_value   text,
    reason      text,
    actor       text    not null,
    at          text    not null
);
create index response_events_response on response_events (response_id, id);
create trigger response_events_no_update before update on response_events
begin select raise(abort, 'response history is append-only'); end;
create trigger response_events_no_delete before delete on response_events
begin select raise(abort, 'response history is append-only'); end;

-- Completeness of the targets under a response, kept with every change of theirs.
create table round_progress (
    response_id integer primary key references responses (id),
    expected    integer not null default 0,
    not_started integer not null default 0,
    draft       integer not null default 0,
    submitted   integer not null default 0,
    returned    integer not null default 0,
    approved    integer not null default 0,
    waived      integer not null default 0,
    on_time     integer not null default 0,
    late        integer not null default 0
);

-- An approved response whose form computes figures from the ledger locks its unit's period.
create table period_locks (
    response_id integer primary key references responses (id),
    unit_id     integer not null references units (id),
    period_from text    not null,
    period_to   text    not null
);
create index period_locks_unit on period_locks (unit_id, period_to);

-- The numbering service: one series per issuing unit, document type and year.
create table unit_abbreviations (
    unit_id      integer primary key references units (id),
    abbreviation text    not null
);
create table document_series (
    unit_id     integer not null references units (id),
    doc_type    text    not null,
    year        integer not null,
    last_number integer not null,
    primary key (unit_id, doc_type, year)
);
create table issued_documents (
    id        integer primary key,
    unit_id   integer not null references units (id),
    doc_type  text    not null,
    year      integer not null,
    number    integer not null,
    symbol    text    not null,
    subject   text    not null,
    issued_by text    not null,
    issued_at text    not null,
    unique (unit_id, doc_type, year, number)
);
