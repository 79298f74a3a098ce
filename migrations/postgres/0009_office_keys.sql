-- The key each office signs its official copies with: a PKCS #12 file,
-- encrypted with a password that is never stored here (it comes from
-- SARABAN_SIGNING_PASSWORD or the file SARABAN_SIGNING_PASSWORD_FILE).
CREATE TABLE office_keys (
    office_id           BIGINT PRIMARY KEY REFERENCES offices(id),
    pkcs12              BYTEA NOT NULL,
    subject             TEXT NOT NULL,
    certificate_sha256  TEXT NOT NULL,
    installed_at        TEXT NOT NULL,
    installed_by        TEXT NOT NULL
);
