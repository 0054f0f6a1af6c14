-- The audit log's hash chain (dingdian_core::audit): each record stores the
-- previous record's hash and its own, SM3 over its canonical form. Existing
-- records are chained, in id order from the genesis, by the Rust step that
-- runs right after this file in the same transaction (migrate.rs).
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- Append-only: a sealed record (one with its hash) can be neither changed
-- nor deleted. The only update allowed is the one-time sealing of a record
-- written before this migration.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be deleted');
END;
