-- mart.score_changes: the current change of each unit against the previous period of the
-- same type, filled by sql/mart/refresh.sql: mart.score_changes_of('mart.unit_period_scores').
CREATE TABLE IF NOT EXISTS mart.score_changes (
    unit_id                VARCHAR NOT NULL,
    unit_code              VARCHAR,
    unit_name              VARCHAR,
    unit_level             VARCHAR,
    parent_unit_id         VARCHAR,
    period_type            VARCHAR NOT NULL,
    period_start           DATE NOT NULL,
    total_score            DOUBLE,
    prev_total_score       DOUBLE,
    delta_points           DOUBLE,
    delta_pct              DOUBLE,
    prev_rank              INTEGER,
    rank                   INTEGER,
    rank_move              INTEGER,
    prev_band              VARCHAR,
    band                   VARCHAR,
    band_transition        VARCHAR,
    comparable             BOOLEAN NOT NULL,
    not_comparable_reason  VARCHAR
);

COMMENT ON TABLE mart.score_changes IS
    'One row per (unit, period type, period) of mart.unit_period_scores: change of total, rank and '
    'band against the previous period of the same type (MoM, QoQ, YoY), with a comparable flag. As '
    'of a cut-off: mart.score_changes_as_of(cutoff).';
COMMENT ON COLUMN mart.score_changes.unit_id IS 'Portal departmentId (UUID) of the unit.';
COMMENT ON COLUMN mart.score_changes.unit_code IS 'Portal departmentCode (this period).';
COMMENT ON COLUMN mart.score_changes.unit_name IS 'Unit name, NFC (this period).';
COMMENT ON COLUMN mart.score_changes.unit_level IS 'Cohort level this period.';
COMMENT ON COLUMN mart.score_changes.parent_unit_id IS 'Cohort parent this period (null for provinces).';
COMMENT ON COLUMN mart.score_changes.period_type IS 'month, quarter, half (legacy API) or year: compared with the previous period of the same type.';
COMMENT ON COLUMN mart.score_changes.period_start IS 'First day of this period (the previous one starts one period length earlier: mart.period_length).';
COMMENT ON COLUMN mart.score_changes.total_score IS 'Total this period (mart.unit_period_scores.total_score).';
COMMENT ON COLUMN mart.score_changes.prev_total_score IS 'Total in the previous period of the same type; null when absent or incomplete.';
COMMENT ON COLUMN mart.score_changes.delta_points IS 'round(total_score - prev_total_score, 2) (seed 000: 72.8 - 71.5 = 1.3).';
COMMENT ON COLUMN mart.score_changes.delta_pct IS 'round(100 * (total_score - prev_total_score) / prev_total_score, 2) (seed 000: 1.82, printed 1,8 %).';
COMMENT ON COLUMN mart.score_changes.prev_rank IS 'Rank in the previous period''s cohort.';
COMMENT ON COLUMN mart.score_changes.rank IS 'Rank this period within the cohort.';
COMMENT ON COLUMN mart.score_changes.rank_move IS 'prev_rank - rank: positive = moved up (21 -> 20 is +1).';
COMMENT ON COLUMN mart.score_changes.prev_band IS 'Band in the previous period.';
COMMENT ON COLUMN mart.score_changes.band IS 'Band this period.';
COMMENT ON COLUMN mart.score_changes.band_transition IS '''Khá → Tốt'' style transition, ''giữ nguyên'' when unchanged; null when either band is missing.';
COMMENT ON COLUMN mart.score_changes.comparable IS 'True when the change is meaningful: both totals exist, same cohort membership, same methodology version, no reorganisation in between.';
COMMENT ON COLUMN mart.score_changes.not_comparable_reason IS 'When not comparable, the first of: no_current_value, unit_reorganised, no_previous_value, methodology_changed, cohort_changed.';
