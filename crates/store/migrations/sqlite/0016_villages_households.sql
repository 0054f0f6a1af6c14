-- Villages and households (issue 12): a county's poor villages (贫困村)
-- with their resident work teams (驻村工作队), and for each registry
-- household its helpers (帮扶责任人), assistance measures and the helpers'
-- home visits. Dates 'YYYY-MM-DD', times UTC seconds. Every row carries
-- county_code, so that a scoped read is one condition on the row itself.
-- A household is the registry's household_id (any year) in county_code.

-- A village the county marks as poor.
CREATE TABLE poor_villages (
    village_code TEXT PRIMARY KEY REFERENCES areas (code),
    county_code TEXT NOT NULL REFERENCES areas (code),
    marked_by INTEGER REFERENCES users (id),
    marked_at INTEGER NOT NULL
);
CREATE INDEX poor_villages_county ON poor_villages (county_code);

-- A member of a village's work team: a seconded cadre (secondment_id) or a
-- local official (person_name, post). role: first_secretary | member.
CREATE TABLE village_team_members (
    id INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES poor_villages (village_code),
    county_code TEXT NOT NULL REFERENCES areas (code),
    secondment_id INTEGER REFERENCES secondments (id),
    person_name TEXT,
    post TEXT,
    role TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    CHECK ((secondment_id IS NULL) <> (person_name IS NULL))
);
CREATE INDEX village_team_members_village ON village_team_members (village_code);
CREATE INDEX village_team_members_county ON village_team_members (county_code);

-- A household's helper: a seconded cadre or a local official.
CREATE TABLE household_helpers (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES areas (code),
    secondment_id INTEGER REFERENCES secondments (id),
    person_name TEXT,
    post TEXT,
    phone TEXT,
    from_date TEXT NOT NULL,
    to_date TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    CHECK ((secondment_id IS NULL) <> (person_name IS NULL))
);
CREATE INDEX household_helpers_household ON household_helpers (county_code, household_id);

-- category: industry, employment, education, health, relocation, housing,
-- social_security.
CREATE TABLE household_measures (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES areas (code),
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    on_date TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX household_measures_household ON household_measures (county_code, household_id);

CREATE TABLE home_visits (
    id INTEGER PRIMARY KEY,
    helper_id INTEGER NOT NULL REFERENCES household_helpers (id),
    household_id TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES areas (code),
    visited_on TEXT NOT NULL,
    found TEXT NOT NULL,
    done TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX home_visits_helper ON home_visits (helper_id, visited_on);
CREATE INDEX home_visits_household ON home_visits (county_code, household_id);
