-- Monitoring of all rural households (from 2021): households outside the
-- registry, entered by their county, with their members sealed exactly as
-- registry members (0002): ID number and name only as SM4-GCM ciphertext,
-- id_index the HMAC-SM3 blind index (one person in one rural household at
-- most), name_index that of the name, key_id the key that sealed them.
-- household_id is 'R' + the county code + '-' + a five-digit number within
-- the county (R623023-00001): the prefix keeps it apart from registry ids,
-- which are the registry's digits. year: the year of the income figure.
CREATE TABLE rural_households (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL UNIQUE,
    county_code TEXT NOT NULL REFERENCES areas (code),
    village TEXT NOT NULL,
    year INTEGER NOT NULL,
    income_per_capita_fen INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX rural_households_county ON rural_households (county_code, year);

CREATE TABLE rural_members (
    id INTEGER PRIMARY KEY,
    rural_household_id INTEGER NOT NULL REFERENCES rural_households (id),
    id_index BLOB NOT NULL UNIQUE,
    id_cipher BLOB NOT NULL,
    name_cipher BLOB NOT NULL,
    name_index BLOB NOT NULL,
    key_id TEXT NOT NULL,
    relation INTEGER NOT NULL,
    sex INTEGER NOT NULL,
    birth_year INTEGER NOT NULL
);
CREATE INDEX rural_members_household ON rural_members (rural_household_id);

-- Where a monitored household comes from: registry | rural.
ALTER TABLE monitored_households ADD COLUMN origin TEXT NOT NULL DEFAULT 'registry';
CREATE INDEX monitored_households_origin ON monitored_households (county_code, origin, status);
