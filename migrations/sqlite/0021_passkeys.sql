-- Security keys and passkeys (WebAuthn). A user's handle is 16 random bytes given to the
-- authenticator at registration and returned by it at a passwordless sign-in; it says nothing
-- about the user. Each credential is webauthn-rs's `Passkey` as JSON (public key, counter,
-- flags: public data, so not sealed). `sign_count` mirrors its counter so that an assertion is
-- stored only if the counter moved on (or is 0, as synced passkeys report).
ALTER TABLE users ADD COLUMN webauthn_handle BLOB;
CREATE UNIQUE INDEX users_webauthn_handle ON users (webauthn_handle);
CREATE TABLE webauthn_credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL,
    name TEXT NOT NULL,
    credential TEXT NOT NULL,
    discoverable BOOLEAN NOT NULL DEFAULT FALSE,
    sign_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX webauthn_credentials_credential ON webauthn_credentials (credential_id);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);
-- Administrators must sign in with a security key or passkey (phishing-resistant).
ALTER TABLE accounts ADD COLUMN require_key_admins BOOLEAN NOT NULL DEFAULT FALSE;
