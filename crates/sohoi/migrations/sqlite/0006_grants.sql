-- Access as a set of grants: each an authority set over a unit's subtree (or that unit
-- alone) with the sensitivity tiers it may read there. The roles of 0002 become grants with
-- their role's authorities; the old "sensitive" bit becomes the identity, ethnicity and
-- religion, and Party tiers (never personnel or support cases).
create table grants (
    id          integer primary key,
    user_id     integer not null references users (id),
    unit_id     integer not null references units (id),
    reach       text    not null default 'subtree' check (reach in ('subtree', 'unit')),
    authorities text    not null,
    tiers       text    not null default '',
    granted_by  text    not null,
    granted_at  text    not null
);
create index grants_user on grants (user_id);
create index grants_unit on grants (unit_id);

insert into grants (user_id, unit_id, reach, authorities, tiers, granted_by, granted_at)
select user_id, unit_id, 'subtree',
    case role
        when 'viewer' then 'view_members'
        when 'officer' then 'view_members,edit_members,submit_reports'
        when 'chair' then 'view_members,edit_members,submit_reports,restructure,manage_accounts,approve_reports,rate_units,issue_directives,manage_cadres'
        else 'view_members,edit_members,submit_reports,restructure,manage_accounts,approve_reports,rate_units,issue_directives,manage_cadres,administer'
    end,
    case when sensitive then 'identity,ethnicity_religion,party' else '' end,
    'migration', strftime('%Y-%m-%dT%H:%M:%S+07:00', 'now', '+7 hours')
from user_roles;

drop table user_roles;
