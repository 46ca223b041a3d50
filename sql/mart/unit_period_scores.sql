-- mart.unit_period_scores_of(group_values_relation, cutoff): one row per (unit, period
-- type, period) of a relation shaped like mart.group_values (passed by name) with the group
-- scores, the total, band and rank; the portal's own totals and ranks, the letters' ranks
-- and the cohorts are those at or before the cut-off. mart.unit_period_scores_as_of(cutoff)
-- applies it to mart.group_values_as_of(cutoff): the scores as the portal stood then.
--
-- * group_scores: a map group_code → score holding every group of the methodology version
--   in force (methodology.groups, in sort_order), a group without a value as a null
--   entry: seven keys under a seven-group version, six before. The six named columns
--   ckmb…mdsh are the 2023 methodology's groups, kept for analysts' queries.
-- mart.unit_period_scores applies it to the table mart.group_values (the current values).
--
-- * total_score = round(sum of the groups, 2) only when every group of the methodology
--   version in force has a value; otherwise null and missing_groups lists the codes.
--   Never a partial total.
-- * methodology_version: the 'portal' version in force on period_start.
-- * band: the methodology.bands row of that version with min_score <= total < max_score.
-- * rank: competition rank (1, 2, 2, 4) by total_score descending within the cohort:
--   same level, same parent, same period type and period, and only over a whole cohort
--   (mart.cohort_members_as_of): the provinces of the latest complete national portal
--   capture of the period, or the units of the latest complete portal capture of the
--   province, every one of them with a total. Otherwise rank and cohort_size are null and
--   rank_null_reason says why:
--     no_total             the unit has no total (a group is missing)
--     cohort_not_captured  no complete portal capture lists the cohort for the period
--                          (values only from letters, news articles, tables)
--     not_in_cohort        the cohort's capture does not list this unit
--     incomplete_cohort    a unit the cohort's capture lists has no total
--   cohort_size counts the ranked units (the whole cohort).
-- * reported_rank, reported_cohort_size: what a source said, never computed: the portal's
--   own rank (stt) from the latest complete national capture, out of the provinces that
--   reply lists; else the latest rank a letter states ("xếp hạng 21", "43/63").
-- * reported_total_score: the portal's own total from the latest complete national
--   capture at or before the cut-off; total_mismatch when |total − reported| > 0.011.
CREATE OR REPLACE MACRO mart.unit_period_scores_of(group_values_relation, cutoff := 'infinity'::TIMESTAMPTZ)
AS TABLE
WITH
group_values AS (
    SELECT * FROM query_table(group_values_relation)
),
value_periods AS (   -- the periods of the values: what reads core below is limited to them
    SELECT DISTINCT period_type, period_start FROM group_values
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
            AS total_score,
        -- every group of the version, in its order; a group without a value maps to null
        map(list(group_code ORDER BY sort_order), list(score::DOUBLE ORDER BY sort_order))
            AS group_scores
    FROM required_groups
    GROUP BY unit_id, period_type, period_start
),
reported AS (   -- the portal's own total and rank: latest complete national capture
    SELECT
        r.unit_id, r.period_type, r.period_start, r.total_score, r.reported_rank,
        -- the national cohort the portal ranked in that reply: the provinces it lists
        count(DISTINCT r.unit_id) OVER (PARTITION BY r.capture_id)::INTEGER
            AS reported_cohort_size
    FROM core.reported_totals_resolved AS r
    SEMI JOIN value_periods AS p USING (period_type, period_start)
    JOIN raw.captures AS c USING (capture_id)
    WHERE c.status = 'complete' AND c.scope = 'national' AND r.captured_at <= cutoff
        AND NOT starts_with(c.source, 'file_')
    QUALIFY row_number() OVER (
        PARTITION BY r.unit_id, r.period_type, r.period_start
        ORDER BY r.captured_at DESC, r.response_id DESC
    ) = 1
),
letter_ranks AS (   -- the rank a file states ("xếp hạng 21", "đứng thứ 43/63"): latest file
    SELECT r.unit_id, r.period_type, r.period_start, r.reported_rank, r.reported_cohort_size
    FROM core.reported_totals_resolved AS r
    SEMI JOIN value_periods AS p USING (period_type, period_start)
    JOIN raw.captures AS c USING (capture_id)
    WHERE c.status = 'complete' AND starts_with(c.source, 'file_') AND r.captured_at <= cutoff
        AND r.reported_rank IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY r.unit_id, r.period_type, r.period_start
        ORDER BY r.captured_at DESC, r.response_id DESC
    ) = 1
),
cohort_members AS (   -- the units of each whole cohort (portal captures only)
    SELECT * FROM mart.cohort_members_in(cutoff, 'value_periods')
),
scored AS (
    SELECT
        up.*,
        t.total_score,
        t.group_scores,
        -- no methodology version in force: the required groups are unknown, so no total
        CASE WHEN up.methodology_version IS NULL THEN NULL ELSE t.missing_groups END
            AS missing_groups,
        rep.total_score AS reported_total_score,
        abs(t.total_score - rep.total_score) > 0.011 AS total_mismatch,
        CASE WHEN rep.reported_rank IS NOT NULL THEN rep.reported_rank ELSE lr.reported_rank END
            AS reported_rank,
        CASE WHEN rep.reported_rank IS NOT NULL THEN rep.reported_cohort_size
            ELSE lr.reported_cohort_size END AS reported_cohort_size,
        -- ranked only over a whole cohort (mart.cohort_members_as_of); otherwise why not
        CASE
            WHEN t.total_score IS NULL THEN 'no_total'
            WHEN NOT bool_or(m.unit_id IS NOT NULL) OVER cohort THEN 'cohort_not_captured'
            WHEN m.unit_id IS NULL THEN 'not_in_cohort'
            WHEN bool_or(m.unit_id IS NOT NULL AND t.total_score IS NULL) OVER cohort
                THEN 'incomplete_cohort'
        END AS rank_null_reason,
        b.name_vi AS band,
        b.band_code
    FROM versioned AS up
    LEFT JOIN totals AS t USING (unit_id, period_type, period_start)
    LEFT JOIN reported AS rep USING (unit_id, period_type, period_start)
    LEFT JOIN letter_ranks AS lr USING (unit_id, period_type, period_start)
    LEFT JOIN cohort_members AS m
        ON m.unit_id = up.unit_id
        AND m.period_type = up.period_type
        AND m.period_start = up.period_start
        AND m.cohort_parent_id IS NOT DISTINCT FROM up.parent_unit_id
    LEFT JOIN methodology.bands AS b
        ON b.version_id = up.methodology_version
        AND t.total_score >= b.min_score
        AND t.total_score < b.max_score
    WINDOW cohort AS (
        PARTITION BY up.period_type, up.period_start, up.unit_level, up.parent_unit_id
    )
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
    group_scores,
    total_score,
    missing_groups,
    reported_total_score,
    total_mismatch,
    band,
    band_code,
    CASE WHEN rank_null_reason IS NULL THEN
        rank() OVER (
            PARTITION BY period_type, period_start, unit_level, parent_unit_id,
                rank_null_reason IS NULL
            ORDER BY total_score DESC
        )
    END::INTEGER AS rank,
    CASE WHEN rank_null_reason IS NULL THEN
        count(*) OVER (
            PARTITION BY period_type, period_start, unit_level, parent_unit_id,
                rank_null_reason IS NULL
        )
    END::INTEGER AS cohort_size,
    rank_null_reason,
    reported_rank,
    reported_cohort_size,
    captured_at,
    methodology_version,
    EXISTS (   -- the unit's territory changed since the previous period (core.unit_territory_changes)
        SELECT 1 FROM core.unit_territory_changes AS tc
        WHERE tc.unit_id = scored.unit_id
            AND tc.effective_date > period_start - mart.period_length(period_type)
            AND tc.effective_date < period_start + mart.period_length(period_type)
    ) AS territory_changed,
    timezone('Asia/Ho_Chi_Minh', captured_at)::DATE < period_start + mart.period_length(period_type) AS is_provisional
FROM scored;

COMMENT ON MACRO TABLE mart.unit_period_scores_of IS
    'mart.unit_period_scores from a relation shaped like mart.group_values (passed by name: a '
    'table, view or CTE), with the reported totals, letter ranks and cohorts at or before cutoff '
    '(default: every value''s latest). mart.unit_period_scores is '
    'mart.unit_period_scores_of(''mart.group_values'').';

-- mart.unit_period_scores_as_of(cutoff): mart.unit_period_scores_of applied to
-- mart.group_values_as_of(cutoff).
CREATE OR REPLACE MACRO mart.unit_period_scores_as_of(cutoff) AS TABLE
WITH values_at_cutoff AS (
    SELECT * FROM mart.group_values_as_of(cutoff)
)
SELECT * FROM mart.unit_period_scores_of('values_at_cutoff', cutoff := cutoff);

COMMENT ON MACRO TABLE mart.unit_period_scores_as_of IS
    'mart.unit_period_scores as of a data cut-off (TIMESTAMPTZ): values of the latest complete '
    'capture at or before cutoff. Example: SELECT * FROM mart.unit_period_scores_as_of('
    'TIMESTAMPTZ ''2023-11-23 16:00:00+07'').';

-- The table mart.unit_period_scores holds the current values,
-- mart.unit_period_scores_of('mart.group_values'): what mart.unit_period_scores_as_of gives
-- at cutoff 'infinity', without deriving the group values again.
-- warehouse.schema creates it from that query (its columns are the macro's) and
-- warehouse.derive refreshes it the same way (see warehouse/marts.py). What follows applies
-- to the table once it exists: the NOT NULL columns, and the comments the data dictionary
-- is generated from.
ALTER TABLE mart.unit_period_scores ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.unit_period_scores ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.unit_period_scores ALTER COLUMN period_start SET NOT NULL;

COMMENT ON TABLE mart.unit_period_scores IS
    'One row per (unit, period type, period): the current value of the group scores of the '
    'methodology version in force (latest complete capture; group_scores), their total, band '
    'and rank within the cohort (same level, parent, period type and period). As of a cut-off: '
    'mart.unit_period_scores_as_of(cutoff). unit_id is the canonical unit (core.unit_identities): '
    'one id whichever source gave the values (legacy API, current API, letter), pre2025:<GSO> for a '
    'province before the 2025 merger; look a code up with core.units_on(day).';
COMMENT ON COLUMN mart.unit_period_scores.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.unit_period_scores.unit_code IS 'Portal departmentCode (H15, H15.101…) from the sighting of the reply that gave the values.';
COMMENT ON COLUMN mart.unit_period_scores.unit_name IS 'Unit name (NFC) as that reply gave it.';
COMMENT ON COLUMN mart.unit_period_scores.unit_level IS 'province, department, district or commune: from the reply that gave the values (fallback core.units).';
COMMENT ON COLUMN mart.unit_period_scores.parent_unit_id IS 'The unit the cohort is under (a department''s or commune''s province); null for provinces (ranked nationally).';
COMMENT ON COLUMN mart.unit_period_scores.period_type IS 'month, quarter, half (legacy API) or year (a year''s value during the year is year-to-date).';
COMMENT ON COLUMN mart.unit_period_scores.period_start IS 'First day of the period (2023-11-01 for 11/2023, 2024-04-01 for Q2/2024).';
COMMENT ON COLUMN mart.unit_period_scores.ckmb IS 'Công khai, minh bạch (max 18): the portal''s score. One of the 2023 methodology''s six groups; see group_scores for any version.';
COMMENT ON COLUMN mart.unit_period_scores.tdgq IS 'Tiến độ, kết quả giải quyết (max 20): the portal''s score. One of the 2023 methodology''s six groups; see group_scores for any version.';
COMMENT ON COLUMN mart.unit_period_scores.clgq IS 'Dịch vụ công trực tuyến (max 12): the portal''s score. One of the 2023 methodology''s six groups; see group_scores for any version.';
COMMENT ON COLUMN mart.unit_period_scores.tttt IS 'Thanh toán trực tuyến (max 10): the portal''s score. One of the 2023 methodology''s six groups; see group_scores for any version.';
COMMENT ON COLUMN mart.unit_period_scores.mdhl IS 'Mức độ hài lòng (max 18): the portal''s score. One of the 2023 methodology''s six groups; see group_scores for any version.';
COMMENT ON COLUMN mart.unit_period_scores.mdsh IS 'Số hóa hồ sơ (max 22): the portal''s score. One of the 2023 methodology''s six groups; see group_scores for any version.';
COMMENT ON COLUMN mart.unit_period_scores.group_scores IS 'MAP(group_code → score): every group of the methodology version in force, in methodology.groups.sort_order; a group without a value is a null entry; null when no version is in force. Example: group_scores[''MDSH''].';
COMMENT ON COLUMN mart.unit_period_scores.total_score IS 'round(sum of the groups, 2) when every group of the methodology version has a value; otherwise null (never a partial total).';
COMMENT ON COLUMN mart.unit_period_scores.missing_groups IS 'Codes of the groups without a value (empty when the total is complete); null when no methodology version is in force.';
COMMENT ON COLUMN mart.unit_period_scores.reported_total_score IS 'The portal''s own total (core.reported_totals) from the latest complete national capture; provinces only.';
COMMENT ON COLUMN mart.unit_period_scores.total_mismatch IS 'True when |total_score - reported_total_score| > 0.011; null when either is missing.';
COMMENT ON COLUMN mart.unit_period_scores.band IS 'Xếp loại (Vietnamese, NFC) from methodology.bands: min_score <= total < max_score (90 Xuất sắc, 89.99 Tốt).';
COMMENT ON COLUMN mart.unit_period_scores.band_code IS 'Band code: XUAT_SAC, TOT, KHA, TRUNG_BINH, YEU.';
COMMENT ON COLUMN mart.unit_period_scores.rank IS 'Competition rank (1, 2, 2, 4) by total_score descending within the cohort (same level, parent, period type and period), computed only over a whole cohort: the provinces listed by the latest complete national portal capture of the period, or the units listed by the latest complete portal capture of the province, each with a total (mart.cohort_members_as_of). Otherwise null, and rank_null_reason says why. Letters never make a cohort: their rank is reported_rank.';
COMMENT ON COLUMN mart.unit_period_scores.cohort_size IS 'Number of units of the whole cohort, all ranked; null when rank is null.';
COMMENT ON COLUMN mart.unit_period_scores.rank_null_reason IS 'Why rank is null (null when ranked): no_total (no total: a group is missing), cohort_not_captured (no complete portal capture lists the cohort for the period: values only from letters, news articles or tables), not_in_cohort (the capture that lists the cohort does not list this unit), incomplete_cohort (a unit of the cohort has no total).';
COMMENT ON COLUMN mart.unit_period_scores.reported_rank IS 'The rank a source stated, never computed: the portal''s own rank (stt, core.reported_totals) from the latest complete national capture at or before the cut-off; else the latest rank a letter states (source file_*: "xếp hạng 21", "đứng thứ 43/63"). Null when no source states one.';
COMMENT ON COLUMN mart.unit_period_scores.reported_cohort_size IS 'The cohort reported_rank is out of: for the portal''s rank, the number of provinces its national reply lists; for a letter''s, the size it states ("43/63" → 63; null when it gives none).';
COMMENT ON COLUMN mart.unit_period_scores.captured_at IS 'Capture time of the latest of the group values.';
COMMENT ON COLUMN mart.unit_period_scores.territory_changed IS 'True when the unit''s territory changed since the previous period of the same type (core.unit_territory_changes: the 2025 merger took other provinces into it; effective_date after the previous period''s start and before the next one''s): the series goes on under the same unit_id, but its values before and after cover different territories.';
COMMENT ON COLUMN mart.unit_period_scores.methodology_version IS 'The portal methodology version (methodology.versions, kind portal) in force on period_start.';
COMMENT ON COLUMN mart.unit_period_scores.is_provisional IS 'True when the period had not closed at the data cut-off of the values: the calendar day of captured_at in Asia/Ho_Chi_Minh <= the period''s last day (period_start + mart.period_length - 1 day). Reports print such a period as "tạm tính đến ngày dd/mm/yyyy".';
