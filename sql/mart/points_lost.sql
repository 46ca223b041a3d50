-- mart.points_lost_of(scores, cutoff): per unit, period and indicator, the points the unit
-- did not get (max_score − score), and its group's total lost, for the unit-periods of
-- ``scores`` (a relation shaped like mart.unit_period_scores, passed by name) with the
-- indicators as the portal stood at the cut-off (default 'infinity': the latest). The table
-- reads mart.unit_period_scores itself (no second derivation of the scores);
-- mart.points_lost_as_of(cutoff) applies it to mart.unit_period_scores_as_of(cutoff). The
-- largest gaps are one query: ORDER BY points_lost DESC.
--
-- * Indicators: core.metric_values, each (unit, period, group, indicator) from its latest
--   complete capture at or before the cut-off. max_score is the reply's own maximum
--   (fallback methodology.indicators of the portal version in force on period_start);
--   indicator_name the reply's name (fallback methodology.indicators.name_vi). Group rates
--   a file gave (metric code <group>_RATE, turned into group points by
--   sql/core/derive_rate_points.sql) are not indicators and are left out.
-- * A group of the version in force without any indicator value (the portal scores TDGQ,
--   CLGQ and TTTT from parameters) stands as one indicator: the group itself, coded as
--   methodology.indicators codes it (TDGQ_GROUP…; <group>_GROUP when the version lists no
--   indicators), with the group's maximum (methodology.groups) and score.
-- * group_points_lost = the group's maximum (methodology.groups) − the group's score
--   (mart.unit_period_scores_as_of group_scores: the portal's score, authoritative over
--   the sum of its indicators).
-- * Unit attributes, is_provisional, total_score and band: mart.unit_period_scores_as_of
--   at the same cut-off (so mart.what_it_takes is computed from this table alone). A
--   unit-period without a methodology version in force has no groups, hence no rows.
-- * numerator_needed, for a rate indicator (methodology.indicators.score_rule written on
--   the ratio or on num / den, with a numerator and a denominator > 0): how many more
--   numerator units at the same denominator reach full points. Full points come at the
--   rate the rule divides the ratio by ('min(6, 6 × ratio / 90)': 90 %), else at 100 %:
--   max(0, ceil(denominator × full_rate / 100 − numerator)). Null when not a rate or
--   when the score is missing.
-- Missing is not zero: a null score gives null points_lost (and a null group score a null
-- group_points_lost), never the maximum.
CREATE OR REPLACE MACRO mart.points_lost_of(scores, cutoff := 'infinity'::TIMESTAMPTZ) AS TABLE
WITH
unit_periods AS MATERIALIZED (
    SELECT
        unit_id, unit_code, unit_name, unit_level, parent_unit_id, period_type, period_start,
        is_provisional, total_score, band, methodology_version, group_scores
    FROM query_table(scores)
),
groups AS (   -- every group of the version, with the unit's score (null when missing)
    SELECT
        up.* EXCLUDE (group_scores),
        g.group_code,
        g.name_vi AS group_name,
        g.max_score::DOUBLE AS group_max_score,
        up.group_scores[g.group_code] AS group_score,
        round(g.max_score - up.group_scores[g.group_code], 4) AS group_points_lost
    FROM unit_periods AS up
    JOIN methodology.groups AS g ON g.version_id = up.methodology_version
),
indicator_values AS (   -- the indicators of the scores' periods, complete captures only
    SELECT
        m.unit_id, m.period_type, m.period_start, m.group_code, m.metric_code, m.metric_name,
        m.numerator, m.denominator, m.score, m.max_score,
        (m.captured_at, m.response_id) AS capture_key
    FROM core.metric_values AS m
    -- only the periods of the scores: the latest value is picked per period, so reading
    -- the other periods' indicators would only be thrown away
    SEMI JOIN (SELECT DISTINCT period_type, period_start FROM unit_periods) AS p
        USING (period_type, period_start)
    JOIN raw.captures AS c USING (capture_id)
    WHERE c.status = 'complete'
        AND m.captured_at <= cutoff
        AND m.metric_code <> m.group_code || '_RATE'
),
latest_keys AS (   -- each indicator's latest capture (an aggregate: cheaper than a window)
    SELECT
        unit_id, period_type, period_start, group_code, metric_code,
        max(capture_key) AS capture_key
    FROM indicator_values
    GROUP BY ALL
),
metrics AS (   -- each indicator's latest complete capture at or before the cut-off (one row:
               -- core checks keep one row per reply, unit and indicator)
    SELECT * EXCLUDE (capture_key)
    FROM indicator_values
    SEMI JOIN latest_keys
        USING (unit_id, period_type, period_start, group_code, metric_code, capture_key)
),
indicators AS (   -- each indicator value; a group without any (m null): the group itself
    SELECT
        g.* EXCLUDE (group_name, group_max_score, group_score),
        coalesce(m.metric_code, g.group_code || '_GROUP') AS indicator_code,
        CASE WHEN m.metric_code IS NULL THEN coalesce(i.name_vi, g.group_name)
            ELSE coalesce(m.metric_name, i.name_vi) END AS indicator_name,
        CASE WHEN m.metric_code IS NULL THEN g.group_max_score
            ELSE coalesce(m.max_score, i.max_score::DOUBLE) END AS max_score,
        CASE WHEN m.metric_code IS NULL THEN g.group_score ELSE m.score END AS score,
        m.numerator::DOUBLE AS numerator,
        m.denominator::DOUBLE AS denominator,
        i.score_rule
    -- one pass over the indicators (no second scan for the groups without any)
    FROM groups AS g
    LEFT JOIN metrics AS m USING (unit_id, period_type, period_start, group_code)
    LEFT JOIN methodology.indicators AS i
        ON i.version_id = g.methodology_version
        AND i.group_code = g.group_code
        AND i.metric_code = coalesce(m.metric_code, g.group_code || '_GROUP')
),
rule_rates AS (   -- the full-points rate of each rate rule: read once per rule, not per row
    SELECT DISTINCT
        score_rule,
        CASE WHEN regexp_matches(score_rule, 'ratio|num / den') THEN coalesce(
            TRY_CAST(regexp_extract(score_rule, 'ratio / (\d+)', 1) AS DOUBLE), 100
        ) END AS rule_full_rate
    FROM methodology.indicators
),
rated AS (
    SELECT
        *,
        round(max_score - score, 4) AS points_lost,
        CASE
            WHEN rule_full_rate IS NOT NULL AND numerator IS NOT NULL AND denominator > 0
                THEN rule_full_rate
        END AS full_rate
    FROM indicators
    LEFT JOIN rule_rates USING (score_rule)
)
SELECT
    unit_id,
    unit_code,
    unit_name,
    unit_level,
    parent_unit_id,
    period_type,
    period_start,
    group_code,
    indicator_code,
    indicator_name,
    max_score,
    score,
    points_lost,
    group_points_lost,
    numerator,
    denominator,
    CASE WHEN full_rate IS NOT NULL AND score IS NOT NULL THEN
        greatest(0, ceil(round(denominator * full_rate / 100 - numerator, 6)))
    END AS numerator_needed,
    methodology_version,
    is_provisional,
    total_score,
    band
FROM rated;

COMMENT ON MACRO TABLE mart.points_lost_of IS
    'mart.points_lost from a relation shaped like mart.unit_period_scores (passed by name: a '
    'table, view or CTE) and the indicators'' latest complete capture at or before cutoff '
    '(default: every value''s latest). mart.points_lost is mart.points_lost_of(''mart.unit_period_scores'').';

-- mart.points_lost_as_of(cutoff): mart.points_lost_of applied to
-- mart.unit_period_scores_as_of(cutoff), with the indicators as they stood at the cut-off.
CREATE OR REPLACE MACRO mart.points_lost_as_of(cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.points_lost_of('scores_at_cutoff', cutoff := cutoff);

COMMENT ON MACRO TABLE mart.points_lost_as_of IS
    'mart.points_lost as of a data cut-off (TIMESTAMPTZ): each indicator''s and group''s latest '
    'complete capture at or before cutoff.';

-- The table mart.points_lost holds mart.points_lost_as_of('infinity'): every value's
-- latest complete capture. warehouse.schema creates it from that query (its columns are
-- the macro's) and warehouse.derive refreshes it the same way (see warehouse/marts.py).
-- What follows applies to the table once it exists: the NOT NULL columns, and the
-- comments the data dictionary is generated from.
ALTER TABLE mart.points_lost ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.points_lost ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.points_lost ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.points_lost ALTER COLUMN group_code SET NOT NULL;
ALTER TABLE mart.points_lost ALTER COLUMN indicator_code SET NOT NULL;

COMMENT ON TABLE mart.points_lost IS
    'One row per (unit, period type, period, indicator): the maximum, the score and the points '
    'lost (max_score - score), with the group''s total lost; a group the portal scores without '
    'indicators is one row (TDGQ_GROUP…). Missing stays missing: a null score has null '
    'points_lost. As of a cut-off: mart.points_lost_as_of(cutoff).';
COMMENT ON COLUMN mart.points_lost.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.points_lost.unit_code IS 'Portal departmentCode (mart.unit_period_scores).';
COMMENT ON COLUMN mart.points_lost.unit_name IS 'Unit name, NFC (mart.unit_period_scores).';
COMMENT ON COLUMN mart.points_lost.unit_level IS 'Cohort level (mart.unit_period_scores).';
COMMENT ON COLUMN mart.points_lost.parent_unit_id IS 'Cohort parent; null for provinces.';
COMMENT ON COLUMN mart.points_lost.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.points_lost.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.points_lost.group_code IS 'The indicator''s group (methodology.groups of the version in force).';
COMMENT ON COLUMN mart.points_lost.indicator_code IS 'Indicator code (core.metric_values.metric_code: PUBLISH_ON_TIME, DOSSIER_SYNC…), or the group''s own code (TDGQ_GROUP…) for a group scored without indicators.';
COMMENT ON COLUMN mart.points_lost.indicator_name IS 'Indicator name as the reply gave it (fallback methodology.indicators.name_vi; the group''s name for a group row), NFC.';
COMMENT ON COLUMN mart.points_lost.max_score IS 'The indicator''s maximum: the reply''s (fallback methodology.indicators); the group''s maximum for a group row.';
COMMENT ON COLUMN mart.points_lost.score IS 'The portal''s score of the indicator (of the group for a group row); null = no data.';
COMMENT ON COLUMN mart.points_lost.points_lost IS 'round(max_score - score, 4); null when the score is missing (never the maximum).';
COMMENT ON COLUMN mart.points_lost.group_points_lost IS 'The group''s maximum (methodology.groups) minus the group''s score, round 4; null when the group''s score is missing.';
COMMENT ON COLUMN mart.points_lost.numerator IS 'The indicator''s numerator as given (null for a group row).';
COMMENT ON COLUMN mart.points_lost.denominator IS 'The indicator''s denominator as given (0 with a null score = no data).';
COMMENT ON COLUMN mart.points_lost.numerator_needed IS 'Rate indicators only: more numerator units at the same denominator that reach full points, max(0, ceil(denominator × full rate / 100 - numerator)); the full rate is the one methodology.indicators.score_rule divides the ratio by (90 in min(6, 6 × ratio / 90)), else 100. Null when not a rate, when the denominator is 0 or missing, or the score is missing.';
COMMENT ON COLUMN mart.points_lost.methodology_version IS 'The portal methodology version in force on period_start (methodology.versions).';
COMMENT ON COLUMN mart.points_lost.is_provisional IS 'The period was still open at the values'' capture (mart.unit_period_scores.is_provisional).';
COMMENT ON COLUMN mart.points_lost.total_score IS 'The unit''s total for the period (mart.unit_period_scores), the same on each of its rows.';
COMMENT ON COLUMN mart.points_lost.band IS 'The unit''s band for the period (mart.unit_period_scores), the same on each of its rows.';
