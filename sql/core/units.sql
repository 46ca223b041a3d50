-- core.units: one row per unit (portal departmentId), its latest attributes and when it
-- was first and last seen. Rebuilt from core.unit_sightings (see units_refresh.sql).
CREATE TABLE IF NOT EXISTS core.units (
    unit_id          VARCHAR NOT NULL,
    unit_code        VARCHAR,
    unit_name        VARCHAR NOT NULL,
    unit_type        VARCHAR,
    unit_level       VARCHAR NOT NULL,
    parent_unit_id   VARCHAR,
    province_unit_id VARCHAR,
    first_seen_at    TIMESTAMPTZ NOT NULL,
    last_seen_at     TIMESTAMPTZ NOT NULL
);
