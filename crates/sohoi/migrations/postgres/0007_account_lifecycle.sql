-- The account lifecycle: an account can be disabled (and enabled again) without losing its
-- history, and an API token can carry an expiry date.
alter table users add column disabled_at text;
alter table api_tokens add column expires_at text;
