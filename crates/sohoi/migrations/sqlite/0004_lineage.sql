-- Restructuring: which old units became which new ones, and when. A merge writes one row
-- per absorbed unit (old → successor), a split one row per successor, a rename one row
-- from the unit to itself. Reports restated in today's structure follow these rows.
create table unit_lineage (
    id           integer primary key,
    from_unit_id integer not null references units (id),
    to_unit_id   integer not null references units (id),
    kind         text not null check (kind in ('merge', 'split', 'rename', 'dissolve', 'create')),
    effective_on text not null,
    recorded_by  text not null,
    recorded_at  text not null
);
create index unit_lineage_from on unit_lineage (from_unit_id);
create index unit_lineage_to on unit_lineage (to_unit_id);

-- A unit's own events over a period (restated reports net out the transfers inside a group
-- of merged units; the remainder row of a report).
create index member_events_unit on member_events (unit_id, effective_on);
