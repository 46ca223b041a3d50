-- raw.captures: one row per distinct capture of (source, scope, period, root unit).
-- A capture is the set of replies fetched together; it is `complete` only when every
-- required endpoint arrived and validated. A re-capture whose replies are byte-identical
-- to the latest capture of the same key is not stored again (content_sha256).
-- scope: national (the ranking of provinces), province (a province's units), unit (one
-- unit's series, e.g. the legacy monthly trend) or file. period_type 'half' (2023-H1)
-- exists only on the legacy API.
CREATE TABLE IF NOT EXISTS raw.captures (
    capture_id          VARCHAR PRIMARY KEY,
    source              VARCHAR NOT NULL,
    scope               VARCHAR NOT NULL
        CHECK (scope IN ('national', 'province', 'unit', 'file')),
    period_type         VARCHAR NOT NULL
        CHECK (period_type IN ('month', 'quarter', 'half', 'year')),
    period_start        DATE NOT NULL,
    root_unit_id        VARCHAR NOT NULL,
    status              VARCHAR NOT NULL CHECK (status IN ('complete', 'incomplete')),
    reason              VARCHAR,
    expected_endpoints  INTEGER NOT NULL,
    valid_endpoints     INTEGER NOT NULL,
    content_sha256      VARCHAR NOT NULL,
    captured_at         TIMESTAMPTZ NOT NULL,
    partition_month     DATE NOT NULL,
    run_id              VARCHAR
);
