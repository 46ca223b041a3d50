-- raw.responses: the manifest of every stored reply. The body itself lives in the
-- content-addressed raw store under its sha256 (blob_path is relative to the store).
-- A paged endpoint has one row per page (`page` 1, 2, …; response_id `<capture>:<endpoint>`
-- for page 1, `<capture>:<endpoint>:p<n>` after it).
CREATE TABLE IF NOT EXISTS raw.responses (
    response_id         VARCHAR PRIMARY KEY,
    capture_id          VARCHAR NOT NULL,
    source              VARCHAR NOT NULL,
    endpoint            VARCHAR NOT NULL,
    group_code          VARCHAR,
    method              VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    request_body        VARCHAR NOT NULL,
    period_type         VARCHAR NOT NULL,
    period_start        DATE NOT NULL,
    root_unit_id        VARCHAR NOT NULL,
    http_status         INTEGER NOT NULL,
    content_type        VARCHAR,
    bytes               BIGINT NOT NULL,
    sha256              VARCHAR NOT NULL,
    blob_path           VARCHAR NOT NULL,
    captured_at         TIMESTAMPTZ NOT NULL,
    validation          VARCHAR NOT NULL CHECK (validation IN ('valid', 'invalid')),
    validation_error    VARCHAR,
    page                INTEGER NOT NULL DEFAULT 1
);
-- Warehouses created before pages were kept get the column (every earlier row is page 1).
ALTER TABLE raw.responses ADD COLUMN IF NOT EXISTS page INTEGER DEFAULT 1;
