-- ops.run_files: every file a run was asked to ingest (dvc766 ingest, the inbox sensor,
-- files_job) and what became of it: recorded as a capture (ingested), the same bytes as
-- an earlier capture (duplicate), quarantined with a reason, or skipped (nothing
-- written: the file was gone, or its period falls outside the run's partitions). The
-- run's outcome names the files that did not become a complete capture.
CREATE TABLE IF NOT EXISTS ops.run_files (
    run_id              VARCHAR NOT NULL,
    file_index          INTEGER NOT NULL,
    file_name           VARCHAR NOT NULL,
    sha256              VARCHAR,
    outcome             VARCHAR NOT NULL
        CHECK (outcome IN ('ingested', 'duplicate', 'quarantined', 'skipped')),
    source              VARCHAR NOT NULL,
    format              VARCHAR,
    capture_id          VARCHAR,
    period_type         VARCHAR,
    period_start        DATE,
    root_unit_id        VARCHAR,
    root_name           VARCHAR,
    captured_at         TIMESTAMPTZ,
    cutoff_source       VARCHAR,
    reason              VARCHAR,
    detail              VARCHAR,
    warnings            VARCHAR[],
    is_new              BOOLEAN NOT NULL,
    recorded_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, file_index)
);
