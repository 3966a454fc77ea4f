"""Whether anything changed since the last whole run: a signature of the project's files, as make uses.

The stage caches decide per document by content; that still reads and hashes
every input. Before ``all`` does even that, it compares a signature of every
file it reads or writes (path, size, modification and change times, inode;
the pipeline's own code included) with the one the last complete run left in
``build/cache/run.json``. Equal signatures mean no file was written since,
inputs and outputs alike (a write always moves the change time), so the run
would change nothing: its report is shown again instead. Any difference, even
an edit undone, runs the stages, which then skip what their caches allow.

The signature a run records is that of the listing it started from, brought up
to date for the files it wrote (a walk of the tree again only when it made new
ones): after one edit among four thousand articles, a second walk of their
42,000 files cost 0.2 s of a 2.5 s run. A file someone else changed during the
run keeps its old line, so the next run sees the change and does its work.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from pipeline.files import stat_stamp, write_if_changed

__all__ = ["LastRun", "TreeListing", "tree_listing", "tree_signature", "last_run", "remember_run"]

_PACKAGE = Path(__file__).parent
# What a run writes for itself, not for the project: caches, the benchmark's scratch, the lock.
_SKIPPED_FOLDERS = frozenset({"cache", "bench", "__pycache__"})
#: How a listed path that does not exist ends its line (after the path).
_MISSING = "\0missing\n"


@dataclass(frozen=True)
class LastRun:
    """What the last complete run printed and returned."""

    output: str
    code: int


def _walk(folder: str, lines: dict[str, str]) -> None:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=attrgetter("name"))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in _SKIPPED_FOLDERS:
                _walk(entry.path, lines)
            continue
        lines[entry.path] = _line(entry.path, entry.stat(follow_symlinks=False))


def _line(path: str, status: os.stat_result) -> str:
    """One file's line of the signature: its path and its stat stamp."""
    return f"{path}\0{stat_stamp(status)}\n"


@dataclass(frozen=True)
class TreeListing:
    """Every file under some folders (and some single files) with its stat line, in the order a walk
    meets them: what a signature digests. A run keeps the listing it started from and brings it up
    to date for the files it wrote (``after_writing``) rather than walk forty thousand files again."""

    roots: tuple[str, ...]  # the paths listed: folders, single files, and either that did not exist
    lines: dict[str, str]  # path -> its line; a root that does not exist -> its "missing" line
    extra: str = ""

    def signature(self) -> str:
        """The digest of the listing (and of ``extra``)."""
        hasher = hashlib.sha256(self.extra.encode("utf-8"))
        hasher.update("".join(self.lines.values()).encode("utf-8", "surrogateescape"))
        return hasher.hexdigest()

    def after_writing(self, written: Iterable[str]) -> TreeListing | None:
        """This listing with the files of ``written`` (paths as the walk writes them) stat'ed again,
        and those now gone left out; None when one of them is new to it and a walk would meet it
        (the listing cannot tell where it goes: walk again). Paths a walk skips are ignored."""
        lines = dict(self.lines)
        for path in written:
            if path in lines and not lines[path].endswith(_MISSING):
                try:
                    lines[path] = _line(path, os.stat(path, follow_symlinks=False))
                except FileNotFoundError:
                    del lines[path]
            elif self._walked(path) and os.path.lexists(path):
                return None
        return TreeListing(self.roots, lines, self.extra)

    def _walked(self, path: str) -> bool:
        """Whether a walk of this listing's roots would meet the file ``path``."""
        if path in self.lines:
            return True
        for root in self.roots:
            if path.startswith(root + os.sep):
                return not _SKIPPED_FOLDERS.intersection(path[len(root) + 1:].split(os.sep)[:-1])
        return False


def tree_listing(paths: list[Path], extra: str = "") -> TreeListing:
    """The listing of every file under ``paths`` (and of the pipeline's code)."""
    lines: dict[str, str] = {}
    roots = [*paths, _PACKAGE]
    for path in roots:
        if path.is_dir():
            _walk(str(path), lines)
        elif path.exists():
            lines[str(path)] = _line(str(path), path.stat())
        else:
            lines[str(path)] = f"{path}{_MISSING}"
    return TreeListing(tuple(map(str, roots)), lines, extra)


def tree_signature(paths: list[Path], extra: str = "") -> str:
    """A digest of the stat signature of every file under ``paths`` (and of the pipeline's code)."""
    return tree_listing(paths, extra).signature()


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
