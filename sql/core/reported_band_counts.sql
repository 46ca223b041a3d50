-- core.reported_band_counts: how many units of one level a source (a provincial letter)
-- says are in each band, for the province it is about, with the level's total when it
-- states one: "Có 02/17 cơ quan xếp loại Tốt" is unit_count 2, level_total 17; "Không có
-- … xếp loại Xuất sắc" is 0 (with the level's total from its other lines); a band table's
-- row gives the five bands and its "Tổng". Stated, never derived: mart.band_counts derives
-- the same from the scores, and mart.reported_band_counts shows both side by side.
-- Figures that cannot be loaded as stated (a count over its total, a row whose bands do
-- not add up to its total) are not here: the file's capture lists them
-- (raw.responses.request_body, "rejected_figures").
-- Unique key (response_id, unit_id, unit_level, period_type, period_start, band_code):
-- the parser states each once.
CREATE TABLE IF NOT EXISTS core.reported_band_counts (
    response_id   VARCHAR NOT NULL,
    capture_id    VARCHAR NOT NULL,
    unit_id       VARCHAR NOT NULL,
    unit_level    VARCHAR NOT NULL,
    period_type   VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    band_code     VARCHAR NOT NULL,
    unit_count    INTEGER NOT NULL,
    level_total   INTEGER,
    captured_at   TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE core.reported_band_counts IS
    'Units per level and band a letter states for its province ("Có 02/17 cơ quan xếp loại Tốt", '
    'a band table''s rows), as of the letter''s data cut-off. Compared with the derived counts in '
    'mart.reported_band_counts.';
COMMENT ON COLUMN core.reported_band_counts.response_id IS 'The reply (raw.responses): the file.';
COMMENT ON COLUMN core.reported_band_counts.capture_id IS 'The file''s capture (raw.captures).';
COMMENT ON COLUMN core.reported_band_counts.unit_id IS 'The province the letter is about (its root unit).';
COMMENT ON COLUMN core.reported_band_counts.unit_level IS 'Level of the units counted: department, district or commune.';
COMMENT ON COLUMN core.reported_band_counts.period_type IS 'month, quarter, half or year: the letter''s period.';
COMMENT ON COLUMN core.reported_band_counts.period_start IS 'First day of the period.';
COMMENT ON COLUMN core.reported_band_counts.band_code IS 'Band code: XUAT_SAC, TOT, KHA, TRUNG_BINH, YEU.';
COMMENT ON COLUMN core.reported_band_counts.unit_count IS 'Units of the level the letter puts in the band (0 for "Không có …").';
COMMENT ON COLUMN core.reported_band_counts.level_total IS 'Units of the level the letter counts ("/17", the table''s "Tổng"); null when not stated.';
COMMENT ON COLUMN core.reported_band_counts.captured_at IS 'The letter''s data cut-off (the stated one, else the time of ingestion: see mart.reported_band_counts.cutoff_stated).';
