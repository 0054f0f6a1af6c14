-- A job keeps at most the first 1 000 errors of an import; this counts the
-- errors left out, so that pages can say how many there were in all.
ALTER TABLE jobs ADD COLUMN errors_omitted BIGINT NOT NULL DEFAULT 0;
