-- OVHcloud consumer keys minted through another key (`createConsumerKey` under
-- `/me/subAccount/{id}/`) record the key they were minted through, and die with it: deleting a
-- key deletes every key minted through it, and a key works only while every key above it does.
ALTER TABLE ovh_consumer_keys ADD COLUMN parent_key_id INTEGER REFERENCES ovh_consumer_keys (id) ON DELETE CASCADE;
CREATE INDEX ovh_consumer_keys_parent ON ovh_consumer_keys (parent_key_id);
