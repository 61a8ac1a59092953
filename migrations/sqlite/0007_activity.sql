-- The activity log: every state change and security event, written in the transaction of the
-- change. An audit trail outlives what it describes, so there are no foreign keys: the events
-- of a removed user or a deleted sub-account stay (as text) until retention prunes them.
CREATE TABLE activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    -- Where it happened, and the top-level account above it (itself when it has no parent):
    -- an Administrator of a parent sees the events of its sub-accounts through `root_id`.
    account_id BIGINT NOT NULL,
    root_id BIGINT NOT NULL,
    -- Who: the user (absent when unknown, as for a failed login to a missing user), their login
    -- ID as text, lower-cased for filtering, the credential used, and the account they came from
    -- when acting in a sub-account.
    actor_user_id BIGINT,
    actor TEXT NOT NULL,
    actor_key TEXT NOT NULL,
    via TEXT NOT NULL,
    key_id TEXT,
    acting_from TEXT,
    -- What: `user.create`, `login`, ...; what it concerned, lower-cased copy for filtering.
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    target_key TEXT NOT NULL,
    -- `success` or `failure`, and for a failure why (never a value the user typed).
    result TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
-- Newest first within each scope (a parent with its sub-accounts, one account, one user), and
-- for each filter: every page is an index range, however many events there are.
CREATE INDEX activity_root ON activity (root_id, at, id);
CREATE INDEX activity_account ON activity (account_id, at, id);
CREATE INDEX activity_actor_user ON activity (actor_user_id, at, id);
CREATE INDEX activity_root_action ON activity (root_id, action, at, id);
CREATE INDEX activity_root_actor ON activity (root_id, actor_key, at, id);
CREATE INDEX activity_root_target ON activity (root_id, target_key, at, id);
CREATE INDEX activity_at ON activity (at);
