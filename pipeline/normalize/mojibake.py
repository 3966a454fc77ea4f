"""Repair mojibake with ftfy in text and attribute values, saying what was fixed."""

from __future__ import annotations

from collections.abc import Iterator

import ftfy
from lxml import etree

from pipeline.model import NormalizeStep

__all__ = ["FTFY_CONFIG", "fix_text", "fix_tree"]

#: ftfy's settings for page text. Typographic quotes are kept (a publisher chose
#: them); HTML entities are already decoded by the parser, so a literal "&amp;"
#: in the text must stay; full-width forms are left alone because CJK text uses
#: them on purpose.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    explain=True,
)


def fix_text(text: str) -> tuple[str, str]:
    """Return ``text`` with mojibake repaired and ftfy's explanation ("" when unchanged).

    ASCII text cannot be mojibake and is returned as is without calling ftfy,
    which keeps normalization fast on large pages.
    """
    if text.isascii():
        return text, ""
    fixed = ftfy.fix_and_explain(text, FTFY_CONFIG)
    if fixed.text == text:
        return text, ""
    explanation = ", ".join(f"{action} {argument}" for action, argument in fixed.explanation or ())
    return fixed.text, explanation


def _describe(text: str) -> str:
    snippet = " ".join(text.split())
    return snippet if len(snippet) <= 40 else snippet[:39] + "\N{HORIZONTAL ELLIPSIS}"


def _texts(tree: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        yield element, "text"
        yield element, "tail"
        for name in element.attrib:
            yield element, name


def fix_tree(tree: etree._Element) -> list[NormalizeStep]:
    """Repair mojibake in every text node and attribute value of ``tree``, in place.

    Returns one NormalizeStep per repaired string, naming the original text and
    ftfy's explanation (``"encode latin-1, decode utf-8"``).
    """
    steps = []
    for element, slot in _texts(tree):
        if slot in ("text", "tail"):
            original = getattr(element, slot)
        else:
            original = element.get(slot)
        if not original:
            continue
        fixed, explanation = fix_text(original)
        if not explanation:
            continue
        if slot in ("text", "tail"):
            setattr(element, slot, fixed)
        else:
            element.set(slot, fixed)
        steps.append(NormalizeStep("fix-mojibake", _describe(original), explanation))
    return steps
