-- mart.group_ranks_as_of(cutoff): each unit's rank in each group within its cohort (same
-- level, parent, period type and period as in mart.unit_period_scores), as of the cut-off.
-- Competition ranking (1, 2, 2, 4) on the score at two-decimal precision, descending;
-- a null score gets no rank; cohort_size counts the ranked units of that group.
CREATE OR REPLACE MACRO mart.group_ranks_as_of(cutoff) AS TABLE
SELECT
    gv.unit_id,
    gv.unit_code,
    gv.unit_name,
    gv.unit_level,
    gv.parent_unit_id,
    gv.period_type,
    gv.period_start,
    gv.group_code,
    gv.score,
    CASE WHEN gv.score IS NOT NULL THEN
        rank() OVER (
            PARTITION BY gv.period_type, gv.period_start, gv.unit_level, gv.parent_unit_id,
                gv.group_code, gv.score IS NULL
            ORDER BY round(gv.score, 2) DESC
        )
    END::INTEGER AS rank,
    count(gv.score) OVER (
        PARTITION BY gv.period_type, gv.period_start, gv.unit_level, gv.parent_unit_id,
            gv.group_code
    )::INTEGER AS cohort_size,
    gv.captured_at
FROM mart.group_values_as_of(cutoff) AS gv;

COMMENT ON MACRO TABLE mart.group_ranks_as_of IS
    'mart.group_ranks as of a data cut-off (TIMESTAMPTZ).';

-- The table mart.group_ranks holds the current values, mart.group_ranks_as_of('infinity'):
-- every value's latest complete capture. warehouse.schema creates it from that query (its
-- columns are the macro's) and warehouse.derive refreshes it the same way (see
-- warehouse/marts.py). What follows applies to the table once it exists: the NOT NULL
-- columns, and the comments the data dictionary is generated from.
ALTER TABLE mart.group_ranks ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.group_ranks ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.group_ranks ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.group_ranks ALTER COLUMN group_code SET NOT NULL;

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
