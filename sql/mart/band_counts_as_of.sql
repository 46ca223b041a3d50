-- mart.band_counts_as_of(cutoff): mart.band_counts as of a data cut-off: the logic of
-- mart.band_counts_of applied to mart.unit_period_scores_as_of(cutoff).
CREATE OR REPLACE MACRO mart.band_counts_as_of(cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.band_counts_of('scores_at_cutoff');

COMMENT ON MACRO TABLE mart.band_counts_as_of IS
    'mart.band_counts as of a data cut-off (TIMESTAMPTZ).';
