-- The discipline of designated assistance (issue 12): secondments, the
-- reporting calendar and reports, inspections with their rectification
-- items, and leader visits. Dates 'YYYY-MM-DD', times UTC seconds. Every row
-- names its unit (and county where it has one), so that a scoped read is one
-- condition on the row itself. (Village work teams, household helpers and
-- home visits come in 0016; reminders in 0017.)

-- 挂职: a unit's official posted to a county, optionally to one village
-- (驻村第一书记). role: leader | member.
-- status: proposed, approved, serving, completed, recalled.
-- user_id: the person's own account (role cadre), when the unit wants one.
CREATE TABLE secondments (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    village_code TEXT,
    person_name TEXT NOT NULL,
    person_rank TEXT NOT NULL,
    contact TEXT NOT NULL,
    post TEXT NOT NULL,
    role TEXT NOT NULL,
    batch INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    end_date TEXT,
    status TEXT NOT NULL,
    recall_reason TEXT,
    user_id INTEGER REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX secondments_pairing ON secondments (unit_id, county_code);
CREATE INDEX secondments_county ON secondments (county_code);

CREATE TABLE secondment_transitions (
    id INTEGER PRIMARY KEY,
    secondment_id INTEGER NOT NULL REFERENCES secondments (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX secondment_transitions_secondment ON secondment_transitions (secondment_id);

-- The reporting calendar, set by the office per year: quarterly reports are
-- due quarterly_due_days after the quarter's end; the year-end special
-- report (年度专题汇报) and the unit's annual summary on fixed dates.
CREATE TABLE report_calendars (
    year INTEGER PRIMARY KEY,
    quarterly_due_days INTEGER NOT NULL,
    year_end_due TEXT NOT NULL,
    annual_summary_due TEXT NOT NULL,
    set_by INTEGER REFERENCES users (id),
    set_at INTEGER NOT NULL
);

-- One row per report the calendar expects: opened (status 'draft', no
-- author) once its period has ended, then written by a cadre (quarterly,
-- year_end: county_code set) or the unit (annual_summary: county_code NULL).
-- kind: quarterly | year_end | annual_summary; period: '2016-Q3' | '2016'.
-- status: draft | submitted | accepted | returned.
-- figures: the period's figures from the ledger and the records (JSON),
-- frozen when the report is submitted; computed on read before that.
-- revision: bumped by every save, so a stale autosave cannot overwrite a
-- newer one.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT REFERENCES areas (code),
    author_id INTEGER REFERENCES users (id),
    due TEXT NOT NULL,
    status TEXT NOT NULL,
    work_done TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '',
    next_steps TEXT NOT NULL DEFAULT '',
    figures TEXT,
    revision INTEGER NOT NULL DEFAULT 0,
    saved_at INTEGER,
    submitted_at INTEGER,
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX reports_pairing_slot ON reports (kind, period, unit_id, county_code)
    WHERE county_code IS NOT NULL;
CREATE UNIQUE INDEX reports_unit_slot ON reports (kind, period, unit_id)
    WHERE county_code IS NULL;
CREATE INDEX reports_status_due ON reports (status, due);
CREATE INDEX reports_county ON reports (county_code);

CREATE TABLE report_transitions (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL,
    comment TEXT
);
CREATE INDEX report_transitions_report ON report_transitions (report_id);

CREATE TABLE report_attachments (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports (id),
    sha256 TEXT NOT NULL REFERENCES attachments (sha256),
    file_name TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments (report_id);

-- 督查: an inspection of a unit's designated assistance, made by the unit
-- itself or by the office (inspected_by: unit | office).
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    inspected_by TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    team TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX inspections_unit ON inspections (unit_id);

CREATE TABLE inspection_counties (
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    PRIMARY KEY (inspection_id, county_code)
);
CREATE INDEX inspection_counties_county ON inspection_counties (county_code);

CREATE TABLE inspection_findings (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    position INTEGER NOT NULL,
    finding TEXT NOT NULL
);
CREATE INDEX inspection_findings_inspection ON inspection_findings (inspection_id);

-- 整改: what answers a finding. owner_id: the account that carries it out;
-- status: open -> in_progress -> done -> verified (by someone other than the
-- owner). unit_id and county_code repeat the finding's, for scoped reads.
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES inspection_findings (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    action TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users (id),
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    done_on TEXT,
    verified_by INTEGER REFERENCES users (id),
    verified_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX rectifications_finding ON rectifications (finding_id);
CREATE INDEX rectifications_pairing ON rectifications (unit_id, county_code);
CREATE INDEX rectifications_owner ON rectifications (owner_id, status);

CREATE TABLE rectification_transitions (
    id INTEGER PRIMARY KEY,
    rectification_id INTEGER NOT NULL REFERENCES rectifications (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at INTEGER NOT NULL,
    note TEXT
);
CREATE INDEX rectification_transitions_item ON rectification_transitions (rectification_id);

-- 领导调研: a unit leader's visit to a paired county.
-- leader_level: principal | deputy.
CREATE TABLE leader_visits (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    county_code TEXT NOT NULL REFERENCES areas (code),
    leader_name TEXT NOT NULL,
    leader_level TEXT NOT NULL,
    visited_on TEXT NOT NULL,
    places TEXT NOT NULL,
    purpose TEXT NOT NULL,
    decisions TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX leader_visits_pairing ON leader_visits (unit_id, county_code, visited_on);
