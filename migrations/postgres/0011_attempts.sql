-- Failed attempts at a user's secrets (password, second factor), counted per source so that a
-- stranger cannot lock the owner out: strangers share the bucket '', and each browser the user
-- has logged in from before counts in a bucket of its own ('device:ID').
ALTER TABLE login_failures ADD COLUMN bucket TEXT NOT NULL DEFAULT '';
ALTER TABLE login_failures ALTER COLUMN bucket DROP DEFAULT;
ALTER TABLE login_failures DROP CONSTRAINT login_failures_pkey;
ALTER TABLE login_failures ADD PRIMARY KEY (user_id, bucket);

-- Browsers that have logged in as a user: the device cookie holds the secret, the database its
-- SHA-256. Only the most recent few per user are kept.
CREATE TABLE known_devices (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX known_devices_user ON known_devices (user_id, last_used_at);
