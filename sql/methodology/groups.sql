-- methodology.groups: the index's groups (nhóm chỉ số) per version with their maxima.
-- decision_group_code maps the portal's six groups onto the Decision text's five.
-- The set of groups is data: a new version (a seventh group, changed maxima) is a row in
-- methodology.versions plus its rows here and in methodology.bands. The validators ask
-- for the groups of the version in force for a reply's period (warehouse.methodology),
-- the core load keeps those groups of the national ranking, mart.unit_period_scores
-- totals them (group_scores), and the report shows one column per group
-- (tests/test_seventh_group.py). A group without a portal endpoint has no unit-level
-- values: those units get missing_groups = [it] and no total.
CREATE TABLE IF NOT EXISTS methodology.groups (
    version_id           VARCHAR NOT NULL,
    group_code           VARCHAR NOT NULL,
    name_vi              VARCHAR NOT NULL,
    max_score            DECIMAL(6, 2) NOT NULL,
    decision_group_code  VARCHAR NOT NULL,
    sort_order           INTEGER NOT NULL,
    PRIMARY KEY (version_id, group_code)
);

INSERT OR REPLACE INTO methodology.groups VALUES
    ('QD766-2022-TEXT', 'CKMB', 'Công khai, minh bạch', 18, 'CKMB', 1),
    ('QD766-2022-TEXT', 'TDGQ', 'Tiến độ, kết quả giải quyết', 20, 'TDGQ', 2),
    ('QD766-2022-TEXT', 'DVTT', 'Cung cấp dịch vụ trực tuyến', 22, 'DVTT', 3),
    ('QD766-2022-TEXT', 'MDHL', 'Mức độ hài lòng', 18, 'MDHL', 4),
    ('QD766-2022-TEXT', 'MDSH', 'Số hóa hồ sơ', 22, 'MDSH', 5),
    ('PORTAL-6G-2022', 'CKMB', 'Công khai, minh bạch', 18, 'CKMB', 1),
    ('PORTAL-6G-2022', 'TDGQ', 'Tiến độ, kết quả giải quyết', 20, 'TDGQ', 2),
    ('PORTAL-6G-2022', 'CLGQ', 'Dịch vụ công trực tuyến', 12, 'DVTT', 3),
    ('PORTAL-6G-2022', 'TTTT', 'Thanh toán trực tuyến', 10, 'DVTT', 4),
    ('PORTAL-6G-2022', 'MDHL', 'Mức độ hài lòng', 18, 'MDHL', 5),
    ('PORTAL-6G-2022', 'MDSH', 'Số hóa hồ sơ', 22, 'MDSH', 6),
    ('PORTAL-6G-2026', 'CKMB', 'Công khai, minh bạch', 18, 'CKMB', 1),
    ('PORTAL-6G-2026', 'TDGQ', 'Tiến độ, kết quả giải quyết', 20, 'TDGQ', 2),
    ('PORTAL-6G-2026', 'CLGQ', 'Dịch vụ công trực tuyến', 12, 'DVTT', 3),
    ('PORTAL-6G-2026', 'TTTT', 'Thanh toán trực tuyến', 10, 'DVTT', 4),
    ('PORTAL-6G-2026', 'MDHL', 'Mức độ hài lòng', 18, 'MDHL', 5),
    ('PORTAL-6G-2026', 'MDSH', 'Số hóa hồ sơ', 22, 'MDSH', 6);
