"""Raw bytes -> text: BOM first, then the declared charset, each checked against the bytes.

Web pages lie about their encoding. The two lies we see most in scraped
health pages are Windows-1252 bytes declared as UTF-8 and UTF-8 bytes declared
as Latin-1; both are detected here and corrected, and the decision says why.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from pipeline.errors import InputError

__all__ = ["Decoding", "decode_html"]

#: Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Labels that the WHATWG Encoding Standard maps to Windows-1252: browsers decode
#: "latin-1" and "ascii" pages as Windows-1252, and so do we.
_WINDOWS_1252_LABELS = frozenset(
    {"ascii", "us-ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
     "cp1252", "windows-1252", "x-cp1252", "cp819", "ibm819"}
)

#: How far into the page a <meta charset> may sit (the HTML standard says 1024 bytes;
#: real pages put scripts first, so look further).
_PRESCAN_BYTES = 8192

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Decoding:
    """How a page was decoded: the encoding used, the rule that decided, and why."""

    encoding: str
    rule: str
    reason: str


def _c1_fallback(error: UnicodeError) -> tuple[str, int]:
    # Windows-1252 leaves five bytes undefined; browsers map them to the C1
    # control of the same number, and so must we, or a page would not decode.
    assert isinstance(error, UnicodeDecodeError)
    return "".join(chr(b) for b in error.object[error.start:error.end]), error.end


codecs.register_error("pipeline-c1", _c1_fallback)


def _canonical(label: str) -> str | None:
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "windows-1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _decode_as(raw: bytes, encoding: str) -> str:
    if encoding == "windows-1252":
        return raw.decode("cp1252", errors="pipeline-c1")
    return raw.decode(encoding)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _declared_in_page(raw: bytes) -> str | None:
    match = _META_CHARSET.search(raw[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def decode_html(raw: bytes, http_charset: str | None = None, path: str | None = None) -> tuple[str, Decoding]:
    """Decode a page's bytes and say which rule decided.

    Takes the raw bytes, the charset from the HTTP Content-Type when known, and
    the file path (for error messages). Returns the text (without BOM) and a
    Decoding. The order is: BOM, HTTP charset, ``<meta charset>``, then UTF-8 if
    the bytes are valid UTF-8, else Windows-1252. A declaration the bytes
    contradict is overruled, and the reason says so. Raises InputError for
    bytes that are not text at all (NUL bytes outside a UTF-16 page).
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding), Decoding(encoding, "bom", f"{encoding} byte-order mark")
            except UnicodeDecodeError as exc:
                raise InputError(f"{encoding} byte-order mark but invalid {encoding} at byte {exc.start}", path) from exc

    if b"\x00" in raw[:_PRESCAN_BYTES]:
        raise InputError("binary file (NUL bytes), not an HTML page", path)

    for rule, label in (("http", http_charset), ("meta", _declared_in_page(raw))):
        if not label:
            continue
        declared = _canonical(label)
        if declared is None:
            continue
        if declared == "utf-8":
            if _is_utf8(raw):
                return raw.decode("utf-8"), Decoding("utf-8", rule, "declared utf-8, bytes agree")
            return (_decode_as(raw, "windows-1252"),
                    Decoding("windows-1252", rule, "declared utf-8 but bytes are not valid UTF-8"))
        if declared == "windows-1252" and not raw.isascii() and _is_utf8(raw):
            return raw.decode("utf-8"), Decoding("utf-8", rule, f"declared {label} but bytes are valid UTF-8")
        try:
            return _decode_as(raw, declared), Decoding(declared, rule, f"declared {label}")
        except UnicodeDecodeError:
            continue  # the declaration cannot be right; fall through to the byte check

    if _is_utf8(raw):
        return raw.decode("utf-8"), Decoding("utf-8", "bytes", "no usable declaration; bytes are valid UTF-8")
    return (_decode_as(raw, "windows-1252"),
            Decoding("windows-1252", "bytes", "no usable declaration; bytes are not valid UTF-8"))
