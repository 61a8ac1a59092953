-- How many delegated users each account and each group has (an account holder not counted),
-- kept by the database on every insert, delete and change of group, whichever path makes it.
-- The users page shows the account's total on every load, and every list of groups shows their
-- sizes: counting an account's 10,000 users each time cost more than the rest of the page.
ALTER TABLE accounts ADD COLUMN user_count BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET user_count =
    (SELECT COUNT(*) FROM users u WHERE u.account_id = accounts.id AND NOT u.is_holder);
ALTER TABLE user_groups ADD COLUMN user_count BIGINT NOT NULL DEFAULT 0;
UPDATE user_groups SET user_count =
    (SELECT COUNT(*) FROM users u WHERE u.group_id = user_groups.id AND NOT u.is_holder);

-- A move updates both groups in one statement, whose index scan takes their row locks in id
-- order: two opposite moves at once wait for each other instead of deadlocking.
CREATE FUNCTION users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE accounts SET user_count = user_count + 1 WHERE id = NEW.account_id;
        UPDATE user_groups SET user_count = user_count + 1 WHERE id = NEW.group_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE accounts SET user_count = user_count - 1 WHERE id = OLD.account_id;
        UPDATE user_groups SET user_count = user_count - 1 WHERE id = OLD.group_id;
    ELSE
        UPDATE user_groups
            SET user_count = user_count + CASE WHEN id = NEW.group_id THEN 1 ELSE -1 END
            WHERE id IN (OLD.group_id, NEW.group_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_count_insert AFTER INSERT ON users
    FOR EACH ROW WHEN (NOT NEW.is_holder) EXECUTE FUNCTION users_count();
CREATE TRIGGER users_count_delete AFTER DELETE ON users
    FOR EACH ROW WHEN (NOT OLD.is_holder) EXECUTE FUNCTION users_count();
CREATE TRIGGER users_count_move AFTER UPDATE OF group_id ON users
    FOR EACH ROW WHEN (NOT NEW.is_holder AND OLD.group_id <> NEW.group_id)
    EXECUTE FUNCTION users_count();
