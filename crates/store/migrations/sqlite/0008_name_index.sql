-- The blind index of each member's name: HMAC-SM3 under the key that
-- sealed the row (key_id) over the name's normal form
-- (dingdian_core::registry::normalise_name), domain "member.name". It lets
-- a county office find a household by its head's name without opening a
-- single sealed name. NULL until computed: rows imported before this
-- migration get theirs when the application first opens the database with
-- the key (App::open, backfill_name_indexes); a key rotation recomputes it.
ALTER TABLE members ADD COLUMN name_index BLOB;
-- Searches look for heads only: indexing heads only keeps the cost to an
-- import small (one household in three or four members).
CREATE INDEX members_head_name ON members (name_index) WHERE relation = 1;
-- The rows still waiting for their index (empty once the backfill is done,
-- so it costs new rows nothing).
CREATE INDEX members_name_missing ON members (year) WHERE name_index IS NULL;
