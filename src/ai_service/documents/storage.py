"""Files under DATA_DIR/documents, addressed by their SHA-256.

A file is streamed to a temporary file in the same folder (hashing and counting as it goes),
fsynced and renamed into place, so a reader never sees half a file and a crash leaves only a
temporary file behind. The path comes from the hash alone: a name chosen by a user never
becomes part of a path.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ai_service.core.errors import BadUserInput

CHUNK_BYTES = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
Reader = Callable[[int], Awaitable[bytes]]


@dataclass(frozen=True)
class StagedFile:
    """A received file in the temporary area, not yet in the store."""

    path: Path
    sha256: str
    size: int
    head: bytes  # the first bytes, for sniffing


class FileStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._tmp = root / "tmp"

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    async def stage(self, read: Reader, head_bytes: int = 65536) -> StagedFile:
        """Copy a stream into the temporary area, hashing it; over `max_bytes` is refused."""
        self._tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = bytearray()
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="upload-")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                while block := await read(CHUNK_BYTES):
                    size += len(block)
                    if size > self.max_bytes:
                        raise BadUserInput(f"The file is larger than {self.max_bytes} bytes",
                                           field="file")
                    digest.update(block)
                    if len(head) < head_bytes:
                        head += block[: head_bytes - len(head)]
                    # Disk writes off the event loop: other requests keep being served.
                    await asyncio.to_thread(out.write, block)
                await asyncio.to_thread(_flush, out)
        except BaseException:
            await asyncio.to_thread(path.unlink, missing_ok=True)
            raise
        return StagedFile(path, digest.hexdigest(), size, bytes(head))

    def commit(self, staged: StagedFile) -> Path:
        """Move a staged file into place (atomic); an identical file already there is kept."""
        target = self.path_for(staged.sha256)
        if target.is_file():
            staged.path.unlink(missing_ok=True)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged.path, 0o600)
        os.replace(staged.path, target)
        _fsync_dir(target.parent)
        return target

    def discard(self, staged: StagedFile) -> None:
        staged.path.unlink(missing_ok=True)

    def delete(self, sha256: str) -> None:
        path = self.path_for(sha256)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # empty fan-out folders go too; busy ones stay
            path.parent.rmdir()
            path.parent.parent.rmdir()


def _flush(out: BinaryIO) -> None:
    out.flush()
    os.fsync(out.fileno())


def _fsync_dir(path: Path) -> None:
    """The rename itself is durable only once its directory is synced."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
