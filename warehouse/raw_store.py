"""The immutable, content-addressed raw store.

Every reply is stored as received under ``<root>/sha256/<aa>/<bb>/<sha256>``. A blob is
written once (to a temporary file, fsynced, then renamed into place) and never rewritten:
storing identical bytes again is a no-op. Paths are derived only from the hash, so no
name from a reply or a file can reach the file system.

The store is read only through :meth:`RawStore.get`, which checks the hash: a missing or
altered blob raises :class:`RawStoreFault` naming the file. When bytes with the right
hash arrive again (:meth:`RawStore.put`), a damaged or missing copy is repaired.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class RawStoreFault(OSError):
    """A stored blob is missing or does not match its hash."""

    def __init__(
        self,
        sha256: str,
        relative_path: str,
        kind: str,
        response_id: str | None = None,
        capture_id: str | None = None,
    ) -> None:
        what = "is missing" if kind == "missing" else "does not match its sha256"
        super().__init__(f"raw store: {relative_path} {what}")
        self.sha256 = sha256
        self.relative_path = relative_path
        self.kind = kind
        self.response_id = response_id
        self.capture_id = capture_id

    def with_reply(self, response_id: str, capture_id: str) -> RawStoreFault:
        """The same fault, naming the stored reply that needed the blob."""
        return RawStoreFault(self.sha256, self.relative_path, self.kind, response_id, capture_id)


@dataclass(frozen=True)
class StoredBlob:
    """A blob in the raw store: its hash, size and path relative to the store root."""

    sha256: str
    size: int
    relative_path: str
    created: bool


class RawStore:
    """Content-addressed, write-once storage of raw bytes."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    @staticmethod
    def relative_path_for(sha256: str) -> str:
        """Relative path of the blob with this hash."""
        if not _SHA256.match(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def path_for(self, sha256: str) -> Path:
        """Absolute path of the blob with this hash."""
        return self.root / self.relative_path_for(sha256)

    def _intact(self, sha256: str) -> bool:
        """Whether the stored blob exists and matches its hash."""
        try:
            self.get(sha256)
        except RawStoreFault:
            return False
        return True

    def put(self, content: bytes) -> StoredBlob:
        """Store ``content`` under its sha256 unless an intact copy is already there; a
        missing or damaged copy is replaced (repaired) by these bytes."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_for(digest)
        relative = self.relative_path_for(digest)
        if target.exists() and target.stat().st_size == len(content) and self._intact(digest):
            return StoredBlob(digest, len(content), relative, created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return StoredBlob(digest, len(content), relative, created=True)

    def get(self, sha256: str) -> bytes:
        """Read a blob and verify its hash; raise ``RawStoreFault`` naming the file if it
        is missing or altered."""
        relative = self.relative_path_for(sha256)
        try:
            content = (self.root / relative).read_bytes()
        except FileNotFoundError:
            raise RawStoreFault(sha256, relative, "missing") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise RawStoreFault(sha256, relative, "hash_mismatch")
        return content
