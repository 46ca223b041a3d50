"""The immutable, content-addressed raw store.

Every reply is stored as received under ``<root>/sha256/<aa>/<bb>/<sha256>``. A blob is
written once (to a temporary file, fsynced, then renamed into place) and never rewritten:
storing identical bytes again is a no-op. Paths are derived only from the hash, so no
name from a reply or a file can reach the file system.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


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

    def put(self, content: bytes) -> StoredBlob:
        """Store ``content`` under its sha256 unless it is already there."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_for(digest)
        relative = self.relative_path_for(digest)
        if target.exists():
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
        """Read a blob and verify its hash."""
        content = self.path_for(sha256).read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise OSError(f"raw store corruption: blob {sha256} does not match its hash")
        return content
