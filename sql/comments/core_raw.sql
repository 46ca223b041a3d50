-- Comments on the raw and core objects, read by warehouse/dictionary.py to render
-- docs/data-dictionary.md. Applied last: re-creating a view drops its comments.

-- raw.captures
COMMENT ON TABLE raw.captures IS
    'One row per distinct capture of (source, scope, period, root unit): the set of replies fetched '
    'together. complete only when every required endpoint arrived and validated.';
COMMENT ON COLUMN raw.captures.capture_id IS 'Identifier of the capture.';
COMMENT ON COLUMN raw.captures.source IS 'Where the replies came from (the portal''s current API).';
COMMENT ON COLUMN raw.captures.scope IS 'national (the ranking of provinces), province (a province''s units), unit (one unit''s series, e.g. the legacy monthly trend) or file.';
COMMENT ON COLUMN raw.captures.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN raw.captures.period_start IS 'First day of the period.';
COMMENT ON COLUMN raw.captures.root_unit_id IS 'The province (departmentId) captured, or the national root.';
COMMENT ON COLUMN raw.captures.status IS 'complete or incomplete; only complete captures give current values.';
COMMENT ON COLUMN raw.captures.reason IS 'Why the capture is incomplete (endpoints missing or invalid).';
COMMENT ON COLUMN raw.captures.expected_endpoints IS 'Number of endpoints the capture needs.';
COMMENT ON COLUMN raw.captures.valid_endpoints IS 'Number of endpoints that arrived and validated.';
COMMENT ON COLUMN raw.captures.content_sha256 IS 'Hash over the replies'' bytes; a byte-identical re-capture is not stored again.';
COMMENT ON COLUMN raw.captures.captured_at IS 'When the capture was taken.';
COMMENT ON COLUMN raw.captures.partition_month IS 'The monthly Dagster partition that took the capture.';
COMMENT ON COLUMN raw.captures.run_id IS 'The Dagster run (or CLI run) that took the capture.';

-- raw.responses
COMMENT ON TABLE raw.responses IS
    'Manifest of every stored reply; the bytes live in the content-addressed raw store under sha256.';
COMMENT ON COLUMN raw.responses.response_id IS 'Identifier of the reply (core rows point back to it).';
COMMENT ON COLUMN raw.responses.capture_id IS 'The capture the reply belongs to.';
COMMENT ON COLUMN raw.responses.source IS 'Where the reply came from.';
COMMENT ON COLUMN raw.responses.endpoint IS 'Endpoint name (service-results, transparency, dvc-progress-tree, …).';
COMMENT ON COLUMN raw.responses.group_code IS 'The group the endpoint reports (null for service-results).';
COMMENT ON COLUMN raw.responses.method IS 'HTTP method.';
COMMENT ON COLUMN raw.responses.url IS 'Requested URL.';
COMMENT ON COLUMN raw.responses.request_body IS 'Request body as sent (JSON).';
COMMENT ON COLUMN raw.responses.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN raw.responses.period_start IS 'First day of the period.';
COMMENT ON COLUMN raw.responses.root_unit_id IS 'The province (or national root) requested.';
COMMENT ON COLUMN raw.responses.http_status IS 'HTTP status (200 and 201 are success).';
COMMENT ON COLUMN raw.responses.content_type IS 'Content-Type of the reply.';
COMMENT ON COLUMN raw.responses.bytes IS 'Size of the body in bytes.';
COMMENT ON COLUMN raw.responses.sha256 IS 'SHA-256 of the body (its address in the raw store).';
COMMENT ON COLUMN raw.responses.blob_path IS 'Path of the body relative to the raw store.';
COMMENT ON COLUMN raw.responses.captured_at IS 'When the reply was received.';
COMMENT ON COLUMN raw.responses.validation IS 'valid or invalid; only valid replies reach core.';
COMMENT ON COLUMN raw.responses.validation_error IS 'Why the reply is invalid.';
COMMENT ON COLUMN raw.responses.page IS 'Page of a paged endpoint (1 for unpaged ones); every page is its own reply.';

-- raw.quarantine
COMMENT ON TABLE raw.quarantine IS
    'Replies (or files) that failed validation, and captures whose core rows failed a core check '
    '(no endpoint; the check is named in detail), with a readable reason; nothing here reaches core.';
COMMENT ON COLUMN raw.quarantine.quarantine_id IS 'Identifier of the quarantine entry.';
COMMENT ON COLUMN raw.quarantine.response_id IS 'The reply quarantined, when it was stored.';
COMMENT ON COLUMN raw.quarantine.capture_id IS 'The capture it belonged to.';
COMMENT ON COLUMN raw.quarantine.source IS 'Where it came from.';
COMMENT ON COLUMN raw.quarantine.endpoint IS 'Endpoint name.';
COMMENT ON COLUMN raw.quarantine.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN raw.quarantine.period_start IS 'First day of the period.';
COMMENT ON COLUMN raw.quarantine.root_unit_id IS 'The province (or national root) requested.';
COMMENT ON COLUMN raw.quarantine.sha256 IS 'SHA-256 of the bytes kept in the raw store.';
COMMENT ON COLUMN raw.quarantine.reason IS 'Readable reason in English (e.g. body is not valid JSON (truncated?)); dvc766 status shows it in Vietnamese.';
COMMENT ON COLUMN raw.quarantine.detail IS 'Technical detail of the failure.';
COMMENT ON COLUMN raw.quarantine.quarantined_at IS 'When it was quarantined.';

-- core.units
COMMENT ON TABLE core.units IS
    'One row per unit (portal departmentId): its latest attributes (latest non-null value of each) '
    'and when it was first and last seen. Rebuilt from core.unit_sightings.';
COMMENT ON COLUMN core.units.unit_id IS 'Portal departmentId (UUID): the unit''s stable identity.';
COMMENT ON COLUMN core.units.unit_code IS 'Portal departmentCode (H15, H15.101…).';
COMMENT ON COLUMN core.units.unit_name IS 'Latest name, NFC.';
COMMENT ON COLUMN core.units.unit_type IS 'Portal departmentType (PROVINCE, PROVINCIAL_DEPARTMENT, COMMUNE_PEOPLE_COMMITTEE, …).';
COMMENT ON COLUMN core.units.unit_level IS 'province, department, commune or district.';
COMMENT ON COLUMN core.units.parent_unit_id IS 'Latest parent unit (the province for departments and communes).';
COMMENT ON COLUMN core.units.province_unit_id IS 'Latest province of the unit.';
COMMENT ON COLUMN core.units.first_seen_at IS 'First capture time the unit appeared.';
COMMENT ON COLUMN core.units.last_seen_at IS 'Last capture time the unit appeared.';

-- core.unit_sightings
COMMENT ON TABLE core.unit_sightings IS
    'Every appearance of a unit in a valid reply, with the attributes that reply gave. The marts '
    'take a unit-period''s level and parent from the sighting of the reply that gave its values.';
COMMENT ON COLUMN core.unit_sightings.response_id IS 'The reply (raw.responses).';
COMMENT ON COLUMN core.unit_sightings.capture_id IS 'The capture (raw.captures).';
COMMENT ON COLUMN core.unit_sightings.unit_id IS 'Portal departmentId (UUID).';
COMMENT ON COLUMN core.unit_sightings.unit_code IS 'Portal departmentCode as given.';
COMMENT ON COLUMN core.unit_sightings.unit_name IS 'Name as given, NFC-normalised, white space collapsed.';
COMMENT ON COLUMN core.unit_sightings.unit_type IS 'Portal departmentType as given.';
COMMENT ON COLUMN core.unit_sightings.unit_level IS 'province, department, commune, district (or unknown).';
COMMENT ON COLUMN core.unit_sightings.parent_unit_id IS 'The reply''s root for a child unit; null for a root or a province in the national ranking.';
COMMENT ON COLUMN core.unit_sightings.province_unit_id IS 'The province of the reply.';
COMMENT ON COLUMN core.unit_sightings.captured_at IS 'When the reply was received.';

-- core.group_scores
COMMENT ON TABLE core.group_scores IS
    'The portal''s score of one unit in one group for one period, as read from one reply. null stays '
    'null (no data is not zero). Current values: core.current_group_scores; as of a cut-off: '
    'core.group_scores_as_of(cutoff).';
COMMENT ON COLUMN core.group_scores.response_id IS 'The reply (raw.responses).';
COMMENT ON COLUMN core.group_scores.capture_id IS 'The capture (raw.captures).';
COMMENT ON COLUMN core.group_scores.unit_id IS 'Portal departmentId (UUID).';
COMMENT ON COLUMN core.group_scores.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN core.group_scores.period_start IS 'First day of the period.';
COMMENT ON COLUMN core.group_scores.group_code IS 'CKMB, TDGQ, CLGQ, TTTT, MDHL or MDSH.';
COMMENT ON COLUMN core.group_scores.score IS 'The portal''s score (authoritative; never recomputed).';
COMMENT ON COLUMN core.group_scores.max_score IS 'The portal''s maximum for the group, when given.';
COMMENT ON COLUMN core.group_scores.ratio IS 'The portal''s ratio (percent), when given.';
COMMENT ON COLUMN core.group_scores.score_delta IS 'The portal''s scoreDelta, when given.';
COMMENT ON COLUMN core.group_scores.is_root IS 'True for the root (province) row of a group reply.';
COMMENT ON COLUMN core.group_scores.captured_at IS 'When the reply was received.';

-- core.metric_values
COMMENT ON TABLE core.metric_values IS
    'One indicator (metrics[] item) of one unit in one reply: numerator, denominator, ratio, score, '
    'maximum and the portal''s data-quality flag.';
COMMENT ON COLUMN core.metric_values.response_id IS 'The reply (raw.responses).';
COMMENT ON COLUMN core.metric_values.capture_id IS 'The capture (raw.captures).';
COMMENT ON COLUMN core.metric_values.unit_id IS 'Portal departmentId (UUID).';
COMMENT ON COLUMN core.metric_values.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN core.metric_values.period_start IS 'First day of the period.';
COMMENT ON COLUMN core.metric_values.group_code IS 'The group the indicator belongs to.';
COMMENT ON COLUMN core.metric_values.metric_code IS 'Indicator code (PUBLISH_ON_TIME, DOSSIER_SYNC, …).';
COMMENT ON COLUMN core.metric_values.metric_name IS 'Indicator name as given, NFC.';
COMMENT ON COLUMN core.metric_values.numerator IS 'Numerator as given.';
COMMENT ON COLUMN core.metric_values.denominator IS 'Denominator as given (0 with a null score = no data).';
COMMENT ON COLUMN core.metric_values.ratio IS 'Ratio (percent) as given.';
COMMENT ON COLUMN core.metric_values.score IS 'The portal''s score of the indicator.';
COMMENT ON COLUMN core.metric_values.max_score IS 'The indicator''s maximum as given.';
COMMENT ON COLUMN core.metric_values.data_quality_status IS 'dataQualityStatus (e.g. TEMP_NATIONAL_REPORT_DENOMINATOR).';
COMMENT ON COLUMN core.metric_values.data_quality_message IS 'dataQualityMessage, NFC.';
COMMENT ON COLUMN core.metric_values.captured_at IS 'When the reply was received.';

-- core.group_parameters
COMMENT ON TABLE core.group_parameters IS
    'Other numeric fields of a unit in a reply (totalReceived, totalOnTime, fullCount, …), long form.';
COMMENT ON COLUMN core.group_parameters.response_id IS 'The reply (raw.responses).';
COMMENT ON COLUMN core.group_parameters.capture_id IS 'The capture (raw.captures).';
COMMENT ON COLUMN core.group_parameters.unit_id IS 'Portal departmentId (UUID).';
COMMENT ON COLUMN core.group_parameters.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN core.group_parameters.period_start IS 'First day of the period.';
COMMENT ON COLUMN core.group_parameters.group_code IS 'The group the reply reports.';
COMMENT ON COLUMN core.group_parameters.parameter IS 'Field name as in the reply.';
COMMENT ON COLUMN core.group_parameters.value IS 'Numeric value.';
COMMENT ON COLUMN core.group_parameters.captured_at IS 'When the reply was received.';

-- core.reported_totals
COMMENT ON TABLE core.reported_totals IS
    'The total the portal itself reports for a province in the national ranking (service-results), '
    'with its rank position, or that a letter states (with the rank and cohort size it states). '
    'Derived totals are checked against it (mart.unit_period_scores.total_mismatch).';
COMMENT ON COLUMN core.reported_totals.response_id IS 'The reply (raw.responses).';
COMMENT ON COLUMN core.reported_totals.capture_id IS 'The national capture (raw.captures).';
COMMENT ON COLUMN core.reported_totals.unit_id IS 'Portal departmentId (UUID) of the province.';
COMMENT ON COLUMN core.reported_totals.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN core.reported_totals.period_start IS 'First day of the period.';
COMMENT ON COLUMN core.reported_totals.total_score IS 'The portal''s totalScore.';
COMMENT ON COLUMN core.reported_totals.total_max_score IS 'The portal''s totalMaxScore.';
COMMENT ON COLUMN core.reported_totals.ratio IS 'The portal''s ratio.';
COMMENT ON COLUMN core.reported_totals.score_delta IS 'The portal''s scoreDelta.';
COMMENT ON COLUMN core.reported_totals.reported_rank IS 'The portal''s own rank position (stt), or the rank a letter states ("xếp hạng 21", "đứng thứ 43/63").';
COMMENT ON COLUMN core.reported_totals.reported_cohort_size IS 'How many units the stated rank is out of ("43/63": 63); null when the source does not say.';
COMMENT ON COLUMN core.reported_totals.captured_at IS 'When the reply was received.';

-- core.current_group_scores, core.group_scores_as_of
COMMENT ON VIEW core.current_group_scores IS
    'The current value of each (unit, period, group): the core.group_scores row of the latest '
    'complete capture holding it (incomplete captures never become current), plus the capture scope.';
COMMENT ON COLUMN core.current_group_scores.response_id IS 'The reply (raw.responses).';
COMMENT ON COLUMN core.current_group_scores.capture_id IS 'The latest complete capture holding the value (raw.captures).';
COMMENT ON COLUMN core.current_group_scores.unit_id IS 'Portal departmentId (UUID).';
COMMENT ON COLUMN core.current_group_scores.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN core.current_group_scores.period_start IS 'First day of the period.';
COMMENT ON COLUMN core.current_group_scores.group_code IS 'CKMB, TDGQ, CLGQ, TTTT, MDHL or MDSH.';
COMMENT ON COLUMN core.current_group_scores.score IS 'The portal''s current score (null = no data).';
COMMENT ON COLUMN core.current_group_scores.max_score IS 'The portal''s maximum for the group, when given.';
COMMENT ON COLUMN core.current_group_scores.ratio IS 'The portal''s ratio (percent), when given.';
COMMENT ON COLUMN core.current_group_scores.score_delta IS 'The portal''s scoreDelta, when given.';
COMMENT ON COLUMN core.current_group_scores.is_root IS 'True for the root (province) row of a group reply.';
COMMENT ON COLUMN core.current_group_scores.captured_at IS 'When the capture holding the value was taken.';
COMMENT ON COLUMN core.current_group_scores.scope IS 'Scope of that capture: national or province.';
COMMENT ON MACRO TABLE core.group_scores_as_of IS
    'core.current_group_scores as of a data cut-off: the latest complete capture taken at or before '
    'cutoff (TIMESTAMPTZ).';
COMMENT ON MACRO TABLE core.group_scores_in IS
    'core.group_scores_as_of for the periods of a relation (passed by name, with period_type and '
    'period_start): what a refresh of a few periods reads, at the cost of those periods only.';
COMMENT ON VIEW core.group_score_periods IS
    'Every (period_type, period_start) core.group_scores holds a value for.';
COMMENT ON COLUMN core.group_score_periods.period_type IS 'month, quarter, half (legacy API) or year.';
COMMENT ON COLUMN core.group_score_periods.period_start IS 'First day of the period.';
