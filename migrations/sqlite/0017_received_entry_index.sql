-- A register row finds its letter from outside (for the secrecy of its subject).
CREATE INDEX received_letters_entry ON received_letters (receive_entry);
