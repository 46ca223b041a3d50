-- core.reported_totals: the total score a source itself reports for a unit: the portal
-- (national service-results, with its own rank position, stt) or a letter ("67,9/100
-- điểm", "tháng 10/2023 (đạt 71,5 điểm, xếp hạng 21)", "đứng thứ 43/63 …, đạt 48,13
-- điểm": rank and the cohort it is out of). Derived totals are checked against it; it is
-- never used in place of the sum of the groups. A letter's figure for another period
-- than the letter's (a month in a letter about the year) carries that period.
-- Unique key (response_id, unit_id, period_type, period_start): enforced by the core
-- asset checks, not an index, so bulk loads stay fast.
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
    captured_at      TIMESTAMPTZ NOT NULL,
    reported_cohort_size INTEGER
);
-- Warehouses created before the column existed.
ALTER TABLE core.reported_totals ADD COLUMN IF NOT EXISTS reported_cohort_size INTEGER;
