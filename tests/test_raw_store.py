"""The content-addressed raw store."""

import hashlib
from pathlib import Path

import pytest

from warehouse.raw_store import RawStore, RawStoreFault


def test_put_is_content_addressed_and_write_once(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    first = store.put(b'{"a": 1}')
    again = store.put(b'{"a": 1}')
    digest = hashlib.sha256(b'{"a": 1}').hexdigest()
    assert first.sha256 == digest and first.created and not again.created
    path = store.path_for(digest)
    assert path == tmp_path / "sha256" / digest[:2] / digest[2:4] / digest
    assert store.get(digest) == b'{"a": 1}'
    assert oct(path.stat().st_mode & 0o777) == "0o444"


def test_corruption_is_detected_and_named(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    blob = store.put(b"abc")
    path = store.path_for(blob.sha256)
    path.chmod(0o644)
    path.write_bytes(b"abd")
    with pytest.raises(RawStoreFault, match="does not match its sha256") as fault:
        store.get(blob.sha256)
    assert fault.value.kind == "hash_mismatch"
    assert blob.relative_path in str(fault.value)


def test_missing_blob_is_a_fault_not_empty_bytes(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    blob = store.put(b"abc")
    store.path_for(blob.sha256).unlink()
    with pytest.raises(RawStoreFault, match="is missing") as fault:
        store.get(blob.sha256)
    assert fault.value.kind == "missing"


@pytest.mark.parametrize("damage", ["altered", "missing", "truncated"])
def test_the_right_bytes_again_repair_the_stored_copy(tmp_path: Path, damage: str) -> None:
    store = RawStore(tmp_path)
    blob = store.put(b'{"score": 12.5}')
    path = store.path_for(blob.sha256)
    if damage == "missing":
        path.unlink()
    else:
        path.chmod(0o644)
        path.write_bytes(b'{"score": 99.5}' if damage == "altered" else b'{"sco')
    again = store.put(b'{"score": 12.5}')
    assert again.created  # rewritten, not taken for the intact copy
    assert store.get(blob.sha256) == b'{"score": 12.5}'
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert not store.put(b'{"score": 12.5}').created  # an intact copy is left alone


@pytest.mark.parametrize("bad", ["../../etc/passwd", "abc", "Z" * 64, "../" + "a" * 61])
def test_no_path_traversal_through_hash(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="sha256"):
        RawStore(tmp_path).path_for(bad)
