-- The funds ledger is append-only: a posted entry is never changed or
-- deleted; a mistake is corrected by a reversal. (A restore lifts these
-- triggers while it empties and refills the table, as it does the audit
-- log's.)
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: a posted entry cannot be changed; post a reversal');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: a posted entry cannot be deleted; post a reversal');
END;
