-- A constant sealed with the server key when the database is first used: a server started with
-- another key cannot open it and refuses to start, instead of sealing new secrets under a key
-- the other servers do not have. `steward key rotate` seals it again with the new key.
CREATE TABLE server_key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BLOB NOT NULL
);
