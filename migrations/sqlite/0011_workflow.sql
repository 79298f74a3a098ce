-- Inside the office: presenting a received letter (เสนอ), endorsements
-- (เกษียน, สั่งการ), assignments (มอบหมาย) and the draft → check → sign
-- path, with each office's settings and users' acting roles.
--
-- work_items are what someone must do (endorse, work on, revise, check,
-- sign); work_events are what was done, in order: the letter's timeline.
-- Events are never changed or removed (triggers), so an endorsement stands
-- as written; a later event can correct it (`corrects`). Neither table
-- references documents: a deleted draft's history stays.

-- A new role, ผู้ตรวจร่าง. SQLite cannot alter a CHECK constraint; the
-- documented way for a change that leaves the stored rows as they are is
-- to edit the table's schema text. The CREATE statements below bump the
-- schema cookie, so every connection reloads it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''drafter'', ''signer''', '''drafter'', ''checker'', ''signer''')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;

CREATE TABLE office_workflow (
    id               INTEGER PRIMARY KEY REFERENCES offices(id),
    check_tiers      INTEGER NOT NULL DEFAULT 0 CHECK (check_tiers BETWEEN 0 AND 2),
    require_signing  INTEGER NOT NULL DEFAULT 0 CHECK (require_signing IN (0, 1)),
    chain            TEXT NOT NULL DEFAULT '[]',
    checkers         TEXT NOT NULL DEFAULT '[]',
    signer_id        INTEGER REFERENCES users(id),
    updated_at       TEXT NOT NULL
);

CREATE TABLE acting_roles (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL CHECK (kind IN ('acting_for', 'acting_as')),
    position      TEXT NOT NULL,
    for_position  TEXT NOT NULL,
    from_date     TEXT NOT NULL,
    to_date       TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX acting_roles_user ON acting_roles (user_id);

CREATE TABLE work_items (
    id           INTEGER PRIMARY KEY,
    office_id    INTEGER NOT NULL REFERENCES offices(id),
    kind         TEXT NOT NULL CHECK (kind IN ('endorse', 'work', 'revise', 'check', 'sign')),
    document_id  INTEGER NOT NULL,
    delivery_id  INTEGER REFERENCES deliveries(id),
    assignee_id  INTEGER NOT NULL REFERENCES users(id),
    unit         TEXT NOT NULL DEFAULT '',
    tier         INTEGER NOT NULL DEFAULT 0,
    version      INTEGER,
    instruction  TEXT NOT NULL DEFAULT '',
    due          TEXT,
    status       TEXT NOT NULL CHECK (status IN ('open', 'done', 'passed', 'returned', 'reassigned', 'withdrawn')),
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT NOT NULL,
    closed_at    TEXT,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX work_items_assignee ON work_items (assignee_id, status);
CREATE INDEX work_items_document ON work_items (document_id, status);

CREATE TABLE work_events (
    id           INTEGER PRIMARY KEY,
    office_id    INTEGER NOT NULL REFERENCES offices(id),
    document_id  INTEGER NOT NULL,
    delivery_id  INTEGER REFERENCES deliveries(id),
    item_id      INTEGER REFERENCES work_items(id),
    kind         TEXT NOT NULL,
    user_id      INTEGER REFERENCES users(id),
    actor        TEXT NOT NULL,
    target_id    INTEGER REFERENCES users(id),
    choice       TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    version      INTEGER,
    corrects     INTEGER REFERENCES work_events(id),
    related_id   INTEGER,
    at           TEXT NOT NULL
);
CREATE INDEX work_events_document ON work_events (document_id, id);
CREATE INDEX work_events_delivery ON work_events (delivery_id, id);

CREATE TRIGGER work_events_no_update BEFORE UPDATE ON work_events
BEGIN SELECT RAISE(ABORT, 'work_events is append-only'); END;
CREATE TRIGGER work_events_no_delete BEFORE DELETE ON work_events
BEGIN SELECT RAISE(ABORT, 'work_events is append-only'); END;

CREATE TABLE work_files (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES work_items(id),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX work_files_item ON work_files (item_id);

-- A document's history by its audit events (who drafted it).
CREATE INDEX audit_events_object ON audit_events (object);
