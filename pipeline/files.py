"""Reading and writing files safely: atomic writes, write-if-changed, bounded reads."""

from __future__ import annotations

import ctypes
import fcntl
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import InputError

__all__ = ["write_if_changed", "write_atomic", "read_bounded", "stat_stamp", "MAX_SOURCE_BYTES", "project_lock",
           "LockHeld", "sync_filesystem"]

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            if isinstance(data, bytes):
                tmp.write(data)
            else:
                tmp.writelines(data)
            if durable:
                tmp.flush()
                os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
        if not durable:
            return
        # The rename itself must reach the disk too, or a crash could bring back the old file.
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def write_if_changed(path: Path, data: str | bytes, durable: bool = True) -> bool:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically unless the file already holds exactly it.

    Returns True when the file was written, False when it was left untouched
    (so its mtime is kept and ``make`` can skip work). ``durable``: see write_atomic.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data, durable)
    return True


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
