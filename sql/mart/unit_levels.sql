-- mart.unit_levels: the administrative levels (cấp hành chính) units are ranked within,
-- with the Vietnamese label the letters print (Quảng Nam, 11/2023: "Sở, ban, ngành cấp tỉnh").
CREATE TABLE IF NOT EXISTS mart.unit_levels (
    unit_level  VARCHAR PRIMARY KEY,
    name_vi     VARCHAR NOT NULL,
    sort_order  INTEGER NOT NULL
);

INSERT OR REPLACE INTO mart.unit_levels VALUES
    ('province', 'Tỉnh, thành phố trực thuộc Trung ương', 1),
    ('department', 'Sở, ban, ngành cấp tỉnh', 2),
    ('district', 'UBND huyện, thị xã, thành phố', 3),
    ('commune', 'UBND xã, phường, thị trấn', 4);

COMMENT ON TABLE mart.unit_levels IS
    'Administrative levels units are ranked within, with the label letters print (row labels of mart.band_count_table).';
COMMENT ON COLUMN mart.unit_levels.unit_level IS 'province, department, district (until 30/6/2025) or commune.';
COMMENT ON COLUMN mart.unit_levels.name_vi IS 'Vietnamese label (Cấp hành chính), NFC.';
COMMENT ON COLUMN mart.unit_levels.sort_order IS 'Row order in tables: province, department, district, commune.';
