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

-- core.period_end(period_type, period_start): the last day of a period (month, quarter,
-- half, year). Identities (core.unit_identities) apply to a value by its period's last day,
-- as the legacy API serves a period in its post-merger form once it ends after 30/6/2025.
CREATE OR REPLACE MACRO core.period_end(period_type, period_start) AS
    (period_start + CASE period_type
        WHEN 'month' THEN INTERVAL 1 MONTH
        WHEN 'quarter' THEN INTERVAL 3 MONTH
        WHEN 'half' THEN INTERVAL 6 MONTH
        WHEN 'year' THEN INTERVAL 1 YEAR
    END - INTERVAL 1 DAY)::DATE;

-- core.fold_unit_name(name): a unit name reduced for comparing the same unit across
-- sources: lower case, no diacritics (đ → d, so "Hòa"/"Hoà" agree), and the kind prefixes
-- "UBND", "tỉnh", "thành phố" dropped ("UBND tỉnh Quảng Trị" = "Quảng Trị").
CREATE OR REPLACE MACRO core.fold_unit_name(name) AS
    trim(regexp_replace(
        regexp_replace(
            lower(strip_accents(replace(replace(name, 'Đ', 'D'), 'đ', 'd'))),
            '^(uy ban nhan dan|ubnd)\s+', ''
        ),
        '^(tinh|thanh pho|tp\.?)\s+', ''
    ));

-- core.unit_identities: which real unit each id a source gives stands for, and when.
-- Sources keep their own ids in core (the portal's departmentId, legacy:<ID>, a letter's
-- matched or provisional id): they are evidence. This table maps a source id to the one
-- canonical unit_id of the real unit for the periods whose last day falls within
-- [valid_from, valid_to] (null: open); an id with no row here is its own identity.
-- Readers apply it (core.current_group_scores, core.group_scores_as_of,
-- core.unit_sightings_resolved, core.reported_totals_resolved), so every mart sees the
-- canonical id. Rebuilt with core.units (units_refresh.sql). method:
-- * same_code_and_name: a legacy-API unit of a period after 30/6/2025, or a reference
--   province, is the current-API unit with the same code and (folded) name and level;
-- * reorganisation: a legacy-API province of a period before 1/7/2025 is the pre-merger
--   province of core.reorganisation_2025 with its verified agency code, else its name
--   (unchanged provinces: the post-merger province itself); and the surviving pre-merger
--   province (the one whose name and code the merged province keeps: Quảng Trị, not
--   Quảng Bình) is the merged province, so its series is one id across 1/7/2025;
-- * reviewed_match: a name of a file matched in core.unit_match_review (status 'matched',
--   also when a reviewer decided it), for the periods of the captures it was matched in.
CREATE TABLE IF NOT EXISTS core.unit_identities (
    source_unit_id  VARCHAR NOT NULL,
    unit_id         VARCHAR NOT NULL,
    valid_from      DATE,
    valid_to        DATE,
    method          VARCHAR NOT NULL
        CHECK (method IN ('same_code_and_name', 'reorganisation', 'reviewed_match')),
    evidence        VARCHAR NOT NULL
);
