-- mart.unit_lineage: reorganisations of units (the 2025 merger, renames, units that
-- ended). Filled by the reorganisation work; empty until then. A change of score or rank
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
