-- Letters from outside registered through the receive form (issue 18).
-- An upload waits here between the pre-fill and the clerk's confirmation;
-- a registration is one office's receipt of a letter: its receive-register
-- entry, the file as it came, and the fields the clerk confirmed. The
-- letter itself (in the reference graph) is an imported_letters row.

CREATE TABLE intake_uploads (
    id          INTEGER PRIMARY KEY,
    office_id   INTEGER NOT NULL REFERENCES offices(id),
    user_id     INTEGER REFERENCES users(id),
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    prefill     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX intake_uploads_office ON intake_uploads (office_id, created_at);

CREATE TABLE received_letters (
    id             INTEGER PRIMARY KEY,
    office_id      INTEGER NOT NULL REFERENCES offices(id),
    letter_id      INTEGER NOT NULL REFERENCES imported_letters(id),
    receive_entry  INTEGER NOT NULL REFERENCES register_entries(id),
    source_name    TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    source         BLOB NOT NULL,
    fields         TEXT NOT NULL,
    number_key     TEXT,
    date           TEXT,
    issuer         TEXT NOT NULL DEFAULT '',
    secrecy        TEXT,
    registered_by  INTEGER REFERENCES users(id),
    registered_at  TEXT NOT NULL
);
CREATE INDEX received_letters_office ON received_letters (office_id, id);
CREATE INDEX received_letters_sha ON received_letters (office_id, sha256);
CREATE INDEX received_letters_number ON received_letters (office_id, number_key, date);
