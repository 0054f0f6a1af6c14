-- Assistance work (issue 11): what a unit plans, funds, spends and records
-- for a county it is paired with. Money is fen, dates 'YYYY-MM-DD', times
-- UTC seconds. Every row names its unit and county, so that every scoped
-- read is one condition on the row itself.

-- 帮扶工作规划: a unit's multi-year plan for one county. A change is a new
-- version (previous_id), the old one becomes 'superseded'.
CREATE TABLE assistance_plans (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    name TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    goals TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    previous_id INTEGER REFERENCES assistance_plans (id),
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX assistance_plans_unit ON assistance_plans (unit_id);
CREATE INDEX assistance_plans_county ON assistance_plans (county_code);

CREATE TABLE assistance_plan_villages (
    plan_id INTEGER NOT NULL REFERENCES assistance_plans (id),
    village_code TEXT NOT NULL,
    PRIMARY KEY (plan_id, village_code)
);

-- Target households, by the registry's household number (户编号).
CREATE TABLE assistance_plan_households (
    plan_id INTEGER NOT NULL REFERENCES assistance_plans (id),
    household_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, household_id)
);

-- Measures in the glossary's categories.
CREATE TABLE assistance_plan_measures (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES assistance_plans (id),
    position INTEGER NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    budget_fen INTEGER
);
CREATE INDEX assistance_plan_measures_plan ON assistance_plan_measures (plan_id);

CREATE TABLE assistance_plan_transitions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES assistance_plans (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX assistance_plan_transitions_plan ON assistance_plan_transitions (plan_id);

-- 项目库: projects under an assistance plan (unit and county copied from
-- the plan, for scoped reads).
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES assistance_plans (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT,
    budget_fen INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    implementer TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX projects_plan ON projects (plan_id);
CREATE INDEX projects_unit ON projects (unit_id);
CREATE INDEX projects_county ON projects (county_code);

CREATE TABLE project_villages (
    project_id INTEGER NOT NULL REFERENCES projects (id),
    village_code TEXT NOT NULL,
    PRIMARY KEY (project_id, village_code)
);

CREATE TABLE project_households (
    project_id INTEGER NOT NULL REFERENCES projects (id),
    household_id TEXT NOT NULL,
    PRIMARY KEY (project_id, household_id)
);

-- Outputs with their unit of measure (公里, 户, 公顷, 人次…); quantities in
-- thousandths, so that 2.5 km is 2500 and no float is stored.
CREATE TABLE project_outputs (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    name TEXT NOT NULL,
    measure TEXT NOT NULL,
    planned_milli INTEGER NOT NULL,
    achieved_milli INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX project_outputs_project ON project_outputs (project_id);

-- Every lifecycle step, dated (the day it happened) and attributed.
CREATE TABLE project_transitions (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    on_date TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX project_transitions_project ON project_transitions (project_id);

CREATE TABLE project_progress (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    on_date TEXT NOT NULL,
    text TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX project_progress_project ON project_progress (project_id);

-- Attachment bytes, addressed by their SHA-256 (hex); the media type is
-- decided from the bytes, never from the name. Shared by every record that
-- attaches files (projects now, reports later).
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

-- The file name the user gave is only shown, never used as a path.
CREATE TABLE project_attachments (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    sha256 TEXT NOT NULL REFERENCES attachments (sha256),
    file_name TEXT NOT NULL,
    caption TEXT,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX project_attachments_project ON project_attachments (project_id);

-- The funds ledger: append-only. A mistake is corrected by a 'reversal'
-- naming the entry it undoes (at most one reversal per entry).
-- kind: receipt, commitment, disbursement, expenditure, reallocation, reversal
-- source: direct, introduced, other
-- project_id: the earmark (NULL for money of the pairing as a whole);
-- to_project_id: a reallocation's new earmark.
CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    source TEXT NOT NULL,
    donor TEXT,
    project_id INTEGER REFERENCES projects (id),
    to_project_id INTEGER REFERENCES projects (id),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    entry_date TEXT NOT NULL,
    document_no TEXT,
    note TEXT,
    reverses INTEGER UNIQUE REFERENCES ledger_entries (id),
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX ledger_entries_pairing ON ledger_entries (unit_id, county_code);
CREATE INDEX ledger_entries_project ON ledger_entries (project_id);

-- One row per pairing whose money the ledger holds: the row a posting locks
-- (PostgreSQL: SELECT … FOR UPDATE) so that two postings to one pairing run
-- one after the other.
CREATE TABLE ledger_accounts (
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    PRIMARY KEY (unit_id, county_code)
);

-- Work records. Person-times, months and money are integers.
-- trainings.kind: cadres, technicians, labour_skills, revitalisation_leaders
CREATE TABLE trainings (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    place TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    trainees INTEGER NOT NULL,
    organiser TEXT NOT NULL,
    cost_fen INTEGER,
    ledger_entry_id INTEGER REFERENCES ledger_entries (id),
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX trainings_pairing ON trainings (unit_id, county_code);

-- destination: an area code, or a city's name outside the division table.
CREATE TABLE labour_transfers (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    on_date TEXT NOT NULL,
    people INTEGER NOT NULL,
    destination TEXT NOT NULL,
    employer TEXT NOT NULL,
    months INTEGER NOT NULL,
    income_fen INTEGER NOT NULL,
    jobs_offered INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX labour_transfers_pairing ON labour_transfers (unit_id, county_code);

-- kind: bought (by the unit or its staff), sold (with the unit's help).
-- county_code: the county of origin of the products.
CREATE TABLE consumption_records (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    product TEXT NOT NULL,
    quantity TEXT,
    value_fen INTEGER NOT NULL,
    buyer TEXT,
    supplier TEXT,
    channel TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX consumption_records_pairing ON consumption_records (unit_id, county_code);

-- 定点帮扶责任书: a unit's targets for a year, set by the office, signed
-- (recorded) by the unit. county_code NULL: all the unit's counties.
-- status: set, signed
CREATE TABLE letters (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT REFERENCES areas (code),
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    set_by INTEGER REFERENCES users (id),
    set_at INTEGER NOT NULL,
    signed_by INTEGER REFERENCES users (id),
    signed_at INTEGER,
    signed_on TEXT
);
CREATE INDEX letters_unit_year ON letters (unit_id, year);

-- indicator: direct_funds, introduced_funds, cadres_trained,
-- technicians_trained, products_bought, products_sold (money in fen).
CREATE TABLE letter_targets (
    letter_id INTEGER NOT NULL REFERENCES letters (id),
    indicator TEXT NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (letter_id, indicator)
);
