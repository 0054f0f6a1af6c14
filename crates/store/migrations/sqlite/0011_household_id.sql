-- One name for 户编号 (the glossary's household_id) in files, API, code
-- and schema. Indexes, keys and the members -> households foreign key
-- follow the renamed columns. Backups taken before this version are read
-- under the new name (store::backup::RENAMED).
ALTER TABLE households RENAME COLUMN household_code TO household_id;
ALTER TABLE members RENAME COLUMN household_code TO household_id;
