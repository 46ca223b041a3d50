-- mart.peers_of(scores): each unit-period of a relation shaped like
-- mart.unit_period_scores (passed by name: a table, view or CTE) against its cohort: the
-- units of the same level under the same parent in the same period type and period (the
-- cohort ranks are computed in). mart.peers applies it to mart.unit_period_scores;
-- mart.peers_as_of(cutoff) to the values at a cut-off.
--
-- * cohort_median_total = round(median, 2) and cohort_p75_total = round(75th percentile,
--   2) of the cohort's totals, interpolated (quantile_cont: totals 60, 70, 80, 90 have
--   median 75 and P75 82.5); units without a total are left out.
-- * total_percentile = percent_rank() of the unit's total within the cohort, ascending:
--   (number of units with a lower total) / (units with a total − 1), round 4; the best is
--   1, the lowest 0, ties share the value, a cohort of one gives 0; null without a total.
-- * The same per group of group_scores (the methodology version's groups), in MAPs keyed
--   by group code: cohort_median_groups, cohort_p75_groups, group_percentiles.
CREATE OR REPLACE MACRO mart.peers_of(scores) AS TABLE
WITH
units AS (
    SELECT
        unit_id, unit_code, unit_name, unit_level, parent_unit_id, period_type, period_start,
        is_provisional, total_score, group_scores
    FROM query_table(scores)
),
cohort_totals AS (   -- aggregates per cohort (a window per row would sort each cohort)
    SELECT
        period_type, period_start, unit_level, parent_unit_id,
        count(total_score) AS cohort_size,
        round(median(total_score), 2) AS cohort_median_total,
        round(quantile_cont(total_score, 0.75), 2) AS cohort_p75_total
    FROM units
    GROUP BY ALL
),
totals AS (
    SELECT
        u.*,
        c.cohort_size,
        c.cohort_median_total,
        c.cohort_p75_total,
        CASE WHEN u.total_score IS NOT NULL THEN
            round(percent_rank() OVER (
                PARTITION BY u.period_type, u.period_start, u.unit_level, u.parent_unit_id,
                    u.total_score IS NULL
                ORDER BY u.total_score
            ), 4)
        END AS total_percentile
    FROM units AS u
    JOIN cohort_totals AS c
        ON c.period_type = u.period_type AND c.period_start = u.period_start
        AND c.unit_level IS NOT DISTINCT FROM u.unit_level
        AND c.parent_unit_id IS NOT DISTINCT FROM u.parent_unit_id
),
group_long AS (   -- one row per unit-period and group, in the map's order
    SELECT
        unit_id, unit_level, parent_unit_id, period_type, period_start,
        unnest(map_keys(group_scores)) AS group_code,
        unnest(map_values(group_scores)) AS score,
        unnest(range(cardinality(group_scores)::BIGINT)) AS ordinal
    FROM units
),
cohort_groups AS (
    SELECT
        period_type, period_start, unit_level, parent_unit_id, group_code,
        round(median(score), 2) AS cohort_median,
        round(quantile_cont(score, 0.75), 2) AS cohort_p75
    FROM group_long
    GROUP BY ALL
),
group_stats AS (
    SELECT
        g.*,
        c.cohort_median,
        c.cohort_p75,
        CASE WHEN g.score IS NOT NULL THEN
            round(percent_rank() OVER (
                PARTITION BY g.period_type, g.period_start, g.unit_level, g.parent_unit_id,
                    g.group_code, g.score IS NULL
                ORDER BY g.score
            ), 4)
        END AS percentile
    FROM group_long AS g
    JOIN cohort_groups AS c
        ON c.period_type = g.period_type AND c.period_start = g.period_start
        AND c.unit_level IS NOT DISTINCT FROM g.unit_level
        AND c.parent_unit_id IS NOT DISTINCT FROM g.parent_unit_id
        AND c.group_code = g.group_code
),
group_entries AS (   -- the groups of a unit-period in the map's order (ordinal first)
    SELECT
        unit_id,
        period_type,
        period_start,
        list_sort(list({
            'ordinal': ordinal,
            'code': group_code,
            'median': cohort_median,
            'p75': cohort_p75,
            'pct': percentile
        })) AS entries
    FROM group_stats
    GROUP BY unit_id, period_type, period_start
),
group_maps AS (
    SELECT
        unit_id,
        period_type,
        period_start,
        map(list_transform(entries, lambda e: e.code), list_transform(entries, lambda e: e.median))
            AS cohort_median_groups,
        map(list_transform(entries, lambda e: e.code), list_transform(entries, lambda e: e.p75))
            AS cohort_p75_groups,
        map(list_transform(entries, lambda e: e.code), list_transform(entries, lambda e: e.pct))
            AS group_percentiles
    FROM group_entries
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
    t.cohort_size::INTEGER AS cohort_size,
    t.cohort_median_total,
    t.cohort_p75_total,
    t.total_percentile,
    t.group_scores,
    g.cohort_median_groups,
    g.cohort_p75_groups,
    g.group_percentiles
FROM totals AS t
LEFT JOIN group_maps AS g USING (unit_id, period_type, period_start);

COMMENT ON MACRO TABLE mart.peers_of IS
    'Cohort median, 75th percentile and each unit''s percentile of totals and groups, for a '
    'relation shaped like mart.unit_period_scores (passed by name). Used by mart.peers and '
    'mart.peers_as_of.';

-- mart.peers_as_of(cutoff): mart.peers_of applied to mart.unit_period_scores_as_of(cutoff).
CREATE OR REPLACE MACRO mart.peers_as_of(cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.peers_of('scores_at_cutoff');

COMMENT ON MACRO TABLE mart.peers_as_of IS
    'mart.peers as of a data cut-off (TIMESTAMPTZ): the cohorts'' values as they stood then.';

-- The table mart.peers holds mart.peers_of('mart.unit_period_scores'): what
-- mart.peers_as_of gives at cutoff 'infinity', without recomputing the scores.
-- warehouse.schema creates it from that query (its columns are the macro's) and
-- warehouse.derive refreshes it the same way (see warehouse/marts.py). What follows
-- applies to the table once it exists: the NOT NULL columns, and the comments the data
-- dictionary is generated from.
ALTER TABLE mart.peers ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.peers ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.peers ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.peers ALTER COLUMN cohort_size SET NOT NULL;

COMMENT ON TABLE mart.peers IS
    'One row per (unit, period type, period) of mart.unit_period_scores against its cohort (same '
    'level, parent, period type and period): the cohort''s median and 75th percentile of totals '
    'and of each group, and the unit''s percentile. As of a cut-off: mart.peers_as_of(cutoff).';
COMMENT ON COLUMN mart.peers.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.peers.unit_code IS 'Portal departmentCode.';
COMMENT ON COLUMN mart.peers.unit_name IS 'Unit name, NFC.';
COMMENT ON COLUMN mart.peers.unit_level IS 'Cohort level.';
COMMENT ON COLUMN mart.peers.parent_unit_id IS 'Cohort parent; null for provinces (one national cohort).';
COMMENT ON COLUMN mart.peers.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.peers.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.peers.is_provisional IS 'The period was still open at the values'' capture (mart.unit_period_scores.is_provisional).';
COMMENT ON COLUMN mart.peers.total_score IS 'The unit''s total (mart.unit_period_scores); null when a group is missing.';
COMMENT ON COLUMN mart.peers.cohort_size IS 'Units of the cohort with a total (those the median, P75 and percentile are over).';
COMMENT ON COLUMN mart.peers.cohort_median_total IS 'round(median of the cohort''s totals, 2), interpolated (60, 70, 80, 90 → 75); null when no unit has a total.';
COMMENT ON COLUMN mart.peers.cohort_p75_total IS 'round(75th percentile of the cohort''s totals, 2), interpolated (quantile_cont: 60, 70, 80, 90 → 82.5).';
COMMENT ON COLUMN mart.peers.total_percentile IS 'percent_rank of the unit''s total in the cohort, ascending, round 4: share of the other units with a lower total (best 1, lowest 0, ties equal, 0 in a cohort of one); null without a total.';
COMMENT ON COLUMN mart.peers.group_scores IS 'MAP(group_code → score) of the unit (mart.unit_period_scores.group_scores).';
COMMENT ON COLUMN mart.peers.cohort_median_groups IS 'MAP(group_code → round(median of the cohort''s scores in the group, 2)); units without the group''s score left out.';
COMMENT ON COLUMN mart.peers.cohort_p75_groups IS 'MAP(group_code → round(75th percentile of the cohort''s scores in the group, 2)), interpolated.';
COMMENT ON COLUMN mart.peers.group_percentiles IS 'MAP(group_code → percent_rank of the unit''s score in the group within the cohort, round 4); an entry is null when the unit has no score in the group.';
