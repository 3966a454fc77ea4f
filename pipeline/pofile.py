"""Write gettext catalogs in GNU gettext's own layout, so ``msgcat`` and PO editors change nothing.

polib and Babel wrap long strings with Python's textwrap, which breaks lines
where GNU does not (it follows Unicode line breaking and counts CJK
characters as two columns), so every long entry would change the first time
a translator's tool saved the file. This writer keeps polib's data model and
lays entries out as GNU ``write-po.c`` does: a 79-column page, strings split
after each ``\n``, an empty first line when a string does not fit,
references wrapped, comments never wrapped.

Line breaking is GNU's own: the break opportunities come from libunistring's
``ulc_width_linebreaks_v2``, the function GNU gettext calls, loaded in
process. Where libunistring is not installed, unicode-segmentation-rs's
``gettext_wrap`` (Translate Toolkit's and Weblate's choice) stands in; it
agrees with GNU except around some punctuation (after "." before a letter).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
from collections.abc import Sequence
from functools import cache, lru_cache

import polib
from unicode_segmentation_rs import gettext_wrap, text_width

__all__ = ["PAGE_WIDTH", "format_catalog", "format_entry", "parse_catalog", "read_fast", "read_translations_fast",
           "publishable_translations", "new_entry", "GNU_LINE_BREAKING"]

#: GNU gettext's default page width.
PAGE_WIDTH = 79

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b",
            "\f": "\\f", "\v": "\\v"}
_TO_ESCAPE = re.compile(r'[\\"\n\t\r\a\b\f\v]')
_PORTIONS = re.compile(r"[^\n]*\n|[^\n]+")
_ESCAPE_SEQUENCE = re.compile(rb"\\.")

# libunistring's break values (unilbrk.h).
_BREAK_UNDEFINED, _BREAK_PROHIBITED, _BREAK_POSSIBLE = 0, 1, 2


@cache
def _libunistring():
    name = ctypes.util.find_library("unistring")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
        function = library.ulc_width_linebreaks_v2
    except (OSError, AttributeError):
        return None
    # int ulc_width_linebreaks_v2(const char *s, size_t n, int width, int start_column, int at_end_columns,
    #                             const char *o, const char *encoding, char *p). No argtypes: checking
    # them cost a third of a call; _breaks passes exactly these types (n as c_size_t).
    function.restype = ctypes.c_int
    return function


#: Whether line breaks come from GNU's libunistring (True) or the stand-in (False).
GNU_LINE_BREAKING = _libunistring() is not None


def _escape(text: str) -> str:
    return _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def _escaped_bytes(portion: str) -> tuple[bytes, bytes | None]:
    """The escaped portion as UTF-8, and write-po.c's overrides: no break inside an escape sequence
    (after its backslash), nor before the ``\\n`` that ends a portion; None when there is no escape
    sequence to protect."""
    if portion.isprintable() and '"' not in portion and "\\" not in portion:
        return portion.encode("utf-8"), None  # nothing to escape (isprintable is False on \n, \t...)
    data = _escape(portion).encode("utf-8")
    if b"\\" not in data:
        return data, None  # libunistring reads no overrides from a null pointer
    overrides = bytearray(len(data))
    # After escaping, every backslash starts an escape sequence (a literal one became "\\\\"),
    # and no byte of a multibyte UTF-8 character is a backslash. As in write-po.c, a line may
    # break before the backslash (libunistring decides) but never after it: Unicode allows a
    # break inside "\\\\", which would leave a string ending in an escaped quote.
    for match in _ESCAPE_SEQUENCE.finditer(data):
        overrides[match.start() + 1] = _BREAK_PROHIBITED
    if portion.endswith("\n"):
        overrides[-2] = _BREAK_PROHIBITED
    return data, bytes(overrides)


def _breaks(data: bytes, overrides: bytes | None, width: int, start_column: int) -> bytes:
    if start_column + len(data) < width:
        # No character is wider in columns than in UTF-8 bytes, so this fits and
        # libunistring would break nowhere; most strings of a catalog are short.
        return bytes(len(data))
    result = _break_buffer(len(data))
    _libunistring()(data, ctypes.c_size_t(len(data)), width, start_column, 0, overrides, b"UTF-8", result)
    return ctypes.string_at(result, len(data))


_BUFFER: list = []


def _break_buffer(size: int):
    """A reused output buffer for libunistring (allocating one per string cost more than the breaking)."""
    if not _BUFFER or len(_BUFFER[0]) < size:
        _BUFFER[:] = [ctypes.create_string_buffer(max(size, 4096))]
    return _BUFFER[0]


def _wrapped(data: bytes, breaks: bytes, separator: bytes) -> str:
    """``data`` with ``separator`` at each possible break of ``breaks`` (none before its first byte),
    decoded: a string's continuation lines as one text, decoded once rather than piece by piece."""
    pieces, start = [], 0
    index = breaks.find(_BREAK_POSSIBLE, 1)
    while index != -1:
        pieces.append(data[start:index])
        start = index
        index = breaks.find(_BREAK_POSSIBLE, index + 1)
    if not pieces:
        return data.decode("utf-8")
    pieces.append(data[start:])
    return separator.join(pieces).decode("utf-8")


def _string(keyword: str, value: str, prefix: str = "", wrap: bool = True) -> Sequence[str]:
    """The lines of one keyword and its string (``msgid "..."``), wrapped as GNU's write-po.c does
    (split only after ``\n`` when the entry is flagged ``no-wrap``), as format_entry's items."""
    if len(value) < 40:  # short translations are many and varied; the memo is for the long ones
        return _string_lines(keyword, value, prefix, wrap)
    return _remembered_string(keyword, value, prefix, wrap)


@lru_cache(maxsize=32768)
def _remembered_string(keyword: str, value: str, prefix: str, wrap: bool) -> tuple[str, ...]:
    # Translations recur: a shared sentence is translated alike in many documents' catalogs.
    return tuple(_string_lines(keyword, value, prefix, wrap))


@lru_cache(maxsize=32768)
def _source_string(keyword: str, value: str, prefix: str, wrap: bool) -> tuple[str, ...]:
    """The lines of a template's string (msgctxt, msgid, msgid_plural), remembered apart from the
    translations: each is written into every locale's catalog of its document, short or long, and
    shared sentences into many documents' catalogs."""
    return tuple(_string_lines(keyword, value, prefix, wrap))


def _string_lines(keyword: str, value: str, prefix: str, wrap: bool) -> list[str]:
    if not value:
        return [f'{prefix}{keyword} ""']
    if not GNU_LINE_BREAKING:
        return _string_without_libunistring(keyword, value, prefix)
    portions = _PORTIONS.findall(value) if "\n" in value else [value]
    if len(portions) == 1 and len(prefix) + len(keyword) + 2 + len(value) < PAGE_WIDTH - 1:
        # Most strings fit after their keyword and its quotes even counted in UTF-8 bytes, as
        # _breaks counts them (no character takes more columns than bytes): one line, no breaks to
        # look for. The same condition as the loop's below, tested before any break buffer is made.
        data, _ = _escaped_bytes(value)
        if len(prefix) + len(keyword) + 2 + len(data) < PAGE_WIDTH - 1:
            return [f'{prefix}{keyword} "{data.decode("utf-8")}"']
    lines: list[str] = []
    first = True
    after_break = len(prefix) + 1          # where a continuation line's text starts: after prefix and quote
    width = (PAGE_WIDTH if wrap else 2 ** 31 - 1) - 1 - after_break   # room for the closing quote
    separator = f'"\n{prefix}"'.encode()
    for number, portion in enumerate(portions):
        data, overrides = _escaped_bytes(portion)
        start = len(prefix) + (len(keyword) + 1 if first else 0) + 1 - after_break
        # Laid out from column 0, as every portion is but a first one that fits after its keyword.
        breaks = _breaks(data, overrides, width, 0)
        if first and (number < len(portions) - 1 or start > width or _BREAK_POSSIBLE in breaks
                      or _BREAK_POSSIBLE in _breaks(data, overrides, width, start)):
            # GNU starts the string on a line of its own when it does not fit after the keyword. A
            # later start breaks no later, so breaks from column 0 mean breaks after the keyword too,
            # and no breaks from column 0 are what the line after the keyword holds when it fits.
            lines.append(f'{prefix}{keyword} ""')
            first = False
        head = f'{prefix}{keyword} "' if first else f'{prefix}"'
        # One item for all the portion's lines (format_catalog joins items with newlines alike).
        lines.append(f'{head}{_wrapped(data, breaks, separator)}"')
        first = False
    return lines


def _string_without_libunistring(keyword: str, value: str, prefix: str) -> list[str]:
    portions = [_escape(p) for p in _PORTIONS.findall(value)]
    head = f"{prefix}{keyword} "
    if len(portions) == 1 and text_width(head) + text_width(portions[0]) + 2 <= PAGE_WIDTH:
        return [f'{head}"{portions[0]}"']
    lines = [f'{head}""']
    width = PAGE_WIDTH - text_width(prefix) - 2
    for portion in portions:
        lines.extend(f'{prefix}"{piece}"' for piece in gettext_wrap(portion, width))
    return lines


def _comments(marker: str, text: str) -> list[str]:
    if not text:
        return []
    if "\n\n" not in text and text[0] != "\n" and text[-1] != "\n":  # no empty line: "#." alone
        return [f"{marker} " + text.replace("\n", f"\n{marker} ")]  # one item for all lines, as format_catalog joins them
    return [f"{marker} {line}" if line else marker for line in text.split("\n")]


@lru_cache(maxsize=16384)
def _references(occurrences: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The ``#:`` lines of an entry's references, remembered: every locale's catalog of a document
    holds its template's."""
    lines, line = [], "#:"
    for path, number in dict.fromkeys(occurrences):  # GNU lists a reference once
        reference = f"{path}:{number}" if number else path
        if len(line) > 2 and text_width(line) + 1 + text_width(reference) > PAGE_WIDTH:
            lines.append(line)
            line = "#:"
        line += " " + reference
    if len(line) > 2:
        lines.append(line)
    return tuple(lines)


def _flags(entry: polib.POEntry) -> list[str]:
    # GNU writes "fuzzy" only on a message that has a translation: on an
    # empty one it means nothing, and msgcat drops it.
    first = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
    fuzzy = ["fuzzy"] if "fuzzy" in entry.flags and first else []
    others = [flag for flag in entry.flags if flag != "fuzzy"]
    # GNU's order: fuzzy, then format flags, then range, then wrap; others last (GNU drops those).
    rank = lambda flag: (0 if flag.endswith("-format") else 1 if flag.startswith("range:")
                         else 2 if flag in ("wrap", "no-wrap") else 3)
    ordered = fuzzy + sorted(others, key=rank)
    return ["#, " + ", ".join(dict.fromkeys(ordered))] if ordered else []


def format_entry(entry: polib.POEntry) -> list[str]:
    """The text of one entry (no trailing blank line) as items to join with newlines: an item may hold
    several lines (a long string's continuation lines, a comment's lines), never a trailing newline."""
    prefix = "#~ " if entry.obsolete else ""
    lines = _comments("#", entry.tcomment) if entry.tcomment else []
    if entry.comment:
        lines += _comments("#.", entry.comment)
    if entry.occurrences and not entry.obsolete:
        lines += _references(tuple(entry.occurrences))
    if entry.flags:
        lines += _flags(entry)
    previous = "#~| " if entry.obsolete else "#| "
    if entry.previous_msgctxt is not None:
        lines += _string("msgctxt", entry.previous_msgctxt, previous)
    if entry.previous_msgid is not None:
        lines += _string("msgid", entry.previous_msgid, previous)
    if entry.previous_msgid_plural is not None:
        lines += _string("msgid_plural", entry.previous_msgid_plural, previous)
    wrap = "no-wrap" not in entry.flags
    if entry.msgctxt is not None:
        lines += _source_string("msgctxt", entry.msgctxt, prefix, wrap)
    lines += _source_string("msgid", entry.msgid, prefix, wrap)
    if entry.msgid_plural:
        lines += _source_string("msgid_plural", entry.msgid_plural, prefix, wrap)
        for index in sorted(entry.msgstr_plural):
            lines += _string(f"msgstr[{index}]", entry.msgstr_plural[index], prefix, wrap)
    else:
        lines += _string("msgstr", entry.msgstr, prefix, wrap)
    return lines


def format_catalog(catalog: polib.POFile) -> str:
    """The whole catalog as GNU gettext would write it: header entry, active entries, then obsolete ones."""
    lines = _comments("#", catalog.header)  # the header entry first
    if catalog.metadata_is_fuzzy:
        lines.append("#, fuzzy")
    metadata = "".join(f"{name}: {value}\n" for name, value in catalog.metadata.items())
    lines += _string("msgid", "")
    lines += _string("msgstr", metadata)
    for entry in catalog:
        if not entry.obsolete and entry.msgid != "":
            lines.append("")  # the blank line between entries
            lines += format_entry(entry)
    for entry in catalog:
        # GNU keeps an obsolete entry only for its translation; without one it is dropped.
        if entry.obsolete and (any(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr):
            lines.append("")
            lines += format_entry(entry)
    lines.append("")
    return "\n".join(lines)


# Reading. polib's parser is a generic state machine that costs about 8 ms
# per catalog of the benchmark corpus (reading dominated update and check);
# this one follows the same grammar and builds the same polib objects (entry
# line numbers, header metadata, flags, previous strings, obsolete entries)
# in about a fifth of the time. tests/test_catalog_fidelity.py compares the two.

_KEYWORDS = {"msgctxt": "ct", "msgid": "mi", "msgstr": "ms", "msgid_plural": "mp"}
_PREVIOUS_KEYWORDS = {"msgid_plural": "pp", "msgid": "pm", "msgctxt": "pc"}
_UNESCAPE = re.compile(r'\\(\\|n|t|r|v|b|f|")')
_UNESCAPED = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "b": "\b", "f": "\f", "\\": "\\", '"': '"'}
_UNESCAPED_QUOTE = re.compile(r'([^\\]|^)"')
_STATES = ("st", "he", "gc", "oc", "fl", "ct", "pc", "pm", "pp", "tc", "ms", "mp", "mx", "mi")
# (symbol of a line, state) -> next state; a pair not listed is a syntax error (polib's table).
_TRANSITIONS = {
    **{("tc", state): "he" for state in ("st", "he")},
    **{("tc", state): "tc" for state in ("gc", "oc", "fl", "tc", "pc", "pm", "pp", "ms", "mp", "mx", "mi")},
    **{(symbol, state): symbol for symbol in ("gc", "oc", "fl", "pc", "pm", "pp") for state in _STATES},
    **{("ct", state): "ct" for state in ("st", "he", "gc", "oc", "fl", "tc", "pc", "pm", "pp", "ms", "mx")},
    **{("mi", state): "mi" for state in ("st", "he", "gc", "oc", "fl", "ct", "tc", "pc", "pm", "pp", "ms", "mx")},
    **{("mp", state): "mp" for state in ("tc", "gc", "pc", "pm", "pp", "mi")},
    **{("ms", state): "ms" for state in ("mi", "mp", "tc")},
    **{("mx", state): "mx" for state in ("mi", "mx", "mp", "tc")},
    **{("mc", state): state for state in ("ct", "mi", "mp", "ms", "mx", "pm", "pp", "pc")},
}
# The entry attribute a keyword line sets, and a continuation line in its state extends.
_FIELD = {"ct": "msgctxt", "mi": "msgid", "mp": "msgid_plural", "ms": "msgstr", "pp": "previous_msgid_plural",
              "pm": "previous_msgid", "pc": "previous_msgctxt"}


def _occurrence(reference: str) -> tuple[str, str]:
    """A ``#:`` reference as polib keeps it: (path, line), the line "" when there is none."""
    path, colon, where = reference.rpartition(":")
    return (path, where) if colon and where.isdigit() else (reference, "")


@lru_cache(maxsize=16384)
def _references_of(lines: str) -> tuple[tuple[str, str], ...]:
    """The occurrences of an entry's ``#:`` lines (each "#: " and its references), remembered: every
    locale's catalog of a document holds its template's references."""
    return tuple(map(_occurrence, lines[3:-1].replace("\n#: ", " ").split()))


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], text) if "\\" in text else text


#: A new entry's fields as polib's __init__ sets them, but for the mutable ones (see new_entry).
_NEW_ENTRY_FIELDS = dict(msgid="", msgstr="", msgid_plural="", msgctxt=None, obsolete=False, encoding="utf-8",
                         comment="", tcomment="", previous_msgctxt=None, previous_msgid=None,
                         previous_msgid_plural=None)


def new_entry(line: int = 0, **fields) -> polib.POEntry:
    """A polib entry with the fields polib's constructor would give it (``linenum`` = ``line``), and
    ``fields`` (msgid, msgstr, comment, occurrences...), made without polib's constructor, whose
    keyword handling is most of the cost of an entry; a template and each catalog make a hundred."""
    entry = polib.POEntry.__new__(polib.POEntry)
    values = _NEW_ENTRY_FIELDS.copy()
    values.update(msgstr_plural={}, occurrences=[], flags=[], linenum=line)
    if fields:
        values.update(fields)
    entry.__dict__ = values
    return entry


def parse_catalog(text: str) -> polib.POFile:
    """Parse the text of a .po or .pot file into polib's POFile, as ``polib.pofile`` does.

    Raises ValueError whose message holds ``(line N)`` at a syntax error or at
    a message defined twice.
    """
    catalog = polib.POFile(wrapwidth=PAGE_WIDTH, encoding="utf-8")
    seen: dict[tuple[str, str | None], int] = {}

    def add(entry: polib.POEntry) -> None:
        key = (entry.msgid, entry.msgctxt)
        if key in seen:
            raise ValueError(f"Syntax error in po file (line {entry.linenum}): message defined twice "
                             f"(first at line {seen[key]})")
        if not entry.obsolete:
            seen[key] = entry.linenum
        list.append(catalog, entry)

    state, entry, plural_index, tokens = "st", new_entry(0), 0, []
    lines = text.splitlines()
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        tokens = line.split(None, 2)
        first = tokens[0]
        if first == "#~|":
            continue
        obsolete = first == "#~" and len(tokens) > 1
        if obsolete:
            line = line[3:].strip()
            tokens = tokens[1:]
            first = tokens[0]
        count = len(tokens)
        value = line
        if first in _KEYWORDS and count > 1:
            value = line[len(first):].lstrip()
            symbol = _KEYWORDS[first]
        elif first == "#:":
            if count <= 1:
                continue
            symbol = "oc"
        elif line[:1] == '"':
            symbol = "mc"
        elif line[:7] == "msgstr[":
            symbol = "mx"
        elif first == "#,":
            if count <= 1:
                continue
            symbol = "fl"
        elif first == "#" or first.startswith("##"):
            value = "# " if line == "#" else line
            symbol = "tc"
        elif first == "#.":
            if count <= 1:
                continue
            symbol = "gc"
        elif first == "#|":
            if count <= 1:
                raise ValueError(f"Syntax error in po file (line {number})")
            value = line[2:].lstrip()
            if tokens[1].startswith('"'):
                symbol = "mc"
            elif count == 2:
                raise ValueError(f"Syntax error in po file (line {number}): invalid continuation line")
            elif tokens[1] not in _PREVIOUS_KEYWORDS:
                raise ValueError(f"Syntax error in po file (line {number}): unknown keyword {tokens[1]}")
            else:
                value = value[len(tokens[1]):].lstrip()
                symbol = _PREVIOUS_KEYWORDS[tokens[1]]
        else:
            raise ValueError(f"Syntax error in po file (line {number})")
        if symbol in ("ct", "mi", "mp", "ms", "mc") and _UNESCAPED_QUOTE.search(value[1:-1]):
            raise ValueError(f"Syntax error in po file (line {number}): unescaped double quote found")
        following = _TRANSITIONS.get((symbol, state))
        if following is None:
            raise ValueError(f"Syntax error in po file (line {number})")
        if symbol not in ("mp", "ms", "mx", "mc") and state in ("ms", "mx"):
            add(entry)  # a comment, context or msgid after a msgstr starts the next entry
            entry = new_entry(number)
        if following == "he":
            catalog.header = f"{catalog.header}\n{value[2:]}" if catalog.header else value[2:]
        elif symbol == "tc":
            comment = value.lstrip("#")
            comment = comment[1:] if comment.startswith(" ") else comment
            entry.tcomment = f"{entry.tcomment}\n{comment}" if entry.tcomment else comment
        elif symbol == "gc":
            entry.comment = f"{entry.comment}\n{value[3:]}" if entry.comment else value[3:]
        elif symbol == "oc":
            entry.occurrences += map(_occurrence, value[3:].split())
        elif symbol == "fl":
            entry.flags += [flag.strip() for flag in value[3:].split(",")]
        elif symbol == "mc":
            piece = _unescape(value[1:-1])
            if state == "mx":
                entry.msgstr_plural[plural_index] += piece
            else:
                attribute = _FIELD[state]
                setattr(entry, attribute, getattr(entry, attribute) + piece)
        elif symbol == "mx":
            try:
                plural_index = int(value[7])
            except (IndexError, ValueError):
                raise ValueError(f"Syntax error in po file (line {number})") from None
            entry.msgstr_plural[plural_index] = _unescape(value[value.find('"') + 1:-1])
        else:
            if symbol == "mi":
                entry.obsolete = obsolete
            setattr(entry, _FIELD[symbol], _unescape(value[1:-1]))
        state = following
    if tokens and not tokens[0].startswith("#"):
        add(entry)  # the last entry; trailing comments belong to none
    _take_header(catalog)
    return catalog


def _take_header(catalog: polib.POFile) -> None:
    """Move the header entry (msgid "") out of the entries into the catalog's metadata, as polib does."""
    # polib's choice among several empty msgids: the last one without a context, else the first.
    candidates = [e for e in catalog if e.msgid == "" and not e.obsolete]
    without_context = [e for e in candidates if not e.msgctxt]
    header = None if not candidates else \
        without_context[-1] if len(candidates) > 1 and without_context else candidates[0]
    if header is not None:
        catalog.remove(header)
        catalog.metadata_is_fuzzy = header.flags
        key = None
        for line in header.msgstr.splitlines():
            name, colon, rest = line.partition(":")
            if colon:
                key = name
                catalog.metadata[key] = rest.strip()
            elif key is not None:
                catalog.metadata[key] += "\n" + line.strip()
    catalog.check_for_duplicates = True


# The fast path: catalogs as GNU tools and PO editors write them (comments in
# GNU's order, no stray spaces, obsolete entries without plurals) are read
# entry by entry with one regular expression. Anything else -- and every
# malformed file -- goes through parse_catalog, which reports the line.
_STRING = r'"[^"\\\n]*(?:\\(?:[ntrbfva\\"\'?]|[0-7]{1,3}|x[0-9A-Fa-f]+)[^"\\\n]*)*"'
_ENTRY = re.compile(rf"""
    (?P<tc>(?:\#(?:[ ][^\n]*\S)?\n)*)
    (?P<gc>(?:\#\.[ ][^\n]*\S\n)*)
    (?P<oc>(?:\#:[ ][^\n]*\S\n)*)
    (?P<fl>(?:\#,[ ][^\n]*\S\n)*)
    (?:
        (?:\#\|[ ]msgctxt[ ](?P<pc>{_STRING}\n(?:\#\|[ ]{_STRING}\n)*))?
        (?:\#\|[ ]msgid[ ](?P<pm>{_STRING}\n(?:\#\|[ ]{_STRING}\n)*))?
        (?:\#\|[ ]msgid_plural[ ](?P<pp>{_STRING}\n(?:\#\|[ ]{_STRING}\n)*))?
        (?:msgctxt[ ](?P<ct>{_STRING}\n(?:{_STRING}\n)*))?
        msgid[ ](?P<mi>{_STRING}\n(?:{_STRING}\n)*)
        (?:msgid_plural[ ](?P<mp>{_STRING}\n(?:{_STRING}\n)*)
           (?P<mx>(?:msgstr\[\d\][ ]{_STRING}\n(?:{_STRING}\n)*)+)
         |msgstr[ ](?P<ms>{_STRING}\n(?:{_STRING}\n)*))
    |
        (?:\#~[ ]msgctxt[ ](?P<oct>{_STRING}\n(?:\#~[ ]{_STRING}\n)*))?
        \#~[ ]msgid[ ](?P<omi>{_STRING}\n(?:\#~[ ]{_STRING}\n)*)
        \#~[ ]msgstr[ ](?P<oms>{_STRING}\n(?:\#~[ ]{_STRING}\n)*)
    )
    \n*""", re.VERBOSE)
_PLURAL = re.compile(rf"msgstr\[(\d)\][ ]((?:{_STRING}\n)(?:{_STRING}\n)*)")
# The line separators other than "\n" that str.splitlines, and so polib, also
# splits at. (Spaces at either end of a line, which polib strips, are kept out
# by _ENTRY: every line it accepts starts and ends with a non-space.)
_OTHER_LINE_SEPARATORS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def _joined(lines: str, prefix: str = "") -> str:
    """The value of a string's lines as _ENTRY matched them (``"..."\\n``, continuation lines after
    ``prefix``): every line is one quoted string and nothing else, so the lines join where a closing
    quote, a newline, the prefix and an opening quote meet."""
    return _unescape(lines[1:-2].replace(f'"\n{prefix}"', ""))


def _comment_lines(block: str) -> str:
    """Translator comment lines ("# text" or "#") as polib keeps them: without the marker, and
    without the empty lines that come before any text (polib joins lines only after text)."""
    kept = ""
    for line in block[:-1].split("\n"):
        kept = f"{kept}\n{line[2:]}" if kept else line[2:]
    return kept


def _usual_entries(text: str) -> list[tuple[int, tuple]] | None:
    """Each entry of a catalog in the usual layout: its first line (0 for the first entry) and _ENTRY's
    groups; None when the text is laid out otherwise or malformed."""
    if not text.endswith("\n") or text.startswith(("\ufeff", "\n")) or \
            any(separator in text for separator in _OTHER_LINE_SEPARATORS):
        return None
    # A line starting "#~|" (an obsolete entry's previous string) is left to parse_catalog too:
    # _ENTRY matches no such line. Searching the text for "#~|" first cost a fifth of this function.
    found = []
    position, line, size = 0, 1, len(text)
    while position < size:
        match = _ENTRY.match(text, position)
        if match is None:
            return None
        found.append((line if position else 0, match.groups()))
        end = match.end()
        line += text.count("\n", position, end)
        position = end
    return found


def read_fast(text: str) -> polib.POFile | None:
    """Parse a catalog in the usual layout into polib's POFile, exactly as ``parse_catalog`` would;
    None when the text is laid out otherwise or malformed (``parse_catalog`` then tells where)."""
    entries = _usual_entries(text)
    if entries is None:
        return None
    catalog = polib.POFile(wrapwidth=PAGE_WIDTH, encoding="utf-8")
    seen: set[tuple[str, str | None]] = set()
    for line, (tc, gc, oc, fl, pc, pm, pp, ct, mi, mp, mx, ms, oct_, omi, oms) in entries:
        entry = new_entry(line)
        if tc:
            if line:
                entry.tcomment = _comment_lines(tc)
            else:  # comments before the first entry are the file's header comment
                catalog.header = _comment_lines(tc)
        if gc:  # every line is "#. " and its text
            entry.comment = gc[3:-1].replace("\n#. ", "\n")
        if oc:
            entry.occurrences += _references_of(oc)
        if fl:
            entry.flags = _flags_of(fl)
        if omi is not None:
            entry.obsolete = True
            entry.msgid, entry.msgstr = _joined(omi, "#~ "), _joined(oms, "#~ ")
            if oct_ is not None:
                entry.msgctxt = _joined(oct_, "#~ ")
        else:
            entry.msgid = _joined(mi)
            if ct is not None:
                entry.msgctxt = _joined(ct)
            if ms is not None:
                entry.msgstr = _joined(ms)
            else:
                entry.msgid_plural = _joined(mp)
                for index, lines in _PLURAL.findall(mx):
                    entry.msgstr_plural[int(index)] = _joined(lines)
            if pc is not None:
                entry.previous_msgctxt = _joined(pc, "#| ")
            if pm is not None:
                entry.previous_msgid = _joined(pm, "#| ")
            if pp is not None:
                entry.previous_msgid_plural = _joined(pp, "#| ")
        key = (entry.msgid, entry.msgctxt)
        if key in seen:
            return None  # a message defined twice: parse_catalog reports it
        if not entry.obsolete:
            seen.add(key)
        list.append(catalog, entry)
    _take_header(catalog)
    return catalog


def _flags_of(lines: str) -> list[str]:
    """The flags of an entry's ``#,`` lines (each "#, " and its flags), as polib keeps them."""
    return [flag.strip() for flag in lines[3:-1].replace("\n#, ", ",").split(",")]


def publishable_translations(catalog: polib.POFile) -> dict[str, str]:
    """What a catalog lets a page publish: msgid -> msgstr of its active, translated, non-fuzzy
    singular messages (a later message wins over an earlier one with the same msgid)."""
    return {entry.msgid: entry.msgstr for entry in catalog if entry.msgid and not entry.obsolete
            and not entry.msgid_plural and "fuzzy" not in entry.flags and entry.msgstr}


def read_translations_fast(text: str) -> dict[str, str] | None:
    """``publishable_translations(read_fast(text))`` without building the catalog: the pages need the
    translations only, and a polib entry costs more than reading its strings. None where read_fast
    gives None."""
    entries = _usual_entries(text)
    if entries is None:
        return None
    seen: set[tuple[str, str | None]] = set()
    translations: dict[str, str] = {}
    for _, (_, _, _, fl, _, _, _, ct, mi, _, _, ms, oct_, omi, _) in entries:
        if omi is not None:  # obsolete: never published, but a duplicate of an active message all the same
            if (_joined(omi, "#~ "), None if oct_ is None else _joined(oct_, "#~ ")) in seen:
                return None
            continue
        msgid = _joined(mi)
        key = (msgid, None if ct is None else _joined(ct))
        if key in seen:
            return None
        seen.add(key)
        if ms is not None and msgid and ms != '""\n' and not (fl and "fuzzy" in _flags_of(fl)):
            msgstr = _joined(ms)
            if msgstr:
                translations[msgid] = msgstr
    return translations
