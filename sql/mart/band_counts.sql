-- mart.band_counts_of(scores): in a relation shaped like mart.unit_period_scores (passed
-- by name: a table, view or CTE), how many units of each level are in each band, per
-- period, per parent (parent_unit_id = the province) and nationally (parent_unit_id null,
-- all parents together). Every band of the period's methodology version has a row, with
-- 0 when no unit is in it. Only units with a total (hence a band) count, and not a unit
-- the capture listing its cohort no longer lists (rank_null_reason 'not_in_cohort': the
-- portal dropped it, or only a letter names it), so the counts are of the units the
-- ranks are over, as the letters count them ("02/17"): cohort_size is the number of
-- banded units of the scope, and
-- share_pct = round(100 · unit_count / cohort_size, 2). Provinces have no parent, so
-- their only scope is national. is_provisional: some unit of the scope has values captured
-- before the period closed (mart.unit_period_scores.is_provisional).
CREATE OR REPLACE MACRO mart.band_counts_of(scores) AS TABLE
WITH
banded AS (
    SELECT
        period_type, period_start, unit_level, parent_unit_id, methodology_version, band_code,
        is_provisional
    FROM query_table(scores)
    WHERE band_code IS NOT NULL AND rank_null_reason IS DISTINCT FROM 'not_in_cohort'
),
scoped AS (   -- each unit counted once under its parent and once nationally
    SELECT * FROM banded WHERE parent_unit_id IS NOT NULL
    UNION ALL
    SELECT * REPLACE (NULL::VARCHAR AS parent_unit_id) FROM banded
),
scopes AS (
    SELECT
        period_type, period_start, unit_level, parent_unit_id, methodology_version,
        count(*) AS cohort_size,
        bool_or(is_provisional) AS is_provisional
    FROM scoped
    GROUP BY ALL
),
counts AS (
    SELECT period_type, period_start, unit_level, parent_unit_id, band_code, count(*) AS n
    FROM scoped
    GROUP BY ALL
)
SELECT
    s.period_type,
    s.period_start,
    s.unit_level,
    s.parent_unit_id,
    b.name_vi AS band,
    b.band_code,
    coalesce(c.n, 0)::INTEGER AS unit_count,
    s.cohort_size::INTEGER AS cohort_size,
    round(100 * coalesce(c.n, 0) / s.cohort_size, 2) AS share_pct,
    s.is_provisional
FROM scopes AS s
JOIN methodology.bands AS b ON b.version_id = s.methodology_version
LEFT JOIN counts AS c
    ON c.period_type = s.period_type
    AND c.period_start = s.period_start
    AND c.unit_level IS NOT DISTINCT FROM s.unit_level
    AND c.parent_unit_id IS NOT DISTINCT FROM s.parent_unit_id
    AND c.band_code = b.band_code;

COMMENT ON MACRO TABLE mart.band_counts_of IS
    'Band counts of a relation shaped like mart.unit_period_scores (passed by name). Used by '
    'mart.band_counts and mart.band_counts_as_of.';

-- mart.band_counts_as_of(cutoff): mart.band_counts as of a data cut-off: the logic of
-- mart.band_counts_of applied to mart.unit_period_scores_as_of(cutoff).
CREATE OR REPLACE MACRO mart.band_counts_as_of(cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.band_counts_of('scores_at_cutoff');

COMMENT ON MACRO TABLE mart.band_counts_as_of IS
    'mart.band_counts as of a data cut-off (TIMESTAMPTZ).';

-- The table mart.band_counts holds the current values,
-- mart.band_counts_of('mart.unit_period_scores'): what mart.band_counts_as_of gives at
-- cutoff 'infinity', without recomputing the scores. warehouse.schema creates it from that
-- query (its columns are the macro's) and warehouse.derive refreshes it the same way (see
-- warehouse/marts.py). What follows applies to the table once it exists: the NOT NULL
-- columns, and the comments the data dictionary is generated from.
ALTER TABLE mart.band_counts ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.band_counts ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.band_counts ALTER COLUMN band SET NOT NULL;
ALTER TABLE mart.band_counts ALTER COLUMN band_code SET NOT NULL;
ALTER TABLE mart.band_counts ALTER COLUMN unit_count SET NOT NULL;
ALTER TABLE mart.band_counts ALTER COLUMN cohort_size SET NOT NULL;
ALTER TABLE mart.band_counts ALTER COLUMN share_pct SET NOT NULL;
ALTER TABLE mart.band_counts ALTER COLUMN is_provisional SET NOT NULL;

COMMENT ON TABLE mart.band_counts IS
    'Units per band (all five bands, 0 included) per period, level and parent, and nationally '
    '(parent_unit_id null). The Đồng Nai Q2/2024 letter''s "02/17 cơ quan xếp loại Tốt" is unit_count/cohort_size. '
    'Pivoted like the letters: mart.band_count_table. As of a cut-off: mart.band_counts_as_of(cutoff).';
COMMENT ON COLUMN mart.band_counts.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.band_counts.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.band_counts.unit_level IS 'Level of the units counted (province, department, district, commune).';
COMMENT ON COLUMN mart.band_counts.parent_unit_id IS 'The parent whose units are counted; null = national (all parents together).';
COMMENT ON COLUMN mart.band_counts.band IS 'Band name (Vietnamese, NFC).';
COMMENT ON COLUMN mart.band_counts.band_code IS 'Band code: XUAT_SAC, TOT, KHA, TRUNG_BINH, YEU.';
COMMENT ON COLUMN mart.band_counts.unit_count IS 'Units of the scope in this band (0 when none).';
COMMENT ON COLUMN mart.band_counts.cohort_size IS 'Units of the scope with a total (sum of unit_count over the bands).';
COMMENT ON COLUMN mart.band_counts.share_pct IS 'round(100 * unit_count / cohort_size, 2).';
COMMENT ON COLUMN mart.band_counts.is_provisional IS 'True when the period had not closed at the data cut-off of some counted unit''s values (any mart.unit_period_scores.is_provisional of the scope): the counts are provisional ("tạm tính").';
