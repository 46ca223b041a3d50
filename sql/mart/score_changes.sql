-- mart.score_changes_of(scores): each unit-period of a relation shaped like
-- mart.unit_period_scores (passed by name: a table, view or CTE) against the previous
-- period of the same type in the same relation (month → previous month, quarter →
-- previous quarter, half → previous half, year → previous year; mart.period_length).
-- mart.score_changes applies it to mart.unit_period_scores; mart.score_changes_as_of
-- (cutoff) to the values at a cut-off.
--
-- delta_points = round(total − prev, 2); delta_pct = round(100 · (total − prev) / prev, 2)
-- (Quảng Nam, 11/2023: 71.5 → 72.8 is +1.3 points, +1.82 %); rank_move = prev_rank − rank
-- (positive = moved up); band_transition 'Khá → Tốt' or 'giữ nguyên'.
-- is_provisional is this period's (mart.unit_period_scores.is_provisional): its values
-- were captured before it closed, so the change is provisional too.
-- The deltas are given whenever both values exist; `comparable` says whether they mean a
-- real change. When false, not_comparable_reason is the first that applies of:
--   no_current_value     the unit has no total this period (a group is missing)
--   unit_reorganised     the unit or its parent is in mart.unit_lineage (ids mapped to
--                        the canonical unit, core.unit_identities) with an
--                        effective_date after the previous period's start and within
--                        the current period: e.g. Quảng Trị at 07/2025, one series
--                        whose territory took in Quảng Bình (never comparable)
--   no_previous_value    no total in the previous period
--   methodology_changed  a different portal methodology version
--   not_ranked           no rank in one of the periods (its cohort was not whole, or the
--                        unit was outside it): no rank movement to tell, so movement
--                        counts keep units = up + down + stayed + not comparable
--   cohort_changed       the set of ranked units of the cohort differs between periods
CREATE OR REPLACE MACRO mart.score_changes_of(scores) AS TABLE
WITH
periods AS (
    SELECT
        *,
        (period_start - mart.period_length(period_type))::DATE AS prev_period_start,
        (period_start + mart.period_length(period_type))::DATE AS next_period_start
    FROM query_table(scores)
),
cohorts AS (   -- the ranked units of each cohort: a hash of their sorted ids (one value
               -- per cohort, so comparing two cohorts does not copy their member lists)
    SELECT
        period_type,
        period_start,
        unit_level,
        parent_unit_id,
        hash(coalesce(
            list(unit_id ORDER BY unit_id) FILTER (WHERE rank IS NOT NULL), []::VARCHAR[]
        )) AS ranked_units
    FROM periods
    GROUP BY period_type, period_start, unit_level, parent_unit_id
),
paired AS (
    SELECT
        cur.*,
        prev.total_score AS prev_total_score,
        prev.rank AS prev_rank,
        prev.band AS prev_band,
        prev.methodology_version AS prev_methodology_version,
        prev.parent_unit_id AS prev_parent_unit_id,
        cur_cohort.ranked_units AS cohort_units,
        prev_cohort.ranked_units AS prev_cohort_units
    FROM periods AS cur
    LEFT JOIN periods AS prev
        ON prev.unit_id = cur.unit_id
        AND prev.period_type = cur.period_type
        AND prev.period_start = cur.prev_period_start
    LEFT JOIN cohorts AS cur_cohort
        ON cur_cohort.period_type = cur.period_type
        AND cur_cohort.period_start = cur.period_start
        AND cur_cohort.unit_level IS NOT DISTINCT FROM cur.unit_level
        AND cur_cohort.parent_unit_id IS NOT DISTINCT FROM cur.parent_unit_id
    LEFT JOIN cohorts AS prev_cohort
        ON prev_cohort.period_type = prev.period_type
        AND prev_cohort.period_start = prev.period_start
        AND prev_cohort.unit_level IS NOT DISTINCT FROM prev.unit_level
        AND prev_cohort.parent_unit_id IS NOT DISTINCT FROM prev.parent_unit_id
),
lineage AS (   -- mart.unit_lineage under the canonical ids (core.unit_identities): the old
               -- unit as of the day before the change, the new one as of the day itself, so
               -- a surviving province (one id across the merger) is caught too
    SELECT
        coalesce(io.unit_id, l.old_unit_id) AS old_unit_id,
        coalesce(inew.unit_id, l.new_unit_id) AS new_unit_id,
        l.effective_date
    FROM mart.unit_lineage AS l
    LEFT JOIN core.unit_identities AS io
        ON io.source_unit_id = l.old_unit_id
        AND (io.valid_from IS NULL OR io.valid_from < l.effective_date)
        AND (io.valid_to IS NULL OR l.effective_date - 1 <= io.valid_to)
    LEFT JOIN core.unit_identities AS inew
        ON inew.source_unit_id = l.new_unit_id
        AND (inew.valid_from IS NULL OR inew.valid_from <= l.effective_date)
        AND (inew.valid_to IS NULL OR l.effective_date <= inew.valid_to)
),
reorganised AS (   -- unit-periods whose unit or parent was reorganised since the previous period
    SELECT DISTINCT p.unit_id, p.period_type, p.period_start
    FROM paired AS p
    JOIN lineage AS l
        ON l.effective_date > p.prev_period_start
        AND l.effective_date < p.next_period_start
        AND (
            l.old_unit_id IN (p.unit_id, p.parent_unit_id, p.prev_parent_unit_id)
            OR l.new_unit_id IN (p.unit_id, p.parent_unit_id, p.prev_parent_unit_id)
        )
),
reasoned AS (
    SELECT
        p.*,
        CASE
            WHEN p.total_score IS NULL THEN 'no_current_value'
            WHEN r.unit_id IS NOT NULL THEN 'unit_reorganised'
            WHEN p.prev_total_score IS NULL THEN 'no_previous_value'
            WHEN p.methodology_version IS DISTINCT FROM p.prev_methodology_version
                THEN 'methodology_changed'
            WHEN p.rank IS NULL OR p.prev_rank IS NULL THEN 'not_ranked'
            WHEN p.cohort_units <> p.prev_cohort_units THEN 'cohort_changed'
        END AS not_comparable_reason
    FROM paired AS p
    LEFT JOIN reorganised AS r USING (unit_id, period_type, period_start)
)
SELECT
    unit_id,
    unit_code,
    unit_name,
    unit_level,
    parent_unit_id,
    period_type,
    period_start,
    total_score,
    prev_total_score,
    round(total_score - prev_total_score, 2) AS delta_points,
    round(100 * (total_score - prev_total_score) / nullif(prev_total_score, 0), 2) AS delta_pct,
    prev_rank,
    rank,
    prev_rank - rank AS rank_move,
    prev_band,
    band,
    CASE
        WHEN prev_band IS NULL OR band IS NULL THEN NULL
        WHEN prev_band = band THEN 'giữ nguyên'
        ELSE prev_band || ' → ' || band
    END AS band_transition,
    not_comparable_reason IS NULL AS comparable,
    not_comparable_reason,
    is_provisional
FROM reasoned;

COMMENT ON MACRO TABLE mart.score_changes_of IS
    'Score changes of a relation shaped like mart.unit_period_scores (passed by name) against the '
    'previous period of the same type: deltas, rank move, band transition, comparable and reason. '
    'Used by mart.score_changes and mart.score_changes_as_of.';

-- mart.score_changes_as_of(cutoff): mart.score_changes as of a data cut-off: the logic of
-- mart.score_changes_of applied to mart.unit_period_scores_as_of(cutoff), so both periods'
-- values are as they stood at the cut-off.
CREATE OR REPLACE MACRO mart.score_changes_as_of(cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.score_changes_of('scores_at_cutoff');

COMMENT ON MACRO TABLE mart.score_changes_as_of IS
    'mart.score_changes as of a data cut-off (TIMESTAMPTZ): both periods'' values as they stood then.';

-- The table mart.score_changes holds the current values,
-- mart.score_changes_of('mart.unit_period_scores'): what mart.score_changes_as_of gives at
-- cutoff 'infinity', without recomputing the scores. warehouse.schema creates it from that
-- query (its columns are the macro's) and warehouse.derive refreshes it the same way (see
-- warehouse/marts.py). What follows applies to the table once it exists: the NOT NULL
-- columns, and the comments the data dictionary is generated from.
ALTER TABLE mart.score_changes ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.score_changes ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.score_changes ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.score_changes ALTER COLUMN comparable SET NOT NULL;

COMMENT ON TABLE mart.score_changes IS
    'One row per (unit, period type, period) of mart.unit_period_scores: change of total, rank and '
    'band against the previous period of the same type (MoM, QoQ, YoY), with a comparable flag. As '
    'of a cut-off: mart.score_changes_as_of(cutoff).';
COMMENT ON COLUMN mart.score_changes.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.score_changes.unit_code IS 'Portal departmentCode (this period).';
COMMENT ON COLUMN mart.score_changes.unit_name IS 'Unit name, NFC (this period).';
COMMENT ON COLUMN mart.score_changes.unit_level IS 'Cohort level this period.';
COMMENT ON COLUMN mart.score_changes.parent_unit_id IS 'Cohort parent this period (null for provinces).';
COMMENT ON COLUMN mart.score_changes.period_type IS 'month, quarter, half (legacy API) or year: compared with the previous period of the same type.';
COMMENT ON COLUMN mart.score_changes.period_start IS 'First day of this period (the previous one starts one period length earlier: mart.period_length).';
COMMENT ON COLUMN mart.score_changes.total_score IS 'Total this period (mart.unit_period_scores.total_score).';
COMMENT ON COLUMN mart.score_changes.prev_total_score IS 'Total in the previous period of the same type; null when absent or incomplete.';
COMMENT ON COLUMN mart.score_changes.delta_points IS 'round(total_score - prev_total_score, 2) (Quảng Nam, 11/2023: 72.8 - 71.5 = 1.3).';
COMMENT ON COLUMN mart.score_changes.delta_pct IS 'round(100 * (total_score - prev_total_score) / prev_total_score, 2) (Quảng Nam, 11/2023: 1.82, printed 1,8 %).';
COMMENT ON COLUMN mart.score_changes.prev_rank IS 'Rank in the previous period''s cohort.';
COMMENT ON COLUMN mart.score_changes.rank IS 'Rank this period within the cohort.';
COMMENT ON COLUMN mart.score_changes.rank_move IS 'prev_rank - rank: positive = moved up (21 -> 20 is +1).';
COMMENT ON COLUMN mart.score_changes.prev_band IS 'Band in the previous period.';
COMMENT ON COLUMN mart.score_changes.band IS 'Band this period.';
COMMENT ON COLUMN mart.score_changes.band_transition IS '''Khá → Tốt'' style transition, ''giữ nguyên'' when unchanged; null when either band is missing.';
COMMENT ON COLUMN mart.score_changes.comparable IS 'True when the change is meaningful: both totals exist, both periods ranked, same cohort membership, same methodology version, no reorganisation in between.';
COMMENT ON COLUMN mart.score_changes.not_comparable_reason IS 'When not comparable, the first of: no_current_value, unit_reorganised, no_previous_value, methodology_changed, not_ranked, cohort_changed.';
COMMENT ON COLUMN mart.score_changes.is_provisional IS 'True when this period had not closed at the data cut-off of its values (mart.unit_period_scores.is_provisional: the Asia/Ho_Chi_Minh day of captured_at <= the period''s last day); the change is then provisional ("tạm tính").';
