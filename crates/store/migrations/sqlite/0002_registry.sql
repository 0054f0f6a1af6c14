-- The national poverty line by year, in fen; shipped values, amendable by the office.
CREATE TABLE poverty_lines (
    year INTEGER PRIMARY KEY,
    line_fen INTEGER NOT NULL,
    note TEXT,
    updated_at INTEGER NOT NULL
);

-- Area statistics (统计数据): rural population and income per county and year.
CREATE TABLE area_statistics (
    year INTEGER NOT NULL,
    area_code TEXT NOT NULL REFERENCES areas (code),
    rural_population INTEGER NOT NULL,
    rural_income_fen INTEGER,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (year, area_code)
);

-- Registry households (建档立卡户), one row per household and year. The
-- county code is the distribution key.
CREATE TABLE households (
    year INTEGER NOT NULL,
    household_code TEXT NOT NULL,
    county_code TEXT NOT NULL,
    village_code TEXT NOT NULL,
    income_fen INTEGER NOT NULL,
    status INTEGER NOT NULL,
    identified_year INTEGER NOT NULL,
    exit_year INTEGER,
    cause INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (year, household_code)
);
CREATE INDEX households_county ON households (county_code, year);
CREATE INDEX households_village ON households (village_code, year);

-- Registry members. ID number and name are stored only as SM4-GCM
-- ciphertext; `id_index` is the HMAC-SM3 blind index for exact search and
-- duplicate detection; `key_id` names the key that sealed them.
CREATE TABLE members (
    year INTEGER NOT NULL,
    id_index BLOB NOT NULL,
    household_code TEXT NOT NULL,
    county_code TEXT NOT NULL,
    id_cipher BLOB NOT NULL,
    name_cipher BLOB NOT NULL,
    key_id TEXT NOT NULL,
    relation INTEGER NOT NULL,
    sex INTEGER NOT NULL,
    birth_year INTEGER NOT NULL,
    PRIMARY KEY (year, id_index),
    FOREIGN KEY (year, household_code) REFERENCES households (year, household_code)
);
CREATE INDEX members_household ON members (year, household_code);
CREATE INDEX members_county ON members (county_code, year);

-- Long work (imports, exports): progress lives in memory while running,
-- the outcome is recorded here.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    file_name TEXT,
    total INTEGER,
    done INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    result TEXT,
    user_id INTEGER,
    username TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
