-- Pages read newest-first and in register order without sorting the table.
CREATE INDEX documents_office_newest ON documents (office_id, id);
CREATE INDEX register_entries_order ON register_entries (office_id, register, year, id);
