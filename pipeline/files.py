"""Reading and writing files safely: atomic writes, write-if-changed, bounded reads."""

from __future__ import annotations

import ctypes
import fcntl
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError

__all__ = ["write_if_changed", "write_atomic", "read_bounded", "stat_stamp", "MAX_SOURCE_BYTES", "project_lock",
           "LockHeld", "sync_filesystem", "PendingWrite", "write_pending", "commit_writes", "current_stamp", "holds",
           "discard_pending"]

#: Largest source page we accept. MedlinePlus pages are 30-60 KB; anything this
#: large is not an article and would only cost memory.
MAX_SOURCE_BYTES = 20 * 1024 * 1024


def stat_stamp(status: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file written since: size, modification and change times (ns), inode. A write
    always moves the change time, which no one can set back."""
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    """Write ``data`` (bytes, or chunks of them) to ``path`` so that readers see the old file or the
    new one, never a mix.

    Writes a temporary file in the same folder, fsyncs it (unless not ``durable``:
    a cache, which a crash may cost but never corrupt), then renames it over
    ``path``. Creates missing parent folders.
    """
    tmp_name = _write_temporary(path, data, durable)
    try:
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if durable:
        _sync_folder(path.parent)  # the rename itself must reach the disk too, or a crash could bring back the old file


def _write_temporary(path: Path, data: bytes | Iterable[bytes], durable: bool) -> str:
    """Write ``data`` to a new file (mode 0644) beside ``path``, creating missing folders, fsynced when
    ``durable``; return its name. Nothing is left behind when writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            os.fchmod(tmp.fileno(), 0o644)
            if isinstance(data, bytes):
                tmp.write(data)
            else:
                tmp.writelines(data)
            if durable:
                tmp.flush()
                os.fsync(tmp.fileno())
    except BaseException:
        os.unlink(tmp_name)
        raise
    return tmp_name


def _sync_folder(folder: Path | str) -> None:
    """fsync a folder, so that the renames in it are on disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_if_changed(path: Path, data: str | bytes, durable: bool = True) -> bool:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically unless the file already holds exactly it.

    Returns True when the file was written, False when it was left untouched
    (so its mtime is kept and ``make`` can skip work). ``durable``: see write_atomic.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if holds(path, data):
        return False
    write_atomic(path, data, durable)
    return True


def holds(path: Path, data: bytes) -> bool:
    """Whether the file ``path`` exists and holds exactly ``data``."""
    try:
        # A file of another size is not read: the build report of four thousand articles is 87 MB.
        return os.stat(path).st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        return False


def current_stamp(path: Path) -> tuple[int, int, int, int] | None:
    """The stat stamp (stat_stamp) of ``path``, None when there is no such file."""
    try:
        return stat_stamp(os.stat(path))
    except (FileNotFoundError, NotADirectoryError):
        return None


@dataclass(frozen=True)
class PendingWrite:
    """A file's new content, written beside it under a temporary name for commit_writes to move into place.

    ``expected`` is the stat stamp the file had when its new content was made
    from it (None: there was no file): commit_writes leaves a file that changed
    since as it is.
    """

    temporary: str
    path: str
    expected: tuple[int, int, int, int] | None


def write_pending(path: Path, data: bytes, expected: tuple[int, int, int, int] | None) -> PendingWrite:
    """Write ``data`` to a temporary file beside ``path``, not synced and not yet in place (see commit_writes).

    For a stage that writes many files its users edit (catalogs): one sync for
    all of them, where write_atomic syncs each (half a millisecond to a
    millisecond apiece here, a tenth of updating a catalog).
    """
    return PendingWrite(_write_temporary(path, data, durable=False), str(path), expected)


def discard_pending(folder: Path, suffix: str) -> None:
    """Delete the temporary files write_pending left under ``folder`` for files ending in ``suffix``
    (".po"): those of a run killed before its commit_writes. Only under the project's lock, which
    keeps any other run from writing."""
    for leftover in folder.rglob(f".*{suffix}.*.tmp"):
        leftover.unlink(missing_ok=True)


def commit_writes(pending: Iterable[PendingWrite]) -> list[str]:
    """Put pending writes in place as write_atomic would have, one after the other, at the cost of one
    sync per file system.

    First each file system they are on is synced, so every temporary file's data is on disk;
    then each is renamed over its file, and each folder is synced so that the
    renames are too. A crash at any moment leaves every file old or new, never
    empty or mixed. A file whose stat stamp is no longer the expected one (a
    translator saved it meanwhile) is left as it is, and its new content
    dropped: returns those files' paths.
    """
    pending = list(pending)
    if not pending:
        return []
    by_device: dict[int, str] = {}  # a folder of each file system the files are on (a folder may be a link)
    for folder in {os.path.dirname(write.path) for write in pending}:
        by_device.setdefault(os.stat(folder).st_dev, folder)
    for folder in by_device.values():
        sync_filesystem(Path(folder))
    changed_since, folders = [], set()
    for write in pending:
        if current_stamp(Path(write.path)) != write.expected:
            os.unlink(write.temporary)
            changed_since.append(write.path)
            continue
        os.replace(write.temporary, write.path)
        folders.add(os.path.dirname(write.path))
    for folder in sorted(folders):
        _sync_folder(folder)
    return changed_since


def _syncfs():
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # not Linux
        return None


_SYNCFS = _syncfs()


def sync_filesystem(path: Path) -> None:
    """Bring to disk everything written to the file system that holds ``path`` (or its nearest existing
    folder): one call where a file synced at each write costs one each (Linux syncfs; os.sync elsewhere).

    A stage writes its generated files without syncing them, then calls this before it saves the
    cache that says they are done: a crash before then leaves the old cache, which has them to do.
    """
    folder = path
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if _SYNCFS is None:
        os.sync()
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        if _SYNCFS(descriptor) != 0:
            os.sync()
    finally:
        os.close(descriptor)


def read_bounded(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """Return the bytes of ``path``, refusing files larger than ``limit`` with an InputError."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"file is {size} bytes, over the limit of {limit}", path)
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path) from exc


class LockHeld(Exception):
    """Another pipeline run holds the project's lock; ``str()`` says which process."""


@contextmanager
def project_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the duration; raise LockHeld at once if another process has it.

    The lock is an advisory ``flock``, released by the kernel when the holder
    exits, so a killed run never leaves a stale lock behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockHeld(f"another pipeline run ({holder}) is working on this project; "
                           f"wait for it to finish (lock: {path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
