-- core.current_group_scores: the current value of each (unit, period, group): the row of
-- the latest *complete* capture holding it. Incomplete captures never become current.
-- When a national ranking and a province capture arrive together, the later one wins.
CREATE OR REPLACE VIEW core.current_group_scores AS
SELECT g.*, c.scope
FROM core.group_scores AS g
JOIN raw.captures AS c USING (capture_id)
WHERE c.status = 'complete'
QUALIFY row_number() OVER (
    PARTITION BY g.unit_id, g.period_type, g.period_start, g.group_code
    ORDER BY g.captured_at DESC, g.response_id DESC
) = 1;
