-- core.group_scores: the portal's score of one unit in one group for one period, as
-- read from one reply. `null` stays `null` (no data is not zero).
-- Unique key (response_id, unit_id, group_code): enforced by the core asset checks, not an index, so
-- bulk loads stay fast.
CREATE TABLE IF NOT EXISTS core.group_scores (
    response_id      VARCHAR NOT NULL,
    capture_id       VARCHAR NOT NULL,
    unit_id          VARCHAR NOT NULL,
    period_type      VARCHAR NOT NULL,
    period_start     DATE NOT NULL,
    group_code       VARCHAR NOT NULL,
    score            DOUBLE,
    max_score        DOUBLE,
    ratio            DOUBLE,
    score_delta      DOUBLE,
    is_root          BOOLEAN NOT NULL,
    captured_at      TIMESTAMPTZ NOT NULL
);
