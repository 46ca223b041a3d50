-- methodology.bands: xếp loại by total score, per version. A unit is in the band whose
-- [min_score, max_score) interval holds its total (90 → Xuất sắc, 89.99 → Tốt).
CREATE TABLE IF NOT EXISTS methodology.bands (
    version_id   VARCHAR NOT NULL,
    band_code    VARCHAR NOT NULL,
    name_vi      VARCHAR NOT NULL,
    min_score    DECIMAL(6, 2) NOT NULL,
    max_score    DECIMAL(6, 2) NOT NULL,
    sort_order   INTEGER NOT NULL,
    PRIMARY KEY (version_id, band_code)
);

INSERT OR REPLACE INTO methodology.bands
SELECT v.version_id, b.band_code, b.name_vi, b.min_score, b.max_score, b.sort_order
FROM methodology.versions AS v
CROSS JOIN (VALUES
    ('XUAT_SAC', 'Xuất sắc', 90, 1000, 1),
    ('TOT', 'Tốt', 80, 90, 2),
    ('KHA', 'Khá', 70, 80, 3),
    ('TRUNG_BINH', 'Trung bình', 50, 70, 4),
    ('YEU', 'Yếu', 0, 50, 5)
) AS b(band_code, name_vi, min_score, max_score, sort_order);
