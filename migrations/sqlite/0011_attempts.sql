-- Failed attempts at a user's secrets (password, second factor), counted per source so that a
-- stranger cannot lock the owner out: strangers share the bucket '', and each browser the user
-- has logged in from before counts in a bucket of its own ('device:ID').
CREATE TABLE login_failures_by_bucket (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, bucket)
);
INSERT INTO login_failures_by_bucket (user_id, bucket, failures, last_failure_at)
    SELECT user_id, '', failures, last_failure_at FROM login_failures;
DROP TABLE login_failures;
ALTER TABLE login_failures_by_bucket RENAME TO login_failures;

-- Browsers that have logged in as a user: the device cookie holds the secret, the database its
-- SHA-256. Only the most recent few per user are kept.
CREATE TABLE known_devices (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX known_devices_user ON known_devices (user_id, last_used_at);
