-- Comments on the operational tables (schema ops), read by warehouse/dictionary.py to
-- render docs/data-dictionary.md.

-- ops.fetch_attempts
COMMENT ON TABLE ops.fetch_attempts IS
    'Every HTTP attempt, successful or not: retries, timeouts and 403/429 stops (an operational '
    'log; the replies themselves are in raw.responses).';
COMMENT ON COLUMN ops.fetch_attempts.run_id IS 'The Dagster run that made the attempt.';
COMMENT ON COLUMN ops.fetch_attempts.endpoint IS 'Last segment of the URL.';
COMMENT ON COLUMN ops.fetch_attempts.url IS 'Requested URL.';
COMMENT ON COLUMN ops.fetch_attempts.request_body IS 'Request body as sent.';
COMMENT ON COLUMN ops.fetch_attempts.attempt IS 'Attempt number of the request (1 for the first).';
COMMENT ON COLUMN ops.fetch_attempts.started_at IS 'When the attempt started.';
COMMENT ON COLUMN ops.fetch_attempts.elapsed_ms IS 'How long it took, in milliseconds.';
COMMENT ON COLUMN ops.fetch_attempts.http_status IS 'HTTP status, null when no reply came.';
COMMENT ON COLUMN ops.fetch_attempts.outcome IS 'ok, server_error, client_error, blocked (403/429), timeout, connection_error or too_large.';
COMMENT ON COLUMN ops.fetch_attempts.error IS 'What went wrong, when something did.';
COMMENT ON COLUMN ops.fetch_attempts.bytes IS 'Size of the reply body.';
COMMENT ON COLUMN ops.fetch_attempts.sha256 IS 'SHA-256 of the reply body.';

-- ops.normalisations
COMMENT ON TABLE ops.normalisations IS
    'Captures normalised into core and the parser version that did it; a capture is normalised '
    'again when its source''s parser version changes.';
COMMENT ON COLUMN ops.normalisations.capture_id IS 'The capture (raw.captures).';
COMMENT ON COLUMN ops.normalisations.parser_version IS 'Parser version of the capture''s source.';
COMMENT ON COLUMN ops.normalisations.normalised_at IS 'When it was loaded.';
COMMENT ON COLUMN ops.normalisations.group_score_rows IS 'Rows it put in core.group_scores.';
COMMENT ON COLUMN ops.normalisations.metric_rows IS 'Rows it put in core.metric_values.';

-- ops.raw_store_faults
COMMENT ON TABLE ops.raw_store_faults IS
    'Stored replies found missing or altered when normalisation read them through the raw '
    'store''s hash check. Nothing is loaded from such a reply; its capture is loaded again once '
    'the right bytes are stored (a re-capture repairs them).';
COMMENT ON COLUMN ops.raw_store_faults.sha256 IS 'SHA-256 the reply should have.';
COMMENT ON COLUMN ops.raw_store_faults.blob_path IS 'Path of the file relative to the raw store.';
COMMENT ON COLUMN ops.raw_store_faults.fault IS 'missing or hash_mismatch.';
COMMENT ON COLUMN ops.raw_store_faults.response_id IS 'The stored reply (raw.responses).';
COMMENT ON COLUMN ops.raw_store_faults.capture_id IS 'Its capture, which was not loaded.';
COMMENT ON COLUMN ops.raw_store_faults.message IS 'The fault as reported.';
COMMENT ON COLUMN ops.raw_store_faults.detected_at IS 'When normalisation found it.';

-- ops.run_captures
COMMENT ON TABLE ops.run_captures IS
    'Every capture a run asked for, new or byte-identical to an earlier one (raw.captures.run_id '
    'names only the run that first stored it): what a run''s outcome counts and names.';
COMMENT ON COLUMN ops.run_captures.run_id IS 'The Dagster run.';
COMMENT ON COLUMN ops.run_captures.capture_id IS 'The capture (raw.captures).';
COMMENT ON COLUMN ops.run_captures.is_new IS 'Whether this run stored it (false: identical to the latest capture).';
COMMENT ON COLUMN ops.run_captures.stopped_reason IS 'Set on the capture during which the portal answered 403/429 and the run stopped fetching.';
COMMENT ON COLUMN ops.run_captures.recorded_at IS 'When the run recorded it.';

-- ops.rejected_captures
COMMENT ON TABLE ops.rejected_captures IS
    'Captures whose core rows failed a per-capture core check: their core rows were removed, '
    'raw.quarantine says why, and they are not normalised again until their source''s parser '
    'version changes.';
COMMENT ON COLUMN ops.rejected_captures.capture_id IS 'The capture (raw.captures).';
COMMENT ON COLUMN ops.rejected_captures.parser_version IS 'Parser version that produced the rejected rows.';
COMMENT ON COLUMN ops.rejected_captures.check_name IS 'The first core check it failed (core_portal asset checks).';
COMMENT ON COLUMN ops.rejected_captures.reason IS 'Readable reason in English (e.g. group score outside [0, its maximum]); dvc766 status shows it in Vietnamese.';
COMMENT ON COLUMN ops.rejected_captures.detail IS 'Every check it failed, with the number of offending rows.';
COMMENT ON COLUMN ops.rejected_captures.run_id IS 'The Dagster run that rejected it.';
COMMENT ON COLUMN ops.rejected_captures.rejected_at IS 'When it was rejected.';

-- ops.run_files
COMMENT ON TABLE ops.run_files IS
    'Every file a run was asked to ingest (dvc766 ingest, the inbox sensor, files_job) and what '
    'became of it; the run''s outcome names the files that did not become a complete capture.';
COMMENT ON COLUMN ops.run_files.run_id IS 'The Dagster run (files_job).';
COMMENT ON COLUMN ops.run_files.file_index IS 'Position of the file in the run''s list (from 0).';
COMMENT ON COLUMN ops.run_files.file_name IS 'The file''s name (never its folder).';
COMMENT ON COLUMN ops.run_files.sha256 IS 'SHA-256 of its bytes; null when they were not read (a link out of the inbox, a file gone).';
COMMENT ON COLUMN ops.run_files.outcome IS 'ingested (a capture recorded), duplicate (the same bytes as an earlier capture), quarantined (raw.quarantine says why) or skipped (nothing written: the file was gone, or its period falls outside the run''s partitions).';
COMMENT ON COLUMN ops.run_files.source IS 'file_letter, file_html, file_table, or file_unknown when its format could not be told.';
COMMENT ON COLUMN ops.run_files.format IS 'The format read (text, html, xlsx, csv…).';
COMMENT ON COLUMN ops.run_files.capture_id IS 'Its capture (raw.captures), when it became one.';
COMMENT ON COLUMN ops.run_files.period_type IS 'Type of the period it states or was given.';
COMMENT ON COLUMN ops.run_files.period_start IS 'First day of that period.';
COMMENT ON COLUMN ops.run_files.root_unit_id IS 'The province (or VN for a table of provinces) it is about.';
COMMENT ON COLUMN ops.run_files.root_name IS 'That province''s name as resolved.';
COMMENT ON COLUMN ops.run_files.captured_at IS 'The data cut-off used: stated by the file, given with --cutoff, else the time of ingestion.';
COMMENT ON COLUMN ops.run_files.cutoff_source IS 'Where the cut-off comes from: option, file:minute, file:day or ingested_at.';
COMMENT ON COLUMN ops.run_files.reason IS 'Why it is not a complete capture (Vietnamese, as quarantined).';
COMMENT ON COLUMN ops.run_files.detail IS 'The detail of that reason.';
COMMENT ON COLUMN ops.run_files.warnings IS 'What the reading noted (Vietnamese), e.g. a --period overriding the file''s own.';
COMMENT ON COLUMN ops.run_files.is_new IS 'Whether this run stored the capture.';
COMMENT ON COLUMN ops.run_files.recorded_at IS 'When the run noted it.';
