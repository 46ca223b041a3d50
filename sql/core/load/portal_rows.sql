-- Step 2: insert the core rows from the parsed unit entries (temp table portal_items).
-- Mirrors tests/portal_oracle.py, the Python parser of the same replies; a parity test
-- (tests/test_manifest_and_core.py) keeps the two in step. `null` stays NULL throughout. Names are normalised
-- (NFC, white space collapsed) once per distinct spelling, not once per row.
CREATE OR REPLACE TEMP TABLE portal_units AS
SELECT
    i.*,
    item.departmentId AS unit_id,
    CASE
        WHEN item.departmentType IN ('PROVINCE', 'ADMINISTRATIVE_UNIT') THEN 'province'
        WHEN item.departmentType = 'PROVINCIAL_DEPARTMENT' THEN 'department'
        WHEN item.departmentType = 'COMMUNE_PEOPLE_COMMITTEE' THEN 'commune'
        WHEN item.departmentType = 'DISTRICT_PEOPLE_COMMITTEE' THEN 'district'
        WHEN item.departmentType = 'MINISTRY' THEN 'ministry'
        WHEN is_root THEN 'province'
        WHEN coalesce(item.level, item.departmentLevel) = 'PROVINCE' THEN 'department'
        WHEN coalesce(item.level, item.departmentLevel) = 'COMMUNE' THEN 'commune'
        WHEN coalesce(item.level, item.departmentLevel) = 'DISTRICT' THEN 'district'
        ELSE 'unknown'
    END AS unit_level
FROM portal_items AS i;

CREATE OR REPLACE TEMP TABLE portal_names AS
SELECT name, trim(regexp_replace(nfc_normalize(name), '[\s\pZ]+', ' ', 'g')) AS clean
FROM (
    SELECT DISTINCT item.departmentName AS name FROM portal_units
    UNION
    SELECT DISTINCT unnest(item.metrics).name FROM portal_units
)
WHERE name IS NOT NULL;

INSERT INTO core.unit_sightings BY NAME
SELECT
    response_id, capture_id, unit_id,
    item.departmentCode AS unit_code,
    n.clean AS unit_name,
    item.departmentType AS unit_type,
    unit_level,
    CASE WHEN is_root OR shape = 'national' THEN NULL ELSE root_unit_id END AS parent_unit_id,
    CASE WHEN shape = 'national' THEN unit_id ELSE root_unit_id END AS province_unit_id,
    captured_at
FROM portal_units AS u
JOIN portal_names AS n ON n.name = u.item.departmentName;

INSERT INTO core.group_scores BY NAME
SELECT
    response_id, capture_id, unit_id, period_type, period_start, group_code,
    CASE WHEN group_code = 'TDGQ' AND NOT is_root THEN item.score ELSE item.totalScore END
        AS score,
    CASE WHEN group_code = 'TDGQ' AND NOT is_root THEN item.maxScore ELSE item.totalMaxScore
        END AS max_score,
    item.ratio, item.scoreDelta AS score_delta, is_root, captured_at
FROM portal_units WHERE shape <> 'national'
UNION ALL
-- the national ranking: one row per group of the methodology version in force (the groups
-- the validator required), read from the groupScores map
SELECT
    response_id, capture_id, unit_id, period_type, period_start, g.group_code,
    item.groupScores[g.group_code], NULL, NULL, NULL, false, captured_at
FROM portal_units AS u
JOIN (  -- the version of each period in the batch, looked up once per period
    SELECT period_start, methodology.portal_version_on(period_start) AS version_id
    FROM (SELECT DISTINCT period_start FROM portal_units WHERE shape = 'national')
) AS v USING (period_start)
JOIN methodology.groups AS g ON g.version_id = v.version_id
WHERE shape = 'national';

INSERT INTO core.metric_values BY NAME
SELECT
    response_id, capture_id, unit_id, period_type, period_start, group_code,
    m.code AS metric_code,
    n.clean AS metric_name,
    m.numerator, m.denominator, m.ratio, m.score, m.maxScore AS max_score,
    m.dataQualityStatus AS data_quality_status,
    nfc_normalize(m.dataQualityMessage) AS data_quality_message,
    captured_at
FROM (
    SELECT response_id, capture_id, unit_id, period_type, period_start, group_code,
           captured_at, unnest(item.metrics) AS m
    FROM portal_units WHERE item.metrics IS NOT NULL
) AS x
LEFT JOIN portal_names AS n ON n.name = x.m.name
WHERE m.code IS NOT NULL;

INSERT INTO core.group_parameters BY NAME
SELECT response_id, capture_id, unit_id, period_type, period_start, group_code,
       parameter, value, captured_at
FROM (
    UNPIVOT (
        SELECT response_id, capture_id, unit_id, period_type, period_start, group_code,
               captured_at,
               -- every numeric parameter field of the reply schema (PARAMETER_FIELDS)
               item.* EXCLUDE (departmentId, departmentName, departmentCode, departmentType,
                               departmentLevel, level, stt, totalScore, totalMaxScore, score,
                               maxScore, ratio, scoreDelta, metrics, groupScores)
        FROM portal_units WHERE shape <> 'national'
    )
    ON COLUMNS(* EXCLUDE (response_id, capture_id, unit_id, period_type, period_start,
                          group_code, captured_at))
    INTO NAME parameter VALUE value
);

INSERT INTO core.reported_totals BY NAME
SELECT
    response_id, capture_id, unit_id, period_type, period_start,
    item.totalScore AS total_score, item.totalMaxScore AS total_max_score, item.ratio,
    item.scoreDelta AS score_delta, item.stt AS reported_rank, captured_at
FROM portal_units WHERE shape = 'national';

DROP TABLE portal_names;
DROP TABLE portal_units;
DROP TABLE portal_items;
