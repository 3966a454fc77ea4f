"""The records that flow between stages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["CleanDocument", "NormalizeStep", "Segment", "Severity", "Finding"]


@dataclass(frozen=True)
class NormalizeStep:
    """One thing normalization did, as ftfy's ``explain`` does: ``("drop", "nav#menu", "chrome")``."""

    action: str
    target: str
    reason: str = ""


@dataclass(frozen=True)
class CleanDocument:
    """One article after normalization: canonical HTML5 plus where each element came from.

    ``html`` is the canonical serialization (UTF-8 text, ends with a newline).
    ``source_lines`` gives, for each element of ``html`` in document order
    (``tree.iter()``), the line of the raw source page it came from (0 when the
    element was created by normalization).
    """

    doc_id: str
    source_path: str
    html: str
    source_lines: tuple[int, ...] = ()
    base_url: str = ""


@dataclass(frozen=True)
class Segment:
    """One translatable message found in a clean document.

    ``text`` is the msgid: plain text with inline markup as attribute-free
    placeholders (``<a>``, ``<a1>``). ``role`` says what kind of block it is
    ("paragraph", "list item", "image alternative text"), ``section`` names the
    heading it sits under, ``line`` is the line in the source page.
    """

    text: str
    role: str
    section: str | None
    line: int


class Severity(str, Enum):
    """How much a QA finding matters: errors fail CI, warnings are reported."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One QA result: which check, where, what was found and what was expected."""

    check: str
    severity: Severity
    locale: str
    file: str
    line: int
    msgid: str
    msgstr: str
    message: str
