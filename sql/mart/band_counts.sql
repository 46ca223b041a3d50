-- mart.band_counts: current number of units per band, per period, level and parent (and
-- nationally), filled by sql/mart/refresh.sql: mart.band_counts_of('mart.unit_period_scores').
CREATE TABLE IF NOT EXISTS mart.band_counts (
    period_type     VARCHAR NOT NULL,
    period_start    DATE NOT NULL,
    unit_level      VARCHAR,
    parent_unit_id  VARCHAR,
    band            VARCHAR NOT NULL,
    band_code       VARCHAR NOT NULL,
    unit_count      INTEGER NOT NULL,
    cohort_size     INTEGER NOT NULL,
    share_pct       DOUBLE NOT NULL
);

COMMENT ON TABLE mart.band_counts IS
    'Units per band (all five bands, 0 included) per period, level and parent, and nationally '
    '(parent_unit_id null). Seed 001''s "02/17 cơ quan xếp loại Tốt" is unit_count/cohort_size. '
    'Pivoted like the letters: mart.band_count_table. As of a cut-off: mart.band_counts_as_of(cutoff).';
COMMENT ON COLUMN mart.band_counts.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.band_counts.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.band_counts.unit_level IS 'Level of the units counted (province, department, district, commune).';
COMMENT ON COLUMN mart.band_counts.parent_unit_id IS 'The parent whose units are counted; null = national (all parents together).';
COMMENT ON COLUMN mart.band_counts.band IS 'Band name (Vietnamese, NFC).';
COMMENT ON COLUMN mart.band_counts.band_code IS 'Band code: XUAT_SAC, TOT, KHA, TRUNG_BINH, YEU.';
COMMENT ON COLUMN mart.band_counts.unit_count IS 'Units of the scope in this band (0 when none).';
COMMENT ON COLUMN mart.band_counts.cohort_size IS 'Units of the scope with a total (sum of unit_count over the bands).';
COMMENT ON COLUMN mart.band_counts.share_pct IS 'round(100 * unit_count / cohort_size, 2).';
