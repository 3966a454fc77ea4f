"""Markup check: a translation uses exactly its source's placeholders, and no markup of its own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from pipeline.model import Severity
from pipeline.placeholders import TAG_TOKEN, MarkupError, Placeholder, parse_text
from pipeline.qa.registry import EntryContext, check

__all__ = ["markup", "source_placeholders"]

# Anything a browser would read as a tag or a character reference. Our
# placeholders are the only tags a msgstr may hold; the rest would be shown
# to readers as literal text, or is an attempt at injection.
_TAG_LIKE = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>")
_CHARACTER_REFERENCE = re.compile(r"&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_OUR_ESCAPES = frozenset({"&lt;", "&amp;"})


@lru_cache(maxsize=65536)  # read again for each locale's translation of one source text
def source_placeholders(msgid: str) -> tuple[Placeholder, ...]:
    """The placeholders of a source text, read from its tags (``<a1>``…``</a1>``, ``<img/>``)."""
    found = {}
    for match in TAG_TOKEN.finditer(msgid):
        slash, name, self_closing = match.groups()
        if not slash:
            found.setdefault(name, Placeholder(name, None, bool(self_closing)))
    return tuple(found.values())


@check(id="markup", severity=Severity.ERROR,
       description="inline tags differ from the source's, or the translation adds markup")
def markup(entry: EntryContext) -> Iterator[str]:
    """Checks that the translation has the source's inline tags, each once, properly nested.

    Tags may be moved and nested differently. Fires when one is missing,
    repeated, renamed, left open or closed in the wrong order, and when the
    translation holds anything else that looks like HTML (``<b>`` where the
    source has none, ``<img src=…>``, ``&nbsp;``). A translation whose tags do
    not match is not published. Write ``&lt;`` for a literal "<" before a letter.
    """
    placeholders = source_placeholders(entry.msgid)
    if not placeholders and "<" not in entry.msgstr and "&" not in entry.msgstr:
        return  # no tag to match, none to find, no reference: most entries
    try:
        parse_text(entry.msgstr, placeholders)
    except MarkupError as exc:
        yield str(exc)
    for match in _TAG_LIKE.finditer(entry.msgstr):
        if not TAG_TOKEN.fullmatch(match.group()):
            yield f"markup not in the source: {match.group()}"
    for match in _CHARACTER_REFERENCE.finditer(entry.msgstr):
        if match.group() not in _OUR_ESCAPES and match.group() not in entry.msgid:
            yield f"character reference {match.group()} is not in the source; write the character itself"
