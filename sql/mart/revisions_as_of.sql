-- mart.revisions_as_of(cutoff): for each (unit, period type, period, group), the sequence
-- of distinct values across the complete captures taken at or before the cut-off, in
-- capture order: the first value, then one row each time the value changed.
-- after_close: the capture was taken after the period's last day (Asia/Ho_Chi_Minh) —
-- the portal revises closed months weeks later (An Giang 08/2025: 80.2 → 86.2 on 16/10).
CREATE OR REPLACE MACRO mart.revisions_as_of(cutoff) AS TABLE
WITH
captured AS (
    SELECT
        g.unit_id, g.period_type, g.period_start, g.group_code, g.captured_at,
        g.response_id, g.score AS value
    FROM core.group_scores AS g
    JOIN raw.captures AS c USING (capture_id)
    WHERE c.status = 'complete' AND g.captured_at <= cutoff
),
sequenced AS (
    SELECT
        *,
        lag(value) OVER w AS previous_value,
        row_number() OVER w AS capture_number
    FROM captured
    WINDOW w AS (
        PARTITION BY unit_id, period_type, period_start, group_code
        ORDER BY captured_at, response_id
    )
)
SELECT
    unit_id,
    period_type,
    period_start,
    group_code,
    captured_at,
    value,
    previous_value,
    (captured_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::DATE
        >= (period_start + mart.period_length(period_type))::DATE AS after_close
FROM sequenced
WHERE capture_number = 1 OR value IS DISTINCT FROM previous_value;

COMMENT ON MACRO TABLE mart.revisions_as_of IS
    'mart.revisions as of a data cut-off (TIMESTAMPTZ): only captures taken at or before cutoff.';
