"""Content-hash cache of each stage's work, so an unchanged document costs a hash, not a parse.

Each stage keeps ``build/cache/<stage>.jsonl``: for every item (a document, a
catalog) the digest of everything its output depends on, and whatever the
stage needs to reuse without redoing the work (QA findings, counts). The
salt (pipeline version, settings, glossary) is part of every digest, so a
changed setting or term base invalidates what it should.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.files import stat_stamp, write_atomic

__all__ = ["digest", "file_digest", "payload_json", "StageCache", "FileDigests", "ItemPacks"]


def digest(*parts: bytes | str) -> str:
    """SHA-256 over the parts (text as UTF-8), each length-prefixed so boundaries count."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def payload_json(payload) -> str:
    """A payload as a stage cache keeps it: compact JSON, keys sorted (so equal payloads are equal text)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes ("" when it does not exist)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


class FileDigests:
    """The SHA-256 of files' contents, remembered by their stat, as git's index does.

    A file whose stat stamp (files.stat_stamp) is what it was when it was
    hashed is not read again. Kept in ``build/cache/digests.json``, and what
    later runs learn is appended to ``digests.log`` beside it, one JSON line
    per file, until the log outgrows a quarter of the memo and both are
    written again as one (forgetting the files that are gone): rewriting the
    memo of forty thousand files for the three catalogs a run learnt took a
    quarter of a second. A stamp and its digest stay true together (the change
    time cannot be set back), so the order the lines are read in does not
    matter, nor does a line lost in a crash. A file changed less than
    ``SETTLE_SECONDS`` before it was hashed is not remembered, since a second
    write within the file system's timestamp resolution could leave its stat
    as it was.
    """

    SETTLE_SECONDS = 2
    #: The log is folded into the memo once it holds more lines than this, or than a quarter of the memo.
    LOG_LINES = 2_000

    def __init__(self, path: Path):
        self.path = path
        self.log_path = path.with_suffix(".log")
        try:
            self._known: dict[str, list] = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(self._known, dict):
                self._known = {}
        except (OSError, ValueError):
            self._known = {}
        self._log_lines = self._read_log()
        self._learnt: dict[str, list] = {}  # not yet saved

    def _read_log(self) -> int:
        """Add the log's entries to the memo; return how many lines it has (an unreadable line is
        skipped: a crash may cut the last one short)."""
        try:
            lines = self.log_path.read_bytes().splitlines()
        except OSError:
            return 0
        for line in lines:
            try:
                name, *known = json.loads(line)
            except (ValueError, TypeError):
                continue
            if isinstance(name, str) and len(known) == 5:
                self._known[name] = known
        return len(lines)

    def of(self, path: Path, read: Callable[[Path], bytes] = Path.read_bytes) -> str:
        """The SHA-256 (hex) of the file's bytes, "" when it does not exist; ``read`` reads it when
        its stat is not the remembered one (it may refuse, as a bounded read does)."""
        name = str(path)
        try:
            status = os.stat(name)
        except (FileNotFoundError, NotADirectoryError):
            return ""
        sha = self._remembered(name, status)
        if sha is not None:
            return sha
        sha = hashlib.sha256(read(path)).hexdigest()
        if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) > self.SETTLE_SECONDS * 1_000_000_000:
            self._known[name] = self._learnt[name] = [*stat_stamp(status), sha]
        return sha

    def moved(self, path: Path) -> bool:
        """Whether the file's stat is not the one its digest was remembered with (or none is remembered):
        it may have changed since. A stat, no read."""
        name = str(path)
        try:
            return self._remembered(name, os.stat(name)) is None
        except (FileNotFoundError, NotADirectoryError):
            return True

    def _remembered(self, name: str, status: os.stat_result) -> str | None:
        """The digest remembered for the file ``name`` if its stat is still the one it was hashed with."""
        known = self._known.get(name)
        return known[4] if known is not None and known[:4] == list(stat_stamp(status)) else None

    def save(self) -> None:
        """Keep what was learnt since the last save (a file of the pipeline's own, not one of the
        project's outputs): appended to the log, or, when the log would grow too long, the memo
        written again whole, without the files that are gone, and the log removed."""
        if not self._learnt:
            return
        if self._log_lines + len(self._learnt) <= max(self.LOG_LINES, len(self._known) // 4):
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log_path, "ab") as log:
                log.write(b"".join(json.dumps([name, *known], separators=(",", ":")).encode("utf-8") + b"\n"
                                   for name, known in self._learnt.items()))
            self._log_lines += len(self._learnt)
        else:
            self._known = {name: known for name, known in self._known.items() if os.path.exists(name)}
            # The memo holds the log's lines now; were the log kept by a crash, its lines stay true.
            write_atomic(self.path, (json.dumps(self._known, sort_keys=True, separators=(",", ":")) + "\n")
                         .encode("utf-8"), durable=False)
            self.log_path.unlink(missing_ok=True)
            self._log_lines = 0
        self._learnt = {}


class StageCache:
    """What one stage did last time, by item: the digest of its inputs and an optional payload.

    The file's first line is JSON: the salt and every item's ``[key, inputs]``;
    then one line per item holds its payload as JSON, in the same order. A run
    that reuses everything decodes the first line only; payloads are split out
    and decoded when asked for.
    """

    def __init__(self, path: Path, salt: str):
        self.path = path
        self.salt = salt
        # key -> (inputs, payload): the payload's JSON text, or its line number in the stored block
        self._entries: dict[str, tuple[str, str | int]] = {}
        self._stored = False  # the file holds this salt's entries
        # Stored payloads stay in the file's bytes: decoded one at a time when asked for, and written
        # back as they are, never copied (the build stage's cache is 87 MB for four thousand articles).
        self._data = b""
        self._line_starts: list[int] | None = None  # where each payload line starts, and the end
        try:
            data = path.read_bytes()
            end = data.find(b"\n")
            header = json.loads(data[:end])
            # One line per key after the header: a file cut short (caches are written without
            # fsync, and a crash may truncate one) is an empty cache, not a source of broken payloads.
            if header.get("salt") == salt and data.count(b"\n", end + 1) == len(header["keys"]):
                self._entries = {key: (inputs, number) for number, (key, inputs) in enumerate(header["keys"])}
                self._data, self._line_starts = data, [end + 1]
                self._stored = True
        except (FileNotFoundError, ValueError, TypeError, AttributeError, KeyError):
            self._entries, self._stored = {}, False  # an unreadable cache is an empty one
        self._touched: dict[str, tuple[str, str | int]] = {}
        self._changed = False

    @staticmethod
    def stored_salt(path: Path) -> str | None:
        """The salt of the cache kept at ``path`` (None when there is none); reads its first line only."""
        try:
            with open(path, "rb") as handle:
                return json.loads(handle.readline()).get("salt")
        except (OSError, ValueError, AttributeError):
            return None

    def _payload_view(self, stored: str | int) -> bytes | memoryview:
        """A stored payload (its line number in the file, or its text put this run) as UTF-8, without
        its line's newline: a view of the file's bytes, or the text encoded."""
        if isinstance(stored, str):
            return stored.encode("utf-8")
        starts = self._stored_line_starts()
        return memoryview(self._data)[starts[stored]:starts[stored + 1] - 1]

    def _stored_line_starts(self) -> list[int]:
        starts = self._line_starts
        if starts is not None and len(starts) == 1:  # found once, on the first payload asked for
            find, position = self._data.find, starts[0]
            for _ in range(len(self._entries)):
                position = find(b"\n", position) + 1
                starts.append(position)
        return starts

    def fresh(self, key: str, inputs: str) -> bool:
        """True when ``key`` was done last time with these inputs (and is kept for the next run)."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == inputs:
            self._touched[key] = entry
            return True
        return False

    def payload(self, key: str):
        """What the stage stored with ``key`` (None if nothing), decoded anew on each call (holding
        every decoded payload doubled the check stage's memory)."""
        return json.loads(bytes(self.payload_utf8(key)))

    def payload_utf8(self, key: str) -> bytes | memoryview:
        """What the stage stored with ``key``, as the compact, key-sorted JSON it is kept as (``null`` if
        nothing), in UTF-8: a view of the file's bytes where it was stored, for splicing payloads into a
        report without decoding or copying them."""
        entry = self._touched.get(key) or self._entries.get(key)
        return b"null" if entry is None else self._payload_view(entry[1])

    def has_payload(self, key: str) -> bool:
        """Whether something other than None is stored with ``key``."""
        return self.payload_utf8(key) != b"null"  # a view of another length compares unequal at once

    def stored_inputs(self, key: str) -> str | None:
        """The inputs ``key`` was stored with in the file (None if it was not), whatever this run put."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def keep(self, key: str) -> None:
        """Keep the stored entry of ``key``, if any, for the next run, as ``fresh`` would."""
        if key in self._entries:
            self._touched.setdefault(key, self._entries[key])

    def put(self, key: str, inputs: str, payload=None) -> None:
        """Record that ``key`` is done for these inputs."""
        self.put_json(key, inputs, payload_json(payload))

    def put_json(self, key: str, inputs: str, text: str) -> None:
        """``put`` of a payload already encoded by payload_json (in a worker, say)."""
        old = self._entries.get(key)
        if old is None or old[0] != inputs or bytes(self._payload_view(old[1])) != text.encode("utf-8"):
            self._changed = True
        self._touched[key] = (inputs, text)

    def touched_inputs(self) -> list[str]:
        """The input digests of every item visited this run."""
        return [f"{key}={inputs}" for key, (inputs, _) in self._touched.items()]

    def keep_untouched(self) -> None:
        """Keep entries this run did not visit (a run over some documents only)."""
        for key, entry in self._entries.items():
            self._touched.setdefault(key, entry)

    def unchanged(self) -> bool:
        """True when the file already holds exactly what ``text`` would write (so it need not be rendered)."""
        return self._stored and not self._changed and self._touched.keys() == self._entries.keys()

    def lines(self) -> Iterator[bytes | memoryview]:
        """The cache file's new content (deterministic), in pieces (the header line, then each payload and
        its newline; a stored payload is a view of the old file's bytes): written as it is made, the
        check stage's cache (hundreds of megabytes for thousands of articles) is never held twice."""
        keys = sorted(self._touched)
        header = json.dumps({"salt": self.salt, "keys": [[key, self._touched[key][0]] for key in keys]},
                            ensure_ascii=False)
        yield header.encode("utf-8") + b"\n"
        for key in keys:
            yield self._payload_view(self._touched[key][1])
            yield b"\n"


class ItemPacks:
    """Payloads a stage keeps per item beside its cache, for data a run needs for a few items only: in
    the stage cache it would be read and rewritten whole on every run (the check stage's records are
    tens of megabytes per thousand articles).

    Each process that puts payloads appends them to a pack file of its own
    (``<folder>/<name>.pack``): one file per worker and run, not one per
    item, because creating a file is what cost the most (hundreds of
    microseconds each, against tens for its bytes). Each payload in a pack
    follows a line with the salt, its key, its inputs and its length, so a
    payload of another version, of other inputs, or cut short reads as
    missing. ``<folder>/index.json`` says where each key's payload is: a
    worker's ``put`` returns the place, the parent ``adopt``s it, and
    ``save`` writes the index once the run is done. Packs are written
    without fsync and never changed once the index names them: a crash
    leaves the old index, whose packs are still whole, or loses a payload,
    which then reads as missing. With ``write`` false (check mode) payloads
    are held in memory for the run instead.
    """

    def __init__(self, folder: Path, salt: str, write: bool = True):
        self.folder, self.salt, self.write = folder, salt, write
        self._held: dict[str, tuple[str, bytes]] = {}
        self._index: dict[str, list] | None = None  # key: [pack name, offset, length]
        self._changed = False
        self._tidy: set[str] | None = None  # the keys keep_only kept (None: it was not called)
        self._pack: tuple[int, int, str] | None = None  # (pid, fd, name) of this process's pack
        self._readers: dict[str, int] = {}  # open packs by name, for reading

    def _places(self) -> dict[str, list]:
        if self._index is None:
            try:
                stored = json.loads((self.folder / "index.json").read_bytes())
                self._index = stored["items"] if isinstance(stored.get("items"), dict) else {}
            except (OSError, ValueError, TypeError, AttributeError):
                self._index = {}
        return self._index

    def stored(self, key: str) -> tuple[str, object] | None:
        """``(inputs, payload)`` as kept for ``key`` (None when nothing of this salt is)."""
        if key in self._held:
            inputs, data = self._held[key]
            return inputs, json.loads(data)
        place = self._places().get(key)
        if place is None:
            return None
        try:
            name, offset, length = place
            data = os.pread(self._reader(name), length, offset)
            end = data.find(b"\n")
            salt, stored_key, inputs, size = json.loads(data[:end])
            if salt != self.salt or stored_key != key or size != length - end - 1 or len(data) != length:
                return None
            return inputs, json.loads(data[end + 1:])
        except (OSError, ValueError, TypeError):
            return None

    def _reader(self, name: str) -> int:
        fd = self._readers.get(name)
        if fd is None:
            if "/" in name or name.startswith("."):
                raise ValueError(f"not a pack name: {name!r}")
            fd = self._readers[name] = os.open(self.folder / name, os.O_RDONLY)
        return fd

    def get(self, key: str, inputs: str):
        """The payload kept for ``key`` with these inputs (None if there is none)."""
        stored = self.stored(key)
        return stored[1] if stored is not None and stored[0] == inputs else None

    def put(self, key: str, inputs: str, payload) -> list | None:
        """Keep ``payload`` for ``key`` made from ``inputs``; return its place in this process's pack
        (None in check mode, where it is held in memory), for the parent process to ``adopt``."""
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if not self.write:
            self._held[key] = (inputs, data)
            return None
        header = json.dumps([self.salt, key, inputs, len(data)], ensure_ascii=False).encode("utf-8")
        place = self._append(header + b"\n" + data)
        self.adopt(key, place)
        return place

    def _append(self, entry: bytes) -> list:
        if self._pack is None or self._pack[0] != os.getpid():  # none yet, or the parent's (forked)
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix="records-", suffix=".pack", dir=self.folder)
            os.fchmod(fd, 0o644)
            self._pack = (os.getpid(), fd, Path(path).name)
        _, fd, name = self._pack
        offset = os.lseek(fd, 0, os.SEEK_END)
        view = memoryview(entry)
        while view:
            view = view[os.write(fd, view):]
        return [name, offset, len(entry)]

    def adopt(self, key: str, place: list) -> None:
        """Take ``place`` (what ``put`` returned, in a worker) as where ``key``'s payload is now."""
        places = self._places()
        if places.get(key) != place:
            places[key] = place
            self._changed = True

    def keep_only(self, keys: set[str]) -> None:
        """Forget every other key (items that are gone); ``save`` deletes what no key needs."""
        if self.write:
            self._tidy = set(keys)

    def save(self) -> None:
        """Write the index if it changed; after ``keep_only``, also copy the payloads of packs mostly
        superseded into this process's pack, and delete the files no key needs (packs, and the
        one-file-per-item records of earlier versions)."""
        if not self.write:
            return
        places = self._places()
        if self._tidy is not None:
            for key in [key for key in places if key not in self._tidy]:
                del places[key]
                self._changed = True
            self._repack(places)
        if self._changed:
            index = json.dumps({"items": dict(sorted(places.items()))}, ensure_ascii=False).encode("utf-8")
            write_atomic(self.folder / "index.json", index, durable=False)
            self._changed = False
        self.close()
        if self._tidy is not None:
            needed = {place[0] for place in places.values()} | {"index.json"}
            for top, folders, names in os.walk(self.folder, topdown=False):
                for name in names:
                    if top != str(self.folder) or name not in needed:
                        os.unlink(os.path.join(top, name))
                for name in folders:
                    os.rmdir(os.path.join(top, name))
            self._tidy = None

    def close(self) -> None:
        """Close the packs this process opened (a later call opens them again)."""
        if self._pack is not None and self._pack[0] == os.getpid():
            os.close(self._pack[1])
        self._pack = None
        for fd in self._readers.values():
            os.close(fd)
        self._readers.clear()

    def _repack(self, places: dict[str, list]) -> None:
        # A pack whose live payloads fill less than half of it (most of its items were put again since)
        # is copied, those payloads only, so the folder stays within twice what the items need.
        live: dict[str, int] = {}
        for name, _, length in places.values():
            live[name] = live.get(name, 0) + length
        own = self._pack[2] if self._pack is not None and self._pack[0] == os.getpid() else None
        for name, size in live.items():
            try:
                whole = os.stat(self.folder / name).st_size
            except OSError:
                continue
            if name == own or size * 2 >= whole:
                continue
            for key, place in sorted(places.items()):
                if place[0] == name:
                    try:
                        entry = os.pread(self._reader(name), place[2], place[1])
                    except OSError:
                        continue
                    self.adopt(key, self._append(entry))
