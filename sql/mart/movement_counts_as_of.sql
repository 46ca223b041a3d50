-- mart.movement_counts_as_of(cutoff): mart.movement_counts as of a data cut-off: the logic
-- of mart.movement_counts_of applied to mart.score_changes_as_of(cutoff).
CREATE OR REPLACE MACRO mart.movement_counts_as_of(cutoff) AS TABLE
WITH changes_at_cutoff AS (
    SELECT * FROM mart.score_changes_as_of(cutoff)
)
SELECT * FROM mart.movement_counts_of('changes_at_cutoff');

COMMENT ON MACRO TABLE mart.movement_counts_as_of IS
    'mart.movement_counts as of a data cut-off (TIMESTAMPTZ).';
