-- E-mail in and out (issue 18 §3, notices of issue 19). An office's
-- central mailbox (SMTP to send, IMAP to fetch) and whether it is outside
-- saraban (letters to it go by e-mail to offices.email). The mailbox
-- password is never stored: `password` names where it is (env:VAR or
-- file:/path). A delivery sent by e-mail has a mail_deliveries row (same
-- id) with its Message-ID and what came back (a reply or a bounce).
-- Messages fetched over IMAP wait in mail_messages for the clerk; the
-- same message is never fetched twice (UNIQUE office + Message-ID, and
-- the last UID seen). Notices of new work to users with an address:
-- urgent ones sent at once, the rest in a daily digest.

CREATE TABLE office_mail (
    id             BIGINT PRIMARY KEY REFERENCES offices(id),
    outside        BIGINT NOT NULL DEFAULT 0,
    smtp_host      TEXT NOT NULL DEFAULT '',
    smtp_port      BIGINT NOT NULL DEFAULT 0,
    smtp_security  TEXT NOT NULL DEFAULT 'starttls' CHECK (smtp_security IN ('starttls', 'tls', 'none')),
    smtp_username  TEXT NOT NULL DEFAULT '',
    imap_host      TEXT NOT NULL DEFAULT '',
    imap_port      BIGINT NOT NULL DEFAULT 0,
    imap_security  TEXT NOT NULL DEFAULT 'tls' CHECK (imap_security IN ('starttls', 'tls', 'none')),
    imap_username  TEXT NOT NULL DEFAULT '',
    imap_folder    TEXT NOT NULL DEFAULT 'INBOX',
    from_address   TEXT NOT NULL DEFAULT '',
    password       TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL
);

CREATE TABLE mail_fetch_state (
    office_id     BIGINT PRIMARY KEY REFERENCES offices(id),
    uid_validity  BIGINT NOT NULL,
    last_uid      BIGINT NOT NULL,
    fetched_at    TEXT NOT NULL
);

CREATE TABLE user_emails (
    id          BIGINT PRIMARY KEY REFERENCES users(id),
    email       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE mail_messages (
    id            BIGSERIAL PRIMARY KEY,
    office_id     BIGINT NOT NULL REFERENCES offices(id),
    message_id    TEXT NOT NULL,
    uid           BIGINT NOT NULL,
    from_address  TEXT NOT NULL,
    subject       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('letter', 'reply', 'bounce')),
    delivery_id   BIGINT REFERENCES deliveries(id),
    sha256        TEXT NOT NULL,
    raw           BYTEA NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'registered', 'dismissed', 'recorded')),
    upload_id     BIGINT,
    received_id   BIGINT REFERENCES received_letters(id),
    fetched_at    TEXT NOT NULL,
    decided_at    TEXT,
    decided_by    TEXT,
    UNIQUE (office_id, message_id)
);
CREATE INDEX mail_messages_pending ON mail_messages (office_id, state);

CREATE TABLE mail_deliveries (
    id             BIGINT PRIMARY KEY REFERENCES deliveries(id),
    office_id      BIGINT NOT NULL REFERENCES offices(id),
    address        TEXT NOT NULL,
    message_id     TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'replied', 'bounced')),
    error          TEXT,
    sent_at        TEXT,
    answer_id      BIGINT REFERENCES mail_messages(id),
    answered_at    TEXT,
    bounce_status  TEXT
);
CREATE INDEX mail_deliveries_office ON mail_deliveries (office_id);

CREATE TABLE mail_notices (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    item_id     BIGINT NOT NULL REFERENCES work_items(id),
    urgent      BIGINT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    error       TEXT
);
CREATE INDEX mail_notices_waiting ON mail_notices (sent_at, user_id);
