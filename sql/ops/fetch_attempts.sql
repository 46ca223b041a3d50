-- ops.fetch_attempts: every HTTP attempt, successful or not (an operational log; the
-- data itself is in raw.responses). Retries, timeouts and 403/429 stops show here.
CREATE TABLE IF NOT EXISTS ops.fetch_attempts (
    run_id              VARCHAR,
    endpoint            VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    request_body        VARCHAR NOT NULL,
    attempt             INTEGER NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    elapsed_ms          DOUBLE,
    http_status         INTEGER,
    outcome             VARCHAR NOT NULL,
    error               VARCHAR,
    bytes               BIGINT,
    sha256              VARCHAR
);
