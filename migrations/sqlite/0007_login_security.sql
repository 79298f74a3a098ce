-- Login security: one-time passwords expire, API tokens have an id, an
-- expiry, a last use and a revocation.
--
-- `users.password_expires_at` is set for one-time passwords (24 hours after
-- they are made) and NULL for passwords the user chose. API tokens get a
-- numeric id (to list and revoke them by), `expires_at` (tokens made before
-- this migration expire 90 days after it), `last_used_at` (updated at most
-- hourly) and `revoked_at`. SQLite cannot add a primary key to a table, so
-- the token table is rebuilt.

ALTER TABLE users ADD COLUMN password_expires_at TEXT;

CREATE TABLE api_tokens_new (
    id            INTEGER PRIMARY KEY,
    token_sha256  TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    label         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
INSERT INTO api_tokens_new (token_sha256, user_id, label, created_at, expires_at)
SELECT token_sha256, user_id, label, created_at,
       strftime('%Y-%m-%dT%H:%M:%f000Z', 'now', '+90 days')
FROM api_tokens ORDER BY created_at;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
