-- Each login's visible record, for the Security page's list of sessions. The id is a random
-- handle kept in the session's data, not the session cookie; deleting the row ends the session.
CREATE TABLE user_sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The security stamp at login: when the user's changes, this session is over.
    stamp TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    started_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id, last_seen_at);
