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

-- mart.movement_counts_as_of(cutoff): mart.movement_counts as of a data cut-off: the logic
-- of mart.movement_counts_of applied to mart.score_changes_as_of(cutoff).
CREATE OR REPLACE MACRO mart.movement_counts_as_of(cutoff) AS TABLE
WITH changes_at_cutoff AS (
    SELECT * FROM mart.score_changes_as_of(cutoff)
)
SELECT * FROM mart.movement_counts_of('changes_at_cutoff');

COMMENT ON MACRO TABLE mart.movement_counts_as_of IS
    'mart.movement_counts as of a data cut-off (TIMESTAMPTZ).';

-- The table mart.movement_counts holds the current values,
-- mart.movement_counts_of('mart.score_changes'): what mart.movement_counts_as_of gives at
-- cutoff 'infinity', without recomputing the changes. warehouse.schema creates it from that
-- query (its columns are the macro's) and warehouse.derive refreshes it the same way (see
-- warehouse/marts.py). What follows applies to the table once it exists: the NOT NULL
-- columns, and the comments the data dictionary is generated from.
ALTER TABLE mart.movement_counts ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.movement_counts ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.movement_counts ALTER COLUMN units SET NOT NULL;
ALTER TABLE mart.movement_counts ALTER COLUMN moved_up SET NOT NULL;
ALTER TABLE mart.movement_counts ALTER COLUMN moved_down SET NOT NULL;
ALTER TABLE mart.movement_counts ALTER COLUMN stayed SET NOT NULL;
ALTER TABLE mart.movement_counts ALTER COLUMN not_comparable SET NOT NULL;

COMMENT ON TABLE mart.movement_counts IS
    'Rank movements against the previous period of the same type, per period, level and parent, '
    'and nationally (parent_unit_id null). As of a cut-off: mart.movement_counts_as_of(cutoff).';
COMMENT ON COLUMN mart.movement_counts.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.movement_counts.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.movement_counts.unit_level IS 'Level of the units counted.';
COMMENT ON COLUMN mart.movement_counts.parent_unit_id IS 'The parent whose units are counted; null = national (all parents together).';
COMMENT ON COLUMN mart.movement_counts.units IS 'Units of the scope this period (moved_up + moved_down + stayed + not_comparable).';
COMMENT ON COLUMN mart.movement_counts.moved_up IS 'Comparable units with rank_move > 0.';
COMMENT ON COLUMN mart.movement_counts.moved_down IS 'Comparable units with rank_move < 0.';
COMMENT ON COLUMN mart.movement_counts.stayed IS 'Comparable units with rank_move = 0.';
COMMENT ON COLUMN mart.movement_counts.not_comparable IS 'Units whose change is not comparable (see mart.score_changes.not_comparable_reason).';
