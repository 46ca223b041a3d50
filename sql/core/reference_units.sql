-- core.reference_units: units known from a reference list rather than from a capture, so
-- that names in files (letters, spreadsheets) can be matched to a stable id even when the
-- portal no longer lists the unit: the 63 provinces before 1/7/2025, the 34 after it (with
-- the portal's departmentId), the districts in core.reorganisation_2025, and the
-- departments of Quảng Trị before the merger (Quảng Trị, 2023). A unit exists from valid_from to
-- valid_to (null: open); matching only considers units that existed on the file's date.
-- Derived from core.reorganisation_2025 for provinces and districts (one source of truth).
CREATE TABLE IF NOT EXISTS core.reference_units (
    unit_id           VARCHAR PRIMARY KEY,
    unit_code         VARCHAR,
    gso_code          VARCHAR,
    unit_name         VARCHAR NOT NULL,
    aliases           VARCHAR[],
    unit_level        VARCHAR NOT NULL,
    province_unit_id  VARCHAR NOT NULL,
    valid_from        DATE,
    valid_to          DATE,
    source            VARCHAR NOT NULL,
    notes             VARCHAR
);

-- Other names the same unit goes by (matched like its name).
CREATE OR REPLACE TEMP TABLE reference_aliases AS
SELECT * FROM (VALUES
    ('Hồ Chí Minh', ['Thành phố Hồ Chí Minh', 'TP HCM', 'TP. Hồ Chí Minh', 'Sài Gòn']),
    ('Huế', ['Thừa Thiên Huế', 'Thừa Thiên - Huế', 'Thành phố Huế']),
    ('Bà Rịa - Vũng Tàu', ['Bà Rịa–Vũng Tàu', 'BR-VT']),
    ('Thị xã Điện Bàn', ['Thành phố Điện Bàn']),
    ('Huyện đảo Cồn Cỏ', ['Huyện Cồn Cỏ'])
) AS a(name, aliases);

-- Provinces that merged: they existed until 30/6/2025.
INSERT OR REPLACE INTO core.reference_units
SELECT
    r.old_unit_id, r.old_code, r.old_gso_code, r.old_name, a.aliases, 'province', r.old_unit_id,
    NULL, DATE '2025-06-30', r.source, r.notes
FROM core.reorganisation_2025 AS r
LEFT JOIN reference_aliases AS a ON a.name = r.old_name
WHERE r.unit_level = 'province' AND r.relation <> 'unchanged';

-- Provinces from 1/7/2025; the unchanged ones are the same units before and after.
INSERT OR REPLACE INTO core.reference_units
SELECT
    r.new_unit_id,
    any_value(r.new_code),
    any_value(r.new_gso_code),
    any_value(r.new_name),
    any_value(a.aliases),
    'province',
    r.new_unit_id,
    CASE WHEN bool_or(r.relation = 'merged') THEN DATE '2025-07-01' END,
    NULL,
    any_value(r.source),
    NULL
FROM core.reorganisation_2025 AS r
LEFT JOIN reference_aliases AS a ON a.name = r.new_name
WHERE r.unit_level = 'province'
GROUP BY r.new_unit_id;

-- Districts: until 30/6/2025.
INSERT OR REPLACE INTO core.reference_units
SELECT
    r.old_unit_id, NULL, NULL, r.old_name, a.aliases, 'district', r.old_province_unit_id,
    NULL, DATE '2025-06-30', r.source, r.notes
FROM core.reorganisation_2025 AS r
LEFT JOIN reference_aliases AS a ON a.name = r.old_name
WHERE r.unit_level = 'district';

-- Departments (sở, ban, ngành) of Quảng Trị before the merger, by their official names.
INSERT OR REPLACE INTO core.reference_units
SELECT
    'pre2025:' || d.province_gso || ':'
        || regexp_replace(
            lower(strip_accents(replace(replace(d.name, 'Đ', 'D'), 'đ', 'd'))), '[^a-z0-9]+', '-', 'g'
        ),
    NULL,
    NULL,
    d.name,
    NULL,
    'department',
    'pre2025:' || d.province_gso,
    NULL,
    DATE '2025-06-30',
    'Cơ cấu sở, ngành cấp tỉnh (Nghị định 107/2020/NĐ-CP); công văn tỉnh Quảng Trị năm 2023',
    NULL
FROM (VALUES
    ('45', 'Văn phòng Ủy ban nhân dân tỉnh'),
    ('45', 'Sở Nội vụ'),
    ('45', 'Sở Tư pháp'),
    ('45', 'Sở Kế hoạch và Đầu tư'),
    ('45', 'Sở Tài chính'),
    ('45', 'Sở Công Thương'),
    ('45', 'Sở Nông nghiệp và Phát triển nông thôn'),
    ('45', 'Sở Giao thông vận tải'),
    ('45', 'Sở Xây dựng'),
    ('45', 'Sở Tài nguyên và Môi trường'),
    ('45', 'Sở Thông tin và Truyền thông'),
    ('45', 'Sở Lao động - Thương binh và Xã hội'),
    ('45', 'Sở Văn hóa, Thể thao và Du lịch'),
    ('45', 'Sở Khoa học và Công nghệ'),
    ('45', 'Sở Giáo dục và Đào tạo'),
    ('45', 'Sở Y tế'),
    ('45', 'Sở Ngoại vụ'),
    ('45', 'Thanh tra tỉnh'),
    ('45', 'Ban Dân tộc tỉnh'),
    ('45', 'Ban Quản lý Khu kinh tế tỉnh')
) AS d(province_gso, name);

DROP TABLE reference_aliases;

COMMENT ON TABLE core.reference_units IS
    'Units known from a reference list (not from a capture): the 63 provinces before 1/7/2025, '
    'the 34 after it, districts until 30/6/2025, departments of pre-merger Quảng Trị. Names in '
    'files are matched against them and core.units (core.unit_match_review).';
COMMENT ON COLUMN core.reference_units.unit_id IS 'Stable id: the portal departmentId, or pre2025:<GSO>[:<slug>] for units the portal no longer lists.';
COMMENT ON COLUMN core.reference_units.unit_code IS 'Agency code (H50) where known.';
COMMENT ON COLUMN core.reference_units.gso_code IS 'GSO code of a province (old codes before 1/7/2025, new codes after).';
COMMENT ON COLUMN core.reference_units.unit_name IS 'Official name (NFC).';
COMMENT ON COLUMN core.reference_units.aliases IS 'Other names the unit goes by (Thừa Thiên Huế, TP HCM).';
COMMENT ON COLUMN core.reference_units.unit_level IS 'province, department or district.';
COMMENT ON COLUMN core.reference_units.province_unit_id IS 'The province the unit belongs to (itself for a province).';
COMMENT ON COLUMN core.reference_units.valid_from IS 'First day the unit exists (null: before any data).';
COMMENT ON COLUMN core.reference_units.valid_to IS 'Last day the unit exists (null: still exists).';
COMMENT ON COLUMN core.reference_units.source IS 'Where the row comes from.';
COMMENT ON COLUMN core.reference_units.notes IS 'What is uncertain about the row.';
