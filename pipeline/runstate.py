"""Whether anything changed since the last whole run: a signature of the project's files, as make uses.

The stage caches decide per document by content; that still reads and hashes
every input. Before ``all`` does even that, it compares a signature of every
file it reads or writes (path, size, modification and change times, inode;
the pipeline's own code included) with the one the last complete run left in
``build/cache/run.json``. Equal signatures mean no file was written since,
inputs and outputs alike (a write always moves the change time), so the run
would change nothing: its report is shown again instead. Any difference, even
an edit undone, runs the stages, which then skip what their caches allow.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.files import stat_stamp, write_if_changed

__all__ = ["LastRun", "tree_signature", "last_run", "remember_run"]

_PACKAGE = Path(__file__).parent
# What a run writes for itself, not for the project: caches, the benchmark's scratch, the lock.
_SKIPPED_FOLDERS = frozenset({"cache", "bench", "__pycache__"})


@dataclass(frozen=True)
class LastRun:
    """What the last complete run printed and returned."""

    output: str
    code: int


def _walk(folder: Path, hasher) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in _SKIPPED_FOLDERS:
                _walk(Path(entry.path), hasher)
            continue
        _add(hasher, entry.path, entry.stat(follow_symlinks=False))


def _add(hasher, path: str, status: os.stat_result) -> None:
    """Add one file to the signature: its path and its stat stamp."""
    hasher.update(f"{path}\0{stat_stamp(status)}\n".encode("utf-8", "surrogateescape"))


def tree_signature(paths: list[Path], extra: str = "") -> str:
    """A digest of the stat signature of every file under ``paths`` (and of the pipeline's code)."""
    hasher = hashlib.sha256(extra.encode("utf-8"))
    for path in [*paths, _PACKAGE]:
        if path.is_dir():
            _walk(path, hasher)
        elif path.exists():
            _add(hasher, str(path), path.stat())
        else:
            hasher.update(f"{path}\0missing\n".encode())
    return hasher.hexdigest()


def last_run(record: Path, signature: str) -> LastRun | None:
    """The last complete run, if it left the project with this signature (None otherwise)."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("signature") != signature:
        return None
    return LastRun(str(data.get("output", "")), int(data.get("code", 0)))


def remember_run(record: Path, signature: str, output: str, code: int) -> None:
    """Record a complete run: the project's signature after it, what it printed, its exit code."""
    write_if_changed(record, json.dumps({"signature": signature, "output": output, "code": code},
                                        ensure_ascii=False) + "\n")
