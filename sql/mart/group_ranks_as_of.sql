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
