-- core.reported_totals: the total score the portal itself reports for a unit (national
-- service-results), with its own rank position (stt). Derived totals are checked
-- against it; it is never used in place of the sum of the groups.
-- Unique key (response_id, unit_id): enforced by the core asset checks, not an index, so
-- bulk loads stay fast.
CREATE TABLE IF NOT EXISTS core.reported_totals (
    response_id      VARCHAR NOT NULL,
    capture_id       VARCHAR NOT NULL,
    unit_id          VARCHAR NOT NULL,
    period_type      VARCHAR NOT NULL,
    period_start     DATE NOT NULL,
    total_score      DOUBLE,
    total_max_score  DOUBLE,
    ratio            DOUBLE,
    score_delta      DOUBLE,
    reported_rank    INTEGER,
    captured_at      TIMESTAMPTZ NOT NULL
);
