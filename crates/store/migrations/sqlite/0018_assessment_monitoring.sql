-- Closing the loop (issue 13): the annual assessment of units, return-risk
-- monitoring, departmental alert files, and the aggregates published to
-- the public. Scores are hundredths of a point (0..=10000 for 0–100),
-- weights whole per cent, money fen, dates TEXT YYYY-MM-DD, times UTC
-- seconds.

-- The office's rules of a year's assessment: a weight per dimension (per
-- cent, summing to 100) and the lowest score of each grade. A year
-- without a row uses the documented default (core::assessment).
CREATE TABLE assessment_rules (
    year INTEGER PRIMARY KEY,
    good_min INTEGER NOT NULL,
    fairly_good_min INTEGER NOT NULL,
    average_min INTEGER NOT NULL,
    set_by INTEGER REFERENCES users (id),
    set_at INTEGER NOT NULL
);
-- dimension: results, organisation, cadres, supervision, satisfaction,
-- innovation.
CREATE TABLE assessment_weights (
    year INTEGER NOT NULL REFERENCES assessment_rules (year),
    dimension TEXT NOT NULL,
    weight INTEGER NOT NULL,
    PRIMARY KEY (year, dimension)
);

-- One assessment per unit and year. status: self_report, assessed,
-- reviewed, published. score/grade/dimensions are set when the office
-- assesses: dimensions is the JSON of every dimension's score, weight and
-- the evidence each indicator was computed from, frozen then, so that a
-- published grade stays traceable to what it was given on.
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    self_report TEXT,
    self_reported_by INTEGER REFERENCES users (id),
    self_reported_at INTEGER,
    score INTEGER,
    grade TEXT,
    dimensions TEXT,
    assessed_by INTEGER REFERENCES users (id),
    assessed_at INTEGER,
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at INTEGER,
    published_by INTEGER REFERENCES users (id),
    published_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (unit_id, year)
);
CREATE INDEX assessments_year ON assessments (year, status);

-- Indicators an assessor enters with their evidence (satisfaction survey
-- results, innovation cases): score 0..=10000 of the indicator, evidence
-- text, optionally an attachment by its SHA-256 (attachments table).
CREATE TABLE assessment_entries (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    indicator TEXT NOT NULL,
    score INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    attachment_sha256 TEXT,
    entered_by INTEGER REFERENCES users (id),
    entered_at INTEGER NOT NULL,
    UNIQUE (assessment_id, indicator)
);

CREATE TABLE assessment_transitions (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    comment TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX assessment_transitions_assessment ON assessment_transitions (assessment_id);

-- The office's monitoring threshold per province and year: a household
-- whose per-capita income is below income_fen is flagged; so is one whose
-- income fell by drop_percent or more from the year before. A province
-- and year without a row uses the default (1.5 × the poverty line, 30 %).
CREATE TABLE monitoring_thresholds (
    province_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    income_fen INTEGER NOT NULL,
    drop_percent INTEGER NOT NULL,
    set_by INTEGER REFERENCES users (id),
    set_at INTEGER NOT NULL,
    PRIMARY KEY (province_code, year)
);

-- A monitored household (监测对象): one case from flagging to clearing.
-- household_id is the registry's (year = the registry year the case was
-- opened on). kind: unstable, marginal, sudden. status: flagged, verified,
-- monitored, cleared. source (how it was first flagged): data, cadre,
-- application, alert. clear_reason: assistance, natural. no_labour: the
-- household has no labour capacity, so it stays monitored after support.
-- At most one open case per household.
CREATE TABLE monitored_households (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES areas (code),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    no_labour INTEGER NOT NULL DEFAULT 0,
    flagged_on TEXT NOT NULL,
    flagged_by INTEGER REFERENCES users (id),
    verified_on TEXT,
    verified_by INTEGER REFERENCES users (id),
    home_visit_id INTEGER REFERENCES home_visits (id),
    reviewed_on TEXT,
    reviewed_by INTEGER REFERENCES users (id),
    cleared_on TEXT,
    cleared_by INTEGER REFERENCES users (id),
    clear_reason TEXT,
    note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX monitored_households_open ON monitored_households (household_id)
    WHERE status <> 'cleared';
CREATE INDEX monitored_households_county ON monitored_households (county_code, year, status);

-- The risks a case was flagged for. risk: low_income, income_drop,
-- illness, disability, schooling, disaster, accident, business_failure,
-- unstable_employment, housing_safety, water_safety. A case holds each
-- risk once (a household flagged twice for the same risk is refused).
-- alert_row_id: the departmental alert row that raised it, if any.
CREATE TABLE monitoring_risks (
    id INTEGER PRIMARY KEY,
    monitored_id INTEGER NOT NULL REFERENCES monitored_households (id),
    risk TEXT NOT NULL,
    source TEXT NOT NULL,
    detail TEXT,
    flagged_on TEXT NOT NULL,
    flagged_by INTEGER REFERENCES users (id),
    alert_row_id INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (monitored_id, risk)
);

-- Assistance measures assigned to a monitored household. category as
-- household_measures: industry, employment, education, health,
-- relocation, housing, social_security.
CREATE TABLE monitoring_measures (
    id INTEGER PRIMARY KEY,
    monitored_id INTEGER NOT NULL REFERENCES monitored_households (id),
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    on_date TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX monitoring_measures_case ON monitoring_measures (monitored_id);

CREATE TABLE monitoring_transitions (
    id INTEGER PRIMARY KEY,
    monitored_id INTEGER NOT NULL REFERENCES monitored_households (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    on_date TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    note TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX monitoring_transitions_case ON monitoring_transitions (monitored_id);

-- A departmental alert file (部门数据比对) a county imported. source:
-- medical, education, civil_affairs, emergency, public_security. The file
-- itself is not kept: only its hash and, per row, what matching needs.
CREATE TABLE alert_files (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL REFERENCES areas (code),
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    matched INTEGER NOT NULL,
    unmatched INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    imported_by INTEGER REFERENCES users (id),
    imported_at INTEGER NOT NULL
);
CREATE INDEX alert_files_county ON alert_files (county_code, imported_at);

-- One row of an alert file. id_index: the blind index (HMAC-SM3) of the
-- canonical ID number, NULL when the number failed its check; id_masked:
-- first six and last four characters only (never the number in clear, no
-- name). event: the department's kind of alert (high_medical_cost,
-- dropout, dibao_change, disaster_loss, death, moved_out). outcome:
-- flagged, correction, unmatched, invalid, other_county. reason: a stable
-- code saying why (for invalid and other_county rows).
CREATE TABLE alert_rows (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES alert_files (id),
    row_no INTEGER NOT NULL,
    id_index BLOB,
    id_masked TEXT NOT NULL,
    event TEXT NOT NULL,
    event_date TEXT,
    amount_fen INTEGER,
    outcome TEXT NOT NULL,
    reason TEXT,
    matched_year INTEGER,
    matched_household TEXT,
    monitored_id INTEGER REFERENCES monitored_households (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX alert_rows_file ON alert_rows (file_id, row_no);

-- A correction the county must make in the registry because a department
-- reported a fact (a death, a move out of the county). status: open,
-- done, dismissed.
CREATE TABLE correction_tasks (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL REFERENCES areas (code),
    household_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    alert_row_id INTEGER NOT NULL REFERENCES alert_rows (id),
    source TEXT NOT NULL,
    task TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    done_by INTEGER REFERENCES users (id),
    done_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX correction_tasks_county ON correction_tasks (county_code, status);

-- Aggregates the office published for the public page (no personal data):
-- one row per year and county, figures frozen as JSON at publication so a
-- later import does not silently change a published number.
CREATE TABLE public_aggregates (
    year INTEGER NOT NULL,
    county_code TEXT NOT NULL REFERENCES areas (code),
    figures TEXT NOT NULL,
    published_by INTEGER REFERENCES users (id),
    published_at INTEGER NOT NULL,
    PRIMARY KEY (year, county_code)
);
