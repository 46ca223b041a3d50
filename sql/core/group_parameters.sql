-- core.group_parameters: the other numeric fields of a unit in a reply (totalReceived,
-- totalOnTime, fullCount, totalDossierOnlinePaymentSuccess, totalPetitions, …), long form.
-- Unique key (response_id, unit_id, parameter): enforced by the core asset checks, not an index, so
-- bulk loads stay fast.
CREATE TABLE IF NOT EXISTS core.group_parameters (
    response_id      VARCHAR NOT NULL,
    capture_id       VARCHAR NOT NULL,
    unit_id          VARCHAR NOT NULL,
    period_type      VARCHAR NOT NULL,
    period_start     DATE NOT NULL,
    group_code       VARCHAR NOT NULL,
    parameter        VARCHAR NOT NULL,
    value            DOUBLE,
    captured_at      TIMESTAMPTZ NOT NULL
);
