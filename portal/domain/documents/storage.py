"""Where blob bytes live. The store talks to a `BlobStorage`; the local directory is the default
and an S3-compatible backend implements the same four methods (put is idempotent because keys
are content hashes; nothing is ever overwritten with different bytes)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobMissing(FileNotFoundError):
    pass


class BlobStorage(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def keys(self) -> Iterator[str]: ...


class LocalDirectoryStorage:
    """Blobs as read-only files under `root/ab/cd/<sha256>`."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            return  # same hash, same bytes: stored once (a damaged copy is replaced below)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a reader never sees half a file, a crash leaves none.
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, 0o440)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise

    def get(self, sha256: str) -> bytes:
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(sha256) from None

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def keys(self) -> Iterator[str]:
        for path in sorted(self.root.glob("??/??/*")):
            if _SHA256.match(path.name):
                yield path.name
