-- core.unit_match_review: every unit name read from a file (letter, spreadsheet, saved
-- page) and what it was matched to, for review. Names are matched by code, then exact
-- name, then normalised name (tone placement, abbreviations, prefixes and suffixes), then
-- fuzzily (accepted only above a threshold with a clear margin, and logged): see
-- warehouse/unit_matching.py. A name that is not matched keeps its own stable id
-- (unmatched:<sha of the normalised name and the province>), so its values stay in core.
-- Rebuilt with the capture's core rows each time the capture is normalised.
CREATE TABLE IF NOT EXISTS core.unit_match_review (
    capture_id           VARCHAR NOT NULL,
    response_id          VARCHAR NOT NULL,
    province_unit_id     VARCHAR NOT NULL,
    unit_level           VARCHAR NOT NULL,
    name_given           VARCHAR NOT NULL,
    code_given           VARCHAR,
    name_normalised      VARCHAR NOT NULL,
    provisional_unit_id  VARCHAR NOT NULL,
    unit_id              VARCHAR NOT NULL,
    status               VARCHAR NOT NULL CHECK (status IN ('matched', 'ambiguous', 'unmatched')),
    method               VARCHAR CHECK (method IN ('code', 'exact_name', 'normalised_name', 'fuzzy')),
    score                DOUBLE,
    candidates           STRUCT(unit_id VARCHAR, unit_name VARCHAR, score DOUBLE)[] NOT NULL,
    note                 VARCHAR,
    matched_at           TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE core.unit_match_review IS
    'Each unit name read from a file, its candidates and the decision (matched, ambiguous, '
    'unmatched) with the method; the review queue is status <> ''matched'' or method = ''fuzzy''.';
COMMENT ON COLUMN core.unit_match_review.capture_id IS 'The file capture the name comes from.';
COMMENT ON COLUMN core.unit_match_review.response_id IS 'The stored file (raw.responses) the name comes from.';
COMMENT ON COLUMN core.unit_match_review.province_unit_id IS 'The province whose units were candidates (VN for a table of provinces).';
COMMENT ON COLUMN core.unit_match_review.unit_level IS 'Level the file gives the unit (department, district, commune, province, unknown).';
COMMENT ON COLUMN core.unit_match_review.name_given IS 'The name as the file wrote it (NFC, spaces collapsed).';
COMMENT ON COLUMN core.unit_match_review.code_given IS 'The code the file gave, if any.';
COMMENT ON COLUMN core.unit_match_review.name_normalised IS 'The name as compared: tone placement, case, abbreviations, prefixes and suffixes normalised.';
COMMENT ON COLUMN core.unit_match_review.provisional_unit_id IS 'The stable id of the name itself (unmatched:<sha>).';
COMMENT ON COLUMN core.unit_match_review.unit_id IS 'The id the core rows carry: the matched unit, else the provisional id.';
COMMENT ON COLUMN core.unit_match_review.status IS 'matched, ambiguous (several candidates, or two names on one unit) or unmatched.';
COMMENT ON COLUMN core.unit_match_review.method IS 'The step that decided: code, exact_name, normalised_name or fuzzy; null when nothing matched.';
COMMENT ON COLUMN core.unit_match_review.score IS 'Similarity of the decision (1 for code and name matches; the best fuzzy score otherwise).';
COMMENT ON COLUMN core.unit_match_review.candidates IS 'Candidate units with their scores, best first.';
COMMENT ON COLUMN core.unit_match_review.note IS 'Why a match was held back, when it was.';
COMMENT ON COLUMN core.unit_match_review.matched_at IS 'When the decision was made.';
