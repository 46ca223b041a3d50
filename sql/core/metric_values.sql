-- core.metric_values: one indicator (metrics[] item) of one unit in one reply.
-- Unique key (response_id, unit_id, metric_code): enforced by the core asset checks, not an index, so
-- bulk loads stay fast.
CREATE TABLE IF NOT EXISTS core.metric_values (
    response_id           VARCHAR NOT NULL,
    capture_id            VARCHAR NOT NULL,
    unit_id               VARCHAR NOT NULL,
    period_type           VARCHAR NOT NULL,
    period_start          DATE NOT NULL,
    group_code            VARCHAR NOT NULL,
    metric_code           VARCHAR NOT NULL,
    metric_name           VARCHAR,
    numerator             DOUBLE,
    denominator           DOUBLE,
    ratio                 DOUBLE,
    score                 DOUBLE,
    max_score             DOUBLE,
    data_quality_status   VARCHAR,
    data_quality_message  VARCHAR,
    captured_at           TIMESTAMPTZ NOT NULL
);
