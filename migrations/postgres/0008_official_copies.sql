-- Official copies anyone can check: each numbered document's official PDF
-- gets an unguessable verification code (printed as a QR code on its first
-- page, answered at /v/{code}); a replacement (ฉบับแทนที่) records which
-- document it replaces and is recorded on the one it supersedes; drafts
-- keep their earlier versions; integrity alarms (an official copy whose
-- bytes no longer match its SHA-256) are kept for administrators.

ALTER TABLE documents ADD COLUMN verify_code TEXT;
ALTER TABLE documents ADD COLUMN replaces_id BIGINT REFERENCES documents(id);
ALTER TABLE documents ADD COLUMN superseded_by BIGINT REFERENCES documents(id);
CREATE UNIQUE INDEX documents_verify_code ON documents (verify_code);
CREATE INDEX documents_official_sha256 ON documents (official_sha256);

CREATE TABLE document_versions (
    id           BIGSERIAL PRIMARY KEY,
    document_id  BIGINT NOT NULL REFERENCES documents(id),
    version      BIGINT NOT NULL,
    content      TEXT NOT NULL,
    changed_by   TEXT NOT NULL,
    changed_at   TEXT NOT NULL,
    UNIQUE (document_id, version)
);

CREATE TABLE integrity_alarms (
    id           BIGSERIAL PRIMARY KEY,
    at           TEXT NOT NULL,
    document_id  BIGINT NOT NULL REFERENCES documents(id),
    detail       TEXT NOT NULL
);
