-- The inbox lists an office's newest deliveries first. The (to_office,
-- state) index left SQLite reading every delivery the office ever had and
-- sorting them (a temporary B-tree) to keep the newest 50; this one walks
-- them newest first and stops.
CREATE INDEX deliveries_inbox_newest ON deliveries (to_office, id);
