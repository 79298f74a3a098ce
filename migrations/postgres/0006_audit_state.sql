-- Each audit event may carry the hash of the row state it wrote
-- (`store::audit::rows`), so that `audit verify` notices rows changed
-- behind saraban's back. `covered` turns 1 once every row written before
-- this migration has its `audit.baseline` event (`store::audit::baseline`,
-- run by the application right after migrating).

ALTER TABLE audit_events ADD COLUMN state_sha256 TEXT;
ALTER TABLE audit_head ADD COLUMN covered INTEGER NOT NULL DEFAULT 0;
