-- Main accounts and the people who log in to them. Times are Unix seconds.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The account ID people see and type: '1234-567-89'.
    code TEXT NOT NULL,
    company TEXT NOT NULL,
    -- The company name lower-cased: names are unique whatever their case.
    company_key TEXT NOT NULL,
    -- Set for a sub-account: the account it belongs to.
    parent_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_code ON accounts (code);
CREATE UNIQUE INDEX accounts_company_key ON accounts (company_key) WHERE parent_id IS NULL;

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The account holder logs in with the bare account ID and has no login name.
    is_holder BOOLEAN NOT NULL DEFAULT FALSE,
    login TEXT,
    login_key TEXT,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'OK'
        CHECK (status IN ('OK', 'DISABLED', 'PASSWORD_CHANGE_REQUIRED')),
    description TEXT NOT NULL DEFAULT '',
    -- Stored in every session of the user; replacing it ends them all.
    security_stamp TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    password_updated_at BIGINT NOT NULL,
    last_login_at BIGINT,
    CHECK (is_holder OR login IS NOT NULL)
);
CREATE UNIQUE INDEX users_login_key ON users (account_id, login_key);
CREATE UNIQUE INDEX users_one_holder ON users (account_id) WHERE is_holder;
