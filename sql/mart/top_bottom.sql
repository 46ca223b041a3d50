-- mart.top_bottom(n): the current top n and bottom n units of every cohort.
-- SELECT * FROM mart.top_bottom(3) WHERE period_type = 'month'
--   AND period_start = DATE '2026-08-01' AND parent_unit_id = '<province id>'
--   AND unit_level = 'department' ORDER BY position DESC, rank;
CREATE OR REPLACE MACRO mart.top_bottom(n) AS TABLE
SELECT * FROM mart.top_bottom_of('mart.unit_period_scores', n);

COMMENT ON MACRO TABLE mart.top_bottom IS
    'Top n and bottom n units of every cohort (current values; ties kept): position (top or '
    'bottom), period, level, parent, unit, total_score, band, rank, rank_from_bottom, cohort_size.';
