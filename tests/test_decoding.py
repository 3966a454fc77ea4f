import codecs

import pytest

from pipeline.errors import InputError
from pipeline.normalize.decoding import decode_html

PAGE = '<html><head>{meta}</head><body><p>{text}</p></body></html>'


def page(text: str, meta: str = "") -> str:
    return PAGE.format(meta=meta, text=text)


UTF8_META = '<meta charset="utf-8">'
LATIN1_META = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'

CASES = [
    pytest.param(codecs.BOM_UTF8 + page("Español").encode(), None, "utf-8", "bom", "Español", id="utf8-bom"),
    pytest.param(codecs.BOM_UTF16_LE + page("Español").encode("utf-16-le"), None, "utf-16-le", "bom", "Español",
                 id="utf16le-bom"),
    pytest.param(page("Español", UTF8_META).encode(), None, "utf-8", "meta", "Español", id="declared-utf8-agrees"),
    pytest.param(page("Espa\u00f1ol \u201cok\u201d", UTF8_META).encode("cp1252"), None, "windows-1252", "meta",
                 "Espa\u00f1ol \u201cok\u201d", id="cp1252-bytes-declared-utf8"),
    pytest.param(page("Español", LATIN1_META).encode("utf-8"), None, "utf-8", "meta", "Español",
                 id="utf8-bytes-declared-latin1"),
    pytest.param(page("\u201cquoted\u201d", LATIN1_META).encode("cp1252"), None, "windows-1252", "meta",
                 "\u201cquoted\u201d", id="latin1-label-means-windows-1252"),
    pytest.param(page("Espa\u00f1ol", UTF8_META).encode("cp1252"), "iso-8859-1", "windows-1252", "http",
                 "Espa\u00f1ol", id="http-charset-first"),
    pytest.param(page("Español").encode(), None, "utf-8", "bytes", "Español", id="undeclared-utf8"),
    pytest.param(page("Espa\u00f1ol").encode("cp1252"), None, "windows-1252", "bytes", "Espa\u00f1ol",
                 id="undeclared-cp1252"),
    pytest.param(page("Español", '<meta charset="x-unknown-label">').encode(), None, "utf-8", "bytes", "Español",
                 id="unknown-label-ignored"),
    pytest.param(page("a\x81b").encode("latin-1"), None, "windows-1252", "bytes", "a\x81b",
                 id="undefined-cp1252-byte-as-c1"),
    pytest.param(page("\u0645\u0631\u062d\u0628\u0627", '<meta charset="windows-1256">').encode("cp1256"), None,
                 "cp1256", "meta", "\u0645\u0631\u062d\u0628\u0627", id="declared-arabic-codepage"),
]


@pytest.mark.parametrize("raw, http_charset, encoding, rule, text", CASES)
def test_decoding_decides_by_the_first_rule_the_bytes_agree_with(raw, http_charset, encoding, rule, text):
    decoded, decision = decode_html(raw, http_charset, "page.html")
    assert (decision.encoding, decision.rule) == (encoding, rule)
    assert text in decoded
    assert not decoded.startswith("\ufeff")


def test_binary_bytes_are_refused_with_the_file_name():
    with pytest.raises(InputError, match=r"^page\.html: binary file"):
        decode_html(b"\x89PNG\r\n\x1a\n\x00\x00\x00", None, "page.html")
