-- The service: accounts, sessions, API tokens, who may read secret letters,
-- and the search index.
--
-- Tokens are stored only as SHA-256, so a copy of the database does not
-- let anyone log in. A document's urgency, secrecy and addressee are kept
-- beside its content for filtering; `search_version` marks documents the
-- search index has not seen (rows stored before this migration), which
-- `store::search::backfill` indexes at open.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    office_id      INTEGER NOT NULL REFERENCES offices(id),
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('clerk', 'drafter', 'signer', 'head', 'admin')),
    password_hash  TEXT NOT NULL,
    must_change    INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);
CREATE INDEX users_office ON users (office_id);

CREATE TABLE sessions (
    token_sha256  TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    csrf          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);

CREATE TABLE api_tokens (
    token_sha256  TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    label         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE document_readers (
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (document_id, user_id)
);

ALTER TABLE documents ADD COLUMN urgency TEXT;
ALTER TABLE documents ADD COLUMN secrecy TEXT;
ALTER TABLE documents ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX documents_unindexed ON documents (id) WHERE search_version = 0;
CREATE INDEX documents_date ON documents (date);
CREATE INDEX documents_office_date ON documents (office_id, date);

-- Trigram index over each document's normalised text (rowid = document id):
-- Thai needs no spaces between words to be found.
CREATE VIRTUAL TABLE document_search USING fts5 (text, tokenize = 'trigram');
