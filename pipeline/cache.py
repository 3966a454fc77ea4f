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
    """What one stage did last time, by item: the digest of its inputs and an optional payload.

    The file is one JSON line for the salt, then one line per item:
    ``["key","inputs"]<TAB>payload-json``. Payloads stay unparsed text until
    asked for, so a run that reuses everything reads the file but decodes
    only the keys.
    """

    def __init__(self, path: Path, salt: str):
        self.path = path
        self.salt = salt
        self._entries: dict[str, tuple[str, str]] = {}  # key -> (inputs, payload JSON)
        self._stored = False  # the file holds this salt's entries
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
            if json.loads(lines[0]).get("salt") == salt:
                for line in lines[1:]:
                    if line:
                        head, _, payload = line.partition("\t")
                        key, inputs = json.loads(head)
                        self._entries[key] = (inputs, payload)
                self._stored = True
        except (FileNotFoundError, ValueError, TypeError, AttributeError, UnicodeDecodeError):
            self._entries, self._stored = {}, False  # an unreadable cache is an empty one
        self._touched: dict[str, tuple[str, str]] = {}
        self._decoded: dict[str, object] = {}
        self._changed = False

    def fresh(self, key: str, inputs: str) -> bool:
        """True when ``key`` was done last time with these inputs (and is kept for the next run)."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == inputs:
            self._touched[key] = entry
            return True
        return False

    def payload(self, key: str):
        """What the stage stored with ``key`` (None if nothing)."""
        if key not in self._decoded:
            entry = self._touched.get(key) or self._entries.get(key)
            self._decoded[key] = None if entry is None else json.loads(entry[1])
        return self._decoded[key]

    def has_payload(self, key: str) -> bool:
        """Whether something other than None is stored with ``key`` (without decoding it)."""
        entry = self._touched.get(key) or self._entries.get(key)
        return entry is not None and entry[1] != "null"

    def put(self, key: str, inputs: str, payload=None) -> None:
        """Record that ``key`` is done for these inputs."""
        entry = (inputs, json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
        if self._entries.get(key) != entry:
            self._changed = True
        self._touched[key] = entry
        self._decoded[key] = payload

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

    def text(self) -> str:
        """The cache file's new content (deterministic)."""
        lines = [json.dumps({"salt": self.salt})]
        for key in sorted(self._touched):
            inputs, payload = self._touched[key]
            lines.append(json.dumps([key, inputs], ensure_ascii=False) + "\t" + payload)
        return "\n".join(lines) + "\n"
