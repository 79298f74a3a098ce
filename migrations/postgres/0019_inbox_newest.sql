-- The inbox lists an office's newest deliveries first: walk them in that
-- order and stop, rather than sort every delivery the office ever had.
CREATE INDEX deliveries_inbox_newest ON deliveries (to_office, id);
