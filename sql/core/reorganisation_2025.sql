-- core.reorganisation_2025: the 2025 reorganisation of administrative units as data
-- (Nghị quyết 202/2025/QH15, DOMAIN.md §6). From 1/7/2025 the 63 provinces became 34, the
-- districts ended (their last day was 30/6/2025) and communes merged.
--
-- One row per unit before the change: how it became a unit after it.
-- * provinces (63 rows): relation 'merged' (into new_unit_id, with the other members of
--   the same new unit), or 'unchanged' (11 provinces: the same unit before and after, so
--   old_unit_id = new_unit_id). The surviving province keeps its agency code: old_code
--   is filled only where a source verifies it (H17, H50, H19, H01) and for the unchanged
--   provinces; new_unit_id and new_code are the portal's departmentId and departmentCode
--   (service-results, 01/10/2026: ../shared/portal-samples/provinces.json).
-- * districts: relation 'ended', new_unit_id null (no successor unit), for the districts
--   of the provinces the provincial letters speak of (Quảng Trị, Quảng Nam, Đồng Nai).
-- * communes: lineage only where a source gives it (none yet).
-- Ids of units that no longer exist on the portal are minted here and listed with their
-- names in core.reference_units: pre2025:<old GSO code> for a province,
-- pre2025:<old GSO code>:<slug of the name> for its districts and departments.
-- Never join across the change by name: join on these ids (mart.unit_lineage,
-- mart.merged_province_scores).
CREATE TABLE IF NOT EXISTS core.reorganisation_2025 (
    old_unit_id           VARCHAR PRIMARY KEY,
    unit_level            VARCHAR NOT NULL CHECK (unit_level IN ('province', 'district', 'commune')),
    old_name              VARCHAR NOT NULL,
    old_code              VARCHAR,
    old_gso_code          VARCHAR,
    old_province_unit_id  VARCHAR,
    new_unit_id           VARCHAR,
    new_code              VARCHAR,
    new_gso_code          VARCHAR,
    new_name              VARCHAR,
    relation              VARCHAR NOT NULL
        CHECK (relation IN ('merged', 'renamed', 'unchanged', 'ended')),
    effective_date        DATE NOT NULL,
    source                VARCHAR NOT NULL,
    notes                 VARCHAR
);

INSERT OR REPLACE INTO core.reorganisation_2025
SELECT
    CASE WHEN p.relation = 'unchanged' THEN p.new_unit_id ELSE 'pre2025:' || p.old_gso_code END,
    'province',
    p.old_name,
    p.old_code,
    p.old_gso_code,
    NULL,
    p.new_unit_id,
    p.new_code,
    p.new_gso_code,
    p.new_name,
    p.relation,
    DATE '2025-07-01',
    'Nghị quyết 202/2025/QH15 (DOMAIN.md §6); departmentId/departmentCode: Cổng DVCQG '
        || 'service-results 01/10/2026',
    CASE
        WHEN p.old_name = 'Huế' THEN 'Tên cũ Thừa Thiên Huế; thành phố trực thuộc Trung ương từ 1/1/2025.'
        WHEN p.relation = 'merged' AND p.old_code IS NULL AND p.old_name = p.new_name
            THEN 'Tỉnh giữ tên; mã cơ quan cũ chưa được nguồn xác nhận [U].'
    END
FROM (VALUES
    ('Hà Nội', '01', 'H26', '019d2be3-6a86-70a8-a0af-76e986804225', 'H26', '01', 'Hà Nội', 'unchanged'),
    ('Cao Bằng', '04', 'H14', '019d2be3-6a85-74ec-a33b-e8250c0580ce', 'H14', '04', 'Cao Bằng', 'unchanged'),
    ('Hà Giang', '02', NULL, '019d2be3-6a89-70fe-8e60-6458eb08bfe1', 'H60', '08', 'Tuyên Quang', 'merged'),
    ('Tuyên Quang', '08', NULL, '019d2be3-6a89-70fe-8e60-6458eb08bfe1', 'H60', '08', 'Tuyên Quang', 'merged'),
    ('Điện Biên', '11', 'H18', '019d2be3-6a85-74ec-a341-16615c474af4', 'H18', '11', 'Điện Biên', 'unchanged'),
    ('Lai Châu', '12', 'H35', '019d2be3-6a88-732b-8b10-4fd42fc9139b', 'H35', '12', 'Lai Châu', 'unchanged'),
    ('Sơn La', '14', 'H52', '019d2be3-6a88-732b-8b23-90f0216d78e2', 'H52', '14', 'Sơn La', 'unchanged'),
    ('Lào Cai', '10', NULL, '019d2be3-6a88-732b-8b12-58410ba7b5df', 'H38', '15', 'Lào Cai', 'merged'),
    ('Yên Bái', '15', NULL, '019d2be3-6a88-732b-8b12-58410ba7b5df', 'H38', '15', 'Lào Cai', 'merged'),
    ('Bắc Kạn', '06', NULL, '019d2be3-6a88-732b-8b25-68dfdcdcff0e', 'H55', '19', 'Thái Nguyên', 'merged'),
    ('Thái Nguyên', '19', NULL, '019d2be3-6a88-732b-8b25-68dfdcdcff0e', 'H55', '19', 'Thái Nguyên', 'merged'),
    ('Lạng Sơn', '20', 'H37', '019d2be3-6a81-771b-b671-9078297c4a7b', 'H37', '20', 'Lạng Sơn', 'unchanged'),
    ('Quảng Ninh', '22', 'H49', '019d2be3-6a88-732b-8b1c-46b23e7f2084', 'H49', '22', 'Quảng Ninh', 'unchanged'),
    ('Bắc Giang', '24', NULL, '019d2be3-6a84-779d-b3ed-9649c4f016cd', 'H05', '24', 'Bắc Ninh', 'merged'),
    ('Bắc Ninh', '27', NULL, '019d2be3-6a84-779d-b3ed-9649c4f016cd', 'H05', '24', 'Bắc Ninh', 'merged'),
    ('Hòa Bình', '17', NULL, '019d2be3-6a88-732b-8b17-b68020c8553a', 'H44', '25', 'Phú Thọ', 'merged'),
    ('Phú Thọ', '25', NULL, '019d2be3-6a88-732b-8b17-b68020c8553a', 'H44', '25', 'Phú Thọ', 'merged'),
    ('Vĩnh Phúc', '26', NULL, '019d2be3-6a88-732b-8b17-b68020c8553a', 'H44', '25', 'Phú Thọ', 'merged'),
    ('Hải Dương', '30', NULL, '019d2be3-6a85-74ec-a349-88e0abf6a032', 'H24', '31', 'Hải Phòng', 'merged'),
    ('Hải Phòng', '31', NULL, '019d2be3-6a85-74ec-a349-88e0abf6a032', 'H24', '31', 'Hải Phòng', 'merged'),
    ('Hưng Yên', '33', NULL, '019d2be3-6a88-732b-8b0b-a4fad4f39fbc', 'H31', '33', 'Hưng Yên', 'merged'),
    ('Thái Bình', '34', NULL, '019d2be3-6a88-732b-8b0b-a4fad4f39fbc', 'H31', '33', 'Hưng Yên', 'merged'),
    ('Hà Nam', '35', NULL, '019d2be3-6a88-732b-8b15-828ae2e74c00', 'H42', '37', 'Ninh Bình', 'merged'),
    ('Nam Định', '36', NULL, '019d2be3-6a88-732b-8b15-828ae2e74c00', 'H42', '37', 'Ninh Bình', 'merged'),
    ('Ninh Bình', '37', NULL, '019d2be3-6a88-732b-8b15-828ae2e74c00', 'H42', '37', 'Ninh Bình', 'merged'),
    ('Thanh Hóa', '38', 'H56', '019d2be3-6a88-732b-8b26-f3a94b76f008', 'H56', '38', 'Thanh Hóa', 'unchanged'),
    ('Nghệ An', '40', 'H41', '019d2be3-6a88-732b-8b14-23b0bf40ce58', 'H41', '40', 'Nghệ An', 'unchanged'),
    ('Hà Tĩnh', '42', 'H27', '019d2be3-6a87-7317-8557-a2fade51b5ae', 'H27', '42', 'Hà Tĩnh', 'unchanged'),
    ('Quảng Bình', '44', NULL, '019d2be3-6a88-732b-8b20-29251b1ac762', 'H50', '44', 'Quảng Trị', 'merged'),
    ('Quảng Trị', '45', 'H50', '019d2be3-6a88-732b-8b20-29251b1ac762', 'H50', '44', 'Quảng Trị', 'merged'),
    ('Huế', '46', 'H57', '019d2be3-6a89-70fe-8e5d-edfb72e6be7f', 'H57', '46', 'Huế', 'unchanged'),
    ('Đà Nẵng', '48', 'H17', '019d2be3-6a85-74ec-a33d-803cf2496575', 'H17', '48', 'Đà Nẵng', 'merged'),
    ('Quảng Nam', '49', NULL, '019d2be3-6a85-74ec-a33d-803cf2496575', 'H17', '48', 'Đà Nẵng', 'merged'),
    ('Quảng Ngãi', '51', NULL, '019d2be3-6a88-732b-8b1a-b8df51d5f6bf', 'H48', '51', 'Quảng Ngãi', 'merged'),
    ('Kon Tum', '62', NULL, '019d2be3-6a88-732b-8b1a-b8df51d5f6bf', 'H48', '51', 'Quảng Ngãi', 'merged'),
    ('Bình Định', '52', NULL, '019d2be3-6a85-74ec-a346-6489e82ae4c7', 'H21', '52', 'Gia Lai', 'merged'),
    ('Gia Lai', '64', NULL, '019d2be3-6a85-74ec-a346-6489e82ae4c7', 'H21', '52', 'Gia Lai', 'merged'),
    ('Khánh Hòa', '56', NULL, '019d2be3-6a88-732b-8b0b-eac587d5c164', 'H32', '56', 'Khánh Hòa', 'merged'),
    ('Ninh Thuận', '58', NULL, '019d2be3-6a88-732b-8b0b-eac587d5c164', 'H32', '56', 'Khánh Hòa', 'merged'),
    ('Phú Yên', '54', NULL, '019d2be3-6a85-74ec-a33c-a7c04919ba00', 'H15', '66', 'Đắk Lắk', 'merged'),
    ('Đắk Lắk', '66', NULL, '019d2be3-6a85-74ec-a33c-a7c04919ba00', 'H15', '66', 'Đắk Lắk', 'merged'),
    ('Bình Thuận', '60', NULL, '019d2be3-6a88-732b-8b10-c1c15a42daee', 'H36', '68', 'Lâm Đồng', 'merged'),
    ('Đắk Nông', '67', NULL, '019d2be3-6a88-732b-8b10-c1c15a42daee', 'H36', '68', 'Lâm Đồng', 'merged'),
    ('Lâm Đồng', '68', NULL, '019d2be3-6a88-732b-8b10-c1c15a42daee', 'H36', '68', 'Lâm Đồng', 'merged'),
    ('Bình Phước', '70', NULL, '019d2be3-6a85-74ec-a342-8635701ddf34', 'H19', '75', 'Đồng Nai', 'merged'),
    ('Đồng Nai', '75', 'H19', '019d2be3-6a85-74ec-a342-8635701ddf34', 'H19', '75', 'Đồng Nai', 'merged'),
    ('Bình Dương', '74', NULL, '019d2be3-6a87-7317-855a-9a81af57b106', 'H29', '79', 'Hồ Chí Minh', 'merged'),
    ('Bà Rịa - Vũng Tàu', '77', NULL, '019d2be3-6a87-7317-855a-9a81af57b106', 'H29', '79', 'Hồ Chí Minh', 'merged'),
    ('Hồ Chí Minh', '79', NULL, '019d2be3-6a87-7317-855a-9a81af57b106', 'H29', '79', 'Hồ Chí Minh', 'merged'),
    ('Tây Ninh', '72', NULL, '019d2be3-6a88-732b-8b23-f5575505c632', 'H53', '80', 'Tây Ninh', 'merged'),
    ('Long An', '80', NULL, '019d2be3-6a88-732b-8b23-f5575505c632', 'H53', '80', 'Tây Ninh', 'merged'),
    ('Tiền Giang', '82', NULL, '019d2be3-6a85-74ec-a344-751a7a0bbdb5', 'H20', '82', 'Đồng Tháp', 'merged'),
    ('Đồng Tháp', '87', NULL, '019d2be3-6a85-74ec-a344-751a7a0bbdb5', 'H20', '82', 'Đồng Tháp', 'merged'),
    ('Bến Tre', '83', NULL, '019d2be3-6a89-70fe-8e61-5ec4a2701203', 'H61', '86', 'Vĩnh Long', 'merged'),
    ('Trà Vinh', '84', NULL, '019d2be3-6a89-70fe-8e61-5ec4a2701203', 'H61', '86', 'Vĩnh Long', 'merged'),
    ('Vĩnh Long', '86', NULL, '019d2be3-6a89-70fe-8e61-5ec4a2701203', 'H61', '86', 'Vĩnh Long', 'merged'),
    ('An Giang', '89', 'H01', '019d2be3-6a84-779d-b3e7-e214bdb86482', 'H01', '91', 'An Giang', 'merged'),
    ('Kiên Giang', '91', NULL, '019d2be3-6a84-779d-b3e7-e214bdb86482', 'H01', '91', 'An Giang', 'merged'),
    ('Cần Thơ', '92', NULL, '019d2be3-6a85-74ec-a339-9985e7aba649', 'H13', '92', 'Cần Thơ', 'merged'),
    ('Hậu Giang', '93', NULL, '019d2be3-6a85-74ec-a339-9985e7aba649', 'H13', '92', 'Cần Thơ', 'merged'),
    ('Sóc Trăng', '94', NULL, '019d2be3-6a85-74ec-a339-9985e7aba649', 'H13', '92', 'Cần Thơ', 'merged'),
    ('Bạc Liêu', '95', NULL, '019d2be3-6a85-74ec-a337-73acd0627180', 'H12', '96', 'Cà Mau', 'merged'),
    ('Cà Mau', '96', NULL, '019d2be3-6a85-74ec-a337-73acd0627180', 'H12', '96', 'Cà Mau', 'merged')

) AS p(old_name, old_gso_code, old_code, new_unit_id, new_code, new_gso_code, new_name, relation);

INSERT OR REPLACE INTO core.reorganisation_2025
SELECT
    'pre2025:' || d.province_gso || ':'
        || regexp_replace(
            lower(strip_accents(replace(replace(d.name, 'Đ', 'D'), 'đ', 'd'))), '[^a-z0-9]+', '-', 'g'
        ),
    'district',
    d.name,
    NULL,
    NULL,
    'pre2025:' || d.province_gso,
    NULL,
    NULL,
    NULL,
    NULL,
    'ended',
    DATE '2025-07-01',
    'Luật Tổ chức chính quyền địa phương 2025: bỏ cấp huyện từ 1/7/2025 (ngày cuối 30/6/2025)',
    d.notes
FROM (VALUES
    ('45', 'Thành phố Đông Hà', NULL),
    ('45', 'Thị xã Quảng Trị', NULL),
    ('45', 'Huyện Vĩnh Linh', NULL),
    ('45', 'Huyện Gio Linh', NULL),
    ('45', 'Huyện Cam Lộ', NULL),
    ('45', 'Huyện Triệu Phong', NULL),
    ('45', 'Huyện Hải Lăng', NULL),
    ('45', 'Huyện Hướng Hóa', NULL),
    ('45', 'Huyện Đakrông', NULL),
    ('45', 'Huyện đảo Cồn Cỏ', 'Không có trong phụ lục của công văn tỉnh Quảng Trị năm 2023 (9 huyện).'),
    ('49', 'Thành phố Tam Kỳ', NULL),
    ('49', 'Thành phố Hội An', NULL),
    ('49', 'Thị xã Điện Bàn', 'Có nguồn gọi là thành phố Điện Bàn từ 2025 [U].'),
    ('49', 'Huyện Thăng Bình', NULL),
    ('49', 'Huyện Duy Xuyên', NULL),
    ('49', 'Huyện Đại Lộc', NULL),
    ('49', 'Huyện Quế Sơn', NULL),
    ('49', 'Huyện Nông Sơn', NULL),
    ('49', 'Huyện Hiệp Đức', NULL),
    ('49', 'Huyện Tiên Phước', NULL),
    ('49', 'Huyện Phú Ninh', NULL),
    ('49', 'Huyện Núi Thành', NULL),
    ('49', 'Huyện Bắc Trà My', NULL),
    ('49', 'Huyện Nam Trà My', NULL),
    ('49', 'Huyện Phước Sơn', NULL),
    ('49', 'Huyện Nam Giang', NULL),
    ('49', 'Huyện Đông Giang', NULL),
    ('49', 'Huyện Tây Giang', NULL),
    ('75', 'Thành phố Biên Hòa', NULL),
    ('75', 'Thành phố Long Khánh', NULL),
    ('75', 'Huyện Tân Phú', NULL),
    ('75', 'Huyện Vĩnh Cửu', NULL),
    ('75', 'Huyện Định Quán', NULL),
    ('75', 'Huyện Trảng Bom', NULL),
    ('75', 'Huyện Thống Nhất', NULL),
    ('75', 'Huyện Cẩm Mỹ', NULL),
    ('75', 'Huyện Long Thành', NULL),
    ('75', 'Huyện Xuân Lộc', NULL),
    ('75', 'Huyện Nhơn Trạch', NULL)
) AS d(province_gso, name, notes);

COMMENT ON TABLE core.reorganisation_2025 IS
    'The 2025 reorganisation as data: each unit before 1/7/2025 (63 provinces; the districts of '
    'Quảng Trị, Quảng Nam and Đồng Nai) and what it became: merged into a new province, '
    'unchanged, or ended (districts). Source of mart.unit_lineage and mart.merged_province_scores.';
COMMENT ON COLUMN core.reorganisation_2025.old_unit_id IS 'The unit before the change: pre2025:<GSO> (province), pre2025:<GSO>:<slug> (district), or the portal departmentId of an unchanged province.';
COMMENT ON COLUMN core.reorganisation_2025.unit_level IS 'province, district or commune.';
COMMENT ON COLUMN core.reorganisation_2025.old_name IS 'Name before the change (NFC).';
COMMENT ON COLUMN core.reorganisation_2025.old_code IS 'Agency code (H50) before the change, where a source verifies it.';
COMMENT ON COLUMN core.reorganisation_2025.old_gso_code IS 'GSO code of the province before the change (45 Quảng Trị).';
COMMENT ON COLUMN core.reorganisation_2025.old_province_unit_id IS 'For a district: its province before the change.';
COMMENT ON COLUMN core.reorganisation_2025.new_unit_id IS 'The unit after the change (portal departmentId); null when the unit ended.';
COMMENT ON COLUMN core.reorganisation_2025.new_code IS 'Agency code after the change (the surviving province''s).';
COMMENT ON COLUMN core.reorganisation_2025.new_gso_code IS 'GSO code of the province after the change (44 Quảng Trị).';
COMMENT ON COLUMN core.reorganisation_2025.new_name IS 'Name after the change.';
COMMENT ON COLUMN core.reorganisation_2025.relation IS 'merged, renamed, unchanged or ended.';
COMMENT ON COLUMN core.reorganisation_2025.effective_date IS 'First day in force: 2025-07-01 (the last day of the old unit is 2025-06-30).';
COMMENT ON COLUMN core.reorganisation_2025.source IS 'The legal or published source of the row.';
COMMENT ON COLUMN core.reorganisation_2025.notes IS 'What is uncertain or worth knowing about the row.';
