-- mart.movement_counts: current counts of rank moves per period, level and parent (and
-- nationally), filled by sql/mart/refresh.sql: mart.movement_counts_of('mart.score_changes').
CREATE TABLE IF NOT EXISTS mart.movement_counts (
    period_type     VARCHAR NOT NULL,
    period_start    DATE NOT NULL,
    unit_level      VARCHAR,
    parent_unit_id  VARCHAR,
    units           INTEGER NOT NULL,
    moved_up        INTEGER NOT NULL,
    moved_down      INTEGER NOT NULL,
    stayed          INTEGER NOT NULL,
    not_comparable  INTEGER NOT NULL
);

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
