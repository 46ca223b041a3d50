-- ops.run_captures: every capture a run asked for, new or byte-identical to an earlier
-- one (raw.captures.run_id names only the run that first stored a capture), so a run's
-- outcome counts and names all of its captures. stopped_reason is set on the capture
-- during which the portal answered 403/429 and the run stopped fetching.
CREATE TABLE IF NOT EXISTS ops.run_captures (
    run_id              VARCHAR NOT NULL,
    capture_id          VARCHAR NOT NULL,
    is_new              BOOLEAN NOT NULL,
    stopped_reason      VARCHAR,
    recorded_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, capture_id)
);
