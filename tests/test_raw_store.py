"""The content-addressed raw store."""

import hashlib
import os
from pathlib import Path

import pytest

from warehouse.raw_store import RawStore


def test_put_is_content_addressed_and_write_once(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    first = store.put(b'{"a": 1}')
    again = store.put(b'{"a": 1}')
    digest = hashlib.sha256(b'{"a": 1}').hexdigest()
    assert first.sha256 == digest and first.created and not again.created
    path = store.path_for(digest)
    assert path == tmp_path / "sha256" / digest[:2] / digest[2:4] / digest
    assert store.get(digest) == b'{"a": 1}'
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert oct(path.stat().st_mode & 0o777) == "0o444"


def test_corruption_is_detected(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    blob = store.put(b"abc")
    path = store.path_for(blob.sha256)
    path.chmod(0o644)
    path.write_bytes(b"abd")
    with pytest.raises(OSError, match="corruption"):
        store.get(blob.sha256)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "abc", "Z" * 64, "../" + "a" * 61])
def test_no_path_traversal_through_hash(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="sha256"):
        RawStore(tmp_path).path_for(bad)
