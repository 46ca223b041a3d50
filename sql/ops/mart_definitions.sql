-- ops.mart_definitions: the definition each mart of the warehouse was built with
-- (warehouse/marts.py). Applying the schema compares a mart table's definition hash with
-- the one recorded here and rebuilds the table (and every table built on it) when they
-- differ, so a new column or a changed formula reaches an existing warehouse.
CREATE TABLE IF NOT EXISTS ops.mart_definitions (
    mart_name           VARCHAR PRIMARY KEY,
    kind                VARCHAR NOT NULL,
    definition_sha256   VARCHAR NOT NULL,
    applied_at          TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE ops.mart_definitions IS
    'The schema version of the marts: per mart of the registry (warehouse/marts.py), the hash '
    'of the definition the warehouse holds. A mart table whose definition changed is rebuilt '
    'when the schema is applied.';
COMMENT ON COLUMN ops.mart_definitions.mart_name IS 'Name of the mart in schema mart.';
COMMENT ON COLUMN ops.mart_definitions.kind IS 'table, view, macro or reference.';
COMMENT ON COLUMN ops.mart_definitions.definition_sha256 IS 'SHA-256 of the mart''s SQL file and of the definitions it depends on.';
COMMENT ON COLUMN ops.mart_definitions.applied_at IS 'When this definition was applied (a table built from it).';
