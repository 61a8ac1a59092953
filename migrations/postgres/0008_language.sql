-- The language a user chose with the switch in the header ('en' or 'fr'); NULL until they
-- choose, when the browser's Accept-Language decides.
ALTER TABLE users ADD COLUMN language TEXT;
