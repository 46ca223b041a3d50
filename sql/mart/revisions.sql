-- mart.revisions_as_of(cutoff): for each (unit, period type, period, group), the sequence
-- of distinct values across the complete captures taken at or before the cut-off, in
-- capture order: the first value (its first sighting), then one row each time the value
-- changed.
-- is_revision: the row is a change: the value differs from the one the previous complete
-- capture of the same unit, period and group showed (null and a number differ). A first
-- sighting is never a revision, however late it was captured.
-- after_close: a revision first captured after the period's last day (Asia/Ho_Chi_Minh) —
-- the portal revises closed months weeks later (An Giang 08/2025: 80.2 → 86.2 on 16/10).
-- The sequence is that of the source the value comes from, with the precedence of
-- mart.group_values_as_of: the portal's captures where the portal gave the value (a letter
-- stating another value is no revision of the portal's: mart.source_disagreements), the
-- files' only where no portal capture did.
CREATE OR REPLACE MACRO mart.revisions_as_of(cutoff) AS TABLE
WITH
every_capture AS (
    SELECT   -- under the canonical unit (core.unit_identities), as the other marts
        coalesce(i.unit_id, g.unit_id) AS unit_id, g.period_type, g.period_start, g.group_code,
        g.captured_at, g.response_id, g.score AS value, c.source LIKE 'file_%' AS from_file
    FROM core.group_scores AS g
    JOIN raw.captures AS c USING (capture_id)
    LEFT JOIN core.unit_identities AS i
        ON i.source_unit_id = g.unit_id
        AND (i.valid_from IS NULL OR i.valid_from <= core.period_end(g.period_type, g.period_start))
        AND (i.valid_to IS NULL OR core.period_end(g.period_type, g.period_start) <= i.valid_to)
    WHERE c.status = 'complete' AND g.captured_at <= cutoff
),
captured AS (
    SELECT * EXCLUDE (from_file)
    FROM every_capture
    QUALIFY NOT from_file
        OR bool_and(from_file) OVER (PARTITION BY unit_id, period_type, period_start, group_code)
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
    capture_number > 1 AS is_revision,
    capture_number > 1
        AND (captured_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::DATE
            >= (period_start + mart.period_length(period_type))::DATE AS after_close
FROM sequenced
WHERE capture_number = 1 OR value IS DISTINCT FROM previous_value;

COMMENT ON MACRO TABLE mart.revisions_as_of IS
    'mart.revisions as of a data cut-off (TIMESTAMPTZ): only captures taken at or before cutoff.';

-- The table mart.revisions holds the current values, mart.revisions_as_of('infinity'):
-- every value's latest complete capture. warehouse.schema creates it from that query (its
-- columns are the macro's) and warehouse.derive refreshes it the same way (see
-- warehouse/marts.py). What follows applies to the table once it exists: the NOT NULL
-- columns, and the comments the data dictionary is generated from.
ALTER TABLE mart.revisions ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.revisions ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.revisions ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.revisions ALTER COLUMN group_code SET NOT NULL;
ALTER TABLE mart.revisions ALTER COLUMN captured_at SET NOT NULL;
ALTER TABLE mart.revisions ALTER COLUMN is_revision SET NOT NULL;
ALTER TABLE mart.revisions ALTER COLUMN after_close SET NOT NULL;

COMMENT ON TABLE mart.revisions IS
    'The sequence of distinct values of each (unit, period type, period, group) across complete '
    'captures, in capture order: the first value (a first sighting, is_revision false), then one '
    'row per change (a revision: the value differs from the previous complete capture''s). The '
    'last row is the current value. Captures of the source the value comes from: the portal''s '
    'where it gave one (a letter''s other value is in mart.source_disagreements, not here), else '
    'the files''. As of a cut-off: mart.revisions_as_of(cutoff).';
COMMENT ON COLUMN mart.revisions.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.revisions.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.revisions.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.revisions.group_code IS 'CKMB, TDGQ, CLGQ, TTTT, MDHL or MDSH.';
COMMENT ON COLUMN mart.revisions.captured_at IS 'When the capture that first showed this value was taken.';
COMMENT ON COLUMN mart.revisions.value IS 'The portal''s score from that capture on (null = no data).';
COMMENT ON COLUMN mart.revisions.previous_value IS 'The value before this change; null on the first row (or when the value was null).';
COMMENT ON COLUMN mart.revisions.is_revision IS 'True when the value changed since the previous complete capture; false on a first sighting.';
COMMENT ON COLUMN mart.revisions.after_close IS 'True for a revision first captured after the period''s last day in Asia/Ho_Chi_Minh (a closed period revised); never for a first sighting.';
