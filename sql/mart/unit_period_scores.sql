-- mart.unit_period_scores: the current scores of each unit and period, filled by
-- sql/mart/refresh.sql from mart.unit_period_scores_as_of('infinity') (same logic as any
-- cut-off, with the latest complete capture of every value).
CREATE TABLE IF NOT EXISTS mart.unit_period_scores (
    unit_id               VARCHAR NOT NULL,
    unit_code             VARCHAR,
    unit_name             VARCHAR,
    unit_level            VARCHAR,
    parent_unit_id        VARCHAR,
    period_type           VARCHAR NOT NULL,
    period_start          DATE NOT NULL,
    ckmb                  DOUBLE,
    tdgq                  DOUBLE,
    clgq                  DOUBLE,
    tttt                  DOUBLE,
    mdhl                  DOUBLE,
    mdsh                  DOUBLE,
    total_score           DOUBLE,
    missing_groups        VARCHAR[],
    reported_total_score  DOUBLE,
    total_mismatch        BOOLEAN,
    band                  VARCHAR,
    band_code             VARCHAR,
    rank                  INTEGER,
    cohort_size           INTEGER,
    captured_at           TIMESTAMPTZ,
    methodology_version   VARCHAR
);

COMMENT ON TABLE mart.unit_period_scores IS
    'One row per (unit, period type, period): the current value of the six group scores (latest '
    'complete capture), their total, band and rank within the cohort (same level, parent, period '
    'type and period). As of a cut-off: mart.unit_period_scores_as_of(cutoff).';
COMMENT ON COLUMN mart.unit_period_scores.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.unit_period_scores.unit_code IS 'Portal departmentCode (H15, H15.101…) from the sighting of the reply that gave the values.';
COMMENT ON COLUMN mart.unit_period_scores.unit_name IS 'Unit name (NFC) as that reply gave it.';
COMMENT ON COLUMN mart.unit_period_scores.unit_level IS 'province, department, district or commune: from the reply that gave the values (fallback core.units).';
COMMENT ON COLUMN mart.unit_period_scores.parent_unit_id IS 'The unit the cohort is under (a department''s or commune''s province); null for provinces (ranked nationally).';
COMMENT ON COLUMN mart.unit_period_scores.period_type IS 'month, quarter, half (legacy API) or year (a year''s value during the year is year-to-date).';
COMMENT ON COLUMN mart.unit_period_scores.period_start IS 'First day of the period (2023-11-01 for 11/2023, 2024-04-01 for Q2/2024).';
COMMENT ON COLUMN mart.unit_period_scores.ckmb IS 'Công khai, minh bạch (max 18): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.tdgq IS 'Tiến độ, kết quả giải quyết (max 20): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.clgq IS 'Dịch vụ công trực tuyến (max 12): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.tttt IS 'Thanh toán trực tuyến (max 10): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.mdhl IS 'Mức độ hài lòng (max 18): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.mdsh IS 'Số hóa hồ sơ (max 22): the portal''s score.';
COMMENT ON COLUMN mart.unit_period_scores.total_score IS 'round(sum of the groups, 2) when every group of the methodology version has a value; otherwise null (never a partial total).';
COMMENT ON COLUMN mart.unit_period_scores.missing_groups IS 'Codes of the groups without a value (empty when the total is complete); null when no methodology version is in force.';
COMMENT ON COLUMN mart.unit_period_scores.reported_total_score IS 'The portal''s own total (core.reported_totals) from the latest complete national capture; provinces only.';
COMMENT ON COLUMN mart.unit_period_scores.total_mismatch IS 'True when |total_score - reported_total_score| > 0.011; null when either is missing.';
COMMENT ON COLUMN mart.unit_period_scores.band IS 'Xếp loại (Vietnamese, NFC) from methodology.bands: min_score <= total < max_score (90 Xuất sắc, 89.99 Tốt).';
COMMENT ON COLUMN mart.unit_period_scores.band_code IS 'Band code: XUAT_SAC, TOT, KHA, TRUNG_BINH, YEU.';
COMMENT ON COLUMN mart.unit_period_scores.rank IS 'Competition rank (1, 2, 2, 4) by total_score descending within the cohort; null when total_score is null.';
COMMENT ON COLUMN mart.unit_period_scores.cohort_size IS 'Number of ranked units in the cohort (same level, parent, period type and period).';
COMMENT ON COLUMN mart.unit_period_scores.captured_at IS 'Capture time of the latest of the six group values.';
COMMENT ON COLUMN mart.unit_period_scores.methodology_version IS 'The portal methodology version (methodology.versions, kind portal) in force on period_start.';
