-- ops.schema_version: the fingerprint of the schema the warehouse was last given (every
-- DDL file and every mart definition, warehouse/schema.py). A writer that finds the
-- fingerprint of its own code here does not apply the schema again: a new process starts
-- writing at once instead of re-creating every macro and view, and an upgrade (any DDL
-- or mart definition changed) is applied by the first writer that runs the new code.
CREATE TABLE IF NOT EXISTS ops.schema_version (
    fingerprint     VARCHAR NOT NULL,
    applied_at      TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE ops.schema_version IS
    'One row: the fingerprint (SHA-256) of the DDL files and mart definitions last applied to '
    'this warehouse, and when. A writer whose code has the same fingerprint skips applying '
    'the schema; any change in sql/ or the mart registry applies it again.';
COMMENT ON COLUMN ops.schema_version.fingerprint IS 'SHA-256 over every DDL file in order and every mart definition hash.';
COMMENT ON COLUMN ops.schema_version.applied_at IS 'When that schema was applied.';
