-- IP rules: the ranges an account (or a sub-account) accepts or denies, and its default, as the
-- JSON of `domain::ip_rules::IpPolicy`; NULL lets every address in. Read with the account on
-- every request, so kept beside it rather than in a table of rows. A personal API token and an
-- OVHcloud consumer key may carry their own allowed ranges (JSON list of CIDR ranges).
ALTER TABLE accounts ADD COLUMN ip_policy TEXT;
ALTER TABLE api_tokens ADD COLUMN allowed_ips TEXT;
ALTER TABLE ovh_consumer_keys ADD COLUMN allowed_ips TEXT;
