-- mart.band_count_table_as_of(cutoff): mart.band_count_table as of a data cut-off.
CREATE OR REPLACE MACRO mart.band_count_table_as_of(cutoff) AS TABLE
WITH band_counts_at_cutoff AS (
    SELECT * FROM mart.band_counts_as_of(cutoff)
)
SELECT * FROM mart.band_count_table_of('band_counts_at_cutoff');

COMMENT ON MACRO TABLE mart.band_count_table_as_of IS
    'mart.band_count_table as of a data cut-off (TIMESTAMPTZ).';
