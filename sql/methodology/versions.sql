-- methodology.versions: each set of rules (groups, indicators, maxima, bands) with the
-- dates it is in force. `kind` tells the portal's own method from the Decision's text.
-- Uncertain legal dates are marked in `notes`; they are data, so they can be corrected here.
CREATE TABLE IF NOT EXISTS methodology.versions (
    version_id      VARCHAR PRIMARY KEY,
    name_vi         VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('portal', 'decision_text')),
    effective_from  DATE NOT NULL,
    effective_to    DATE,
    source          VARCHAR NOT NULL,
    notes           VARCHAR
);

INSERT OR REPLACE INTO methodology.versions VALUES
    ('QD766-2022-TEXT', 'Quyết định 766/QĐ-TTg: 5 nhóm chỉ số theo văn bản', 'decision_text',
     DATE '2022-08-01', NULL, 'Quyết định 766/QĐ-TTg ngày 23/6/2022',
     'Dịch vụ trực tuyến (22) = CLGQ + TTTT của Cổng; dùng trong một số công văn (Đồng Nai, quý II/2024).'),
    ('PORTAL-6G-2022', 'Cổng DVCQG: 6 nhóm chỉ số', 'portal',
     DATE '2022-08-01', DATE '2025-12-31', 'dichvucong.gov.vn',
     'Bộ chỉ tiêu chi tiết trước 2026 chưa được công bố dạng dữ liệu [U].'),
    ('PORTAL-6G-2026', 'Cổng DVCQG: 6 nhóm chỉ số, bảng chỉ tiêu 2026', 'portal',
     DATE '2026-01-01', NULL, 'Bảng công thức 766 (METRICS), 2026',
     'Ngày hiệu lực pháp lý của bảng chỉ tiêu 2026 chưa xác định [U].');

-- methodology.portal_version_on(day): the portal version in force on a day (a period's
-- first day), the latest to start when two overlap; NULL before the index began.
CREATE OR REPLACE MACRO methodology.portal_version_on(day) AS (
    SELECT version_id FROM methodology.versions
    WHERE kind = 'portal' AND effective_from <= day
      AND (effective_to IS NULL OR day <= effective_to)
    ORDER BY effective_from DESC
    LIMIT 1
);
