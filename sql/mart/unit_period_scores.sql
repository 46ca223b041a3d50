-- mart.unit_period_scores_as_of(cutoff): one row per (unit, period type, period) with the
-- six group scores, the total, band and rank, as the portal stood at the cut-off.
-- mart.unit_period_scores holds the same with the current values (cutoff = 'infinity').
--
-- * total_score = round(sum of the groups, 2) only when every group of the methodology
--   version in force has a value; otherwise null and missing_groups lists the codes.
--   Never a partial total.
-- * methodology_version: the 'portal' version in force on period_start.
-- * band: the methodology.bands row of that version with min_score <= total < max_score.
-- * rank: competition rank (1, 2, 2, 4) by total_score descending within the cohort:
--   same level, same parent, same period type and period. Null total → no rank.
--   cohort_size counts the ranked units.
-- * reported_total_score: the portal's own total from the latest complete national
--   capture at or before the cut-off; total_mismatch when |total − reported| > 0.011.
CREATE OR REPLACE MACRO mart.unit_period_scores_as_of(cutoff) AS TABLE
WITH
group_values AS (
    SELECT * FROM mart.group_values_as_of(cutoff)
),
unit_periods AS (
    SELECT
        unit_id,
        any_value(unit_code) AS unit_code,
        any_value(unit_name) AS unit_name,
        any_value(unit_level) AS unit_level,
        any_value(parent_unit_id) AS parent_unit_id,
        period_type,
        period_start,
        max(score) FILTER (WHERE group_code = 'CKMB') AS ckmb,
        max(score) FILTER (WHERE group_code = 'TDGQ') AS tdgq,
        max(score) FILTER (WHERE group_code = 'CLGQ') AS clgq,
        max(score) FILTER (WHERE group_code = 'TTTT') AS tttt,
        max(score) FILTER (WHERE group_code = 'MDHL') AS mdhl,
        max(score) FILTER (WHERE group_code = 'MDSH') AS mdsh,
        max(captured_at) AS captured_at
    FROM group_values
    GROUP BY unit_id, period_type, period_start
),
versioned AS (   -- the portal methodology version in force on period_start
    SELECT up.*, v.version_id AS methodology_version
    FROM unit_periods AS up
    LEFT JOIN methodology.versions AS v
        ON v.kind = 'portal'
        AND v.effective_from <= up.period_start
        AND (v.effective_to IS NULL OR up.period_start <= v.effective_to)
    QUALIFY row_number() OVER (
        PARTITION BY up.unit_id, up.period_type, up.period_start
        ORDER BY v.effective_from DESC
    ) = 1
),
required_groups AS (   -- each group the version requires, with the unit's value (or null)
    SELECT
        up.unit_id,
        up.period_type,
        up.period_start,
        mg.group_code,
        mg.sort_order,
        gv.score
    FROM versioned AS up
    JOIN methodology.groups AS mg ON mg.version_id = up.methodology_version
    LEFT JOIN group_values AS gv
        ON gv.unit_id = up.unit_id
        AND gv.period_type = up.period_type
        AND gv.period_start = up.period_start
        AND gv.group_code = mg.group_code
),
totals AS (
    SELECT
        unit_id,
        period_type,
        period_start,
        coalesce(
            list(group_code ORDER BY sort_order) FILTER (WHERE score IS NULL), []::VARCHAR[]
        ) AS missing_groups,
        CASE WHEN count(*) FILTER (WHERE score IS NULL) = 0 THEN round(sum(score), 2) END
            AS total_score
    FROM required_groups
    GROUP BY unit_id, period_type, period_start
),
reported AS (   -- the portal's own total: latest complete national capture
    SELECT r.unit_id, r.period_type, r.period_start, r.total_score
    FROM core.reported_totals AS r
    JOIN raw.captures AS c USING (capture_id)
    WHERE c.status = 'complete' AND c.scope = 'national' AND r.captured_at <= cutoff
    QUALIFY row_number() OVER (
        PARTITION BY r.unit_id, r.period_type, r.period_start
        ORDER BY r.captured_at DESC, r.response_id DESC
    ) = 1
),
scored AS (
    SELECT
        up.*,
        t.total_score,
        -- no methodology version in force: the required groups are unknown, so no total
        CASE WHEN up.methodology_version IS NULL THEN NULL ELSE t.missing_groups END
            AS missing_groups,
        rep.total_score AS reported_total_score,
        abs(t.total_score - rep.total_score) > 0.011 AS total_mismatch,
        b.name_vi AS band,
        b.band_code
    FROM versioned AS up
    LEFT JOIN totals AS t USING (unit_id, period_type, period_start)
    LEFT JOIN reported AS rep USING (unit_id, period_type, period_start)
    LEFT JOIN methodology.bands AS b
        ON b.version_id = up.methodology_version
        AND t.total_score >= b.min_score
        AND t.total_score < b.max_score
)
SELECT
    unit_id,
    unit_code,
    unit_name,
    unit_level,
    parent_unit_id,
    period_type,
    period_start,
    ckmb,
    tdgq,
    clgq,
    tttt,
    mdhl,
    mdsh,
    total_score,
    missing_groups,
    reported_total_score,
    total_mismatch,
    band,
    band_code,
    CASE WHEN total_score IS NOT NULL THEN
        rank() OVER (
            PARTITION BY period_type, period_start, unit_level, parent_unit_id,
                total_score IS NULL
            ORDER BY total_score DESC
        )
    END::INTEGER AS rank,
    count(total_score) OVER (
        PARTITION BY period_type, period_start, unit_level, parent_unit_id
    )::INTEGER AS cohort_size,
    captured_at,
    methodology_version
FROM scored;

COMMENT ON MACRO TABLE mart.unit_period_scores_as_of IS
    'mart.unit_period_scores as of a data cut-off (TIMESTAMPTZ): values of the latest complete '
    'capture at or before cutoff. Example: SELECT * FROM mart.unit_period_scores_as_of('
    'TIMESTAMPTZ ''2023-11-23 16:00:00+07'').';

-- The table mart.unit_period_scores holds the current values,
-- mart.unit_period_scores_as_of('infinity'): every value's latest complete capture.
-- warehouse.schema creates it from that query (its columns are the macro's) and
-- warehouse.derive refreshes it the same way (see warehouse/marts.py). What follows applies
-- to the table once it exists: the NOT NULL columns, and the comments the data dictionary
-- is generated from.
ALTER TABLE mart.unit_period_scores ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.unit_period_scores ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.unit_period_scores ALTER COLUMN period_start SET NOT NULL;

COMMENT ON TABLE mart.unit_period_scores IS
    'One row per (unit, period type, period): the current value of the six group scores (latest '
    'complete capture), their total, band and rank within the cohort (same level, parent, period '
    'type and period). As of a cut-off: mart.unit_period_scores_as_of(cutoff).';
COMMENT ON COLUMN mart.unit_period_scores.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.unit_period_scores.unit_code IS 'Portal departmentCode (H15, H15.101…) from the sighting of the reply that gave the values.';
COMMENT ON COLUMN mart.unit_period_scores.unit_name IS 'Unit name (NFC) as that reply gave it.';
COMMENT ON COLUMN mart.unit_period_scores.unit_level IS 'province, department, district or commune: from the reply that gave the values (fallback core.units).';
COMMENT ON COLUMN mart.unit_period_scores.parent_unit_id IS 'The unit the cohort is under (a department''s or commune''s province); null for provinces (ranked nationally).';
COMMENT ON COLUMN mart.unit_period_scores.period_type IS 'month, quarter, half (legacy API) or year (a year''s value during the year is year-to-date).';
COMMENT ON COLUMN mart.unit_period_scores.period_start IS 'First day of the period (2023-11-01 for 11/2023, 2024-04-01 for Q2/2024).';
COMMENT ON COLUMN mart.unit_period_scores.ckmb IS 'Công khai, minh bạch (max 18): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.tdgq IS 'Tiến độ, kết quả giải quyết (max 20): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.clgq IS 'Dịch vụ công trực tuyến (max 12): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.tttt IS 'Thanh toán trực tuyến (max 10): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.mdhl IS 'Mức độ hài lòng (max 18): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.mdsh IS 'Số hóa hồ sơ (max 22): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.total_score IS 'round(sum of the groups, 2) when every group of the methodology version has a value; otherwise null (never a partial total).';
COMMENT ON COLUMN mart.unit_period_scores.missing_groups IS 'Codes of the groups without a value (empty when the total is complete); null when no methodology version is in force.';
COMMENT ON COLUMN mart.unit_period_scores.reported_total_score IS 'The portal''s own total (core.reported_totals) from the latest complete national capture; provinces only.';
COMMENT ON COLUMN mart.unit_period_scores.total_mismatch IS 'True when |total_score - reported_total_score| > 0.011; null when either is missing.';
COMMENT ON COLUMN mart.unit_period_scores.band IS 'Xếp loại (Vietnamese, NFC) from methodology.bands: min_score <= total < max_score (90 Xuất sắc, 89.99 Tốt).';
COMMENT ON COLUMN mart.unit_period_scores.band_code IS 'Band code: XUAT_SAC, TOT, KHA, TRUNG_BINH, YEU.';
COMMENT ON COLUMN mart.unit_period_scores.rank IS 'Competition rank (1, 2, 2, 4) by total_score descending within the cohort; null when total_score is null.';
COMMENT ON COLUMN mart.unit_period_scores.cohort_size IS 'Number of ranked units in the cohort (same level, parent, period type and period).';
COMMENT ON COLUMN mart.unit_period_scores.captured_at IS 'Capture time of the latest of the six group values.';
COMMENT ON COLUMN mart.unit_period_scores.methodology_version IS 'The portal methodology version (methodology.versions, kind portal) in force on period_start.';
