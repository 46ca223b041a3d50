-- mart.merged_province_scores: pre-merger provinces' totals aggregated onto the province
-- they merged into (core.reorganisation_2025, relation 'merged'), for periods that start
-- before the merger: a derived series to read beside the new province's own values.
-- * total_score = round(mean of the members' totals, 2), only when every member has a
--   total for the period (never a mean of some members); members lists each member with
--   its total (null when missing).
-- * is_derived is always true: no portal or letter published these numbers.
-- Joined on unit ids through the reorganisation table, never by name.
CREATE OR REPLACE VIEW mart.merged_province_scores AS
WITH
members AS (   -- series_id: where the member's values are (the surviving province's
               -- pre-merger values are under the merged province's id); new_unit_id: the
               -- merged province's canonical id from the merger on, the id of its own
               -- values in mart.unit_period_scores (both through core.unit_identities)
    SELECT
        coalesce(inew.unit_id, r.new_unit_id) AS new_unit_id,
        r.new_code, r.new_name, r.old_unit_id, r.old_name, r.effective_date,
        coalesce(i.unit_id, r.old_unit_id) AS series_id
    FROM core.reorganisation_2025 AS r
    LEFT JOIN core.unit_identities AS i
        ON i.source_unit_id = r.old_unit_id
        AND (i.valid_from IS NULL OR i.valid_from < r.effective_date)
        AND (i.valid_to IS NULL OR r.effective_date - 1 <= i.valid_to)
    LEFT JOIN core.unit_identities AS inew
        ON inew.source_unit_id = r.new_unit_id
        AND (inew.valid_from IS NULL OR inew.valid_from <= r.effective_date)
        AND (inew.valid_to IS NULL OR r.effective_date <= inew.valid_to)
    WHERE r.unit_level = 'province' AND r.relation = 'merged'
),
periods AS (   -- periods before the merger in which at least one member has a value
    SELECT DISTINCT m.new_unit_id, s.period_type, s.period_start
    FROM members AS m
    JOIN mart.unit_period_scores AS s
        ON s.unit_id = m.series_id AND s.period_start < m.effective_date
),
filled AS (
    SELECT p.*, m.new_code, m.new_name, m.old_unit_id, m.old_name, s.total_score, s.captured_at
    FROM periods AS p
    JOIN members AS m USING (new_unit_id)
    LEFT JOIN mart.unit_period_scores AS s
        ON s.unit_id = m.series_id
        AND s.period_type = p.period_type
        AND s.period_start = p.period_start
)
SELECT
    new_unit_id AS unit_id,
    any_value(new_code) AS unit_code,
    any_value(new_name) AS unit_name,
    period_type,
    period_start,
    CASE WHEN count(total_score) = count(*) THEN round(avg(total_score), 2) END AS total_score,
    true AS is_derived,
    'mean of member totals' AS derivation,
    list(
        {'unit_id': old_unit_id, 'unit_name': old_name, 'total_score': total_score}
        ORDER BY old_unit_id
    ) AS members,
    count(total_score)::INTEGER AS members_with_total,
    count(*)::INTEGER AS members_expected,
    count(total_score) = count(*) AS is_complete,
    max(captured_at) AS captured_at
FROM filled
GROUP BY new_unit_id, period_type, period_start;

COMMENT ON VIEW mart.merged_province_scores IS
    'Pre-merger provinces'' totals aggregated onto the province they merged into on 1/7/2025 '
    '(mean of member totals, only when all members have one), for periods before the merger. '
    'Derived (is_derived = true), joined on ids via core.reorganisation_2025, never by name.';
COMMENT ON COLUMN mart.merged_province_scores.unit_id IS 'The post-merger province: its canonical unit (core.unit_identities), the id of its own values in mart.unit_period_scores.';
COMMENT ON COLUMN mart.merged_province_scores.unit_code IS 'Its agency code (H17).';
COMMENT ON COLUMN mart.merged_province_scores.unit_name IS 'Its name (Đà Nẵng).';
COMMENT ON COLUMN mart.merged_province_scores.period_type IS 'month, quarter, half or year.';
COMMENT ON COLUMN mart.merged_province_scores.period_start IS 'First day of a period that started before the merger.';
COMMENT ON COLUMN mart.merged_province_scores.total_score IS 'round(mean of the members'' totals, 2) when every member has a total; otherwise null.';
COMMENT ON COLUMN mart.merged_province_scores.is_derived IS 'Always true: computed here, not published by any source.';
COMMENT ON COLUMN mart.merged_province_scores.derivation IS 'How the value was derived (mean of member totals).';
COMMENT ON COLUMN mart.merged_province_scores.members IS 'Each pre-merger province (unit_id, unit_name) with its total for the period (null when missing).';
COMMENT ON COLUMN mart.merged_province_scores.members_with_total IS 'Number of members with a total.';
COMMENT ON COLUMN mart.merged_province_scores.members_expected IS 'Number of provinces that merged into the unit.';
COMMENT ON COLUMN mart.merged_province_scores.is_complete IS 'True when every member has a total (so total_score is given).';
COMMENT ON COLUMN mart.merged_province_scores.captured_at IS 'Capture time of the latest member value.';
