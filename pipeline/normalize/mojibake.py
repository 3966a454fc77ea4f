"""Repair mojibake with ftfy in text and attribute values, saying what was fixed."""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import is_bad
from lxml import etree

from pipeline.model import NormalizeStep

__all__ = ["FTFY_CONFIG", "fix_text", "fix_tree", "looks_bad"]

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


def _characters_ftfy_acts_on() -> tuple[str, str]:
    """The characters FTFY_CONFIG's fixes can change or read as a clue, in two sets.

    First, those only the encoding fix reads: the upper halves of ftfy's
    single-byte encodings, since mojibake is text decoded with one of them.
    ftfy tries that fix only on text its ``is_bad`` finds suspicious. Second,
    those its other fixes replace whatever the text: C1 controls, ligatures,
    control characters, line breaks, surrogates and U+FFFD. Built from ftfy's
    own tables, so a new ftfy brings its own.
    """
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs)
    from ftfy.chardata import CHARMAP_ENCODINGS, CONTROL_CHARS, LIGATURES

    c1_controls = {chr(code) for code in range(0x80, 0xA0)}
    upper_halves = {char for encoding in CHARMAP_ENCODINGS
                    for char in bytes(range(0x80, 0x100)).decode(encoding, errors="ignore")}
    others = {chr(code) for code in (*CONTROL_CHARS, *LIGATURES)} | set("\r\x1b\u2028\u2029\ufffd") | c1_controls
    return "".join(sorted(upper_halves - others)), "".join(sorted(others))


def _character_class(characters: str, *ranges: str) -> re.Pattern:
    return re.compile("[" + "".join(re.escape(char) for char in characters) + "".join(ranges) + "]")


_ENCODING_CHARACTERS, _OTHER_CHARACTERS = _characters_ftfy_acts_on()
#: A character only the encoding fix reads (an accented letter, a symbol of a single-byte encoding).
_ENCODING_CLUE = _character_class(_ENCODING_CHARACTERS)
#: A character another fix replaces whatever the text around it (surrogates included).
_OTHER_FIX_CLUE = _character_class(_OTHER_CHARACTERS, "\ud800-\udfff")
#: What every match of ftfy's badness pattern (ftfy 6) holds: a C1 control, "Œ", "œ", "Â" or "Ã", or two
#: non-ASCII characters in a row. Text with single accented letters between ASCII ones ("está en el
#: hígado", most Spanish) holds none, and skips that pattern's many alternatives at every position.
#: Written as one class first (a non-ASCII character, then either test), which the regex engine scans
#: for at once: four times as fast as the alternation on the bench's Spanish.
_BADNESS_PREREQUISITE = re.compile("[^\x00-\x7f](?:(?<=[\x80-\x9f\u0152\u0153\u00c2\u00c3])|[^\x00-\x7f])")


def looks_bad(text: str) -> bool:
    """Whether ftfy's ``is_bad`` finds ``text`` suspicious (the same answer, asked only where it can be yes)."""
    return _BADNESS_PREREQUISITE.search(text) is not None and is_bad(text)


def _only_encoding_can_apply(text: str) -> bool:
    """Whether, of FTFY_CONFIG's fixes, only the encoding fix can change ``text``: it is NFC and holds
    no character the other fixes act on."""
    return unicodedata.is_normalized("NFC", text) and _OTHER_FIX_CLUE.search(text) is None


def fix_text(text: str) -> tuple[str, str]:
    """Return ``text`` with mojibake repaired and ftfy's explanation ("" when unchanged).

    ftfy is called only for text that can need it (see _characters_ftfy_acts_on):
    ASCII text, and Arabic or Chinese text, cannot be mojibake; nor can text
    whose only clues are accented letters ("Español") in which ftfy's own
    ``is_bad`` sees nothing wrong, since ftfy's encoding fix starts by asking
    it. That keeps normalizing pages and checking translations fast.
    """
    if text.isascii():
        return text, ""
    if _only_encoding_can_apply(text):
        if _ENCODING_CLUE.search(text) is None or not looks_bad(text):
            return text, ""
        # fix_and_explain runs the encoding fix, then the other fixes, then NFC, until nothing
        # changes. When the repaired text gives the other fixes nothing either, the encoding fix is
        # all it would do, and alone it costs a third (43 against 130 µs per string of the bench).
        fixed = ftfy.fix_encoding_and_explain(text, FTFY_CONFIG)
        if not _only_encoding_can_apply(fixed.text):
            fixed = ftfy.fix_and_explain(text, FTFY_CONFIG)
    else:
        fixed = ftfy.fix_and_explain(text, FTFY_CONFIG)
    if fixed.text == text:
        return text, ""
    explanation = ", ".join(f"{action} {argument}" for action, argument in fixed.explanation or ())
    return fixed.text, explanation


def _describe(text: str) -> str:
    snippet = " ".join(text.split())
    return snippet if len(snippet) <= 40 else snippet[:39] + "\N{HORIZONTAL ELLIPSIS}"


def fix_tree(tree: etree._Element) -> list[NormalizeStep]:
    """Repair mojibake in every text node and attribute value of ``tree``, in place.

    Returns one NormalizeStep per repaired string, naming the original text and
    ftfy's explanation (``"encode latin-1, decode utf-8"``).
    """
    steps = []

    def fixed(original: str) -> str | None:
        if original.isascii():  # most text: fix_text would return it at once, but the call costs
            return None
        repaired, explanation = fix_text(original)
        if not explanation:
            return None
        steps.append(NormalizeStep("fix-mojibake", _describe(original), explanation))
        return repaired

    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and (repaired := fixed(element.text)) is not None:
            element.text = repaired
        if element.tail and (repaired := fixed(element.tail)) is not None:
            element.tail = repaired
        for name, value in element.items():
            if value and (repaired := fixed(value)) is not None:
                element.set(name, repaired)
    return steps
