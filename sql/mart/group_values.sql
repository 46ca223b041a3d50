-- mart.group_values_as_of(cutoff): the value of each (unit, period type, period, group) as
-- it stood at the cut-off (latest complete capture at or before it, from
-- core.group_scores_as_of), with the unit's cohort attributes for that period.
--
-- Level and parent come from the unit sighting of the reply that gave the unit-period's
-- latest value (core.unit_sightings joined on response_id), falling back to core.units
-- when that reply has no sighting. Code and name come from the same sighting, so a
-- value as of a cut-off carries the name the unit had then.
-- Current values: mart.group_values_as_of('infinity'::TIMESTAMPTZ).
CREATE OR REPLACE MACRO mart.group_values_as_of(cutoff) AS TABLE
WITH
values_at_cutoff AS (
    SELECT unit_id, period_type, period_start, group_code, score, captured_at, response_id
    FROM core.group_scores_as_of(cutoff)
),
source_reply AS (   -- the reply holding the unit-period's latest value
    SELECT unit_id, period_type, period_start, response_id
    FROM values_at_cutoff
    QUALIFY row_number() OVER (
        PARTITION BY unit_id, period_type, period_start
        ORDER BY captured_at DESC, response_id DESC
    ) = 1
),
unit_period_attributes AS (
    SELECT
        r.unit_id,
        r.period_type,
        r.period_start,
        coalesce(s.unit_code, u.unit_code) AS unit_code,
        coalesce(s.unit_name, u.unit_name) AS unit_name,
        coalesce(nullif(s.unit_level, 'unknown'), u.unit_level) AS unit_level,
        CASE WHEN s.unit_id IS NOT NULL THEN s.parent_unit_id ELSE u.parent_unit_id END
            AS parent_unit_id
    FROM source_reply AS r
    LEFT JOIN core.unit_sightings AS s ON s.response_id = r.response_id AND s.unit_id = r.unit_id
    LEFT JOIN core.units AS u ON u.unit_id = r.unit_id
)
SELECT
    v.unit_id,
    a.unit_code,
    a.unit_name,
    a.unit_level,
    a.parent_unit_id,
    v.period_type,
    v.period_start,
    v.group_code,
    v.score,
    v.captured_at,
    v.response_id
FROM values_at_cutoff AS v
JOIN unit_period_attributes AS a USING (unit_id, period_type, period_start);

COMMENT ON MACRO TABLE mart.group_values_as_of IS
    'Long form: the value of each (unit, period type, period, group) as of cutoff (latest complete '
    'capture at or before it) with the unit''s code, name, level and parent from the sighting of the '
    'reply that gave the unit-period''s latest value (fallback core.units). Building block of the marts.';
