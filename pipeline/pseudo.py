"""Pseudo-localization: fake translations that show layout problems before real translators start.

``en_XA`` accents every letter, makes each message 30-40% longer and brackets
it, so untranslated strings (no brackets), clipped text (a missing bracket)
and hard-coded words stand out. ``ar_XB`` wraps the English text in
right-to-left override marks, so a page shows how it behaves in a
right-to-left language. Placeholders, URLs, e-mail addresses and numbers are
kept as they are, so the pages still assemble and the QA checks still pass.
"""

from __future__ import annotations

import re

import polib

from pipeline.catalogs import update_catalog

__all__ = ["PSEUDO", "pseudo_text", "pseudo_catalog"]

#: The pseudo-locales this module writes.
PSEUDO = ("en_XA", "ar_XB")

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
_KEEP = re.compile(r"<(/?)[A-Za-z][A-Za-z0-9]*(/?)>|&lt;|&amp;|(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PADDING = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
_RLO, _PDF = "\u202e", "\u202c"


def _transform(text: str, change) -> str:
    parts, position = [], 0
    for match in _KEEP.finditer(text):
        parts.append(change(text[position:match.start()]))
        parts.append(match.group())
        position = match.end()
    parts.append(change(text[position:]))
    return "".join(parts)


#: How much longer an en_XA message is than its source: translations into
#: German or Finnish often run 30-40% longer than English.
EXPANSION = 0.35


def _padding(length: int) -> str:
    """Filler that, with the two brackets and a space, makes a message of ``length`` 35% longer."""
    wanted = round(length * EXPANSION) - 3
    return " ".join(_PADDING * (wanted // 3 + 1))[:wanted].rstrip() if wanted > 0 else ""


def pseudo_text(msgid: str, locale: str) -> str:
    """Return the pseudo-translation of one message in ``en_XA`` or ``ar_XB``."""
    if locale == "en_XA":
        accented = _transform(msgid, lambda run: run.translate(_ACCENTED))
        padding = _padding(len(msgid)).translate(_ACCENTED)
        return f"[{accented} {padding}]" if padding else f"[{accented}]"
    if locale == "ar_XB":
        return _transform(msgid, lambda run: f"{_RLO}{run}{_PDF}" if run.strip() else run)
    raise ValueError(f"not a pseudo-locale: {locale}")


def pseudo_catalog(template: polib.POFile, locale: str) -> polib.POFile:
    """Return a complete catalog for a pseudo-locale: every message of ``template`` pseudo-translated."""
    catalog, _ = update_catalog(template, None, locale)
    for entry in catalog:
        if entry.msgid and not entry.obsolete:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: pseudo_text(entry.msgid, locale), 1: pseudo_text(entry.msgid_plural, locale)}
            else:
                entry.msgstr = pseudo_text(entry.msgid, locale)
    return catalog
