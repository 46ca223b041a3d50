-- mart.top_bottom_as_of(n, cutoff): mart.top_bottom(n) as of a data cut-off.
CREATE OR REPLACE MACRO mart.top_bottom_as_of(n, cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.top_bottom_of('scores_at_cutoff', n);

COMMENT ON MACRO TABLE mart.top_bottom_as_of IS
    'mart.top_bottom(n) as of a data cut-off (TIMESTAMPTZ).';
