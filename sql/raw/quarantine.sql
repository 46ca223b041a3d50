-- raw.quarantine: replies (or files) that failed validation, with a readable reason.
-- Nothing in quarantine reaches core; the bytes stay in the raw store for inspection.
CREATE TABLE IF NOT EXISTS raw.quarantine (
    quarantine_id       VARCHAR PRIMARY KEY,
    response_id         VARCHAR,
    capture_id          VARCHAR,
    source              VARCHAR NOT NULL,
    endpoint            VARCHAR,
    period_type         VARCHAR,
    period_start        DATE,
    root_unit_id        VARCHAR,
    sha256              VARCHAR,
    reason              VARCHAR NOT NULL,
    detail              VARCHAR,
    quarantined_at      TIMESTAMPTZ NOT NULL
);
