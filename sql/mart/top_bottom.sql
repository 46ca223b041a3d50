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

-- mart.top_bottom(n): the current top n and bottom n units of every cohort.
-- SELECT * FROM mart.top_bottom(3) WHERE period_type = 'month'
--   AND period_start = DATE '2026-08-01' AND parent_unit_id = '<province id>'
--   AND unit_level = 'department' ORDER BY position DESC, rank;
CREATE OR REPLACE MACRO mart.top_bottom(n) AS TABLE
SELECT * FROM mart.top_bottom_of('mart.unit_period_scores', n);

COMMENT ON MACRO TABLE mart.top_bottom IS
    'Top n and bottom n units of every cohort (current values; ties kept): position (top or '
    'bottom), period, level, parent, unit, total_score, band, rank, rank_from_bottom, cohort_size.';

-- mart.top_bottom_as_of(n, cutoff): mart.top_bottom(n) as of a data cut-off.
CREATE OR REPLACE MACRO mart.top_bottom_as_of(n, cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.top_bottom_of('scores_at_cutoff', n);

COMMENT ON MACRO TABLE mart.top_bottom_as_of IS
    'mart.top_bottom(n) as of a data cut-off (TIMESTAMPTZ).';
