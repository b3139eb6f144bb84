-- Per-user API tokens for programs. As with sessions, only a hash of the token is kept,
-- and a revoked token stays listed (with when it was revoked) for the audit trail.
create table api_tokens (
    id         integer primary key,
    user_id    integer not null references users (id),
    name       text    not null,
    token_hash text    not null unique,
    created_at text    not null,
    revoked_at text
);
create index api_tokens_user on api_tokens (user_id);
