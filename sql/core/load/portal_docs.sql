-- Step 1 of loading current-API replies into core: DuckDB parses each stored reply ONCE
-- into typed structs (the schema, built in pipelines/sources/portal/load.py, is the one
-- parameter), one row per unit entry. The bytes come from the Arrow table portal_batch
-- (response_id, capture_id, endpoint, group_code, shape, page, root_unit_id,
-- period_type, period_start, captured_at, content): the replies the raw store verified
-- and the validator decoded, never re-read from disk; content is their bytes, decoded
-- here as UTF-8 (an error, failing the batch, if they are not). The root and the unit
-- list are taken from the keys of the reply's shape, as the validator reads them; a
-- paged reply's root is taken from its first page only.
CREATE OR REPLACE TEMP TABLE portal_items AS
WITH docs AS (
    SELECT b.* EXCLUDE (content), from_json(decode(b.content), ?).data AS data
    FROM portal_batch AS b
)
SELECT * EXCLUDE (data), true AS is_root,
       CASE WHEN shape = 'evaluation' THEN data.overview ELSE data.parent END AS item
FROM docs WHERE shape <> 'national' AND page = 1
UNION ALL
SELECT * EXCLUDE (data), false AS is_root,
       unnest(CASE WHEN shape = 'tree' THEN data.children ELSE data.evaluation END)
FROM docs;
