import json

import pytest

from pipeline.normalize.mojibake import fix_text
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
