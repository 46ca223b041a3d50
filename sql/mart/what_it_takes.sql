-- mart.what_it_takes_of(points): per unit and period of a relation shaped like
-- mart.points_lost (passed by name: a table, view or CTE), the points needed for the next
-- band and the indicators where they are most cheaply found. mart.what_it_takes applies
-- it to mart.points_lost; mart.what_it_takes_as_of(cutoff) to mart.points_lost_as_of
-- (cutoff), so the scores and the indicators are as they stood at the cut-off.
--
-- * next_band: the band of the methodology version in force (methodology.bands) that
--   starts where the unit's band ends (min_score = the band's max_score);
--   points_to_next_band = round(its min_score − total_score, 2) (Khá at 78.4 needs 1.6 for
--   Tốt). Null for a unit already in the top band, and when the total is missing.
-- * One row per indicator with points lost (points_lost > 0), ranked by points lost,
--   largest first: indicator_rank 1 is where the most points are to be had, competition
--   rank (ties share a rank: 1, 2, 2, 4). A unit-period without any such indicator (full
--   marks everywhere, or only missing values) has one row with null indicator columns, so
--   every unit-period of mart.points_lost is here.
-- * numerator_needed: mart.points_lost.numerator_needed, the numerator move at the same
--   denominator that gives the indicator full points (null when it is not a rate).
CREATE OR REPLACE MACRO mart.what_it_takes_of(points) AS TABLE
WITH
points AS NOT MATERIALIZED (   -- read twice rather than buffered: the scan is cheap
    SELECT * FROM query_table(points)
),
unit_periods AS (   -- the unit-period's attributes are the same on each of its rows
    SELECT
        unit_id,
        any_value(unit_code) AS unit_code,
        any_value(unit_name) AS unit_name,
        any_value(unit_level) AS unit_level,
        any_value(parent_unit_id) AS parent_unit_id,
        period_type,
        period_start,
        any_value(is_provisional) AS is_provisional,
        any_value(total_score) AS total_score,
        any_value(band) AS band,
        any_value(methodology_version) AS methodology_version
    FROM points
    GROUP BY unit_id, period_type, period_start
),
targets AS (
    SELECT
        up.*,
        nb.name_vi AS next_band,
        round(nb.min_score - up.total_score, 2) AS points_to_next_band
    FROM unit_periods AS up
    LEFT JOIN methodology.bands AS b
        ON b.version_id = up.methodology_version AND b.name_vi = up.band
    LEFT JOIN methodology.bands AS nb
        ON nb.version_id = b.version_id AND nb.min_score = b.max_score
),
lost AS (   -- ranked here, on the narrow rows, before the join to the unit-periods
    SELECT
        unit_id, period_type, period_start, group_code, indicator_code, indicator_name,
        points_lost, numerator, denominator, numerator_needed,
        rank() OVER (
            PARTITION BY unit_id, period_type, period_start
            ORDER BY points_lost DESC
        ) AS indicator_rank
    FROM points
    WHERE points_lost > 0
)
SELECT
    t.unit_id,
    t.unit_code,
    t.unit_name,
    t.unit_level,
    t.parent_unit_id,
    t.period_type,
    t.period_start,
    t.is_provisional,
    t.total_score,
    t.band,
    t.next_band,
    t.points_to_next_band,
    CASE WHEN l.indicator_code IS NOT NULL THEN l.indicator_rank END::INTEGER AS indicator_rank,
    l.group_code,
    l.indicator_code,
    l.indicator_name,
    l.points_lost,
    l.numerator,
    l.denominator,
    l.numerator_needed
FROM targets AS t
LEFT JOIN lost AS l USING (unit_id, period_type, period_start);

COMMENT ON MACRO TABLE mart.what_it_takes_of IS
    'Points to the next band and the indicators losing the most points, for a relation shaped '
    'like mart.points_lost (passed by name). Used by mart.what_it_takes and '
    'mart.what_it_takes_as_of.';

-- mart.what_it_takes_as_of(cutoff): mart.what_it_takes_of applied to
-- mart.points_lost_as_of(cutoff).
CREATE OR REPLACE MACRO mart.what_it_takes_as_of(cutoff) AS TABLE
WITH points_at_cutoff AS (
    SELECT * FROM mart.points_lost_as_of(cutoff)
)
SELECT * FROM mart.what_it_takes_of('points_at_cutoff');

COMMENT ON MACRO TABLE mart.what_it_takes_as_of IS
    'mart.what_it_takes as of a data cut-off (TIMESTAMPTZ): scores and indicators as they stood '
    'then.';

-- The table mart.what_it_takes holds mart.what_it_takes_of('mart.points_lost'): what
-- mart.what_it_takes_as_of gives at cutoff 'infinity'. warehouse.schema creates it from
-- that query (its columns are the macro's) and warehouse.derive refreshes
-- it the same way (see warehouse/marts.py). What follows applies to the table once it
-- exists: the NOT NULL columns, and the comments the data dictionary is generated from.
ALTER TABLE mart.what_it_takes ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.what_it_takes ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.what_it_takes ALTER COLUMN period_start SET NOT NULL;

COMMENT ON TABLE mart.what_it_takes IS
    'Per (unit, period type, period): the points needed for the next band and, one row each, the '
    'indicators with points lost, largest first (indicator_rank 1), with the numerator move that '
    'would give each full points. As of a cut-off: mart.what_it_takes_as_of(cutoff).';
COMMENT ON COLUMN mart.what_it_takes.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.what_it_takes.unit_code IS 'Portal departmentCode.';
COMMENT ON COLUMN mart.what_it_takes.unit_name IS 'Unit name, NFC.';
COMMENT ON COLUMN mart.what_it_takes.unit_level IS 'Cohort level.';
COMMENT ON COLUMN mart.what_it_takes.parent_unit_id IS 'Cohort parent; null for provinces.';
COMMENT ON COLUMN mart.what_it_takes.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.what_it_takes.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.what_it_takes.is_provisional IS 'The period was still open at the values'' capture (mart.unit_period_scores.is_provisional).';
COMMENT ON COLUMN mart.what_it_takes.total_score IS 'The unit''s total (mart.points_lost.total_score, from mart.unit_period_scores); null when a group is missing.';
COMMENT ON COLUMN mart.what_it_takes.band IS 'The unit''s band (xếp loại).';
COMMENT ON COLUMN mart.what_it_takes.next_band IS 'The band above (methodology.bands of the version in force: min_score = this band''s max_score); null in the top band or without a total.';
COMMENT ON COLUMN mart.what_it_takes.points_to_next_band IS 'round(next band''s min_score - total_score, 2): points needed to reach it; null in the top band or without a total.';
COMMENT ON COLUMN mart.what_it_takes.indicator_rank IS 'Rank of the indicator by points_lost, largest first (1 = most points to gain), ties sharing a rank (1, 2, 2, 4); null on the row of a unit-period with no indicator losing points.';
COMMENT ON COLUMN mart.what_it_takes.group_code IS 'The indicator''s group.';
COMMENT ON COLUMN mart.what_it_takes.indicator_code IS 'Indicator code (mart.points_lost.indicator_code; TDGQ_GROUP… for a group scored without indicators).';
COMMENT ON COLUMN mart.what_it_takes.indicator_name IS 'Indicator name, NFC.';
COMMENT ON COLUMN mart.what_it_takes.points_lost IS 'max_score - score of the indicator (> 0).';
COMMENT ON COLUMN mart.what_it_takes.numerator IS 'The indicator''s numerator as given.';
COMMENT ON COLUMN mart.what_it_takes.denominator IS 'The indicator''s denominator as given.';
COMMENT ON COLUMN mart.what_it_takes.numerator_needed IS 'More numerator units at the same denominator that give the indicator full points (mart.points_lost.numerator_needed); null when not a rate.';
