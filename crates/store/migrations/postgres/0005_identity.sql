-- Identity (MLPS level 3): the second factor, demo accounts, accounts
-- awaiting their role.
--
-- totp_secret: the TOTP secret sealed with the personal-data key (SM4-GCM,
--   associated data "users.totp_secret"); NULL when the account has no
--   second factor.
-- totp_pending: a secret being enrolled, sealed the same way ("users.totp_pending"),
--   until the account confirms it with a code.
-- totp_last_step: the last 30-second step accepted, so a code is never
--   accepted twice.
-- demo: made by the demo loader; refused unless the server runs with --demo.
-- An empty role ('') is an account the administrator made and the security
-- administrator has not yet given a role; it cannot sign in.
ALTER TABLE users ADD COLUMN totp_secret BYTEA;
ALTER TABLE users ADD COLUMN totp_pending BYTEA;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE users ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
