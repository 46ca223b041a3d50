-- mart.group_ranks_of(group_values_relation, cutoff): each unit's rank in each group within
-- its cohort (same level, parent, period type and period as in mart.unit_period_scores),
-- for the values of a relation shaped like mart.group_values; mart.group_ranks_as_of(cutoff)
-- applies it to the values as of the cut-off.
-- Competition ranking (1, 2, 2, 4) on the score at two-decimal precision, descending,
-- computed only over a whole cohort, as in mart.unit_period_scores: the units of the
-- cohort's defining portal capture (mart.cohort_members_as_of), every one with a score in
-- that group. Otherwise rank and cohort_size are null and rank_null_reason says why
-- (no_score, cohort_not_captured, not_in_cohort, incomplete_cohort).
CREATE OR REPLACE MACRO mart.group_ranks_of(group_values_relation, cutoff := 'infinity'::TIMESTAMPTZ)
AS TABLE
WITH
group_values AS (
    SELECT * FROM query_table(group_values_relation)
),
value_periods AS (
    SELECT DISTINCT period_type, period_start FROM group_values
),
cohort_members AS (   -- the whole cohorts of the values' periods
    SELECT * FROM mart.cohort_members_in(cutoff, 'value_periods')
),
reasoned AS (
    SELECT
        gv.*,
        CASE
            WHEN gv.score IS NULL THEN 'no_score'
            WHEN NOT bool_or(m.unit_id IS NOT NULL) OVER cohort THEN 'cohort_not_captured'
            WHEN m.unit_id IS NULL THEN 'not_in_cohort'
            WHEN bool_or(m.unit_id IS NOT NULL AND gv.score IS NULL) OVER cohort
                THEN 'incomplete_cohort'
        END AS rank_null_reason
    FROM group_values AS gv
    LEFT JOIN cohort_members AS m
        ON m.unit_id = gv.unit_id
        AND m.period_type = gv.period_type
        AND m.period_start = gv.period_start
        AND m.cohort_parent_id IS NOT DISTINCT FROM gv.parent_unit_id
    WINDOW cohort AS (
        PARTITION BY gv.period_type, gv.period_start, gv.unit_level, gv.parent_unit_id,
            gv.group_code
    )
)
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
    CASE WHEN gv.rank_null_reason IS NULL THEN
        rank() OVER (
            PARTITION BY gv.period_type, gv.period_start, gv.unit_level, gv.parent_unit_id,
                gv.group_code, gv.rank_null_reason IS NULL
            ORDER BY round(gv.score, 2) DESC
        )
    END::INTEGER AS rank,
    CASE WHEN gv.rank_null_reason IS NULL THEN
        count(*) OVER (
            PARTITION BY gv.period_type, gv.period_start, gv.unit_level, gv.parent_unit_id,
                gv.group_code, gv.rank_null_reason IS NULL
        )
    END::INTEGER AS cohort_size,
    gv.rank_null_reason,
    gv.captured_at,
    gv.source_id
FROM reasoned AS gv;

COMMENT ON MACRO TABLE mart.group_ranks_of IS
    'mart.group_ranks from a relation shaped like mart.group_values (passed by name), ranked '
    'over the cohorts at or before cutoff (default: the latest). mart.group_ranks is '
    'mart.group_ranks_of(''mart.group_values'').';

-- mart.group_ranks_as_of(cutoff): mart.group_ranks_of applied to
-- mart.group_values_as_of(cutoff).
CREATE OR REPLACE MACRO mart.group_ranks_as_of(cutoff) AS TABLE
WITH values_at_cutoff AS (
    SELECT * FROM mart.group_values_as_of(cutoff)
)
SELECT * FROM mart.group_ranks_of('values_at_cutoff', cutoff := cutoff);

COMMENT ON MACRO TABLE mart.group_ranks_as_of IS
    'mart.group_ranks as of a data cut-off (TIMESTAMPTZ).';

-- The table mart.group_ranks holds the current values, mart.group_ranks_of('mart.group_values'):
-- what mart.group_ranks_as_of('infinity') gives, without deriving the values again.
-- warehouse.schema creates it from that query (its columns are the macro's) and
-- warehouse.derive refreshes it the same way (see warehouse/marts.py). What follows applies to the table once it exists: the NOT NULL
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
COMMENT ON COLUMN mart.group_ranks.rank IS 'Competition rank (1, 2, 2, 4) by score at two decimals, descending, within the cohort, computed only over a whole cohort (the units listed by the cohort''s latest complete portal capture, mart.cohort_members_as_of, each with a score in this group); otherwise null and rank_null_reason says why.';
COMMENT ON COLUMN mart.group_ranks.cohort_size IS 'Number of units of the whole cohort, all ranked in this group; null when rank is null.';
COMMENT ON COLUMN mart.group_ranks.rank_null_reason IS 'Why rank is null (null when ranked): no_score, cohort_not_captured (no complete portal capture lists the cohort: values only from files), not_in_cohort (the cohort''s capture does not list this unit), incomplete_cohort (a unit of the cohort has no score in this group).';
COMMENT ON COLUMN mart.group_ranks.captured_at IS 'When the capture holding this value was taken.';
COMMENT ON COLUMN mart.group_ranks.source_id IS 'The source of the value (raw.captures.source): a portal capture wins over a file (file_*), see mart.group_values_as_of.';
