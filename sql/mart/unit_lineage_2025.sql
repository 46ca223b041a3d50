-- The 2025 reorganisation into mart.unit_lineage (a separate seed: mart/unit_lineage.sql
-- owns the table): every merged province and every ended district of
-- core.reorganisation_2025, by id (never by name). Unchanged provinces need no row.
-- Idempotent: a row already present is not inserted again.
INSERT INTO mart.unit_lineage
SELECT r.old_unit_id, r.new_unit_id, r.relation, r.effective_date
FROM core.reorganisation_2025 AS r
WHERE r.relation IN ('merged', 'renamed', 'ended')
    AND NOT EXISTS (
        SELECT 1 FROM mart.unit_lineage AS l
        WHERE l.old_unit_id = r.old_unit_id
            AND l.new_unit_id IS NOT DISTINCT FROM r.new_unit_id
            AND l.relation = r.relation
            AND l.effective_date = r.effective_date
    );
