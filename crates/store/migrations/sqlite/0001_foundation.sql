-- Areas: provinces, prefectures, counties, townships, villages (GB/T 2260).
CREATE TABLE areas (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT,
    old_revolutionary INTEGER NOT NULL DEFAULT 0,
    ethnic INTEGER NOT NULL DEFAULT 0,
    border INTEGER NOT NULL DEFAULT 0,
    contiguous_area TEXT,
    exit_year INTEGER
);
CREATE INDEX areas_parent ON areas (parent_code);
CREATE INDEX areas_level ON areas (level);

-- County lists with a period: the 2012 key counties, the 832 poor counties...
CREATE TABLE county_lists (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    start_year INTEGER NOT NULL,
    end_year INTEGER,
    partial INTEGER NOT NULL DEFAULT 0,
    note TEXT
);
CREATE TABLE county_list_members (
    list_code TEXT NOT NULL REFERENCES county_lists (code),
    county_code TEXT NOT NULL REFERENCES areas (code),
    PRIMARY KEY (list_code, county_code)
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    leader TEXT,
    department TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    address TEXT,
    note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id INTEGER REFERENCES units (id),
    county_code TEXT REFERENCES areas (code),
    password_hash TEXT NOT NULL,
    password_changed_at INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    active INTEGER NOT NULL DEFAULT 1,
    language TEXT NOT NULL DEFAULT 'zh',
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    address TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES plans (id),
    county_list TEXT NOT NULL REFERENCES county_lists (code),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    previous_id INTEGER REFERENCES plans (id),
    note TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX plans_status ON plans (status);

CREATE TABLE pairings (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    role TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    note TEXT,
    UNIQUE (plan_id, unit_id, county_code)
);
CREATE INDEX pairings_unit ON pairings (unit_id);
CREATE INDEX pairings_county ON pairings (county_code);

-- Every workflow step: who, when, why.
CREATE TABLE plan_transitions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX plan_transitions_plan ON plan_transitions (plan_id);

-- Units' answers during consultation.
CREATE TABLE plan_feedback (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    user_id INTEGER REFERENCES users (id),
    kind TEXT NOT NULL,
    text TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX plan_feedback_plan ON plan_feedback (plan_id);

-- Reasons the office records for a key county a plan leaves uncovered.
CREATE TABLE coverage_exceptions (
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    reason TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    at INTEGER NOT NULL,
    PRIMARY KEY (plan_id, county_code)
);

-- Append-only record of every write and sign-in.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER,
    username TEXT,
    address TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
