-- Rebuild core.units from core.unit_sightings: the latest non-null value of each
-- attribute wins (a reply shape that lacks the code or type does not erase it).
DELETE FROM core.units;
INSERT INTO core.units
SELECT
    unit_id,
    arg_max(unit_code, captured_at) FILTER (WHERE unit_code IS NOT NULL),
    arg_max(unit_name, captured_at),
    arg_max(unit_type, captured_at) FILTER (WHERE unit_type IS NOT NULL),
    arg_max(unit_level, captured_at),
    arg_max(parent_unit_id, captured_at) FILTER (WHERE parent_unit_id IS NOT NULL),
    arg_max(province_unit_id, captured_at) FILTER (WHERE province_unit_id IS NOT NULL),
    min(captured_at),
    max(captured_at)
FROM core.unit_sightings
GROUP BY unit_id;

-- Rebuild core.unit_identities (see units.sql) from the sightings, the reference lists
-- and the review of file names: every rule below is evidence in the warehouse, never a
-- guess; an id that no rule maps stays its own identity.
DELETE FROM core.unit_identities;

CREATE OR REPLACE TEMP TABLE identity_evidence AS   -- each API id, its codes and names, by era
SELECT DISTINCT unit_id, source, unit_level, upper(unit_code) AS code,
    core.fold_unit_name(unit_name) AS folded, after_merger
FROM (
    SELECT DISTINCT
        s.unit_id, c.source, s.unit_level, s.unit_code, s.unit_name,
        core.period_end(r.period_type, r.period_start) >= DATE '2025-07-01' AS after_merger
    FROM core.unit_sightings AS s
    JOIN raw.responses AS r USING (response_id)
    JOIN raw.captures AS c ON c.capture_id = s.capture_id
    WHERE c.source IN ('portal_legacy', 'portal_api')
);

CREATE OR REPLACE TEMP TABLE identity_current AS   -- the current API's units, by code
SELECT unit_id, unit_level, code, folded
FROM identity_evidence
WHERE source = 'portal_api' AND code IS NOT NULL
GROUP BY ALL;

-- A legacy-API unit after the merger is the current-API unit with its code, name and level
-- (else, for a province, the post-merger province of the reference list).
INSERT INTO core.unit_identities
SELECT e.unit_id, any_value(t.unit_id), DATE '2025-07-01', NULL, 'same_code_and_name',
    'mã ' || e.code || ', tên ' || any_value(e.folded) || ' (API hiện tại)'
FROM (SELECT DISTINCT unit_id, unit_level, code, folded FROM identity_evidence
      WHERE source = 'portal_legacy' AND after_merger AND code IS NOT NULL) AS e
JOIN identity_current AS t USING (unit_level, code, folded)
WHERE t.unit_id <> e.unit_id
GROUP BY e.unit_id, e.code
HAVING count(DISTINCT t.unit_id) = 1;

INSERT INTO core.unit_identities
SELECT e.unit_id, any_value(ref.unit_id), DATE '2025-07-01', NULL, 'same_code_and_name',
    'mã ' || e.code || ', tên ' || any_value(e.folded) || ' (danh mục tỉnh sau 1/7/2025)'
FROM (SELECT DISTINCT unit_id, code, folded FROM identity_evidence
      WHERE source = 'portal_legacy' AND after_merger AND unit_level = 'province'
        AND code IS NOT NULL) AS e
JOIN core.reference_units AS ref
    ON ref.unit_level = 'province' AND ref.valid_to IS NULL AND upper(ref.unit_code) = e.code
    AND core.fold_unit_name(ref.unit_name) = e.folded
WHERE e.unit_id NOT IN (SELECT source_unit_id FROM core.unit_identities)
GROUP BY e.unit_id, e.code
HAVING count(DISTINCT ref.unit_id) = 1;

-- A legacy-API province before the merger is the pre-merger province of
-- core.reorganisation_2025: by its verified agency code, else by its name or an alias.
CREATE OR REPLACE TEMP TABLE identity_old_provinces AS
SELECT
    r.old_unit_id,
    upper(r.old_code) AS old_code,
    core.fold_unit_name(n.name) AS folded
FROM core.reorganisation_2025 AS r
LEFT JOIN core.reference_units AS ref ON ref.unit_id = r.old_unit_id AND ref.valid_to IS NOT NULL
CROSS JOIN unnest(list_prepend(r.old_name, coalesce(ref.aliases, []::VARCHAR[]))) AS n(name)
WHERE r.unit_level = 'province';

INSERT INTO core.unit_identities
SELECT e.unit_id, any_value(o.old_unit_id), NULL, DATE '2025-06-30', 'reorganisation',
    'Nghị quyết 202/2025/QH15: '
        || CASE WHEN bool_or(o.old_code = e.code) THEN 'mã ' || e.code ELSE 'tên ' || any_value(e.folded) END
FROM (SELECT DISTINCT unit_id, code, folded FROM identity_evidence
      WHERE source = 'portal_legacy' AND NOT after_merger AND unit_level = 'province') AS e
JOIN identity_old_provinces AS o
    ON o.old_code = e.code
    OR (o.folded = e.folded AND NOT EXISTS (   -- by name only when no code decides
        SELECT 1 FROM identity_old_provinces AS k WHERE k.old_code = e.code
    ))
GROUP BY e.unit_id, e.code
HAVING count(DISTINCT o.old_unit_id) = 1;

-- A province of the reference list is the current-API province with its code and name
-- (the same id on the real portal; a local portal may mint its own).
INSERT INTO core.unit_identities
SELECT ref.unit_id, any_value(t.unit_id), ref.valid_from, ref.valid_to, 'same_code_and_name',
    'mã ' || upper(ref.unit_code) || ', tên ' || core.fold_unit_name(ref.unit_name)
        || ' (API hiện tại)'
FROM core.reference_units AS ref
JOIN identity_current AS t
    ON t.unit_level = 'province' AND t.code = upper(ref.unit_code)
    AND t.folded = core.fold_unit_name(ref.unit_name)
WHERE ref.unit_level = 'province' AND ref.valid_to IS NULL AND t.unit_id <> ref.unit_id
GROUP BY ref.unit_id, ref.unit_code, ref.unit_name, ref.valid_from, ref.valid_to
HAVING count(DISTINCT t.unit_id) = 1;

-- A surviving pre-merger province (the one whose name, and code where a source verifies
-- it, the merged province keeps: Quảng Trị into Quảng Trị, not Quảng Bình) is the merged
-- province before 1/7/2025, so its series runs on under one id, flagged where its
-- territory changed (core.unit_territory_changes). The absorbed provinces keep their own
-- pre2025:<GSO> ids and end on 30/6/2025.
INSERT INTO core.unit_identities
SELECT r.old_unit_id, coalesce(any_value(t.unit_id), r.new_unit_id), NULL,
    (r.effective_date - 1)::DATE, 'reorganisation',
    'Nghị quyết 202/2025/QH15: ' || r.old_name || ' giữ tên'
        || CASE WHEN r.old_code IS NOT NULL THEN ' và mã ' || upper(r.old_code) ELSE '' END
        || ' sau sáp nhập'
FROM core.reorganisation_2025 AS r
LEFT JOIN core.unit_identities AS t   -- the post-merger province's own canonical id
    ON t.source_unit_id = r.new_unit_id AND t.valid_to IS NULL
WHERE r.unit_level = 'province' AND r.relation = 'merged'
    AND core.fold_unit_name(r.old_name) = core.fold_unit_name(r.new_name)
    AND (r.old_code IS NULL OR upper(r.old_code) = upper(r.new_code))
    AND NOT EXISTS (   -- exactly one pre-merger province keeps the name
        SELECT 1 FROM core.reorganisation_2025 AS o
        WHERE o.new_unit_id = r.new_unit_id AND o.old_unit_id <> r.old_unit_id
            AND o.unit_level = 'province'
            AND core.fold_unit_name(o.old_name) = core.fold_unit_name(r.new_name)
    )
GROUP BY r.old_unit_id, r.new_unit_id, r.old_name, r.old_code, r.effective_date;

-- A name of a file matched in the review (automatically or by a reviewer), for the
-- periods of the captures it was matched in; a name matched to two units is not mapped.
INSERT INTO core.unit_identities
SELECT m.provisional_unit_id, any_value(m.unit_id), min(r.period_start),
    max(core.period_end(r.period_type, r.period_start)), 'reviewed_match',
    'core.unit_match_review: '
        || coalesce(string_agg(DISTINCT m.method, ', '), 'người duyệt quyết định')
FROM core.unit_match_review AS m
JOIN raw.captures AS r USING (capture_id)
WHERE m.status = 'matched' AND m.unit_id <> m.provisional_unit_id
    AND m.provisional_unit_id NOT IN (SELECT source_unit_id FROM core.unit_identities)
GROUP BY m.provisional_unit_id
HAVING count(DISTINCT m.unit_id) = 1;

-- Follow a target that is itself mapped (a legacy province → an unchanged province of the
-- reference list → the current API's id), where the second mapping covers the first.
UPDATE core.unit_identities AS i SET unit_id = j.unit_id, evidence = i.evidence || '; ' || j.evidence
FROM core.unit_identities AS j
WHERE j.source_unit_id = i.unit_id
    AND (j.valid_from IS NULL OR (i.valid_from IS NOT NULL AND j.valid_from <= i.valid_from))
    AND (j.valid_to IS NULL OR (i.valid_to IS NOT NULL AND i.valid_to <= j.valid_to));

DROP TABLE identity_evidence;
DROP TABLE identity_current;
DROP TABLE identity_old_provinces;
