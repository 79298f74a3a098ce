-- A user's signature image (PNG or JPEG, checked when uploaded), printed
-- above their typed name in a document's signature block. `id` is the
-- user's id; the row is audited as `signature:{id}`.
CREATE TABLE user_signatures (
    id          INTEGER PRIMARY KEY REFERENCES users(id),
    media_type  TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    sha256      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
