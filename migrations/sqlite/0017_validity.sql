-- A validity window: outside it a user cannot log in and their credentials do not work
-- (Unix seconds; NULL: no bound). The account holder is never held back by it.
ALTER TABLE users ADD COLUMN valid_from BIGINT;
ALTER TABLE users ADD COLUMN valid_until BIGINT;
-- When an Administrator last enabled the user: inactivity counts from then too.
ALTER TABLE users ADD COLUMN enabled_at BIGINT;

-- Account policies (NULL: off): users inactive this many days are disabled; temporary
-- passwords (generated, or to be changed at the next login) stop working after this many days.
ALTER TABLE accounts ADD COLUMN inactive_days INTEGER;
ALTER TABLE accounts ADD COLUMN temp_password_days INTEGER;
