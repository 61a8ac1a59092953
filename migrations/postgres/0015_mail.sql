-- Outgoing mail, queued in the transaction of the change that sends it and delivered by a
-- worker with retries (the outbox). The bodies hold single-use links: they are sealed with the
-- server key (context 'mail:' || id) and removed once the mail is sent or given up.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- What it is about ('password_reset'), for the Administrators' list.
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    sealed BYTEA,
    -- 'queued', 'sent' or 'failed' (given up after its last attempt).
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- The SMTP server's answer to the last failed attempt.
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
CREATE INDEX mail_outbox_account ON mail_outbox (account_id, created_at);

-- Single-use links to choose a new password ("Forgot your password?", `steward user
-- reset-password`): only the SHA-256 of the token is kept.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
