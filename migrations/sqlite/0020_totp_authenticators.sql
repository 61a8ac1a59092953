-- Several named authenticator apps per user, as OVHcloud's manager offers: each seed sealed with
-- the server key (context `totp:<user id>`, as before), with when it was added and last used.
-- An empty name reads as "Authenticator app" in the user's language. The step last accepted stays
-- on the user, so a code is accepted once whichever app made it.
CREATE TABLE totp_authenticators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    sealed BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX totp_authenticators_user ON totp_authenticators (user_id);
INSERT INTO totp_authenticators (user_id, sealed, created_at)
    SELECT id, totp_sealed, updated_at FROM users WHERE totp_enabled AND totp_sealed IS NOT NULL;
ALTER TABLE users DROP COLUMN totp_sealed;
