-- mart.group_ranks: the current rank of each unit in each group within its cohort
-- (long form), filled by sql/mart/refresh.sql from mart.group_ranks_as_of('infinity').
CREATE TABLE IF NOT EXISTS mart.group_ranks (
    unit_id         VARCHAR NOT NULL,
    unit_code       VARCHAR,
    unit_name       VARCHAR,
    unit_level      VARCHAR,
    parent_unit_id  VARCHAR,
    period_type     VARCHAR NOT NULL,
    period_start    DATE NOT NULL,
    group_code      VARCHAR NOT NULL,
    score           DOUBLE,
    rank            INTEGER,
    cohort_size     INTEGER,
    captured_at     TIMESTAMPTZ
);

COMMENT ON TABLE mart.group_ranks IS
    'One row per (unit, period type, period, group): the current score and its rank within the '
    'cohort (same level, parent, period type and period). As of a cut-off: mart.group_ranks_as_of(cutoff).';
COMMENT ON COLUMN mart.group_ranks.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.group_ranks.unit_code IS 'Portal departmentCode, as in mart.unit_period_scores.';
COMMENT ON COLUMN mart.group_ranks.unit_name IS 'Unit name (NFC), as in mart.unit_period_scores.';
COMMENT ON COLUMN mart.group_ranks.unit_level IS 'Cohort level, as in mart.unit_period_scores.';
COMMENT ON COLUMN mart.group_ranks.parent_unit_id IS 'Cohort parent, as in mart.unit_period_scores (null for provinces).';
COMMENT ON COLUMN mart.group_ranks.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.group_ranks.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.group_ranks.group_code IS 'CKMB, TDGQ, CLGQ, TTTT, MDHL or MDSH (methodology.groups).';
COMMENT ON COLUMN mart.group_ranks.score IS 'The portal''s score in this group (latest complete capture); null = no data.';
COMMENT ON COLUMN mart.group_ranks.rank IS 'Competition rank (1, 2, 2, 4) by score at two decimals, descending, within the cohort; null when score is null.';
COMMENT ON COLUMN mart.group_ranks.cohort_size IS 'Number of units of the cohort with a score in this group.';
COMMENT ON COLUMN mart.group_ranks.captured_at IS 'When the capture holding this value was taken.';
