-- Deliveries: one numbered letter to one office. A forwarded letter's
-- deliveries point at the delivery it forwards (parent_id) and share the
-- cascade's first letter (root_id), so a whole cascade is one tree. A
-- personalised letter (its own addressee and response-form token) is kept
-- with its delivery.

CREATE TABLE deliveries (
    id             BIGSERIAL PRIMARY KEY,
    document_id    BIGINT NOT NULL REFERENCES documents(id),
    root_id        BIGINT NOT NULL REFERENCES documents(id),
    parent_id      BIGINT REFERENCES deliveries(id),
    level          INTEGER NOT NULL,
    from_office    BIGINT NOT NULL REFERENCES offices(id),
    to_office      BIGINT NOT NULL REFERENCES offices(id),
    state          TEXT NOT NULL CHECK (state IN ('sent', 'received', 'forwarded', 'acknowledged', 'replied', 'returned')),
    deadline       TEXT,
    sent_at        TEXT NOT NULL,
    sent_by        TEXT NOT NULL,
    received_at    TEXT,
    received_by    TEXT,
    receive_entry  BIGINT REFERENCES register_entries(id),
    acted_at       TEXT,
    acted_by       TEXT,
    forward_id     BIGINT REFERENCES documents(id),
    reason         TEXT,
    token          TEXT UNIQUE,
    letter_pdf     BYTEA,
    letter_sha256  TEXT,
    UNIQUE (document_id, to_office)
);
CREATE INDEX deliveries_root ON deliveries (root_id, level);
CREATE INDEX deliveries_inbox ON deliveries (to_office, state);
CREATE INDEX deliveries_parent ON deliveries (parent_id);
