-- core.current_group_scores: the current value of each (unit, period, group): the row of
-- the latest *complete* capture holding it. Incomplete captures never become current.
-- When a national ranking and a province capture arrive together, the later one wins.
-- unit_id is the canonical unit (core.unit_identities, by the period's last day), so a
-- unit captured from the legacy API, the current API and letters is one series;
-- source_unit_id is the id the source gave.
-- It is core.group_scores_as_of at no cut-off: one definition of the latest value.
CREATE OR REPLACE VIEW core.current_group_scores AS
SELECT * FROM core.group_scores_as_of('infinity'::TIMESTAMPTZ);
