-- mart.band_count_table_of(band_counts): pivot rows shaped like mart.band_counts (given by
-- name: a table, view or CTE) into the table of the letters (seed 000): one row per level
-- (Cấp hành chính), columns Xuất sắc, Tốt, Khá, Trung bình, Yếu, Tổng; then a row
-- "Tổng số đơn vị" (all levels of the scope) and a row "Tỷ lệ" (each band's share of that
-- total, in percent, rounded to 2 decimals). Scope = period + parent (null = national).
CREATE OR REPLACE MACRO mart.band_count_table_of(band_counts) AS TABLE
WITH
level_rows AS (
    SELECT
        c.period_type,
        c.period_start,
        c.parent_unit_id,
        1 AS kind_order,
        coalesce(l.sort_order, 99) AS level_order,
        coalesce(l.name_vi, c.unit_level) AS label,
        sum(c.unit_count) FILTER (WHERE c.band_code = 'XUAT_SAC') AS xuat_sac,
        sum(c.unit_count) FILTER (WHERE c.band_code = 'TOT') AS tot,
        sum(c.unit_count) FILTER (WHERE c.band_code = 'KHA') AS kha,
        sum(c.unit_count) FILTER (WHERE c.band_code = 'TRUNG_BINH') AS trung_binh,
        sum(c.unit_count) FILTER (WHERE c.band_code = 'YEU') AS yeu,
        sum(c.unit_count) AS tong
    FROM query_table(band_counts) AS c
    LEFT JOIN mart.unit_levels AS l ON l.unit_level = c.unit_level
    GROUP BY c.period_type, c.period_start, c.parent_unit_id, c.unit_level, l.sort_order, l.name_vi
),
total_rows AS (
    SELECT
        period_type, period_start, parent_unit_id,
        2 AS kind_order, 0 AS level_order, 'Tổng số đơn vị' AS label,
        sum(xuat_sac) AS xuat_sac, sum(tot) AS tot, sum(kha) AS kha,
        sum(trung_binh) AS trung_binh, sum(yeu) AS yeu, sum(tong) AS tong
    FROM level_rows
    GROUP BY period_type, period_start, parent_unit_id
),
share_rows AS (
    SELECT
        period_type, period_start, parent_unit_id,
        3 AS kind_order, 0 AS level_order, 'Tỷ lệ' AS label,
        round(100 * xuat_sac / tong, 2) AS xuat_sac,
        round(100 * tot / tong, 2) AS tot,
        round(100 * kha / tong, 2) AS kha,
        round(100 * trung_binh / tong, 2) AS trung_binh,
        round(100 * yeu / tong, 2) AS yeu,
        round(100 * tong / tong, 2) AS tong
    FROM total_rows
),
all_rows AS (
    SELECT * FROM level_rows
    UNION ALL BY NAME
    SELECT * FROM total_rows
    UNION ALL BY NAME
    SELECT * FROM share_rows
)
SELECT
    r.period_type,
    r.period_start,
    r.parent_unit_id,
    CASE WHEN r.parent_unit_id IS NULL THEN 'Toàn quốc' ELSE u.unit_name END AS scope_name,
    row_number() OVER (
        PARTITION BY r.period_type, r.period_start, r.parent_unit_id
        ORDER BY r.kind_order, r.level_order
    )::INTEGER AS row_order,
    r.label AS "Cấp hành chính",
    r.xuat_sac::DOUBLE AS "Xuất sắc",
    r.tot::DOUBLE AS "Tốt",
    r.kha::DOUBLE AS "Khá",
    r.trung_binh::DOUBLE AS "Trung bình",
    r.yeu::DOUBLE AS "Yếu",
    r.tong::DOUBLE AS "Tổng"
FROM all_rows AS r
LEFT JOIN core.units AS u ON u.unit_id = r.parent_unit_id;

COMMENT ON MACRO TABLE mart.band_count_table_of IS
    'Pivot a relation shaped like mart.band_counts (passed by name) into the letters'' band table: '
    'one row per level, then Tổng số đơn vị and Tỷ lệ (percent). Used by mart.band_count_table '
    'and mart.band_count_table_as_of.';

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

-- mart.band_count_table_as_of(cutoff): mart.band_count_table as of a data cut-off.
CREATE OR REPLACE MACRO mart.band_count_table_as_of(cutoff) AS TABLE
WITH band_counts_at_cutoff AS (
    SELECT * FROM mart.band_counts_as_of(cutoff)
)
SELECT * FROM mart.band_count_table_of('band_counts_at_cutoff');

COMMENT ON MACRO TABLE mart.band_count_table_as_of IS
    'mart.band_count_table as of a data cut-off (TIMESTAMPTZ).';
