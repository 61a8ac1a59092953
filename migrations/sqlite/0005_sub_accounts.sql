-- Sub-accounts (accounts with a parent), account API credentials, and personal API tokens.
-- A sub-account's name is kept in `company`; it is unique among its parent's sub-accounts.

ALTER TABLE accounts ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
-- API requests per minute made with the account's credentials.
ALTER TABLE accounts ADD COLUMN rate_limit BIGINT NOT NULL DEFAULT 1000;
ALTER TABLE accounts ADD COLUMN allow_calls BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE accounts ADD COLUMN allow_cdr BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE accounts ADD COLUMN kyc_mode TEXT NOT NULL DEFAULT 'personal_use';
ALTER TABLE accounts ADD COLUMN kyc_calls_blocked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN business_type TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
-- Account API credentials: 'MA_...' or 'SA_...' with a token of which only a SHA-256 is kept.
ALTER TABLE accounts ADD COLUMN auth_id TEXT;
ALTER TABLE accounts ADD COLUMN auth_token_hash TEXT;
ALTER TABLE accounts ADD COLUMN credentials_at BIGINT;

CREATE UNIQUE INDEX accounts_auth_id ON accounts (auth_id);
CREATE UNIQUE INDEX accounts_sub_name ON accounts (parent_id, company_key) WHERE parent_id IS NOT NULL;
CREATE INDEX accounts_parent_created ON accounts (parent_id, created_at, id);

-- Personal API tokens, '<id>_<secret>': they act as their user, with at most the user's role.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('UNPRIVILEGED', 'REGULAR', 'ADMIN')),
    -- SHA-256 of the whole token; the token itself is shown once and never stored.
    secret_hash TEXT NOT NULL,
    -- The user's security stamp when the token was made: when it changes (password or privilege
    -- changed, user disabled), the token is dead.
    user_stamp TEXT NOT NULL,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);
