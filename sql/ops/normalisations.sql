-- ops.normalisations: which captures have been normalised into core, by which parser
-- version. A capture is re-normalised when the parser version changes.
CREATE TABLE IF NOT EXISTS ops.normalisations (
    capture_id          VARCHAR PRIMARY KEY,
    parser_version      VARCHAR NOT NULL,
    normalised_at       TIMESTAMPTZ NOT NULL,
    group_score_rows    BIGINT NOT NULL,
    metric_rows         BIGINT NOT NULL
);
