-- How many delegated users each account has (its holder not counted), kept by the database on
-- every insert and delete, whichever path makes the change. The users page shows the total on
-- every load; counting an account's 10,000 users each time cost more than the rest of the page.
ALTER TABLE accounts ADD COLUMN user_count BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET user_count =
    (SELECT COUNT(*) FROM users u WHERE u.account_id = accounts.id AND NOT u.is_holder);

CREATE TRIGGER users_count_insert AFTER INSERT ON users WHEN NOT NEW.is_holder
BEGIN
    UPDATE accounts SET user_count = user_count + 1 WHERE id = NEW.account_id;
END;

CREATE TRIGGER users_count_delete AFTER DELETE ON users WHEN NOT OLD.is_holder
BEGIN
    UPDATE accounts SET user_count = user_count - 1 WHERE id = OLD.account_id;
END;
