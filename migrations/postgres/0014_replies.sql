-- Reply forms hosted by saraban, the replies offices send through their own
-- link (/r/{token}, the token kept on the delivery), files uploaded with a
-- reply, and reminders (ทวงถาม) drafted for the offices that have not
-- acted. A form belongs to one letter and is frozen with its numbering; a
-- reply belongs to one delivery and is amended in place until the deadline.

CREATE TABLE reply_forms (
    id           BIGSERIAL PRIMARY KEY,
    document_id  BIGINT NOT NULL UNIQUE REFERENCES documents(id),
    definition   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);

CREATE TABLE replies (
    id           BIGSERIAL PRIMARY KEY,
    delivery_id  BIGINT NOT NULL UNIQUE REFERENCES deliveries(id),
    document_id  BIGINT NOT NULL REFERENCES documents(id),
    office_id    BIGINT NOT NULL REFERENCES offices(id),
    answers      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    revisions    BIGINT NOT NULL
);
CREATE INDEX replies_document ON replies (document_id);

CREATE TABLE reply_files (
    id          BIGSERIAL PRIMARY KEY,
    reply_id    BIGINT NOT NULL REFERENCES replies(id),
    field       TEXT NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       BYTEA NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX reply_files_reply ON reply_files (reply_id);

CREATE TABLE reminders (
    id           BIGSERIAL PRIMARY KEY,
    delivery_id  BIGINT NOT NULL REFERENCES deliveries(id),
    reminder_id  BIGINT NOT NULL REFERENCES documents(id),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX reminders_delivery ON reminders (delivery_id);
CREATE INDEX reminders_reminder ON reminders (reminder_id);
