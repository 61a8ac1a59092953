-- Credentials of the provider-compatible APIs, and the per-account API request counter.

-- OVHcloud applications: the secret is needed in clear to check signatures, so it is sealed
-- with the server key.
CREATE TABLE ovh_applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    application_key TEXT NOT NULL,
    secret_sealed BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ovh_applications_key ON ovh_applications (application_key);
CREATE INDEX ovh_applications_user ON ovh_applications (user_id);

-- OVHcloud consumer keys: requested by an application, then granted by a logged-in user to
-- their own identity. Only a SHA-256 of the key is kept.
CREATE TABLE ovh_consumer_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES ovh_applications (id) ON DELETE CASCADE,
    key_hash TEXT NOT NULL,
    -- A random handle for the validation page's address (never the key itself).
    validation_id TEXT NOT NULL,
    -- JSON: [{"method": "GET", "path": "/me/*"}, ...]
    access_rules TEXT NOT NULL,
    redirection TEXT NOT NULL DEFAULT '',
    -- Set once granted: the identity the key acts as, and that user's stamp at the time.
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    user_stamp TEXT,
    created_at BIGINT NOT NULL,
    validated_at BIGINT,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX ovh_consumer_keys_hash ON ovh_consumer_keys (key_hash);
CREATE UNIQUE INDEX ovh_consumer_keys_validation ON ovh_consumer_keys (validation_id);
CREATE INDEX ovh_consumer_keys_user ON ovh_consumer_keys (user_id);

-- Tencent Cloud CAM access keys: the SecretKey signs requests (TC3-HMAC-SHA256), so it is
-- sealed with the server key.
CREATE TABLE tencent_access_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_id TEXT NOT NULL,
    secret_key_sealed BLOB NOT NULL,
    user_stamp TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX tencent_access_keys_secret_id ON tencent_access_keys (secret_id);
CREATE INDEX tencent_access_keys_user ON tencent_access_keys (user_id);

-- API requests per account and minute, shared by every app server.
CREATE TABLE api_request_counts (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    minute BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (account_id, minute)
);
