"""`ai-service backup` and `ai-service restore`: one archive that restores.

An archive is a gzipped tar holding
  database/<table>.jsonl   a consistent, backend-agnostic dump (see dump.py)
  documents/...            DATA_DIR/documents, when present
  qdrant/...               the embedded vector store, only when nothing holds it open (else the
                           vectors are rebuilt from the database by the `documents.reindex` job)
  manifest.json            app version, schema revision, backend, row counts, a SHA-256 and size
                           per file; written last, once every checksum is known
With BACKUP_ENCRYPTION_KEY the whole stream is encrypted with libsodium's secretstream
(XChaCha20-Poly1305, 1 MiB chunks): truncation, reordering and tampering are detected.

A restore extracts into a staging directory, verifies every checksum and the versions before it
touches anything, refuses a schema newer than this code and an instance that is not empty, then
migrates the empty database to the archive's revision, loads the tables in foreign-key order,
applies the newer migrations, and moves the files into place.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import io
import logging
import os
import re
import shutil
import struct
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

import orjson
from nacl import bindings
from nacl.encoding import RawEncoder
from nacl.hash import blake2b

from ai_service import __version__
from ai_service.config import Settings
from ai_service.core.jobs import JobContext, JobQueue, JobRegistry
from ai_service.documents.jobs import REINDEX
from ai_service.ops import dump

log = logging.getLogger(__name__)

FORMAT = 1
MAGIC = b"AI-SERVICE-BACKUP-ENCRYPTED-1\n"
CHUNK = 1 << 20
_NAME = re.compile(r"^ai-service-(\d{8}T\d{6}Z)(?:-[a-z-]+)?\.tar\.gz(?:\.enc)?$")
BACKUP_JOB = "ops.backup"
_INTERVALS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1),
              "weekly": timedelta(weeks=1)}
Report = Callable[[str], object]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    seconds: float
    manifest: dict[str, Any]
    deleted: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    seconds: float
    tables: dict[str, int]
    files: int
    migrated: list[str]
    reindex_job: int | None


# --------------------------------------------------------------------------- encryption


def _key(secret: str) -> bytes:
    return blake2b(secret.encode(), digest_size=32, person=b"ai-service-bkup",
                   encoder=RawEncoder)


def _key_check(key: bytes) -> bytes:
    """8 bytes that say whether a key is the one an archive was made with (not the key)."""
    return blake2b(key, digest_size=8, person=b"ai-service-kchk", encoder=RawEncoder)


class _EncryptingWriter(io.RawIOBase):
    """A write-only file object that encrypts what passes through into `sink`."""

    def __init__(self, sink: IO[bytes], key: bytes) -> None:
        self._sink = sink
        self._state = bindings.crypto_secretstream_xchacha20poly1305_state()
        header = bindings.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        sink.write(MAGIC + _key_check(key) + header)
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer += data
        while len(self._buffer) >= CHUNK:
            self._push(bytes(self._buffer[:CHUNK]),
                       bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
            del self._buffer[:CHUNK]
        return len(data)

    def _push(self, chunk: bytes, tag: int) -> None:
        sealed = bindings.crypto_secretstream_xchacha20poly1305_push(self._state, chunk, None, tag)
        self._sink.write(struct.pack(">I", len(sealed)) + sealed)

    def close(self) -> None:
        if not self.closed:
            final = bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL
            self._push(bytes(self._buffer), final)
            self._buffer.clear()
        super().close()


class _DecryptingReader(io.RawIOBase):
    def __init__(self, source: IO[bytes], key: bytes) -> None:
        self._source = source
        head = source.read(len(MAGIC) + 8)
        if head[:len(MAGIC)] != MAGIC:
            raise BackupError("not an encrypted ai-service backup")
        if head[len(MAGIC):] != _key_check(key):
            raise BackupError("BACKUP_ENCRYPTION_KEY is not the key this backup was made with")
        self._state = bindings.crypto_secretstream_xchacha20poly1305_state()
        header = source.read(bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES)
        bindings.crypto_secretstream_xchacha20poly1305_init_pull(self._state, header, key)
        self._buffer = b""
        self._final = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer and not self._final:
            size = self._source.read(4)
            if len(size) < 4:
                raise BackupError("the backup is truncated (its encrypted stream has no end)")
            sealed = self._source.read(struct.unpack(">I", size)[0])
            try:
                self._buffer, tag = bindings.crypto_secretstream_xchacha20poly1305_pull(
                    self._state, sealed, None)
            except Exception as exc:
                raise BackupError("the backup is damaged or was altered "
                                  "(decryption failed)") from exc
            self._final = tag == bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


# --------------------------------------------------------------------------- backup


def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _Hashing(io.RawIOBase):
    """Reads a file into the tar while hashing exactly the bytes that went in."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        data = self._source.read(len(target))
        self.digest.update(data)
        target[:len(data)] = data
        return len(data)


@contextlib.contextmanager
def _qdrant_if_idle(path: Path) -> Iterator[bool]:
    """Whether the embedded Qdrant folder can be copied consistently: only when no client holds
    its lock (qdrant-client's local mode locks `.lock` with flock); held while we copy."""
    lock_path = path / ".lock"
    if not path.is_dir():
        yield False
        return
    try:
        handle = lock_path.open("a")
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _tree(root: Path) -> Iterator[Path]:
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            yield Path(directory) / name


async def create_backup(settings: Settings, *, reason: str = "", report: Report | None = None
                        ) -> BackupResult:
    """Write one archive into the backup directory; returns where, how big, how long."""
    say = report or (lambda _: None)
    started = time.perf_counter()
    stamp = datetime.now(UTC)
    name = f"ai-service-{stamp:%Y%m%dT%H%M%SZ}{f'-{reason}' if reason else ''}.tar.gz"
    if settings.backup_encryption_key:
        name += ".enc"
    target_dir = settings.backups_path
    staging = target_dir / f".{name}.staging"
    await asyncio.to_thread(staging.mkdir, parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}

    def record(path: Path, sha256: str, size: int) -> None:
        files[f"database/{path.name}"] = {"sha256": sha256, "size": size}

    try:
        applied, counts = await dump.dump_database(staging, record)
        say(f"database: {sum(counts.values())} rows in {len(counts)} tables")
        manifest = {
            "format": FORMAT,
            "app": "ai-service",
            "version": settings.version or __version__,
            "created_at": stamp.isoformat(timespec="seconds"),
            "reason": reason or "manual",
            "backend": "sqlite" if settings.uses_sqlite else "postgres",
            "schema_revision": applied[-1] if applied else None,
            "migrations": applied,
            "tables": counts,
            "encrypted": bool(settings.backup_encryption_key),
        }
        # Compressing and encrypting is CPU and disk work: off the event loop, which may be
        # serving requests (a scheduled backup runs in the worker of `serve`).
        final = await asyncio.to_thread(_write_archive, settings, name, staging, files,
                                        manifest, say)
    finally:
        await asyncio.to_thread(shutil.rmtree, staging, ignore_errors=True)
    size = final.stat().st_size
    return BackupResult(final, size, time.perf_counter() - started, manifest)


def _write_archive(settings: Settings, name: str, staging: Path,
                   files: dict[str, dict[str, Any]], manifest: dict[str, Any], say: Report
                   ) -> Path:
    final = settings.backups_path / name
    partial = settings.backups_path / f".{name}.partial"
    try:
        with partial.open("wb") as raw:
            sink: IO[bytes] = raw
            writer: _EncryptingWriter | None = None
            if settings.backup_encryption_key:
                writer = _EncryptingWriter(raw, _key(settings.backup_encryption_key))
                sink = writer  # type: ignore[assignment]
            with tarfile.open(fileobj=sink, mode="w|gz", format=tarfile.PAX_FORMAT) as tar:
                for path in sorted(staging.iterdir()):
                    tar.add(path, arcname=f"database/{path.name}", recursive=False)
                documents = settings.documents_path
                if documents.is_dir():
                    say(f"documents: {_add_tree(tar, documents, 'documents', files)} files")
                qdrant = settings.data_dir / "qdrant"
                with _qdrant_if_idle(qdrant) as idle:
                    manifest["vectors"] = "included" if idle else "rebuild"
                    if idle:
                        _add_tree(tar, qdrant, "qdrant", files, skip={".lock"})
                manifest["files"] = dict(sorted(files.items()))
                body = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
                info = tarfile.TarInfo("manifest.json")
                info.size, info.mode = len(body), 0o600
                info.mtime = int(datetime.fromisoformat(manifest["created_at"]).timestamp())
                tar.addfile(info, io.BytesIO(body))
            if writer is not None:
                writer.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(partial, 0o600)
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def _add_tree(tar: tarfile.TarFile, root: Path, prefix: str, files: dict[str, dict[str, Any]],
              skip: set[str] | None = None) -> int:
    count = 0
    for path in _tree(root):
        relative = path.relative_to(root).as_posix()
        if (skip and relative in skip) or not path.is_file() or path.is_symlink():
            continue
        arcname = f"{prefix}/{relative}"
        with path.open("rb") as fh:
            info = tar.gettarinfo(fileobj=fh, arcname=arcname)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            hashing = _Hashing(fh)
            tar.addfile(info, hashing)
        files[arcname] = {"sha256": hashing.digest.hexdigest(), "size": info.size}
        count += 1
    return count


# --------------------------------------------------------------------------- retention


def backup_time(path: Path) -> datetime | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def apply_retention(directory: Path, keep_daily: int, keep_weekly: int) -> list[Path]:
    """Keep the newest backup of each of the last `keep_daily` days that have one and of each
    of the last `keep_weekly` ISO weeks; delete the other archives. Returns what was deleted."""
    dated = sorted(((t, p) for p in directory.iterdir() if (t := backup_time(p))),
                   reverse=True)
    keep: set[Path] = set()
    days: list[Any] = []
    weeks: list[Any] = []
    for moment, path in dated:
        day = moment.date()
        week = moment.isocalendar()[:2]
        if day not in days and len(days) < keep_daily:
            days.append(day)
            keep.add(path)
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.append(week)
            keep.add(path)
    deleted = [p for _, p in dated if p not in keep]
    for path in deleted:
        path.unlink(missing_ok=True)
    return deleted


async def run_backup(settings: Settings, *, reason: str = "", report: Report | None = None
                     ) -> BackupResult:
    result = await create_backup(settings, reason=reason, report=report)
    result.deleted = apply_retention(settings.backups_path, settings.backup_keep_daily,
                                     settings.backup_keep_weekly)
    log.info("backup written", extra={
        "path": str(result.path), "bytes": result.size, "seconds": round(result.seconds, 3),
        "deleted": [p.name for p in result.deleted]})
    return result


def register_backup_jobs(registry: JobRegistry, settings: Settings) -> None:
    """BACKUP_SCHEDULE through the job queue: one backup per interval, whatever the workers."""

    async def handler(ctx: JobContext) -> dict[str, Any]:
        result = await run_backup(settings, reason=str(ctx.payload.get("reason", "")))
        return {"path": str(result.path), "bytes": result.size,
                "seconds": round(result.seconds, 3), "deleted": len(result.deleted)}

    registry.register(BACKUP_JOB, handler, max_attempts=3, timeout=6 * 3600)
    if (interval := _INTERVALS.get(settings.backup_schedule)) is not None:
        registry.every(BACKUP_JOB, interval)


async def backup_before_migrating(settings: Settings, pending: list[str],
                                  report: Report | None = None) -> BackupResult | None:
    """Production: before pending migrations change a database that holds data, take a backup
    (a failure stops the migration). Development and empty databases: nothing to keep."""
    if not (settings.is_production and pending):
        return None
    if not any((await dump.table_rows()).values()):
        return None
    say = report or (lambda _: None)
    say(f"taking a backup before {len(pending)} migration(s)")
    try:
        result = await run_backup(settings, reason="pre-migrate", report=report)
    except Exception as exc:
        raise BackupError(f"the backup before migrating failed ({type(exc).__name__}: {exc}); "
                          "nothing was migrated") from exc
    say(f"backup: {result.path} ({result.size} bytes, {result.seconds:.1f} s)")
    return result


# --------------------------------------------------------------------------- restore


def _open_archive(path: Path, settings: Settings, stack: contextlib.ExitStack) -> IO[bytes]:
    raw = stack.enter_context(path.open("rb"))
    encrypted = raw.read(len(MAGIC)) == MAGIC
    raw.seek(0)
    if not encrypted:
        return raw
    if not settings.backup_encryption_key:
        raise BackupError("this backup is encrypted: set BACKUP_ENCRYPTION_KEY to the key it "
                          "was made with")
    return io.BufferedReader(_DecryptingReader(raw, _key(settings.backup_encryption_key)),
                             CHUNK)


def _extract(archive: Path, settings: Settings, staging: Path) -> dict[str, Any]:
    """Unpack into `staging` (regular files only, no path escapes) and check every file
    against the manifest. Returns the manifest."""
    with contextlib.ExitStack() as stack:
        source = _open_archive(archive, settings, stack)
        try:
            tar = stack.enter_context(tarfile.open(fileobj=source, mode="r|gz"))
            for member in tar:
                name = PurePosixPath(member.name)
                if member.isdir():
                    continue
                if (not member.isfile() or name.is_absolute() or ".." in name.parts
                        or name.parts[0] not in ("manifest.json", "database", "documents",
                                                 "qdrant")):
                    raise BackupError(f"unexpected entry in the archive: {member.name}")
                target = staging.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                extracted = tar.extractfile(member)
                assert extracted is not None
                with target.open("wb") as out:
                    shutil.copyfileobj(extracted, out, CHUNK)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"{archive} is not a readable backup ({exc})") from exc
    manifest_path = staging / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(f"{archive} has no manifest.json: not a complete ai-service backup")
    manifest: dict[str, Any] = orjson.loads(manifest_path.read_bytes())
    if manifest.get("app") != "ai-service" or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not an ai-service backup of format {FORMAT}")
    listed = set(manifest.get("files", {}))
    present = {p.relative_to(staging).as_posix() for p in _tree(staging)} - {"manifest.json"}
    if present - listed:
        raise BackupError(f"files not in the manifest: {', '.join(sorted(present - listed))}")
    for name, expected in manifest["files"].items():
        path = staging / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the archive")
        sha256, size = _sha256_file(path)
        if sha256 != expected["sha256"] or size != expected["size"]:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


async def restore_backup(settings: Settings, archive: Path, *, jobs: JobQueue | None = None,
                         registry: JobRegistry | None = None, report: Report | None = None
                         ) -> RestoreResult:
    from ai_service.core.migrations import apply_migrations, known_migrations, migrate_to

    say = report or (lambda _: None)
    started = time.perf_counter()
    if not await asyncio.to_thread(archive.is_file):
        raise BackupError(f"{archive} does not exist")
    staging = settings.data_dir / f".restore-{os.getpid()}"

    def prepare() -> None:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700, parents=True)

    await asyncio.to_thread(prepare)
    try:
        manifest = await asyncio.to_thread(_extract, archive, settings, staging)
        say(f"verified {len(manifest['files'])} files against the manifest of "
            f"{manifest['created_at']} (ai-service {manifest['version']}, "
            f"{manifest['backend']}, schema {manifest['schema_revision']})")
        revision = manifest.get("schema_revision")
        known = await known_migrations()
        if revision and revision not in known:
            raise BackupError(
                f"the backup's schema {revision} is newer than this ai-service "
                f"({known[-1] if known else 'none'}): restore it with ai-service "
                f"{manifest['version']} or later")
        rows = {t: n for t, n in (await dump.table_rows()).items() if n}
        if rows:
            raise BackupError(
                "restore needs an empty instance, but the database holds data ("
                + ", ".join(f"{t}: {n}" for t, n in sorted(rows.items()))
                + "). Point DATABASE_URL/DATA_DIR at a new, empty database, or drop this one")
        if busy := await asyncio.to_thread(_occupied_folders, settings, staging):
            raise BackupError(f"restore needs an empty instance, but {busy} is not empty")
        migrated = await migrate_to(revision, report=say) if revision else []
        tables: dict[str, int] = {}
        database = staging / "database"
        for table, _, _ in dump.model_tables():
            path = database / f"{table}.jsonl"
            if path.is_file():
                tables[table] = await dump.load_table(path)
        await dump.reset_sequences()
        say(f"database: {sum(tables.values())} rows in {len(tables)} tables")
        migrated += await apply_migrations(report=say)
        files = await asyncio.to_thread(_move_files, settings, staging)
        reindex = None
        if manifest.get("vectors") != "included" and registry is not None and jobs is not None \
                and REINDEX in registry.kinds:
            reindex = (await jobs.enqueue(REINDEX, {"reason": "restore"})).id
            say(f"queued {REINDEX} (job {reindex}) to rebuild the vectors")
    finally:
        await asyncio.to_thread(shutil.rmtree, staging, ignore_errors=True)
    return RestoreResult(manifest, time.perf_counter() - started, tables, files, migrated,
                         reindex)


def _occupied_folders(settings: Settings, staging: Path) -> Path | None:
    for folder in ("documents", "qdrant"):
        path = settings.data_dir / folder
        if (staging / folder).is_dir() and path.is_dir() and any(path.iterdir()):
            return path
    return None


def _move_files(settings: Settings, staging: Path) -> int:
    files = 0
    for folder in ("documents", "qdrant"):
        if (staging / folder).is_dir():
            target = settings.data_dir / folder
            for path in _tree(staging / folder):
                destination = target / path.relative_to(staging / folder)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, destination)
                files += 1
    return files


def describe(manifest: dict[str, Any]) -> str:
    return (f"ai-service {manifest['version']}, {manifest['backend']}, schema "
            f"{manifest['schema_revision']}, {sum(manifest['tables'].values())} rows, "
            f"{len(manifest['files'])} files")
