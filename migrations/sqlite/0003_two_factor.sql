-- Two-factor authentication: the TOTP seed sealed with the server key (active, and pending
-- while being enrolled), the last time step accepted (a code is accepted once), and recovery
-- codes stored as SHA-256 hashes, each usable once.
ALTER TABLE users ADD COLUMN totp_sealed BLOB;
ALTER TABLE users ADD COLUMN totp_pending_sealed BLOB;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id, code_hash);

-- The account's policy: who must use two-factor authentication.
ALTER TABLE accounts ADD COLUMN require_2fa_admins BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN require_2fa_all BOOLEAN NOT NULL DEFAULT FALSE;
