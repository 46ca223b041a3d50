-- mart.revisions: every distinct value each (unit, period, group) has had across complete
-- captures, filled by sql/mart/refresh.sql from mart.revisions_as_of('infinity').
CREATE TABLE IF NOT EXISTS mart.revisions (
    unit_id         VARCHAR NOT NULL,
    period_type     VARCHAR NOT NULL,
    period_start    DATE NOT NULL,
    group_code      VARCHAR NOT NULL,
    captured_at     TIMESTAMPTZ NOT NULL,
    value           DOUBLE,
    previous_value  DOUBLE,
    after_close     BOOLEAN NOT NULL
);

COMMENT ON TABLE mart.revisions IS
    'The sequence of distinct values of each (unit, period type, period, group) across complete '
    'captures, in capture order: the first value, then one row per change. The last row is the '
    'current value. As of a cut-off: mart.revisions_as_of(cutoff).';
COMMENT ON COLUMN mart.revisions.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.revisions.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN mart.revisions.period_start IS 'First day of the period.';
COMMENT ON COLUMN mart.revisions.group_code IS 'CKMB, TDGQ, CLGQ, TTTT, MDHL or MDSH.';
COMMENT ON COLUMN mart.revisions.captured_at IS 'When the capture that first showed this value was taken.';
COMMENT ON COLUMN mart.revisions.value IS 'The portal''s score from that capture on (null = no data).';
COMMENT ON COLUMN mart.revisions.previous_value IS 'The value before this change; null on the first row (or when the value was null).';
COMMENT ON COLUMN mart.revisions.after_close IS 'True when captured after the period''s last day in Asia/Ho_Chi_Minh (a revision of a closed period).';
