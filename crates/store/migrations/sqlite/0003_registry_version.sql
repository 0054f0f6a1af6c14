-- A counter every registry, statistics or poverty-line write bumps, so
-- that each process's analytics snapshot notices writes by others.
CREATE TABLE registry_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 0);
