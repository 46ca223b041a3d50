-- mart.source_disagreements_as_of(cutoff): where a file (a letter, a saved page, a table:
-- source file_*) states a group score that differs from the value the marts use, which a
-- portal capture gave (source precedence, mart.group_values_as_of: the portal wins over a
-- file whatever their cut-offs). The file's value is kept here, beside the portal's; it
-- never replaces it.
--
-- * file_score: the latest complete file capture's value at or before the cut-off, for the
--   same canonical unit (core.unit_identities), period type, period and group.
-- * group_code 'TOTAL': a total a file states (core.reported_totals: "đạt 72,8/100 điểm")
--   against the unit-period's total_score (mart.unit_period_scores_as_of) where every group
--   value of it comes from a portal capture.
-- * difference = round(file_score − score, 2); rows only where it is not 0.
-- * within_rounding: the file's figure is the portal's rounded to one decimal or to a whole
--   number (letters print "12,2/18"): a difference of presentation, not of value.
-- mart.source_disagreements holds the current values (cutoff = 'infinity').
CREATE OR REPLACE MACRO mart.source_disagreements_as_of(cutoff) AS TABLE
WITH
file_values AS (
    SELECT
        coalesce(i.unit_id, g.unit_id) AS unit_id,
        g.period_type,
        g.period_start,
        g.group_code,
        g.score AS file_score,
        g.captured_at AS file_captured_at,
        g.capture_id AS file_capture_id,
        c.source AS file_source_id
    FROM core.group_scores AS g
    JOIN raw.captures AS c USING (capture_id)
    LEFT JOIN core.unit_identities AS i
        ON i.source_unit_id = g.unit_id
        AND (i.valid_from IS NULL OR i.valid_from <= core.period_end(g.period_type, g.period_start))
        AND (i.valid_to IS NULL OR core.period_end(g.period_type, g.period_start) <= i.valid_to)
    WHERE c.status = 'complete' AND starts_with(c.source, 'file_') AND g.captured_at <= cutoff
        AND g.score IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY coalesce(i.unit_id, g.unit_id), g.period_type, g.period_start, g.group_code
        ORDER BY g.captured_at DESC, g.response_id DESC
    ) = 1
),
file_totals AS (   -- the latest total each unit-period's files state
    SELECT
        r.unit_id,
        r.period_type,
        r.period_start,
        r.total_score AS file_score,
        r.captured_at AS file_captured_at,
        r.capture_id AS file_capture_id,
        c.source AS file_source_id
    FROM core.reported_totals_resolved AS r
    JOIN raw.captures AS c USING (capture_id)
    WHERE c.status = 'complete' AND starts_with(c.source, 'file_') AND r.captured_at <= cutoff
        AND r.total_score IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY r.unit_id, r.period_type, r.period_start
        ORDER BY r.captured_at DESC, r.response_id DESC
    ) = 1
),
portal_totals AS (   -- unit-periods whose every group value is a portal capture's
    SELECT
        s.*,
        v.source_id
    FROM mart.unit_period_scores_as_of(cutoff) AS s
    JOIN (
        SELECT unit_id, period_type, period_start, max(source_id) AS source_id
        FROM mart.group_values_as_of(cutoff)
        GROUP BY unit_id, period_type, period_start
        HAVING bool_and(NOT starts_with(source_id, 'file_'))
    ) AS v USING (unit_id, period_type, period_start)
    WHERE s.total_score IS NOT NULL
)
SELECT
    v.unit_id,
    v.unit_code,
    v.unit_name,
    v.unit_level,
    v.parent_unit_id,
    v.period_type,
    v.period_start,
    v.group_code,
    v.score,
    v.source_id,
    v.captured_at,
    f.file_score,
    f.file_source_id,
    f.file_capture_id,
    f.file_captured_at,
    round(f.file_score - v.score, 2) AS difference,
    f.file_score IN (round(v.score, 1), round(v.score, 0)) AS within_rounding
FROM mart.group_values_as_of(cutoff) AS v
JOIN file_values AS f USING (unit_id, period_type, period_start, group_code)
WHERE NOT starts_with(v.source_id, 'file_')
    AND round(f.file_score - v.score, 2) IS DISTINCT FROM 0
UNION ALL
SELECT
    t.unit_id,
    t.unit_code,
    t.unit_name,
    t.unit_level,
    t.parent_unit_id,
    t.period_type,
    t.period_start,
    'TOTAL' AS group_code,
    t.total_score AS score,
    t.source_id,
    t.captured_at,
    f.file_score,
    f.file_source_id,
    f.file_capture_id,
    f.file_captured_at,
    round(f.file_score - t.total_score, 2) AS difference,
    f.file_score IN (round(t.total_score, 1), round(t.total_score, 0)) AS within_rounding
FROM portal_totals AS t
JOIN file_totals AS f USING (unit_id, period_type, period_start)
WHERE round(f.file_score - t.total_score, 2) IS DISTINCT FROM 0;

COMMENT ON MACRO TABLE mart.source_disagreements_as_of IS
    'mart.source_disagreements as of a data cut-off (TIMESTAMPTZ): the files'' values then known.';

CREATE OR REPLACE VIEW mart.source_disagreements AS
SELECT * FROM mart.source_disagreements_as_of('infinity'::TIMESTAMPTZ);

COMMENT ON VIEW mart.source_disagreements IS
    'Where a file (letter, saved page, table: source file_*) states a group score different from '
    'the portal capture''s value the marts use: one row per (unit, period type, period, group), '
    'both values side by side. The portal''s value wins whatever the cut-offs (source precedence, '
    'mart.group_values_as_of); the file''s stays here. As of a cut-off: '
    'mart.source_disagreements_as_of(cutoff).';
COMMENT ON COLUMN mart.source_disagreements.unit_id IS 'The canonical unit (core.unit_identities).';
COMMENT ON COLUMN mart.source_disagreements.unit_code IS 'Unit code, as in mart.group_values_as_of.';
COMMENT ON COLUMN mart.source_disagreements.unit_name IS 'Unit name (NFC), as in mart.group_values_as_of.';
COMMENT ON COLUMN mart.source_disagreements.unit_level IS 'Cohort level, as in mart.unit_period_scores.';
COMMENT ON COLUMN mart.source_disagreements.parent_unit_id IS 'Cohort parent, as in mart.unit_period_scores (null for provinces).';
COMMENT ON COLUMN mart.source_disagreements.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.source_disagreements.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.source_disagreements.group_code IS 'The group (methodology.groups), or TOTAL for a total the file states (core.reported_totals) against total_score.';
COMMENT ON COLUMN mart.source_disagreements.score IS 'The value the marts use: the portal capture''s (for TOTAL, mart.unit_period_scores.total_score of portal values only).';
COMMENT ON COLUMN mart.source_disagreements.source_id IS 'Source of that value (raw.captures.source): current or legacy API.';
COMMENT ON COLUMN mart.source_disagreements.captured_at IS 'When the portal capture holding it was taken.';
COMMENT ON COLUMN mart.source_disagreements.file_score IS 'The value the file states (latest complete file capture at or before the cut-off).';
COMMENT ON COLUMN mart.source_disagreements.file_source_id IS 'The file''s source: file_letter, file_html or file_table.';
COMMENT ON COLUMN mart.source_disagreements.file_capture_id IS 'The file''s capture (raw.captures), to find the file and its cut-off.';
COMMENT ON COLUMN mart.source_disagreements.file_captured_at IS 'The file''s data cut-off (its capture time).';
COMMENT ON COLUMN mart.source_disagreements.difference IS 'round(file_score - score, 2); never 0 here.';
COMMENT ON COLUMN mart.source_disagreements.within_rounding IS 'True when file_score is score rounded to one decimal or to a whole number (how letters print it): a difference of presentation.';
