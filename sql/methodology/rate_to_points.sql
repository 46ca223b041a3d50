-- methodology.rate_to_points: how a group's rate (%) becomes points, per version, level
-- and group, for sources that publish rates rather than points (letters' appendices,
-- Quảng Trị 2023). 'proportional': points = least(max, max × rate / full_points_at), the
-- group's max from methodology.groups; 'not_derivable': the source's rate cannot be
-- turned into points (the portal computes them), so no points are derived.
-- The Đồng Nai Q2/2024 letter states the rule for provincial departments: "Điểm chỉ tiêu
-- = Tỷ lệ đạt được × Mức điểm tối đa / 100" (75 % of "Số hóa hồ sơ" = 75 × 22 / 100 =
-- 16,5 điểm); for district and commune committees the portal's precomputed total is used.
-- Applying it to every province and to the portal's six groups is an inference [I]. The
-- 2026 metrics sheet scores indicators, not group rates: PORTAL-6G-2026 has no rule, so a
-- 2026 letter's rates stay rates.
CREATE TABLE IF NOT EXISTS methodology.rate_to_points (
    version_id      VARCHAR NOT NULL,
    unit_level      VARCHAR NOT NULL,
    group_code      VARCHAR NOT NULL,
    rule            VARCHAR NOT NULL CHECK (rule IN ('proportional', 'not_derivable')),
    full_points_at  DECIMAL(6, 2),
    source          VARCHAR NOT NULL,
    notes           VARCHAR,
    PRIMARY KEY (version_id, unit_level, group_code)
);

INSERT OR REPLACE INTO methodology.rate_to_points
SELECT
    g.version_id,
    l.unit_level,
    g.group_code,
    l.rule,
    CASE WHEN l.rule = 'proportional' THEN 100 END,
    'Văn phòng UBND tỉnh Đồng Nai, công khai kết quả Quý II/2024',
    l.notes
FROM methodology.groups AS g
CROSS JOIN (VALUES
    ('department', 'proportional',
     'Sở, ban, ngành: điểm = tỷ lệ × điểm tối đa / 100 [I cho mọi tỉnh và 6 nhóm của Cổng].'),
    ('district', 'not_derivable',
     'UBND cấp huyện: điểm tổng hợp do Cổng tính sẵn, không suy ra từ tỷ lệ.'),
    ('commune', 'not_derivable',
     'UBND cấp xã: điểm tổng hợp do Cổng tính sẵn, không suy ra từ tỷ lệ.')
) AS l(unit_level, rule, notes)
WHERE g.version_id = 'PORTAL-6G-2022';

COMMENT ON TABLE methodology.rate_to_points IS
    'How a group''s rate (%) becomes points, per methodology version, unit level and group '
    '(proportional: least(max, max × rate / full_points_at); not_derivable: no points).';
COMMENT ON COLUMN methodology.rate_to_points.version_id IS 'Methodology version (methodology.versions).';
COMMENT ON COLUMN methodology.rate_to_points.unit_level IS 'department, district or commune.';
COMMENT ON COLUMN methodology.rate_to_points.group_code IS 'Group (methodology.groups of the version).';
COMMENT ON COLUMN methodology.rate_to_points.rule IS 'proportional or not_derivable.';
COMMENT ON COLUMN methodology.rate_to_points.full_points_at IS 'Rate (%) at which the group earns its maximum (100).';
COMMENT ON COLUMN methodology.rate_to_points.source IS 'The document stating the rule.';
COMMENT ON COLUMN methodology.rate_to_points.notes IS 'Scope and certainty of the rule.';
