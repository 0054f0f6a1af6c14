-- The optional extended registry fields (see crates/core/src/registry/extended.rs).
-- NULL is "not given". Household fields: type, other causes (one bit per
-- cause code), the four income components in fen per household and year,
-- the basic-guarantee flags (1 yes, 0 no).
ALTER TABLE households ADD COLUMN household_type SMALLINT;
ALTER TABLE households ADD COLUMN other_causes INTEGER;
ALTER TABLE households ADD COLUMN wage_income_fen BIGINT;
ALTER TABLE households ADD COLUMN business_income_fen BIGINT;
ALTER TABLE households ADD COLUMN property_income_fen BIGINT;
ALTER TABLE households ADD COLUMN transfer_income_fen BIGINT;
ALTER TABLE households ADD COLUMN food_secure SMALLINT;
ALTER TABLE households ADD COLUMN clothing_secure SMALLINT;
ALTER TABLE households ADD COLUMN education_secure SMALLINT;
ALTER TABLE households ADD COLUMN medical_secure SMALLINT;
ALTER TABLE households ADD COLUMN housing_secure SMALLINT;
ALTER TABLE households ADD COLUMN water_secure SMALLINT;

-- Member fields. Health is sensitive personal data: read only through the
-- scoped registry reads.
ALTER TABLE members ADD COLUMN health SMALLINT;
ALTER TABLE members ADD COLUMN education SMALLINT;
ALTER TABLE members ADD COLUMN labour_skill SMALLINT;
ALTER TABLE members ADD COLUMN migrant_work SMALLINT;

-- The rejects file of a finished import job (CSV, sealed with the
-- personal-data key: it holds ID numbers and names as the user sent them).
ALTER TABLE jobs ADD COLUMN rejects BYTEA;
-- The county of the user who started a job (NULL for nationwide users), so
-- that another importer of the same county may follow it.
ALTER TABLE jobs ADD COLUMN county TEXT;
