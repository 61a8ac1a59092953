-- Who issued the account's API credentials (created or last rotated them): they act as the
-- holder, so they work only while that person is an enabled Administrator. NULL: the operator
-- (the command line) or credentials issued before this column existed.
ALTER TABLE accounts ADD COLUMN auth_issued_by BIGINT;
