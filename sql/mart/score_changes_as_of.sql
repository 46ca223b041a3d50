-- mart.score_changes_as_of(cutoff): mart.score_changes as of a data cut-off: the logic of
-- mart.score_changes_of applied to mart.unit_period_scores_as_of(cutoff), so both periods'
-- values are as they stood at the cut-off.
CREATE OR REPLACE MACRO mart.score_changes_as_of(cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.score_changes_of('scores_at_cutoff');

COMMENT ON MACRO TABLE mart.score_changes_as_of IS
    'mart.score_changes as of a data cut-off (TIMESTAMPTZ): both periods'' values as they stood then.';
