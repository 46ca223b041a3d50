-- mart.band_count_table_of(band_counts): pivot rows shaped like mart.band_counts (given by
-- name: a table, view or CTE) into the table of the letters (Quảng Nam, 11/2023): one row per level
-- (Cấp hành chính) with the number of units in each band, Xuất sắc, Tốt, Khá, Trung bình,
-- Yếu, and Tổng (INTEGER); then a row "Tổng số đơn vị" (all levels of the scope). Each
-- band's share of the row's Tổng, in percent rounded to 2 decimals, is in the DOUBLE
-- columns "Xuất sắc (%)" … "Yếu (%)": the letters' "Tỷ lệ" row is the (%) columns of the
-- "Tổng số đơn vị" row. Scope = period + parent (null = national).
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
        sum(c.unit_count) AS tong,
        bool_or(c.is_provisional) AS is_provisional
    FROM query_table(band_counts) AS c
    LEFT JOIN mart.unit_levels AS l ON l.unit_level = c.unit_level
    GROUP BY c.period_type, c.period_start, c.parent_unit_id, c.unit_level, l.sort_order, l.name_vi
),
total_rows AS (
    SELECT
        period_type, period_start, parent_unit_id,
        2 AS kind_order, 0 AS level_order, 'Tổng số đơn vị' AS label,
        sum(xuat_sac) AS xuat_sac, sum(tot) AS tot, sum(kha) AS kha,
        sum(trung_binh) AS trung_binh, sum(yeu) AS yeu, sum(tong) AS tong,
        bool_or(is_provisional) AS is_provisional
    FROM level_rows
    GROUP BY period_type, period_start, parent_unit_id
),
all_rows AS (
    SELECT * FROM level_rows
    UNION ALL BY NAME
    SELECT * FROM total_rows
)
SELECT
    r.period_type,
    r.period_start,
    r.parent_unit_id,
    coalesce(u.unit_code, ref.unit_code) AS province_code,
    CASE WHEN r.parent_unit_id IS NULL THEN 'Toàn quốc' ELSE coalesce(u.unit_name, ref.unit_name) END
        AS scope_name,
    row_number() OVER (
        PARTITION BY r.period_type, r.period_start, r.parent_unit_id
        ORDER BY r.kind_order, r.level_order
    )::INTEGER AS row_order,
    r.label AS "Cấp hành chính",
    r.xuat_sac::INTEGER AS "Xuất sắc",
    r.tot::INTEGER AS "Tốt",
    r.kha::INTEGER AS "Khá",
    r.trung_binh::INTEGER AS "Trung bình",
    r.yeu::INTEGER AS "Yếu",
    r.tong::INTEGER AS "Tổng",
    round(100 * r.xuat_sac / r.tong, 2)::DOUBLE AS "Xuất sắc (%)",
    round(100 * r.tot / r.tong, 2)::DOUBLE AS "Tốt (%)",
    round(100 * r.kha / r.tong, 2)::DOUBLE AS "Khá (%)",
    round(100 * r.trung_binh / r.tong, 2)::DOUBLE AS "Trung bình (%)",
    round(100 * r.yeu / r.tong, 2)::DOUBLE AS "Yếu (%)",
    r.is_provisional
FROM all_rows AS r
LEFT JOIN core.units AS u ON u.unit_id = r.parent_unit_id
-- a parent no source named under its own id (pre2025:<GSO>, a pre-merger province reached
-- through core.unit_identities): its name and code from the reference list
LEFT JOIN core.reference_units AS ref ON ref.unit_id = r.parent_unit_id;

COMMENT ON MACRO TABLE mart.band_count_table_of IS
    'Pivot a relation shaped like mart.band_counts (passed by name) into the letters'' band table: '
    'one row per level, then Tổng số đơn vị; counts INTEGER, shares in percent in the DOUBLE (%) '
    'columns. Used by mart.band_count_table and mart.band_count_table_as_of.';

-- mart.band_count_table: the current band counts pivoted like the Quảng Nam 11/2023 letter's table.
-- SELECT * EXCLUDE (period_type, period_start, parent_unit_id) FROM mart.band_count_table
-- WHERE period_type = 'month' AND period_start = DATE '2023-11-01'
--   AND province_code = 'H44' ORDER BY row_order;
CREATE OR REPLACE VIEW mart.band_count_table AS
SELECT * FROM mart.band_count_table_of('mart.band_counts');

COMMENT ON VIEW mart.band_count_table IS
    'mart.band_counts pivoted like the letters (Quảng Nam, 11/2023): per period and scope (a province, or '
    'national when parent_unit_id is null) one row per level, then "Tổng số đơn vị"; counts are '
    'INTEGER, each band''s share of the row in the DOUBLE "(%)" columns (the letters'' "Tỷ lệ" row '
    'is the (%) of "Tổng số đơn vị"). As of a cut-off: mart.band_count_table_as_of(cutoff).';
COMMENT ON COLUMN mart.band_count_table.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.band_count_table.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.band_count_table.parent_unit_id IS 'The province whose units are counted; null = national.';
COMMENT ON COLUMN mart.band_count_table.province_code IS 'Code of that province (core.units.unit_code: H44, else core.reference_units for a pre-merger province pre2025:<GSO>); null = national.';
COMMENT ON COLUMN mart.band_count_table.scope_name IS 'Name of that province (core.units, else core.reference_units for a pre-merger province pre2025:<GSO>), or Toàn quốc.';
COMMENT ON COLUMN mart.band_count_table.row_order IS 'Row order within the scope: levels (province, department, district, commune), then Tổng số đơn vị.';
COMMENT ON COLUMN mart.band_count_table."Cấp hành chính" IS 'Level label (mart.unit_levels.name_vi) or "Tổng số đơn vị".';
COMMENT ON COLUMN mart.band_count_table."Xuất sắc" IS 'Units in band Xuất sắc (>= 90), INTEGER.';
COMMENT ON COLUMN mart.band_count_table."Tốt" IS 'Units in band Tốt (80 to < 90), INTEGER.';
COMMENT ON COLUMN mart.band_count_table."Khá" IS 'Units in band Khá (70 to < 80), INTEGER.';
COMMENT ON COLUMN mart.band_count_table."Trung bình" IS 'Units in band Trung bình (50 to < 70), INTEGER.';
COMMENT ON COLUMN mart.band_count_table."Yếu" IS 'Units in band Yếu (< 50), INTEGER.';
COMMENT ON COLUMN mart.band_count_table."Tổng" IS 'Units with a total in the row (the sum of the five bands), INTEGER.';
COMMENT ON COLUMN mart.band_count_table."Xuất sắc (%)" IS 'round(100 * "Xuất sắc" / "Tổng", 2): percent of the row''s units (the Quảng Nam 11/2023 letter''s Tỷ lệ row is that of "Tổng số đơn vị").';
COMMENT ON COLUMN mart.band_count_table."Tốt (%)" IS 'round(100 * "Tốt" / "Tổng", 2).';
COMMENT ON COLUMN mart.band_count_table."Khá (%)" IS 'round(100 * "Khá" / "Tổng", 2).';
COMMENT ON COLUMN mart.band_count_table."Trung bình (%)" IS 'round(100 * "Trung bình" / "Tổng", 2).';
COMMENT ON COLUMN mart.band_count_table."Yếu (%)" IS 'round(100 * "Yếu" / "Tổng", 2).';
COMMENT ON COLUMN mart.band_count_table.is_provisional IS 'True when the period had not closed at the data cut-off of some counted unit''s values (mart.band_counts.is_provisional): the counts are "tạm tính".';

-- mart.band_count_table_as_of(cutoff): mart.band_count_table as of a data cut-off.
CREATE OR REPLACE MACRO mart.band_count_table_as_of(cutoff) AS TABLE
WITH band_counts_at_cutoff AS (
    SELECT * FROM mart.band_counts_as_of(cutoff)
)
SELECT * FROM mart.band_count_table_of('band_counts_at_cutoff');

COMMENT ON MACRO TABLE mart.band_count_table_as_of IS
    'mart.band_count_table as of a data cut-off (TIMESTAMPTZ).';
