-- mart.reported_band_counts: the units per level and band a letter states for its
-- province (core.reported_band_counts: "Có 02/17 cơ quan xếp loại Tốt", a band table's
-- rows), one row per (letter, level, band), from complete file captures only, beside what
-- the warehouse derives from the scores for the same province, level and period
-- (mart.band_counts, parent_unit_id = the province under its canonical id,
-- core.unit_identities: unit_id here, as in every mart; source_unit_id is the id the letter
-- gave). counts_disagree is true where the letter and the derived counts differ (the
-- band's count, or the level's total against the derived cohort size), false where they
-- agree, null where nothing is derived for that province, level and period. The derived
-- side is the current mart.band_counts (the latest values of the captures), while the
-- letter's is as of its own cut-off (captured_at): for the derived counts at the letter's
-- cut-off, query mart.band_counts_as_of(captured_at). The letter's counts are never used
-- in place of the derived ones.
CREATE OR REPLACE VIEW mart.reported_band_counts AS
WITH
letters AS (
    SELECT
        rb.*,
        coalesce(
            TRY_CAST(json_extract_string(r.request_body, '$.cutoff_stated') AS BOOLEAN),
            json_extract_string(r.request_body, '$.cutoff_source') IS DISTINCT FROM 'ingested_at'
        ) AS cutoff_stated
    FROM core.reported_band_counts AS rb
    JOIN raw.captures AS c USING (capture_id)
    JOIN raw.responses AS r USING (response_id)
    WHERE c.status = 'complete'
),
band_names AS (
    SELECT band_code, any_value(name_vi) AS band, min(sort_order) AS sort_order
    FROM methodology.bands
    GROUP BY band_code
)
SELECT
    l.period_type,
    l.period_start,
    coalesce(i.unit_id, l.unit_id) AS unit_id,
    l.unit_id AS source_unit_id,
    l.unit_level,
    n.band,
    l.band_code,
    l.unit_count AS reported_unit_count,
    l.level_total AS reported_level_total,
    d.unit_count AS derived_unit_count,
    d.cohort_size AS derived_cohort_size,
    CASE
        WHEN d.unit_count IS NULL THEN NULL
        ELSE d.unit_count <> l.unit_count
            OR coalesce(l.level_total <> d.cohort_size, false)
    END AS counts_disagree,
    l.captured_at,
    l.cutoff_stated,
    l.capture_id,
    l.response_id
FROM letters AS l
LEFT JOIN band_names AS n USING (band_code)
LEFT JOIN core.unit_identities AS i   -- the province's canonical id, as in mart.band_counts
    ON i.source_unit_id = l.unit_id
    AND (i.valid_from IS NULL OR i.valid_from <= core.period_end(l.period_type, l.period_start))
    AND (i.valid_to IS NULL OR core.period_end(l.period_type, l.period_start) <= i.valid_to)
LEFT JOIN mart.band_counts AS d
    ON d.parent_unit_id = coalesce(i.unit_id, l.unit_id)
    AND d.unit_level = l.unit_level
    AND d.period_type = l.period_type
    AND d.period_start = l.period_start
    AND d.band_code = l.band_code;

COMMENT ON VIEW mart.reported_band_counts IS
    'Units per level and band as a letter states them (core.reported_band_counts), beside the '
    'counts derived from the scores (mart.band_counts) for the same province, level and period; '
    'counts_disagree flags where they differ. Letters are never used in place of the derived counts.';
COMMENT ON COLUMN mart.reported_band_counts.period_type IS 'month, quarter, half or year: the letter''s period.';
COMMENT ON COLUMN mart.reported_band_counts.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.reported_band_counts.unit_id IS 'The province the letter is about: its canonical unit (core.unit_identities), as in mart.band_counts.parent_unit_id.';
COMMENT ON COLUMN mart.reported_band_counts.source_unit_id IS 'The id the letter gave for the province (core.reported_band_counts.unit_id).';
COMMENT ON COLUMN mart.reported_band_counts.unit_level IS 'Level of the units counted: department, district or commune.';
COMMENT ON COLUMN mart.reported_band_counts.band IS 'Band name (Vietnamese, NFC).';
COMMENT ON COLUMN mart.reported_band_counts.band_code IS 'Band code: XUAT_SAC, TOT, KHA, TRUNG_BINH, YEU.';
COMMENT ON COLUMN mart.reported_band_counts.reported_unit_count IS 'Units of the level the letter puts in the band ("02/17": 2; "Không có …": 0).';
COMMENT ON COLUMN mart.reported_band_counts.reported_level_total IS 'Units of the level the letter counts ("02/17": 17); null when not stated.';
COMMENT ON COLUMN mart.reported_band_counts.derived_unit_count IS 'mart.band_counts.unit_count for the province (parent), level, period and band; null when nothing is derived.';
COMMENT ON COLUMN mart.reported_band_counts.derived_cohort_size IS 'mart.band_counts.cohort_size: units of the level with a total in the warehouse.';
COMMENT ON COLUMN mart.reported_band_counts.counts_disagree IS 'True when the letter''s count (or level total) differs from the derived count (or cohort size); null when nothing is derived.';
COMMENT ON COLUMN mart.reported_band_counts.captured_at IS 'The letter''s data cut-off (stated, else the time of ingestion).';
COMMENT ON COLUMN mart.reported_band_counts.cutoff_stated IS 'False when the letter states no cut-off and captured_at is the time of ingestion.';
COMMENT ON COLUMN mart.reported_band_counts.capture_id IS 'The letter''s capture (raw.captures).';
COMMENT ON COLUMN mart.reported_band_counts.response_id IS 'The letter''s reply (raw.responses).';
