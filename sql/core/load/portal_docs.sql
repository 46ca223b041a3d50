-- Step 1 of loading current-API replies into core: DuckDB reads a batch of stored
-- replies from the raw store and parses each document ONCE into typed structs (the
-- schema, built from pipelines/sources/portal/endpoints.py, is the second parameter), one
-- row per unit entry. Parameters: the list of blob paths, the JSON schema of a reply.
-- Expects the temp table portal_batch(response_id, capture_id, endpoint, group_code,
-- shape, root_unit_id, period_type, period_start, captured_at, path).
CREATE OR REPLACE TEMP TABLE portal_items AS
WITH docs AS (
    SELECT b.* EXCLUDE (path), from_json(t.content, ?).data AS data
    FROM portal_batch AS b
    JOIN read_text(?) AS t ON t.filename = b.path
)
SELECT * EXCLUDE (data), true AS is_root, coalesce(data.overview, data.parent) AS item
FROM docs WHERE shape <> 'national'
UNION ALL
SELECT * EXCLUDE (data), false AS is_root, unnest(coalesce(data.evaluation, data.children))
FROM docs;
