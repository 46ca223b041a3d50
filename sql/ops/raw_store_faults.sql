-- ops.raw_store_faults: stored replies found missing or altered when normalisation read
-- them through the raw store's hash check. Nothing is loaded from such a reply; its
-- capture is loaded again once the right bytes are stored (a re-capture repairs them).
CREATE TABLE IF NOT EXISTS ops.raw_store_faults (
    sha256              VARCHAR NOT NULL,
    blob_path           VARCHAR NOT NULL,
    fault               VARCHAR NOT NULL CHECK (fault IN ('missing', 'hash_mismatch')),
    response_id         VARCHAR,
    capture_id          VARCHAR,
    message             VARCHAR NOT NULL,
    detected_at         TIMESTAMPTZ NOT NULL
);
