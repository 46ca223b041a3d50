-- Rebuild the materialised marts from core, with the same macros as any cut-off: the
-- scores, group ranks and revisions are their *_as_of macros at cutoff = 'infinity'
-- (every value's latest complete capture); the changes and counts apply their *_of
-- macros to the tables just rebuilt (exactly what *_as_of does at a cut-off, without
-- recomputing the scores). Run in one transaction by warehouse.derive.rebuild_marts;
-- re-running gives the same tables.
-- mart.unit_lineage and mart.unit_levels are inputs, not derived, and are left alone.
DELETE FROM mart.unit_period_scores;
INSERT INTO mart.unit_period_scores BY NAME
SELECT * FROM mart.unit_period_scores_as_of('infinity'::TIMESTAMPTZ);

DELETE FROM mart.group_ranks;
INSERT INTO mart.group_ranks BY NAME
SELECT * FROM mart.group_ranks_as_of('infinity'::TIMESTAMPTZ);

DELETE FROM mart.score_changes;
INSERT INTO mart.score_changes BY NAME
SELECT * FROM mart.score_changes_of('mart.unit_period_scores');

DELETE FROM mart.band_counts;
INSERT INTO mart.band_counts BY NAME
SELECT * FROM mart.band_counts_of('mart.unit_period_scores');

DELETE FROM mart.movement_counts;
INSERT INTO mart.movement_counts BY NAME
SELECT * FROM mart.movement_counts_of('mart.score_changes');

DELETE FROM mart.revisions;
INSERT INTO mart.revisions BY NAME
SELECT * FROM mart.revisions_as_of('infinity'::TIMESTAMPTZ);
