-- core.unit_sightings: every appearance of a unit in a valid reply, with the attributes
-- the reply gave (names in NFC). core.units is derived from it.
-- Unique key (response_id, unit_id): enforced by the core asset checks, not an index, so
-- bulk loads stay fast.
CREATE TABLE IF NOT EXISTS core.unit_sightings (
    response_id      VARCHAR NOT NULL,
    capture_id       VARCHAR NOT NULL,
    unit_id          VARCHAR NOT NULL,
    unit_code        VARCHAR,
    unit_name        VARCHAR NOT NULL,
    unit_type        VARCHAR,
    unit_level       VARCHAR NOT NULL,
    parent_unit_id   VARCHAR,
    province_unit_id VARCHAR,
    captured_at      TIMESTAMPTZ NOT NULL
);
