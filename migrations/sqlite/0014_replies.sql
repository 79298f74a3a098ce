-- Reply forms hosted by saraban, the replies offices send through their own
-- link (/r/{token}, the token kept on the delivery), files uploaded with a
-- reply, and reminders (ทวงถาม) drafted for the offices that have not
-- acted. A form belongs to one letter and is frozen with its numbering; a
-- reply belongs to one delivery and is amended in place until the deadline.

CREATE TABLE reply_forms (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL UNIQUE REFERENCES documents(id),
    definition   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);

CREATE TABLE replies (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL UNIQUE REFERENCES deliveries(id),
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    office_id    INTEGER NOT NULL REFERENCES offices(id),
    answers      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    revisions    INTEGER NOT NULL
);
CREATE INDEX replies_document ON replies (document_id);

CREATE TABLE reply_files (
    id          INTEGER PRIMARY KEY,
    reply_id    INTEGER NOT NULL REFERENCES replies(id),
    field       TEXT NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX reply_files_reply ON reply_files (reply_id);

CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES deliveries(id),
    reminder_id  INTEGER NOT NULL REFERENCES documents(id),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX reminders_delivery ON reminders (delivery_id);
CREATE INDEX reminders_reminder ON reminders (reminder_id);
