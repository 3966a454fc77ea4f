import json

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize.mojibake import FTFY_CONFIG, fix_text, looks_bad
from tests.conftest import ROOT

CASES = ROOT / "tests" / "cases"


def _rows(name: str) -> list:
    rows = []
    for row in json.loads((CASES / name).read_text(encoding="utf-8")):
        marks = [pytest.mark.xfail(reason=row["xfail"], strict=True)] if "xfail" in row else []
        rows.append(pytest.param(row, id=row["label"], marks=marks))
    return rows


@pytest.mark.parametrize("row", _rows("mojibake.json"))
def test_mojibake_is_repaired_and_explained(row):
    fixed, explanation = fix_text(row["input"])
    assert fixed == row["expected"]
    assert explanation


@pytest.mark.parametrize("row", _rows("not-mojibake.json"))
def test_correct_text_is_left_alone(row):
    assert fix_text(row["input"]) == (row["input"], "")


# What fix_text skips must be exactly what ftfy would leave alone: the texts below mix every
# kind of character its prefilter tells apart (ASCII, scripts ftfy cannot produce as mojibake,
# Latin-1, mojibake of each, ligatures, controls, line breaks, combining marks, U+FFFD). Where only
# the encoding fix can apply, fix_text calls it alone: the answer must still be fix_and_explain's.
_PIECES = ["Take 5 mg ", "مرحبا ", "中文，测试。", "Español ", "EspaÃ±ol", "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "ä¸­æ–‡",
           "ﬁ", "e\u0301", "\u0085", "\u2028", "\r\n", "\x1b[31m", "\x07", "\ufffd", "â€™", "Ð¿Ñ€Ð¸",
           "Ãƒ", "\u00a0", "—", "«», ", "\u200f", "ملغ ٥", "\ud83d", "\U0001f600",
           # Mojibake whose repair leaves work for the other fixes: "ﬂ" (a ligature) and "n" with a
           # combining tilde (not NFC), neither with a C1 control once garbled.
           "ï¬‚", "nÌƒ"]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), max_size=6), st.text(max_size=8))
def test_fix_text_skips_only_what_ftfy_leaves_unchanged(pieces, noise):
    text = "".join(pieces) + noise
    if text.isascii():  # never mojibake, by design: ftfy is not asked (it would still fix "\r\n")
        assert fix_text(text) == (text, "")
        return
    fixed = ftfy.fix_and_explain(text, FTFY_CONFIG)
    expected = (text, "") if fixed.text == text else (fixed.text, ", ".join(f"{a} {b}" for a, b in fixed.explanation))
    assert fix_text(text) == expected


def _badness_characters() -> list[str]:
    """Every character ftfy's badness categories name, and the ASCII its pattern looks at around them."""
    import re

    from ftfy.badness import MOJIBAKE_CATEGORIES

    classes = [re.compile(f"[{members}]") for members in MOJIBAKE_CATEGORIES.values()]
    named = {chr(code) for code in range(0x80, 0x3000) if any(c.match(chr(code)) for c in classes)}
    return sorted(named) + list("aZ .,?!\t\n0")


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(_badness_characters()), max_size=7))
def test_looks_bad_answers_as_ftfy_is_bad(text):
    from ftfy.badness import is_bad

    assert looks_bad(text) == is_bad(text)


@pytest.mark.parametrize("text, expected", [
    ("está en el hígado", False),    # single accented letters: the prerequisite alone says no
    ("¿Qué es?", False),
    ("EspaÃ±ol", True),              # "Ã" followed by a symbol
    ("cafÃ© ", True),
    ("â€™s", True),                  # three non-ASCII characters in a row
    ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", True),
    ("\x85", True),                  # a C1 control alone
    ("«Él»", False),                 # two in a row, which ftfy still finds fine
])
def test_looks_bad_cases(text, expected):
    assert looks_bad(text) is expected


def test_fix_text_agrees_with_ftfy_on_every_shipped_translation():
    import polib

    for path in sorted((ROOT / "locales").rglob("*.po")):
        for entry in polib.pofile(str(path)):
            for text in (entry.msgid, entry.msgstr):
                fixed = text if text.isascii() else ftfy.fix_and_explain(text, FTFY_CONFIG).text
                assert fix_text(text)[0] == fixed, (path, text)
