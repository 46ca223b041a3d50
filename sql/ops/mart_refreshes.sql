-- ops.mart_refreshes: every refresh of the mart tables (warehouse.derive.refresh_marts).
-- The next refresh derives only the periods of the captures normalised, rejected or found
-- damaged since the latest one started (and the periods that depend on them); a refresh
-- with no earlier row, or whose reference inputs changed (inputs_hash), is a full one.
CREATE TABLE IF NOT EXISTS ops.mart_refreshes (
    refreshed_at        TIMESTAMPTZ NOT NULL,
    mode                VARCHAR NOT NULL CHECK (mode IN ('full', 'incremental')),
    periods             INTEGER,
    inputs_hash         VARCHAR NOT NULL,
    seconds             DOUBLE NOT NULL,
    checks_passed       BOOLEAN
);

COMMENT ON TABLE ops.mart_refreshes IS
    'Each refresh of the mart tables: when it started, whether it was full or incremental (by '
    'period), how many periods it derived, and the hash of the reference inputs it read.';
COMMENT ON COLUMN ops.mart_refreshes.refreshed_at IS 'Start of the refresh''s transaction: captures normalised from then on are derived by the next refresh.';
COMMENT ON COLUMN ops.mart_refreshes.mode IS 'full (every period) or incremental (the affected periods only).';
COMMENT ON COLUMN ops.mart_refreshes.periods IS 'Periods (period type, period start) derived by an incremental refresh; null for a full one.';
COMMENT ON COLUMN ops.mart_refreshes.inputs_hash IS 'Hash of the inputs every period reads (methodology, unit lineage): a change forces a full refresh.';
COMMENT ON COLUMN ops.mart_refreshes.seconds IS 'Time the refresh took.';
COMMENT ON COLUMN ops.mart_refreshes.checks_passed IS 'Whether the mart checks passed after it (null: not checked). The checks after an incremental refresh look only at the periods it derived when the checks after the refresh before it passed.';

-- ops.mart_unit_inputs: the attributes of each unit (core.units) the marts read, as the
-- latest refresh saw them (a hash). A unit whose attributes changed since makes every
-- period it has values in part of the next refresh.
CREATE TABLE IF NOT EXISTS ops.mart_unit_inputs (
    unit_id             VARCHAR PRIMARY KEY,
    attributes_hash     UBIGINT NOT NULL
);

COMMENT ON TABLE ops.mart_unit_inputs IS
    'The hash of each unit''s attributes in core.units (code, name, level, parent) as the latest '
    'mart refresh read them: a changed unit''s periods are derived again by the next refresh.';
COMMENT ON COLUMN ops.mart_unit_inputs.unit_id IS 'The unit (core.units.unit_id).';
COMMENT ON COLUMN ops.mart_unit_inputs.attributes_hash IS 'hash(unit_id, unit_code, unit_name, unit_level, parent_unit_id) at the latest refresh.';

-- ops.mart_period_inputs: per period, a hash of its group scores in core (with their
-- captures' status) as the latest refresh derived them. A period whose hash differs (a
-- score loaded, removed or repaired by any road) is derived again by the next refresh.
CREATE TABLE IF NOT EXISTS ops.mart_period_inputs (
    period_type         VARCHAR NOT NULL,
    period_start        DATE NOT NULL,
    scores_hash         HUGEINT NOT NULL,
    PRIMARY KEY (period_type, period_start)
);

COMMENT ON TABLE ops.mart_period_inputs IS
    'Per period, the hash of its group scores (core.group_scores with the capture status) as the '
    'latest mart refresh read them: a period whose scores changed is derived again.';
COMMENT ON COLUMN ops.mart_period_inputs.period_type IS 'month, quarter, half or year.';
COMMENT ON COLUMN ops.mart_period_inputs.period_start IS 'First day of the period.';
COMMENT ON COLUMN ops.mart_period_inputs.scores_hash IS 'sum of the hashes of the period''s group score rows.';
