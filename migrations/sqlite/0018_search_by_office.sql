-- Nothing to do on SQLite: PostgreSQL's search index now holds each
-- document's office beside its text (migrations/postgres/0018), while the
-- FTS5 trigram table here stops at its limit by itself and needs no help.
-- Kept so that both databases carry the same migration numbers.
SELECT 1;
