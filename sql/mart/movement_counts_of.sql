-- mart.movement_counts_of(changes): in a relation shaped like mart.score_changes (passed
-- by name: a table, view or CTE), per period, level and parent (and nationally, parent
-- null), how many units moved up, moved down or kept their rank against the previous
-- period of the same type, and how many cannot be compared (comparable false).
-- units = moved_up + moved_down + stayed + not_comparable.
CREATE OR REPLACE MACRO mart.movement_counts_of(changes) AS TABLE
WITH
moves AS (
    SELECT period_type, period_start, unit_level, parent_unit_id, comparable, rank_move
    FROM query_table(changes)
),
scoped AS (   -- each unit counted once under its parent and once nationally
    SELECT * FROM moves WHERE parent_unit_id IS NOT NULL
    UNION ALL
    SELECT * REPLACE (NULL::VARCHAR AS parent_unit_id) FROM moves
)
SELECT
    period_type,
    period_start,
    unit_level,
    parent_unit_id,
    count(*)::INTEGER AS units,
    count(*) FILTER (WHERE comparable AND rank_move > 0)::INTEGER AS moved_up,
    count(*) FILTER (WHERE comparable AND rank_move < 0)::INTEGER AS moved_down,
    count(*) FILTER (WHERE comparable AND rank_move = 0)::INTEGER AS stayed,
    count(*) FILTER (WHERE NOT comparable)::INTEGER AS not_comparable
FROM scoped
GROUP BY period_type, period_start, unit_level, parent_unit_id;

COMMENT ON MACRO TABLE mart.movement_counts_of IS
    'Rank-movement counts of a relation shaped like mart.score_changes (passed by name). Used by '
    'mart.movement_counts and mart.movement_counts_as_of.';
