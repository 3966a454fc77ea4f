"""Content-hash cache of each stage's work, so an unchanged document costs a hash, not a parse.

Each stage keeps ``build/cache/<stage>.json``: for every item (a document, a
catalog) the digest of everything its output depends on, and whatever the
stage needs to reuse without redoing the work (QA findings, counts). The
salt (pipeline version, settings, glossary) is part of every digest, so a
changed setting or term base invalidates what it should.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

__all__ = ["digest", "file_digest", "StageCache"]


def digest(*parts: bytes | str) -> str:
    """SHA-256 over the parts (text as UTF-8), each length-prefixed so boundaries count."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes ("" when it does not exist)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


class StageCache:
    """What one stage did last time, by item: the digest of its inputs and an optional payload."""

    def __init__(self, path: Path, salt: str):
        self.path = path
        self.salt = salt
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            data = {}
        self._entries: dict = data.get("entries", {}) if data.get("salt") == salt else {}
        self._touched: dict = {}

    def fresh(self, key: str, inputs: str) -> bool:
        """True when ``key`` was done last time with these inputs (and is kept for the next run)."""
        entry = self._entries.get(key)
        if entry is not None and entry.get("inputs") == inputs:
            self._touched[key] = entry
            return True
        return False

    def payload(self, key: str):
        """What the stage stored with ``key`` (None if nothing)."""
        entry = self._touched.get(key) or self._entries.get(key)
        return None if entry is None else entry.get("payload")

    def put(self, key: str, inputs: str, payload=None) -> None:
        """Record that ``key`` is done for these inputs."""
        self._touched[key] = {"inputs": inputs, "payload": payload}

    def touched_inputs(self) -> list[str]:
        """The input digests of every item visited this run."""
        return [f"{key}={entry['inputs']}" for key, entry in self._touched.items()]

    def keep_untouched(self) -> None:
        """Keep entries this run did not visit (a run over some documents only)."""
        for key, entry in self._entries.items():
            self._touched.setdefault(key, entry)

    def text(self) -> str:
        """The cache file's new content (deterministic)."""
        return json.dumps({"salt": self.salt, "entries": self._touched}, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")) + "\n"
