-- mart.band_count_table: the current band counts pivoted like seed 000's table.
-- SELECT * EXCLUDE (period_type, period_start, parent_unit_id) FROM mart.band_count_table
-- WHERE period_type = 'month' AND period_start = DATE '2023-11-01'
--   AND parent_unit_id = '<province id>' ORDER BY row_order;
CREATE OR REPLACE VIEW mart.band_count_table AS
SELECT * FROM mart.band_count_table_of('mart.band_counts');

COMMENT ON VIEW mart.band_count_table IS
    'mart.band_counts pivoted like the letters (seed 000): per period and scope (a province, or '
    'national when parent_unit_id is null) one row per level, then "Tổng số đơn vị" and "Tỷ lệ" '
    '(percent). As of a cut-off: mart.band_count_table_as_of(cutoff).';
COMMENT ON COLUMN mart.band_count_table.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.band_count_table.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.band_count_table.parent_unit_id IS 'The province whose units are counted; null = national.';
COMMENT ON COLUMN mart.band_count_table.scope_name IS 'Name of that province (core.units), or Toàn quốc.';
COMMENT ON COLUMN mart.band_count_table.row_order IS 'Row order within the scope: levels (province, department, district, commune), then Tổng số đơn vị, then Tỷ lệ.';
COMMENT ON COLUMN mart.band_count_table."Cấp hành chính" IS 'Level label (mart.unit_levels.name_vi), "Tổng số đơn vị" or "Tỷ lệ".';
COMMENT ON COLUMN mart.band_count_table."Xuất sắc" IS 'Units in band Xuất sắc (>= 90); in the Tỷ lệ row, percent of Tổng số đơn vị.';
COMMENT ON COLUMN mart.band_count_table."Tốt" IS 'Units in band Tốt (80 to < 90); in the Tỷ lệ row, percent.';
COMMENT ON COLUMN mart.band_count_table."Khá" IS 'Units in band Khá (70 to < 80); in the Tỷ lệ row, percent.';
COMMENT ON COLUMN mart.band_count_table."Trung bình" IS 'Units in band Trung bình (50 to < 70); in the Tỷ lệ row, percent.';
COMMENT ON COLUMN mart.band_count_table."Yếu" IS 'Units in band Yếu (< 50); in the Tỷ lệ row, percent.';
COMMENT ON COLUMN mart.band_count_table."Tổng" IS 'Units with a total in the row (100 in the Tỷ lệ row).';
