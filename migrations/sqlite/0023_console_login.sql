-- Tencent Cloud CAM's ConsoleLogin: a user who may not log in to the panel (their API keys
-- still work), and the address of each user's last login (CAM's RecentlyLoginIP).
ALTER TABLE users ADD COLUMN console_login BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN last_login_ip TEXT;
