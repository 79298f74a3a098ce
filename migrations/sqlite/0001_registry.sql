-- The registry: offices, documents, numbering, registers and the audit log.
-- Times are UTC instants as RFC 3339 text ("2026-11-22T03:56:36.123456Z"),
-- dates ISO text, so that both backends store and sort them the same way.

CREATE TABLE offices (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES offices(id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    agency        TEXT NOT NULL DEFAULT '',
    unit          TEXT NOT NULL DEFAULT '',
    org_code      TEXT UNIQUE,
    province      TEXT NOT NULL DEFAULT '',
    district      TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    fax           TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    digits        TEXT NOT NULL DEFAULT 'thai' CHECK (digits IN ('thai', 'arabic')),
    year_basis    TEXT NOT NULL DEFAULT 'calendar' CHECK (year_basis IN ('calendar', 'fiscal'))
);
CREATE UNIQUE INDEX offices_code ON offices (agency, unit) WHERE unit <> '';
CREATE INDEX offices_parent ON offices (parent_id);
CREATE UNIQUE INDEX offices_name_under ON offices (COALESCE(parent_id, 0), name);

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    office_id       INTEGER NOT NULL REFERENCES offices(id),
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'numbered', 'sent', 'cancelled')),
    series          TEXT,
    year            INTEGER,
    seq             INTEGER,
    number          TEXT,
    date            TEXT,
    subject         TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    content         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    official_pdf    BLOB,
    official_sha256 TEXT,
    source_sha256   TEXT UNIQUE
);
CREATE INDEX documents_office ON documents (office_id, state);
CREATE INDEX documents_number ON documents (number);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    name         TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (document_id, sha256)
);

CREATE TABLE doc_references (
    id            INTEGER PRIMARY KEY,
    from_id       INTEGER NOT NULL REFERENCES documents(id),
    relation      TEXT NOT NULL CHECK (relation IN ('cites', 'replies_to', 'supersedes', 'cancels')),
    to_id         INTEGER REFERENCES documents(id),
    ext_number    TEXT,
    ext_date      TEXT,
    ext_issuer    TEXT,
    CHECK ((to_id IS NULL) <> (ext_number IS NULL))
);
CREATE INDEX doc_references_from ON doc_references (from_id);
CREATE INDEX doc_references_to ON doc_references (to_id);
CREATE INDEX doc_references_ext ON doc_references (ext_number);

CREATE TABLE counters (
    office_id  INTEGER NOT NULL REFERENCES offices(id),
    series     TEXT NOT NULL,
    year       INTEGER NOT NULL,
    last       INTEGER NOT NULL,
    PRIMARY KEY (office_id, series, year)
);

CREATE TABLE register_entries (
    id           INTEGER PRIMARY KEY,
    office_id    INTEGER NOT NULL REFERENCES offices(id),
    register     TEXT NOT NULL CHECK (register IN ('send', 'receive')),
    series       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('issued', 'reserved', 'cancelled')),
    batch        TEXT,
    recorded_at  TEXT NOT NULL,
    reg_date     TEXT NOT NULL,
    reg_time     TEXT NOT NULL,
    doc_number   TEXT NOT NULL,
    doc_date     TEXT,
    from_text    TEXT NOT NULL DEFAULT '',
    to_text      TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    document_id  INTEGER REFERENCES documents(id),
    UNIQUE (office_id, series, year, seq)
);
CREATE INDEX register_entries_page ON register_entries (office_id, register, year, seq);
CREATE INDEX register_entries_batch ON register_entries (batch);

CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    office_id      INTEGER,
    action         TEXT NOT NULL,
    object         TEXT NOT NULL,
    before_sha256  TEXT,
    after_sha256   TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);

-- The chain's head: one row, locked by every write so that events are
-- appended one at a time and in commit order.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
