"""The vendored portal replies are the published ones, byte for byte."""

from __future__ import annotations

import hashlib
import json

from tests.conftest import SAMPLES


def test_every_vendored_reply_is_in_the_upstream_manifest() -> None:
    manifest = json.loads((SAMPLES / "manifest.json").read_text("utf-8"))
    published = {c["sha256"]: c for c in manifest["captures"]}
    replies = sorted(SAMPLES.glob("*/*.json"))
    assert len(replies) == 11
    for path in replies:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in published, f"{path.name} differs from every published capture"
        entry = published[digest]
        assert entry["file"].split("/")[0] == path.stem
        assert entry["bytes"] == path.stat().st_size
