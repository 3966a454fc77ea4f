"""Checks on the translated text itself: mojibake, untranslated copies, spacing, punctuation, brackets, length."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from pipeline.locales import base_language
from pipeline.model import Severity
from pipeline.normalize.mojibake import fix_text
from pipeline.qa.registry import EntryContext, check
from pipeline.qa.values import find_emails, find_phones, find_urls, mask

__all__ = ["mojibake", "unchanged", "whitespace", "punctuation", "brackets", "length"]

#: End-of-sentence marks by what they mean, whatever the script writes them
#: with: Arabic ؟ ، ؛ and the full-width CJK marks are the same punctuation.
END_PUNCTUATION = {
    ".": "full stop", "\u3002": "full stop", "\u06d4": "full stop", "\uff0e": "full stop",
    "?": "question mark", "\uff1f": "question mark", "\u061f": "question mark",
    "!": "exclamation mark", "\uff01": "exclamation mark",
    ":": "colon", "\uff1a": "colon",
    ";": "semicolon", "\uff1b": "semicolon", "\u061b": "semicolon",
    ",": "comma", "\uff0c": "comma", "\u060c": "comma", "\u3001": "comma",
    "\u2026": "ellipsis",
}

#: Bracket pairs, with their full-width forms counted as the same bracket.
BRACKETS = {"(": "()", ")": "()", "\uff08": "()", "\uff09": "()",
            "[": "[]", "]": "[]", "\uff3b": "[]", "\uff3d": "[]",
            "{": "{}", "}": "{}", "\uff5b": "{}", "\uff5d": "{}"}
_OPENING = frozenset("([{\uff08\uff3b\uff5b")

#: Quotation marks of every style; a translation may change the style, not the count.
QUOTES = frozenset('"\u201c\u201d\u201e\u00ab\u00bb\u300c\u300d')
_BRACKET_CHARACTER = re.compile("[" + "".join(re.escape(char) for char in BRACKETS) + "]")
_QUOTE_CHARACTER = re.compile("[" + "".join(re.escape(char) for char in QUOTES) + "]")
_BRACKET_OR_QUOTE = re.compile("[" + "".join(re.escape(char) for char in (*BRACKETS, *QUOTES)) + "]")

#: Expected length of a translation relative to its source, by how the target
#: language is written: CJK text is about a third as long in characters.
LENGTH_RATIO_BOUNDS = {"unsegmented": (0.12, 1.2), "default": (0.5, 2.5)}

# What may follow a text's end mark (tags, closing quotes and brackets, spaces), read backwards from
# the end of the reversed text: only the noise itself is tried, not every position of the text.
_TRAILING_NOISE_REVERSED = re.compile(r"(?:>[^<>]*<|[\s\"'\u201c\u201d\u00bb\u2019)\]\uff09\u300d])+")
_WORDS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=65536)  # a source text ends the same way in each locale's catalog
def _last_mark(text: str) -> str | None:
    noise = _TRAILING_NOISE_REVERSED.match(text[::-1])
    stripped = text[:len(text) - noise.end()] if noise else text
    return END_PUNCTUATION.get(stripped[-1:]) if stripped else None


@check(id="mojibake", severity=Severity.ERROR, description="the translation itself carries mojibake")
def mojibake(entry: EntryContext) -> Iterator[str]:
    """Checks that the translation has no mis-decoded text ("EspaÃ±ol" for "Español").

    Fires when ftfy can repair the translation, which happens when text was
    saved in one encoding and read in another. Re-enter the characters, and
    make sure your editor saves the file as UTF-8.
    """
    fixed, explanation = fix_text(entry.msgstr)
    if explanation:
        bad = next((word for word in entry.msgstr.split() if fix_text(word)[1]), entry.msgstr[:30])
        yield f"mojibake: '{bad}' should read '{fix_text(bad)[0]}' ({explanation})"


@check(id="unchanged", severity=Severity.WARNING, description="the translation is a copy of the source text")
def unchanged(entry: EntryContext) -> Iterator[str]:
    """Checks that real text was translated rather than copied.

    Fires when the translation equals the source and the source has words
    other than protected names, glossary terms that stay the same in this
    language ("melanoma"), acronyms, URLs and numbers. Copying is right for
    titles of English references; silence those with ``#, ignore-unchanged``.
    """
    if entry.msgstr != entry.msgid:
        return
    text = entry.source_text
    spans = [(s, e) for finder in (find_urls, find_emails) for _, s, e in finder(text)]
    for name, pattern in entry.terms.protected:
        if name in entry.source_names:
            spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    for match in entry.terms.source.find(text):
        concept, _ = match.key
        same = {t.text.casefold() for t in concept.approved(entry.locale)}
        if match.found.casefold() in same:
            spans.append((match.start, match.end))
    remaining = mask(text, spans)
    if any(not word.isupper() for word in _WORDS.findall(remaining)):
        yield "translation is identical to the source"


@check(id="whitespace", severity=Severity.WARNING,
       description="leading, trailing or doubled spaces differ from the source")
def whitespace(entry: EntryContext) -> Iterator[str]:
    """Checks spaces at the start and end, and doubled spaces, against the source.

    Fires when the translation starts or ends with whitespace the source does
    not have (or lacks whitespace the source has), and on doubled spaces the
    source does not have. A no-break space before a unit is fine.
    """
    def lead(text: str) -> str:
        return text[: len(text) - len(text.lstrip())]

    def trail(text: str) -> str:
        return text[len(text.rstrip()):]

    if bool(lead(entry.msgid)) != bool(lead(entry.msgstr)):
        yield "leading whitespace differs from the source"
    if bool(trail(entry.msgid)) != bool(trail(entry.msgstr)):
        yield "trailing whitespace differs from the source"
    if "  " in entry.msgstr and "  " not in entry.msgid:
        yield "doubled space"


@check(id="punctuation", severity=Severity.WARNING,
       description="end punctuation differs, or Spanish ¿ ¡ are unpaired")
def punctuation(entry: EntryContext) -> Iterator[str]:
    """Checks that the translation ends like the source and pairs Spanish inverted marks.

    End marks are compared by meaning, so Arabic "؟" and Chinese "。" answer
    "?" and ".". Closing quotes, brackets and tags at the end are ignored.
    Fires on a different or missing end mark, and, in Spanish, on a "?" or
    "!" without its opening "¿" or "¡" (or the reverse).
    """
    source_mark, target_mark = _last_mark(entry.msgid), _last_mark(entry.msgstr)
    if source_mark != target_mark:
        expected = source_mark or "no punctuation"
        found = target_mark or "no punctuation"
        yield f"ends with {found}; the source ends with {expected}"
    if base_language(entry.locale) == "es":
        for opening, closing in (("\u00bf", "?"), ("\u00a1", "!")):
            if entry.msgstr.count(opening) != entry.msgstr.count(closing):
                yield f"unpaired {opening} {closing}: {entry.msgstr.count(opening)} {opening}, " \
                      f"{entry.msgstr.count(closing)} {closing}"


@check(id="brackets", severity=Severity.WARNING,
       description="brackets or quotation marks are unbalanced or differ in number from the source")
def brackets(entry: EntryContext) -> Iterator[str]:
    """Checks brackets and quotation marks: balanced, and as many as in the source.

    Full-width brackets count as brackets; quotation marks may change style
    (“ ” « » "), not number; the brackets of a phone number "(301) 594-5983"
    are the phone number's. Fires on an unclosed bracket or a different count.
    """
    def count(text: str) -> tuple[Counter, Counter, int]:
        opened, closed = Counter(), Counter()
        for char in _BRACKET_CHARACTER.findall(text):  # a regex finds the few, not a loop over every character
            (opened if char in _OPENING else closed)[BRACKETS[char]] += 1
        return opened, closed, len(_QUOTE_CHARACTER.findall(text))

    def without_phones(text: str) -> str:  # "(301) 594-5983" holds brackets of its own
        return mask(text, [(s, e) for _, s, e in find_phones(text)])

    if not _BRACKET_OR_QUOTE.search(entry.msgid) and not _BRACKET_OR_QUOTE.search(entry.msgstr):
        return  # nothing to count on either side
    source_open, _, source_quotes = count(without_phones(entry.msgid))
    target_open, target_close, target_quotes = count(without_phones(entry.msgstr))
    for pair in sorted(set(target_open) | set(target_close) | set(source_open)):
        if target_open[pair] != target_close[pair]:
            yield f"unbalanced {pair}: {target_open[pair]} opening, {target_close[pair]} closing"
        elif target_open[pair] != source_open[pair]:
            yield f"{pair}: {target_open[pair]} pair(s), the source has {source_open[pair]}"
    if target_quotes != source_quotes:
        yield f"{target_quotes} quotation mark(s), the source has {source_quotes}"


@check(id="length", severity=Severity.WARNING,
       description="the translation is suspiciously short or long (a likely omission)")
def length(entry: EntryContext) -> Iterator[str]:
    """Checks that the translation's length is plausible for the source's.

    Only sources of 20 characters or more are checked. Fires when the
    translation is under half or over two and a half times the source's
    length (for Chinese and Japanese, which need fewer characters: under 12%
    or over 120%). A short translation usually means a sentence was left out.
    """
    source, target = entry.source_text, entry.target_text
    if len(source) < 20:
        return
    script = "unsegmented" if base_language(entry.locale) in ("zh", "ja") else "default"
    low, high = LENGTH_RATIO_BOUNDS[script]
    ratio = len(target) / len(source)
    if ratio < low:
        yield f"translation is {ratio:.0%} of the source's length; something may be missing"
    elif ratio > high:
        yield f"translation is {ratio:.0%} of the source's length"
