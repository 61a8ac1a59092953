-- OVHcloud consumer keys minted through another key (`createConsumerKey` under
-- `/me/subAccount/{id}/`) record the key they were minted through, and die with it: deleting a
-- key deletes every key minted through it, and a key works only while every key above it does.
ALTER TABLE ovh_consumer_keys ADD COLUMN parent_key_id BIGINT REFERENCES ovh_consumer_keys (id) ON DELETE CASCADE;
CREATE INDEX ovh_consumer_keys_parent ON ovh_consumer_keys (parent_key_id);

-- The application owner's security stamp when the key was granted or minted. A key works only
-- while its application's owner is an enabled Administrator under that same stamp: demoting,
-- disabling or removing the owner (or their password changing) ends the keys for good, whatever
-- path made the change. Keys granted before this column existed take the owner's stamp now.
ALTER TABLE ovh_consumer_keys ADD COLUMN owner_stamp TEXT;
UPDATE ovh_consumer_keys SET owner_stamp = (
    SELECT u.security_stamp FROM ovh_applications a JOIN users u ON u.id = a.user_id
    WHERE a.id = ovh_consumer_keys.application_id
) WHERE user_id IS NOT NULL;
