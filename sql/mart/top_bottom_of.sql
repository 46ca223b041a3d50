-- mart.top_bottom_of(scores, n): the top n and bottom n units of every cohort of a
-- relation shaped like mart.unit_period_scores (passed by name). Ties are kept, so a
-- cohort can return more than n rows at either end: top = rank <= n; bottom = rank
-- counted from the bottom (ascending total, ties equal) <= n. Unranked units are left out.
CREATE OR REPLACE MACRO mart.top_bottom_of(scores, n) AS TABLE
WITH
ranked AS (
    SELECT
        *,
        rank() OVER (
            PARTITION BY period_type, period_start, unit_level, parent_unit_id
            ORDER BY total_score ASC
        )::INTEGER AS rank_from_bottom
    FROM query_table(scores)
    WHERE rank IS NOT NULL
),
ends AS (
    SELECT 'top' AS position, * FROM ranked WHERE rank <= n
    UNION ALL
    SELECT 'bottom' AS position, * FROM ranked WHERE rank_from_bottom <= n
)
SELECT
    position,
    period_type,
    period_start,
    unit_level,
    parent_unit_id,
    unit_id,
    unit_code,
    unit_name,
    total_score,
    band,
    rank,
    rank_from_bottom,
    cohort_size
FROM ends;

COMMENT ON MACRO TABLE mart.top_bottom_of IS
    'Top n and bottom n units (ties kept) of every cohort of a relation shaped like '
    'mart.unit_period_scores, passed by name. Used by mart.top_bottom and mart.top_bottom_as_of.';
