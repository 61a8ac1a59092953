-- Accounts, their groups and users, and one-time reveals of generated secrets.
-- Times are Unix seconds. Kept in step with migrations/postgres/ (same file names).

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

-- Privileges come from groups; ADMIN, DEFAULT and UNPRIVILEGED are built in.
CREATE TABLE user_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('UNPRIVILEGED', 'REGULAR', 'ADMIN')),
    description TEXT NOT NULL DEFAULT '',
    built_in BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_groups_name_key ON user_groups (account_id, name_key);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The account holder logs in with the bare account ID and has no login name.
    is_holder BOOLEAN NOT NULL DEFAULT FALSE,
    login TEXT,
    login_key TEXT,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- No cascade: a group that still has users cannot be deleted.
    group_id INTEGER NOT NULL REFERENCES user_groups (id),
    description TEXT NOT NULL DEFAULT '',
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    password_change_required BOOLEAN NOT NULL DEFAULT FALSE,
    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
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
-- The user list sorts and pages within one account.
CREATE INDEX users_account_created ON users (account_id, created_at, id);
CREATE INDEX users_account_email ON users (account_id, lower(email));
CREATE INDEX users_account_last_login ON users (account_id, last_login_at);
CREATE INDEX users_group ON users (group_id);

-- A generated secret waiting to be shown once to the user who caused it, sealed with the
-- server key; the row is deleted as it is read.
CREATE TABLE reveals (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX reveals_expires ON reveals (expires_at);
