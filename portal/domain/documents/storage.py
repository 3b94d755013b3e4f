"""Where blob bytes live. The store talks to a `BlobStorage`; the local directory is the default
and an S3-compatible backend implements the same methods (put is idempotent because keys are
content hashes; nothing is ever overwritten with different bytes).

A file is written before its row commits, so a file without a row is either an upload in flight or
an orphan (its transaction died). Age tells them apart: `put` of bytes already stored refreshes the
file's time, and `remove_if_untouched_since` refuses a file touched after its cutoff."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Files beside the blobs that are not blobs: being written (or left half-written by a killed writer),
# or being removed by fsck.
_PARTIAL, _REMOVING = ".partial-", ".removing-"
_LEFTOVER = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/\.(partial|removing)-[A-Za-z0-9_-]+$")


class BlobMissing(FileNotFoundError):
    pass


class BlobStorage(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def keys(self) -> Iterator[str]: ...
    def written_at(self, sha256: str) -> float:
        """When the blob was last written or put again (seconds since the epoch); BlobMissing if absent."""
    def remove_if_untouched_since(self, sha256: str, cutoff: float) -> bool:
        """Remove the blob unless it was written or put again after `cutoff`; True if removed."""
    def leftovers(self) -> Iterator[tuple[str, float]]:
        """Half-written files a killed writer left behind: (name, written at)."""
    def remove_leftover(self, name: str) -> bool: ...


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
        try:
            if hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
                # Same hash, same bytes: stored once. Its time is refreshed all the same: until this
                # caller's row commits the file may have no row, and fsck spares files that are young.
                os.utime(path)
                return
        except FileNotFoundError:
            pass  # not there (or removed by fsck a moment ago): write it; a damaged copy is replaced too
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a reader never sees half a file, a crash leaves none.
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=_PARTIAL)
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

    def written_at(self, sha256: str) -> float:
        try:
            return self._path(sha256).stat().st_mtime
        except FileNotFoundError:
            raise BlobMissing(sha256) from None

    def remove_if_untouched_since(self, sha256: str, cutoff: float) -> bool:
        path = self._path(sha256)
        aside = path.with_name(f"{_REMOVING}{sha256}")
        try:
            if path.stat().st_mtime > cutoff:
                return False
            # Moved aside first: from here on a `put` of the same bytes writes a new file ...
            os.replace(path, aside)
        except FileNotFoundError:
            return False
        # ... and one that touched it between the look above and the move is seen now, and wins.
        if aside.stat().st_mtime > cutoff:
            os.replace(aside, path)
            return False
        aside.unlink()
        return True

    def leftovers(self) -> Iterator[tuple[str, float]]:
        for path in sorted(self.root.glob("??/??/.*")):
            name = path.relative_to(self.root).as_posix()
            if _LEFTOVER.match(name):
                try:
                    yield name, path.stat().st_mtime
                except FileNotFoundError:
                    continue  # finished or removed meanwhile

    def remove_leftover(self, name: str) -> bool:
        if not _LEFTOVER.match(name):
            raise ValueError("not a leftover of this storage")
        try:
            (self.root / name).unlink()
        except FileNotFoundError:
            return False
        return True
