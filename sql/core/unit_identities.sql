-- One identity per real unit across eras and sources: the readers of core.unit_identities
-- (the table and its rules: units.sql, units_refresh.sql).
--
-- * core.unit_sightings_resolved: every sighting with its canonical unit, parent and
--   province for the sighting's period (what the marts read for a unit's attributes).
-- * core.reported_totals_resolved: the portal's own totals under the canonical unit.
-- * core.units_on(day): one row per unit code current on a day: the lookup to use in
--   queries, e.g. (SELECT unit_id FROM core.units_on(DATE '2026-10-01') WHERE unit_code = 'H50').
-- * core.unit_territory_changes: the days a canonical unit's territory changed (the 2025
--   merger: the province it became took in other provinces).

COMMENT ON TABLE core.unit_identities IS
    'Which real unit each id a source gives stands for, and when: source_unit_id (portal '
    'departmentId, legacy:<ID>, a file''s provisional id) → canonical unit_id for the periods '
    'whose last day is within [valid_from, valid_to]. Ids without a row are their own identity. '
    'Applied by core.current_group_scores, core.group_scores_as_of, core.unit_sightings_resolved '
    'and core.reported_totals_resolved, so every mart sees the canonical id.';
COMMENT ON COLUMN core.unit_identities.source_unit_id IS 'The id a source gave (kept in core as evidence).';
COMMENT ON COLUMN core.unit_identities.unit_id IS 'The canonical unit it stands for.';
COMMENT ON COLUMN core.unit_identities.valid_from IS 'First period-end day the mapping applies to (null: from the start).';
COMMENT ON COLUMN core.unit_identities.valid_to IS 'Last period-end day the mapping applies to (null: open).';
COMMENT ON COLUMN core.unit_identities.method IS 'same_code_and_name (legacy or reference unit = current-API unit), reorganisation (legacy province before 1/7/2025 = its pre-merger province in core.reorganisation_2025; a surviving pre-merger province, whose name and code the merged province keeps, = the merged province, so its series is one id across the merger while the absorbed provinces end on 30/6/2025) or reviewed_match (a file''s name matched in core.unit_match_review).';
COMMENT ON COLUMN core.unit_identities.evidence IS 'What the mapping rests on (code, name, source), in Vietnamese.';

COMMENT ON MACRO core.period_end IS 'Last day of a period: period_end(period_type, period_start).';
COMMENT ON MACRO core.fold_unit_name IS 'A unit name folded for comparison across sources: lower case, no diacritics, without UBND / tỉnh / thành phố.';
COMMENT ON COLUMN core.current_group_scores.unit_id IS 'The canonical unit (core.unit_identities): the same id for a unit whether the legacy API, the current API or a letter gave the value.';
COMMENT ON COLUMN core.current_group_scores.source_unit_id IS 'The id the source gave (core.group_scores.unit_id).';

CREATE OR REPLACE VIEW core.unit_sightings_resolved AS
SELECT
    s.* REPLACE (
        coalesce(i.unit_id, s.unit_id) AS unit_id,
        coalesce(ip.unit_id, s.parent_unit_id) AS parent_unit_id,
        coalesce(iv.unit_id, s.province_unit_id) AS province_unit_id
    ),
    s.unit_id AS source_unit_id,
    r.period_type,
    r.period_start
FROM core.unit_sightings AS s
LEFT JOIN raw.responses AS r USING (response_id)   -- no reply: no period, ids as given
LEFT JOIN core.unit_identities AS i
    ON i.source_unit_id = s.unit_id
    AND (i.valid_from IS NULL OR i.valid_from <= core.period_end(r.period_type, r.period_start))
    AND (i.valid_to IS NULL OR core.period_end(r.period_type, r.period_start) <= i.valid_to)
LEFT JOIN core.unit_identities AS ip
    ON ip.source_unit_id = s.parent_unit_id
    AND (ip.valid_from IS NULL OR ip.valid_from <= core.period_end(r.period_type, r.period_start))
    AND (ip.valid_to IS NULL OR core.period_end(r.period_type, r.period_start) <= ip.valid_to)
LEFT JOIN core.unit_identities AS iv
    ON iv.source_unit_id = s.province_unit_id
    AND (iv.valid_from IS NULL OR iv.valid_from <= core.period_end(r.period_type, r.period_start))
    AND (iv.valid_to IS NULL OR core.period_end(r.period_type, r.period_start) <= iv.valid_to);

COMMENT ON VIEW core.unit_sightings_resolved IS
    'core.unit_sightings with the canonical unit, parent and province (core.unit_identities) for '
    'the period of the reply; source_unit_id is the id the reply gave.';

CREATE OR REPLACE VIEW core.reported_totals_resolved AS
SELECT t.* REPLACE (coalesce(i.unit_id, t.unit_id) AS unit_id), t.unit_id AS source_unit_id
FROM core.reported_totals AS t
LEFT JOIN core.unit_identities AS i
    ON i.source_unit_id = t.unit_id
    AND (i.valid_from IS NULL OR i.valid_from <= core.period_end(t.period_type, t.period_start))
    AND (i.valid_to IS NULL OR core.period_end(t.period_type, t.period_start) <= i.valid_to);

COMMENT ON VIEW core.reported_totals_resolved IS
    'core.reported_totals under the canonical unit (core.unit_identities); source_unit_id is the '
    'id the reply gave. Read this, not core.reported_totals, to follow a unit across sources.';

-- core.units_on(day): one row per unit code (units without a code: one row per unit) as it
-- stood on `day`, under its canonical id, with the code and name of its sightings nearest
-- to `day` (Quảng Trị in 2023 has the name a 2023 letter gave, not today's portal's). Candidates: the units seen in core and the units
-- of the reference list, less the ids mapped onto another unit on that day. A unit is
-- current on `day` when its reference validity covers it, or (units not in the reference
-- list) when it was seen from a period starting on or before `day` to one ending on or
-- after it (open when seen in the latest period the warehouse holds); among several, the
-- current one wins, then the one valid nearest to `day`.
CREATE OR REPLACE MACRO core.units_on(day) AS TABLE
WITH
sightings AS (   -- each sighting's distance to `day` (0: its period covers the day), so a
                 -- unit's attributes are those it had nearest the day, then the latest
    SELECT
        s.*,
        [
            coalesce(CASE
                WHEN core.period_end(s.period_type, s.period_start) < day::DATE
                    THEN datediff('day', core.period_end(s.period_type, s.period_start), day::DATE)
                WHEN s.period_start > day::DATE THEN datediff('day', day::DATE, s.period_start)
                ELSE 0
            END, 1000000000),
            -epoch(s.captured_at)
        ] AS nearness
    FROM core.unit_sightings_resolved AS s
),
observed AS (
    SELECT
        s.unit_id,
        arg_min(s.unit_code, s.nearness) FILTER (WHERE s.unit_code IS NOT NULL) AS unit_code,
        arg_min(s.unit_name, s.nearness) AS unit_name,
        arg_min(s.unit_level, s.nearness) AS unit_level,
        arg_min(s.parent_unit_id, s.nearness) FILTER (WHERE s.parent_unit_id IS NOT NULL)
            AS parent_unit_id,
        arg_min(s.province_unit_id, s.nearness) FILTER (WHERE s.province_unit_id IS NOT NULL)
            AS province_unit_id,
        min(s.period_start) AS seen_from,
        max(core.period_end(s.period_type, s.period_start)) AS seen_to
    FROM sightings AS s
    GROUP BY s.unit_id
),
candidates AS (
    SELECT
        coalesce(o.unit_id, r.unit_id) AS unit_id,
        coalesce(r.unit_code, o.unit_code) AS unit_code,
        coalesce(r.unit_name, o.unit_name) AS unit_name,
        coalesce(r.unit_level, o.unit_level) AS unit_level,
        o.parent_unit_id,
        coalesce(r.province_unit_id, o.province_unit_id) AS province_unit_id,
        r.unit_id IS NOT NULL AS in_reference,
        coalesce(r.valid_from, o.seen_from) AS valid_from,
        CASE
            WHEN r.unit_id IS NOT NULL THEN r.valid_to
            -- seen in the latest period the warehouse holds: still current
            WHEN o.seen_to >= max(o.seen_to) OVER () THEN NULL
            ELSE o.seen_to
        END AS valid_to
    FROM observed AS o
    FULL JOIN core.reference_units AS r ON r.unit_id = o.unit_id
    WHERE coalesce(o.unit_id, r.unit_id) NOT IN (
        SELECT i.source_unit_id FROM core.unit_identities AS i
        WHERE (i.valid_from IS NULL OR i.valid_from <= day::DATE)
            AND (i.valid_to IS NULL OR day::DATE <= i.valid_to)
    )
)
SELECT
    unit_id, unit_code, unit_name, unit_level, parent_unit_id, province_unit_id,
    valid_from, valid_to
FROM candidates
QUALIFY row_number() OVER (
    PARTITION BY coalesce(upper(unit_code), unit_id)
    ORDER BY
        (valid_from IS NULL OR valid_from <= day::DATE)
            AND (valid_to IS NULL OR day::DATE <= valid_to) DESC,
        CASE   -- days between the day and the unit's validity
            WHEN valid_to < day::DATE THEN datediff('day', valid_to, day::DATE)
            WHEN valid_from > day::DATE THEN datediff('day', day::DATE, valid_from)
            ELSE 0
        END,
        in_reference DESC,
        unit_id
) = 1;

COMMENT ON MACRO TABLE core.units_on IS
    'One row per unit code as it stood on a day, under its canonical id (core.unit_identities): '
    'the lookup for queries, e.g. (SELECT unit_id FROM core.units_on(DATE ''2026-10-01'') WHERE '
    'unit_code = ''H50''). Columns: unit_id, unit_code, unit_name, unit_level, parent_unit_id, '
    'province_unit_id, valid_from, valid_to (reference validity, or the periods the unit was seen in).';

-- core.unit_territory_changes: a canonical unit whose territory changed on effective_date
-- (the 2025 merger: the post-merger province took in the provinces listed), resolved to the
-- canonical id (the reference list's departmentId, or the current API's for the same unit).
CREATE OR REPLACE VIEW core.unit_territory_changes AS
SELECT
    coalesce(i.unit_id, r.new_unit_id) AS unit_id,
    r.effective_date,
    list(r.old_unit_id ORDER BY r.old_unit_id) AS old_unit_ids,
    list(r.old_name ORDER BY r.old_unit_id) AS old_names
FROM core.reorganisation_2025 AS r
LEFT JOIN core.unit_identities AS i
    ON i.source_unit_id = r.new_unit_id
    AND (i.valid_from IS NULL OR i.valid_from <= r.effective_date)
    AND (i.valid_to IS NULL OR r.effective_date <= i.valid_to)
WHERE r.relation = 'merged' AND r.new_unit_id IS NOT NULL
GROUP BY ALL;

COMMENT ON VIEW core.unit_territory_changes IS
    'Canonical units whose territory changed, from core.reorganisation_2025: the post-merger '
    'province (canonical id), the day, and the pre-merger provinces it took in.';

COMMENT ON TABLE core.units IS
    'One row per id a source gave (portal departmentId, legacy:<ID>, a file''s matched or '
    'provisional id): its latest attributes (latest non-null value of each) and when it was first '
    'and last seen. Rebuilt from core.unit_sightings. Several ids can stand for one real unit and '
    'share a code (core.unit_identities): look a code up with core.units_on(day).';
COMMENT ON COLUMN core.units.unit_id IS 'The id a source gave (evidence); its canonical unit is in core.unit_identities (an id without a row there is its own identity).';
