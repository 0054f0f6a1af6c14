-- A counter every registry, statistics or poverty-line write bumps, so
-- that each process's analytics snapshot notices writes by others.
CREATE TABLE registry_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 0);
