-- Letters read in from text or PDF files, and the numbers they cite.
-- A citation is kept by number and date, never by row id, so a link to a
-- letter imported later appears by itself, whatever the import order.

CREATE TABLE imported_letters (
    id             BIGSERIAL PRIMARY KEY,
    sha256         TEXT NOT NULL UNIQUE,
    source_name    TEXT NOT NULL,
    source         BYTEA NOT NULL,
    fields         TEXT NOT NULL,
    number_key     TEXT,
    printed        TEXT,
    date           TEXT,
    subject        TEXT NOT NULL DEFAULT '',
    issuer         TEXT NOT NULL DEFAULT '',
    received_by    BIGINT REFERENCES offices(id),
    receive_entry  BIGINT REFERENCES register_entries(id),
    imported_at    TEXT NOT NULL
);
CREATE INDEX imported_letters_number ON imported_letters (number_key, date);

CREATE TABLE citations (
    id           BIGSERIAL PRIMARY KEY,
    from_letter  BIGINT NOT NULL REFERENCES imported_letters(id),
    number_key   TEXT NOT NULL,
    printed      TEXT NOT NULL,
    date         TEXT,
    issuer       TEXT,
    source       TEXT NOT NULL CHECK (source IN ('reference_line', 'body'))
);
CREATE INDEX citations_target ON citations (number_key, date);
CREATE INDEX citations_from ON citations (from_letter);
CREATE INDEX doc_references_ext_date ON doc_references (ext_number, ext_date);
