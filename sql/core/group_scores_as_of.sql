-- core.group_scores_in(cutoff, periods): the value of each (unit, period, group) of the
-- periods listed in the relation `periods` (passed by name: a table, view or CTE with
-- period_type and period_start) as it stood at a data cut-off: the latest complete
-- capture taken at or before `cutoff` (TIMESTAMPTZ). The periods are joined before the
-- window that picks the latest value (partitioned by period, so the result is the same
-- for those periods), so a few periods cost a few periods, not the whole history.
-- unit_id is the canonical unit (core.unit_identities), source_unit_id the source's own id.
CREATE OR REPLACE MACRO core.group_scores_in(cutoff, periods) AS TABLE
SELECT g.* REPLACE (coalesce(i.unit_id, g.unit_id) AS unit_id), c.scope, g.unit_id AS source_unit_id
FROM core.group_scores AS g
SEMI JOIN query_table(periods) AS p
    ON p.period_type = g.period_type AND p.period_start = g.period_start
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

-- core.group_score_periods: every period core.group_scores holds a value for.
CREATE OR REPLACE VIEW core.group_score_periods AS
SELECT DISTINCT period_type, period_start FROM core.group_scores;

-- core.group_scores_as_of(cutoff): core.group_scores_in over every period.
-- Example: SELECT * FROM core.group_scores_as_of(TIMESTAMPTZ '2023-11-23 16:00:00+07');
CREATE OR REPLACE MACRO core.group_scores_as_of(cutoff) AS TABLE
SELECT * FROM core.group_scores_in(cutoff, 'core.group_score_periods');
