-- mart.group_values_in(cutoff, periods): the value of each (unit, period type, period, group)
-- of the periods of a relation (passed by name) as it stood at the cut-off (from
-- core.group_scores_in), with the source that gave it and the unit's cohort attributes for
-- that period. mart.group_values_as_of(cutoff) is the same over every period.
--
-- Which source wins (source precedence), among the complete captures taken at or before
-- the cut-off: a portal capture (any source whose id does not start with 'file_': the
-- current API, the legacy API) always wins over a file (source ids file_*: letters, saved
-- pages, Excel/CSV tables), whatever their capture times, so a letter whose cut-off is
-- later than the portal capture never replaces the portal's value; among captures of the
-- same kind the latest wins. A file's value is the value only where no portal capture
-- gives one for that (unit, period type, period, group) at the cut-off. The letter's value
-- stays queryable in core.group_scores and, where it differs from the portal's, in
-- mart.source_disagreements.
--
-- Level and parent come from the unit sighting of the reply that gave the unit-period's
-- latest value (core.unit_sightings joined on response_id), falling back to core.units
-- when that reply has no sighting. Code and name come from the same sighting, so a
-- value as of a cut-off carries the name the unit had then.
-- The table mart.group_values holds the current values, mart.group_values_as_of('infinity'),
-- derived once per refresh and read by mart.unit_period_scores and mart.group_ranks.
CREATE OR REPLACE MACRO mart.group_values_in(cutoff, periods) AS TABLE
WITH
values_at_cutoff AS (
    SELECT
        g.unit_id, g.period_type, g.period_start, g.group_code, g.score, g.captured_at,
        g.response_id, g.capture_id, c.source AS source_id,
        -- the reply holding the unit-period's latest value: one window partitioned by the
        -- period (no second pass over the values), so a filter on the period reaches core
        first_value(g.response_id) OVER (
            PARTITION BY g.unit_id, g.period_type, g.period_start
            ORDER BY g.captured_at DESC, g.response_id DESC
        ) AS source_response_id
    FROM core.group_scores_in(cutoff, periods) AS g
    JOIN raw.captures AS c USING (capture_id)
)
SELECT
    v.unit_id,
    coalesce(s.unit_code, u.unit_code) AS unit_code,
    coalesce(s.unit_name, u.unit_name) AS unit_name,
    coalesce(nullif(s.unit_level, 'unknown'), u.unit_level) AS unit_level,
    CASE WHEN s.unit_id IS NOT NULL THEN s.parent_unit_id ELSE u.parent_unit_id END
        AS parent_unit_id,
    v.period_type,
    v.period_start,
    v.group_code,
    v.score,
    v.captured_at,
    v.response_id,
    v.capture_id,
    v.source_id
FROM values_at_cutoff AS v
LEFT JOIN core.unit_sightings_resolved AS s
    ON s.response_id = v.source_response_id AND s.unit_id = v.unit_id
LEFT JOIN core.units AS u ON u.unit_id = v.unit_id;

COMMENT ON MACRO TABLE mart.group_values_in IS
    'mart.group_values_as_of for the periods of a relation (passed by name, with period_type and '
    'period_start), at the cost of those periods only.';

-- mart.group_values_as_of(cutoff): mart.group_values_in over every period.
CREATE OR REPLACE MACRO mart.group_values_as_of(cutoff) AS TABLE
SELECT * FROM mart.group_values_in(cutoff, 'core.group_score_periods');

COMMENT ON MACRO TABLE mart.group_values_as_of IS
    'Long form: the value of each (unit, period type, period, group) as of cutoff (latest complete '
    'capture at or before it) with the unit''s code, name, level and parent from the sighting of the '
    'reply that gave the unit-period''s latest value (fallback core.units), and the capture and source '
    '(raw.captures.source) that gave the value. Source precedence: a portal capture (source not '
    'file_*) wins over a file (letters, saved pages, tables: source file_*) whatever their capture '
    'times; among the same kind the latest complete capture at or before cutoff wins. Building block '
    'of the marts.';

-- mart.cohort_members_as_of(cutoff): the units each whole cohort is made of, as the portal
-- listed them at the cut-off, for the ranks of mart.unit_period_scores and mart.group_ranks.
-- A cohort is defined by the latest complete portal capture (source not file_*) at or
-- before the cut-off that lists all of it:
--   * provinces (ranked nationally, cohort_parent_id null): the national capture of the
--     period (the national ranking: every province);
--   * departments, districts, communes of a province (cohort_parent_id = the province):
--     the province capture of the period (every unit of the province's reply).
-- Files (letters, news articles, tables) never define a cohort: they may name a few units.
-- Ids are the canonical units (core.unit_identities), as in mart.group_values_as_of.
-- mart.cohort_members_in(cutoff, periods) is the same for the periods of a relation (passed
-- by name, with period_type and period_start) only, at the cost of those periods.
CREATE OR REPLACE MACRO mart.cohort_members_in(cutoff, periods) AS TABLE
WITH
defining AS (   -- per period and cohort root (canonical): the latest complete portal capture
    SELECT c.capture_id, c.period_type, c.period_start, c.scope, c.root_unit_id
    FROM raw.captures AS c
    SEMI JOIN query_table(periods) AS p
        ON p.period_type = c.period_type AND p.period_start = c.period_start
    LEFT JOIN core.unit_identities AS ic
        ON ic.source_unit_id = c.root_unit_id
        AND (ic.valid_from IS NULL OR ic.valid_from <= core.period_end(c.period_type, c.period_start))
        AND (ic.valid_to IS NULL OR core.period_end(c.period_type, c.period_start) <= ic.valid_to)
    WHERE c.status = 'complete'
        AND c.scope IN ('national', 'province')
        AND NOT starts_with(c.source, 'file_')
        AND c.captured_at <= cutoff
    QUALIFY row_number() OVER (
        PARTITION BY c.period_type, c.period_start, c.scope,
            CASE WHEN c.scope = 'province' THEN coalesce(ic.unit_id, c.root_unit_id) END
        ORDER BY c.captured_at DESC, c.capture_id DESC
    ) = 1
)
SELECT DISTINCT
    d.period_type,
    d.period_start,
    CASE WHEN d.scope = 'province' THEN coalesce(ir.unit_id, d.root_unit_id) END
        AS cohort_parent_id,
    coalesce(i.unit_id, g.unit_id) AS unit_id,
    d.capture_id
FROM defining AS d
JOIN core.group_scores AS g USING (capture_id)
LEFT JOIN core.unit_identities AS i
    ON i.source_unit_id = g.unit_id
    AND (i.valid_from IS NULL OR i.valid_from <= core.period_end(d.period_type, d.period_start))
    AND (i.valid_to IS NULL OR core.period_end(d.period_type, d.period_start) <= i.valid_to)
LEFT JOIN core.unit_identities AS ir
    ON ir.source_unit_id = d.root_unit_id
    AND (ir.valid_from IS NULL OR ir.valid_from <= core.period_end(d.period_type, d.period_start))
    AND (ir.valid_to IS NULL OR core.period_end(d.period_type, d.period_start) <= ir.valid_to)
-- a province capture lists its province itself too: that unit is ranked nationally
WHERE d.scope = 'national' OR coalesce(i.unit_id, g.unit_id) <> coalesce(ir.unit_id, d.root_unit_id);

COMMENT ON MACRO TABLE mart.cohort_members_in IS
    'mart.cohort_members_as_of for the periods of a relation (passed by name, with period_type '
    'and period_start), at the cost of those periods only.';

CREATE OR REPLACE MACRO mart.cohort_members_as_of(cutoff) AS TABLE
SELECT * FROM mart.cohort_members_in(cutoff, 'core.group_score_periods');

COMMENT ON MACRO TABLE mart.cohort_members_as_of IS
    'The units of each whole cohort at a cut-off: (period_type, period_start, cohort_parent_id, '
    'unit_id, capture_id). Provinces (cohort_parent_id null): those listed by the latest complete '
    'national portal capture of the period; a province''s departments, districts and communes '
    '(cohort_parent_id = the province): those listed by the latest complete portal capture of the '
    'province. Files (source file_*) never define a cohort. Ranks are computed only over these.';

-- The table mart.group_values holds mart.group_values_as_of('infinity'): every value's
-- latest complete capture. warehouse.schema creates it from that query and
-- warehouse.derive refreshes it by period; mart.unit_period_scores and mart.group_ranks
-- are computed from it (their _of macros), so the values are derived once per refresh.
ALTER TABLE mart.group_values ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.group_values ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.group_values ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.group_values ALTER COLUMN group_code SET NOT NULL;

COMMENT ON TABLE mart.group_values IS
    'One row per (unit, period type, period, group): the current value (the latest complete '
    'capture; a portal capture wins over a file) with the source that gave it and the unit''s '
    'cohort attributes for the period. The building block of mart.unit_period_scores and '
    'mart.group_ranks. As of a cut-off: mart.group_values_as_of(cutoff).';
COMMENT ON COLUMN mart.group_values.unit_id IS 'The canonical unit (core.unit_identities).';
COMMENT ON COLUMN mart.group_values.unit_code IS 'Portal departmentCode from the sighting of the reply that gave the unit-period''s latest value (fallback core.units).';
COMMENT ON COLUMN mart.group_values.unit_name IS 'Unit name (NFC) as that reply gave it.';
COMMENT ON COLUMN mart.group_values.unit_level IS 'province, department, district or commune, from that reply (fallback core.units).';
COMMENT ON COLUMN mart.group_values.parent_unit_id IS 'The unit the cohort is under (null for provinces, ranked nationally).';
COMMENT ON COLUMN mart.group_values.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.group_values.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.group_values.group_code IS 'Group code of the methodology (CKMB, TDGQ, …).';
COMMENT ON COLUMN mart.group_values.score IS 'The group score as the source gave it; null stays null (no data is not zero).';
COMMENT ON COLUMN mart.group_values.captured_at IS 'When the capture that gave the value was taken.';
COMMENT ON COLUMN mart.group_values.response_id IS 'The stored reply (raw.responses) the value was read from.';
COMMENT ON COLUMN mart.group_values.capture_id IS 'The capture (raw.captures) the value came from.';
COMMENT ON COLUMN mart.group_values.source_id IS 'raw.captures.source of that capture: current, legacy, or file_* (letters, saved pages, tables).';
