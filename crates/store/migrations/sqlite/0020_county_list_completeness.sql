-- How complete each county list is (issue 14): the total its source
-- declares and, where the source says, the provinces it covers and how
-- many counties each should hold. The shipped lists are partial; pages
-- compare the members held here with these numbers. Rows are filled in
-- by the reference loader (store::reference), which also loads the 2021
-- list into databases that lack it.
ALTER TABLE county_lists ADD COLUMN declared_total INTEGER;
CREATE TABLE county_list_provinces (
    list_code TEXT NOT NULL REFERENCES county_lists (code),
    province_code TEXT NOT NULL,
    -- NULL: the source names the province but gives no count for it.
    declared INTEGER,
    PRIMARY KEY (list_code, province_code)
);
