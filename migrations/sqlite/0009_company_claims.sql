-- Company names claimed across all accounts. Gcore's `POST /iam/clients/create` promises a
-- company name no other account has; the per-parent index `accounts_sub_name` cannot keep that
-- promise when two parents create the same name at once, and a look-up before the insert
-- races. A client made that way claims its name here, in the transaction that creates it: the
-- unique key lets exactly one of two simultaneous claims commit. The claim keeps the name the
-- client was created with and goes with its account.
CREATE TABLE company_claims (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    company_key TEXT NOT NULL
);
CREATE UNIQUE INDEX company_claims_key ON company_claims (company_key);
