-- mart.band_counts_of(scores): in a relation shaped like mart.unit_period_scores (passed
-- by name: a table, view or CTE), how many units of each level are in each band, per
-- period, per parent (parent_unit_id = the province) and nationally (parent_unit_id null,
-- all parents together). Every band of the period's methodology version has a row, with
-- 0 when no unit is in it. Only units with a total (hence a band and a rank) count:
-- cohort_size is the number of banded units of the scope, and
-- share_pct = round(100 · unit_count / cohort_size, 2). Provinces have no parent, so
-- their only scope is national.
CREATE OR REPLACE MACRO mart.band_counts_of(scores) AS TABLE
WITH
banded AS (
    SELECT period_type, period_start, unit_level, parent_unit_id, methodology_version, band_code
    FROM query_table(scores)
    WHERE band_code IS NOT NULL
),
scoped AS (   -- each unit counted once under its parent and once nationally
    SELECT * FROM banded WHERE parent_unit_id IS NOT NULL
    UNION ALL
    SELECT * REPLACE (NULL::VARCHAR AS parent_unit_id) FROM banded
),
scopes AS (
    SELECT
        period_type, period_start, unit_level, parent_unit_id, methodology_version,
        count(*) AS cohort_size
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
    round(100 * coalesce(c.n, 0) / s.cohort_size, 2) AS share_pct
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
