-- core.group_scores_as_of(cutoff): the value of each (unit, period, group) as it stood at
-- a data cut-off: the latest complete capture taken at or before `cutoff` (TIMESTAMPTZ).
-- Example: SELECT * FROM core.group_scores_as_of(TIMESTAMPTZ '2023-11-23 16:00:00+07');
CREATE OR REPLACE MACRO core.group_scores_as_of(cutoff) AS TABLE
SELECT g.*, c.scope
FROM core.group_scores AS g
JOIN raw.captures AS c USING (capture_id)
WHERE c.status = 'complete' AND g.captured_at <= cutoff
QUALIFY row_number() OVER (
    PARTITION BY g.unit_id, g.period_type, g.period_start, g.group_code
    ORDER BY g.captured_at DESC, g.response_id DESC
) = 1;
