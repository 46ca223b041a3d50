-- core.current_group_scores: the current value of each (unit, period, group): the row of
-- the latest *complete* capture holding it. Incomplete captures never become current.
-- When a national ranking and a province capture arrive together, the later one wins.
-- unit_id is the canonical unit (core.unit_identities, by the period's last day), so a
-- unit captured from the legacy API, the current API and letters is one series;
-- source_unit_id is the id the source gave.
CREATE OR REPLACE VIEW core.current_group_scores AS
SELECT g.* REPLACE (coalesce(i.unit_id, g.unit_id) AS unit_id), c.scope, g.unit_id AS source_unit_id
FROM core.group_scores AS g
JOIN raw.captures AS c USING (capture_id)
LEFT JOIN core.unit_identities AS i
    ON i.source_unit_id = g.unit_id
    AND (i.valid_from IS NULL OR i.valid_from <= core.period_end(g.period_type, g.period_start))
    AND (i.valid_to IS NULL OR core.period_end(g.period_type, g.period_start) <= i.valid_to)
WHERE c.status = 'complete'
QUALIFY row_number() OVER (
    PARTITION BY coalesce(i.unit_id, g.unit_id), g.period_type, g.period_start, g.group_code
    -- source precedence: a portal capture wins over a file (file_*), then the latest
    ORDER BY starts_with(c.source, 'file_'), g.captured_at DESC, g.response_id DESC
) = 1;
