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
