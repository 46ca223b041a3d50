-- core.group_scores_as_of(cutoff): the value of each (unit, period, group) as it stood at
-- a data cut-off: the latest complete capture taken at or before `cutoff` (TIMESTAMPTZ).
-- unit_id is the canonical unit (core.unit_identities), source_unit_id the source's own id.
-- Example: SELECT * FROM core.group_scores_as_of(TIMESTAMPTZ '2023-11-23 16:00:00+07');
CREATE OR REPLACE MACRO core.group_scores_as_of(cutoff) AS TABLE
SELECT g.* REPLACE (coalesce(i.unit_id, g.unit_id) AS unit_id), c.scope, g.unit_id AS source_unit_id
FROM core.group_scores AS g
JOIN raw.captures AS c USING (capture_id)
LEFT JOIN core.unit_identities AS i
    ON i.source_unit_id = g.unit_id
    AND (i.valid_from IS NULL OR i.valid_from <= core.period_end(g.period_type, g.period_start))
    AND (i.valid_to IS NULL OR core.period_end(g.period_type, g.period_start) <= i.valid_to)
WHERE c.status = 'complete' AND g.captured_at <= cutoff
QUALIFY row_number() OVER (
    PARTITION BY coalesce(i.unit_id, g.unit_id), g.period_type, g.period_start, g.group_code
    -- source precedence: a portal capture wins over a file (file_*), then the latest
    ORDER BY starts_with(c.source, 'file_'), g.captured_at DESC, g.response_id DESC
) = 1;
