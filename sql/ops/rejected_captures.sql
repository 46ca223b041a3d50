-- ops.rejected_captures: captures whose core rows failed a per-capture core check. Their
-- core rows were deleted (raw.quarantine says why) and they are not normalised again
-- while their source's parser version stays the one that was rejected.
CREATE TABLE IF NOT EXISTS ops.rejected_captures (
    capture_id          VARCHAR PRIMARY KEY,
    parser_version      VARCHAR NOT NULL,
    check_name          VARCHAR NOT NULL,
    reason              VARCHAR NOT NULL,
    detail              VARCHAR,
    run_id              VARCHAR,
    rejected_at         TIMESTAMPTZ NOT NULL
);
