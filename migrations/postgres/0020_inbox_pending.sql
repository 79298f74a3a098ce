-- The pending inbox (letters not yet acted on): only the deliveries still
-- pending, newest first, rather than the office's whole history filtered.
CREATE INDEX deliveries_inbox_pending ON deliveries (to_office, id)
    WHERE state IN ('sent', 'received');
