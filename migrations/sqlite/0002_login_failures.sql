-- Failed logins in a row, per user, for throttling. Deleted on a successful login.
CREATE TABLE login_failures (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);
