-- mart.unit_lineage: reorganisations of units (the 2025 merger, renames, units that
-- ended): an input of the marts, not derived. Seeded below with the 2025 reorganisation;
-- rows added otherwise are kept (the table is never rebuilt). A change of score or rank
-- across a reorganisation of the unit or of its parent is flagged not comparable
-- ('unit_reorganised') in mart.score_changes.
CREATE TABLE IF NOT EXISTS mart.unit_lineage (
    old_unit_id     VARCHAR NOT NULL,
    new_unit_id     VARCHAR,
    relation        VARCHAR NOT NULL CHECK (relation IN ('merged', 'renamed', 'ended')),
    effective_date  DATE NOT NULL
);

COMMENT ON TABLE mart.unit_lineage IS
    'Reorganisations of units: old unit -> new unit, how, and from when. A score change whose '
    'two periods straddle effective_date for the unit or its parent is not comparable '
    '(unit_reorganised).';
COMMENT ON COLUMN mart.unit_lineage.old_unit_id IS 'The unit before the change (portal departmentId).';
COMMENT ON COLUMN mart.unit_lineage.new_unit_id IS 'The unit after the change; null when the unit ended.';
COMMENT ON COLUMN mart.unit_lineage.relation IS 'merged (into new_unit_id), renamed (same unit, new identity) or ended.';
COMMENT ON COLUMN mart.unit_lineage.effective_date IS 'First day the change is in force (e.g. 2025-07-01 for the 2025 merger).';

-- The 2025 reorganisation: every merged province and every ended district of
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
