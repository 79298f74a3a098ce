-- The pending inbox (letters not yet acted on) walked the office's whole
-- history newest first through deliveries_inbox_newest, skipping every
-- delivery already forwarded, acknowledged, replied to or returned: 29 ms
-- for an office with 100,000 of them and none pending. This index holds
-- only the pending ones, in the same order (0.002 ms).
CREATE INDEX deliveries_inbox_pending ON deliveries (to_office, id)
    WHERE state IN ('sent', 'received');
