-- Office templates (แม่แบบหนังสือ): a draft's content saved under a name,
-- to start new drafts from. Each belongs to one office; nobody else sees it.

CREATE TABLE office_templates (
    id          BIGSERIAL PRIMARY KEY,
    office_id   BIGINT NOT NULL REFERENCES offices(id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    content     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (office_id, name)
);
