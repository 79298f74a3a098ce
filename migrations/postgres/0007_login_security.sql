-- Login security: one-time passwords expire, API tokens have an id, an
-- expiry, a last use and a revocation.
--
-- `users.password_expires_at` is set for one-time passwords (24 hours after
-- they are made) and NULL for passwords the user chose. API tokens get a
-- numeric id (to list and revoke them by), `expires_at` (tokens made before
-- this migration expire 90 days after it), `last_used_at` (updated at most
-- hourly) and `revoked_at`.

ALTER TABLE users ADD COLUMN password_expires_at TEXT;

ALTER TABLE api_tokens ADD COLUMN id BIGSERIAL UNIQUE;
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET expires_at =
    to_char((now() AT TIME ZONE 'UTC') + interval '90 days', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
