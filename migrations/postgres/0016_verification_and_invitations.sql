-- Whether a user's address is theirs: set when they follow a link mailed to it, cleared when
-- the address changes. Addresses from before this migration are not verified.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

-- Single-use links that verify an address, kept as the SHA-256 of their token. `email` is the
-- address the link was mailed to: a link verifies nothing once the user's address has changed.
CREATE TABLE email_verifications (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_verifications_user ON email_verifications (user_id, created_at);

-- The address a password link was mailed to (none for the operator's links): choosing a new
-- password with it also verifies that address.
ALTER TABLE password_resets ADD COLUMN email TEXT;

-- Invitations: a user added without a password chooses one with a link mailed to them. The
-- link is a password link of purpose 'invitation' (longer-lived); `invited_at` marks the user
-- whose invitation is pending, until they choose their password.
ALTER TABLE password_resets ADD COLUMN purpose TEXT NOT NULL DEFAULT 'reset';
ALTER TABLE users ADD COLUMN invited_at BIGINT;
