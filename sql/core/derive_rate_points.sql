-- Derive group points from the rates files give (core.metric_values, metric_code
-- <group>_RATE) where methodology.rate_to_points says how for the unit's level and the
-- portal methodology version in force on the period's start (as the marts use). Run by
-- warehouse.unit_matching.resolve_file_units for the given captures (parameter: their
-- ids), after their units are matched. A group the file already gives in points is left
-- alone; a rate without a rule gives no points (null is not 0).
-- The derived row carries the rate in `ratio` and the group's maximum in `max_score`.
INSERT INTO core.group_scores BY NAME
SELECT
    m.response_id,
    m.capture_id,
    m.unit_id,
    m.period_type,
    m.period_start,
    m.group_code,
    round(least(g.max_score, g.max_score * m.ratio / r.full_points_at), 6) AS score,
    g.max_score::DOUBLE AS max_score,
    m.ratio,
    NULL::DOUBLE AS score_delta,
    false AS is_root,
    m.captured_at
FROM core.metric_values AS m
JOIN core.unit_sightings AS s ON s.response_id = m.response_id AND s.unit_id = m.unit_id
JOIN methodology.versions AS v
    ON v.kind = 'portal'
    AND v.effective_from <= m.period_start
    AND (v.effective_to IS NULL OR m.period_start <= v.effective_to)
JOIN methodology.rate_to_points AS r
    ON r.version_id = v.version_id
    AND r.unit_level = s.unit_level
    AND r.group_code = m.group_code
    AND r.rule = 'proportional'
JOIN methodology.groups AS g ON g.version_id = v.version_id AND g.group_code = m.group_code
WHERE list_contains(?, m.capture_id)
    AND m.metric_code = m.group_code || '_RATE'
    AND m.ratio IS NOT NULL
    AND NOT EXISTS (
        SELECT 1 FROM core.group_scores AS x
        WHERE x.response_id = m.response_id AND x.unit_id = m.unit_id
            AND x.group_code = m.group_code
    )
QUALIFY row_number() OVER (
    PARTITION BY m.response_id, m.unit_id, m.group_code
    ORDER BY v.effective_from DESC
) = 1;
