-- mart.since_yesterday_as_of(cutoff): what changed in each unit-period between the latest
-- capture night and the night before it, as the portal stood at the cut-off. Built from
-- the captures through mart.unit_period_scores_as_of, at two cut-offs:
--
-- * latest: mart.unit_period_scores_as_of(cutoff), every value's latest complete capture
--   at or before the cut-off (mart.since_yesterday_of(scores, cutoff) takes these values as
--   a relation passed by name: the table reads mart.unit_period_scores itself rather than
--   deriving the latest values again);
-- * previous: mart.unit_period_scores_as_of(the last instant of the Vietnam calendar day
--   before the latest capture night), where the latest capture night is the Vietnam
--   calendar day (Asia/Ho_Chi_Minh) of the latest complete capture (raw.captures) at or
--   before the cut-off. So previous_* are the values of the latest complete capture on an
--   earlier Vietnam day: "yesterday" when the pipeline runs nightly. Only the periods
--   captured since that instant are derived again (mart.group_values_in): the others
--   stand as they stood then, which is their latest row.
--
-- One row per unit-period at the latest cut-off, open or closed: is_provisional (the
-- period had not closed at the latest values' capture, as mart.unit_period_scores) picks
-- the open periods, the rows the question "what changed since yesterday" is about; closed
-- periods are kept because the portal also revises them (mart.revisions).
-- Changes: total_change = round(total − previous, 2); rank_change = previous_rank − rank
-- (positive = moved up, as mart.score_changes); group_changes maps each group of the
-- latest values to round(score − previous score, 2). A change needs both values: a unit
-- not captured before the latest night (or a missing total or group) has a null change,
-- never 0. A unit not captured again on the latest night keeps its values, so its changes
-- are 0 and previous_captured_at = captured_at.
-- mart.since_yesterday_night_before(cutoff): the last instant of the Vietnam calendar day
-- before the latest capture night (the Vietnam day of the latest complete capture at or
-- before the cut-off).
CREATE OR REPLACE MACRO mart.since_yesterday_night_before(cutoff) AS (
    SELECT
        timezone(
            'Asia/Ho_Chi_Minh',
            timezone('Asia/Ho_Chi_Minh', max(c.captured_at))::DATE::TIMESTAMP
        ) - INTERVAL 1 MICROSECOND
    FROM raw.captures AS c
    WHERE c.status = 'complete' AND c.captured_at <= cutoff
);

-- mart.since_yesterday_touched(cutoff): the periods something was captured for since
-- that instant (captures, and core rows, which a file may give for another period): the
-- only periods whose values then can differ from their latest values.
CREATE OR REPLACE MACRO mart.since_yesterday_touched(cutoff) AS TABLE
WITH night AS (SELECT mart.since_yesterday_night_before(cutoff) AS before_night)
SELECT c.period_type, c.period_start FROM raw.captures AS c, night
WHERE c.status = 'complete' AND c.captured_at > night.before_night AND c.captured_at <= cutoff
UNION
SELECT g.period_type, g.period_start FROM core.group_scores AS g, night
WHERE g.captured_at > night.before_night AND g.captured_at <= cutoff
UNION
SELECT r.period_type, r.period_start FROM core.reported_totals AS r, night
WHERE r.captured_at > night.before_night AND r.captured_at <= cutoff;

COMMENT ON MACRO mart.since_yesterday_night_before IS
    'The last instant of the Vietnam day before the latest capture night (the Vietnam day of '
    'the latest complete capture at or before cutoff): "yesterday" of mart.since_yesterday.';
COMMENT ON MACRO TABLE mart.since_yesterday_touched IS
    'The (period_type, period_start) captured since mart.since_yesterday_night_before(cutoff): '
    'the only periods whose values then can differ from their latest values.';

CREATE OR REPLACE MACRO mart.since_yesterday_of(scores, cutoff := 'infinity'::TIMESTAMPTZ)
AS TABLE
WITH
latest AS (
    SELECT * FROM query_table(scores)
),
night AS (
    SELECT mart.since_yesterday_night_before(cutoff) AS before_night
),
touched AS (
    SELECT * FROM mart.since_yesterday_touched(cutoff)
),
values_before AS (
    SELECT * FROM mart.group_values_in((SELECT before_night FROM night), 'touched')
),
previous AS (
    -- every value, total, rank and cohort of a period is of a capture of that period, so
    -- a period with no capture since the night before stands as it stood then: its
    -- latest row; the touched periods are derived as of the night before
    SELECT * FROM mart.unit_period_scores_of(
        'values_before', cutoff := (SELECT before_night FROM night)
    )
    UNION ALL BY NAME
    SELECT * FROM latest ANTI JOIN touched USING (period_type, period_start)
)
SELECT
    l.unit_id,
    l.unit_code,
    l.unit_name,
    l.unit_level,
    l.parent_unit_id,
    l.period_type,
    l.period_start,
    l.is_provisional,
    l.captured_at,
    p.captured_at AS previous_captured_at,
    l.total_score,
    p.total_score AS previous_total_score,
    round(l.total_score - p.total_score, 2) AS total_change,
    l.rank,
    p.rank AS previous_rank,
    p.rank - l.rank AS rank_change,
    l.band,
    p.band AS previous_band,
    l.group_scores,
    p.group_scores AS previous_group_scores,
    map_from_entries(list_transform(
        map_entries(l.group_scores),
        lambda g: {'key': g.key, 'value': round(g.value - p.group_scores[g.key], 2)}
    )) AS group_changes
FROM latest AS l
LEFT JOIN previous AS p USING (unit_id, period_type, period_start);

COMMENT ON MACRO TABLE mart.since_yesterday_of IS
    'mart.since_yesterday with the latest values read from a relation shaped like '
    'mart.unit_period_scores at cutoff (passed by name; default cutoff: the latest). '
    'mart.since_yesterday is mart.since_yesterday_of(''mart.unit_period_scores'').';

-- mart.since_yesterday_as_of(cutoff): mart.since_yesterday_of applied to
-- mart.unit_period_scores_as_of(cutoff).
CREATE OR REPLACE MACRO mart.since_yesterday_as_of(cutoff) AS TABLE
WITH scores_at_cutoff AS (
    SELECT * FROM mart.unit_period_scores_as_of(cutoff)
)
SELECT * FROM mart.since_yesterday_of('scores_at_cutoff', cutoff := cutoff);

COMMENT ON MACRO TABLE mart.since_yesterday_as_of IS
    'mart.since_yesterday as of a data cut-off (TIMESTAMPTZ): the values at the cut-off against '
    'those at the end of the Vietnam day before the latest complete capture at or before it.';

-- mart.since_yesterday_stale(table): the periods of the table mart.since_yesterday an
-- incremental refresh must derive besides those whose scores changed: the periods touched
-- since the night before the latest night (their previous values are derived as of then),
-- and the periods whose rows still show a move (touched the night before: now that night
-- is the previous one, their rows are their latest values again). Every other period's
-- rows are its latest values, unchanged.
-- The table is passed by name (mart.since_yesterday_stale('mart.since_yesterday')): the
-- macro is created before the table it reads.
CREATE OR REPLACE MACRO mart.since_yesterday_stale(since_yesterday_table) AS TABLE
SELECT period_type, period_start FROM mart.since_yesterday_touched('infinity'::TIMESTAMPTZ)
UNION
SELECT period_type, period_start FROM query_table(since_yesterday_table)
WHERE previous_captured_at IS DISTINCT FROM captured_at
    OR previous_total_score IS DISTINCT FROM total_score
    OR previous_rank IS DISTINCT FROM rank
    OR previous_band IS DISTINCT FROM band
    OR previous_group_scores IS DISTINCT FROM group_scores;

COMMENT ON MACRO TABLE mart.since_yesterday_stale IS
    'The periods an incremental refresh of mart.since_yesterday (passed by name) must derive '
    'besides those whose scores changed: captured since the night before the latest night, or '
    'still showing a move from that night.';

-- The table mart.since_yesterday holds mart.since_yesterday_as_of('infinity'): the latest
-- capture night against the night before. warehouse.schema creates it from that query
-- (its columns are the macro's) and warehouse.derive refreshes it the same way (see
-- warehouse/marts.py). What follows applies to the table once it exists: the NOT NULL
-- columns, and the comments the data dictionary is generated from.
ALTER TABLE mart.since_yesterday ALTER COLUMN unit_id SET NOT NULL;
ALTER TABLE mart.since_yesterday ALTER COLUMN period_type SET NOT NULL;
ALTER TABLE mart.since_yesterday ALTER COLUMN period_start SET NOT NULL;
ALTER TABLE mart.since_yesterday ALTER COLUMN captured_at SET NOT NULL;

COMMENT ON TABLE mart.since_yesterday IS
    'One row per (unit, period type, period): total, groups, band and rank at the latest capture '
    'night and at the night before (the latest complete capture on an earlier Vietnam calendar '
    'day), and how they moved. is_provisional picks the open periods. As of a cut-off: '
    'mart.since_yesterday_as_of(cutoff).';
COMMENT ON COLUMN mart.since_yesterday.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.since_yesterday.unit_code IS 'Portal departmentCode (latest values).';
COMMENT ON COLUMN mart.since_yesterday.unit_name IS 'Unit name, NFC (latest values).';
COMMENT ON COLUMN mart.since_yesterday.unit_level IS 'Cohort level (latest values).';
COMMENT ON COLUMN mart.since_yesterday.parent_unit_id IS 'Cohort parent (latest values); null for provinces.';
COMMENT ON COLUMN mart.since_yesterday.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.since_yesterday.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.since_yesterday.is_provisional IS 'True when the period was still open at the latest values'' capture (mart.unit_period_scores.is_provisional): the rows "since yesterday" is about.';
COMMENT ON COLUMN mart.since_yesterday.captured_at IS 'Capture time of the latest values (mart.unit_period_scores.captured_at).';
COMMENT ON COLUMN mart.since_yesterday.previous_captured_at IS 'Capture time of the values at the end of the Vietnam day before the latest capture night; null when the unit-period had not been captured by then; equal to captured_at when it was not captured again since.';
COMMENT ON COLUMN mart.since_yesterday.total_score IS 'Total at the latest capture (null when a group is missing).';
COMMENT ON COLUMN mart.since_yesterday.previous_total_score IS 'Total at the previous night''s capture.';
COMMENT ON COLUMN mart.since_yesterday.total_change IS 'round(total_score - previous_total_score, 2); null when either is missing (never 0 for missing).';
COMMENT ON COLUMN mart.since_yesterday.rank IS 'Rank within the cohort at the latest capture.';
COMMENT ON COLUMN mart.since_yesterday.previous_rank IS 'Rank within the cohort at the previous night''s capture.';
COMMENT ON COLUMN mart.since_yesterday.rank_change IS 'previous_rank - rank: positive = moved up (5 -> 3 is +2); null when either rank is missing.';
COMMENT ON COLUMN mart.since_yesterday.band IS 'Band (xếp loại) at the latest capture.';
COMMENT ON COLUMN mart.since_yesterday.previous_band IS 'Band at the previous night''s capture.';
COMMENT ON COLUMN mart.since_yesterday.group_scores IS 'MAP(group_code → score) at the latest capture (mart.unit_period_scores.group_scores).';
COMMENT ON COLUMN mart.since_yesterday.previous_group_scores IS 'MAP(group_code → score) at the previous night''s capture; null when not captured by then.';
COMMENT ON COLUMN mart.since_yesterday.group_changes IS 'MAP(group_code → round(score - previous score, 2)) over the groups of group_scores; an entry is null when either value is missing. Example: group_changes[''MDSH''].';
