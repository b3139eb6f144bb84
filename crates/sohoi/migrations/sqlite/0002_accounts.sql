-- Accounts, roles bound to units, and sessions.
create table users (
    id              integer primary key,
    username        text    not null unique,
    display_name    text    not null,
    password_hash   text    not null,
    failed_attempts integer not null default 0,
    locked_until    text,
    created_at      text    not null
);

-- A role at a unit covers its whole subtree. `sensitive` grants ethnicity, religion,
-- national ID and Party membership.
create table user_roles (
    user_id   integer not null references users (id),
    unit_id   integer not null references units (id),
    role      text    not null check (role in ('viewer', 'officer', 'chair', 'admin')),
    sensitive integer not null default 0,
    primary key (user_id, unit_id)
);

-- Only a hash of the session token is kept: a copy of the database does not open sessions.
create table sessions (
    token_hash text    primary key,
    user_id    integer not null references users (id),
    csrf_token text    not null,
    created_at text    not null,
    expires_at text    not null
);
create index sessions_user on sessions (user_id);
