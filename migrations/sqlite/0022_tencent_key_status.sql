-- Tencent Cloud CAM access keys can be made inactive (they sign nothing until active again)
-- and carry a description, as CAM's CreateAccessKey and UpdateAccessKey set them.
ALTER TABLE tencent_access_keys ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE tencent_access_keys ADD COLUMN description TEXT NOT NULL DEFAULT '';
