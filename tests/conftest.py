"""Shared fixtures: paths, a copy of the shipped project, the mojibake signature."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.model import CleanDocument
from pipeline.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PAGES = FIXTURES / "pages"
SAMPLE = ROOT / "source" / "000277.html"

#: UTF-8 read as Latin-1/Windows-1252: "Ã±", "Â" before a Latin-1 symbol or NBSP, "â€".
MOJIBAKE = re.compile("\u00c3[\u0080-\u00bf]|\u00c2[\u00a0-\u00bf]|\u00e2\u20ac")

#: Fixture pages that normalize (the ``bad.*`` ones must not).
GOOD_PAGES = sorted(p for p in PAGES.glob("*.html") if not p.name.startswith("bad."))


def normalize_path(path: Path) -> CleanDocument:
    """Normalize a page file as the workflow would and return the clean document."""
    document, _ = normalize(path.read_bytes(), doc_id=path.stem, source_path=path.name)
    return document


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped project (settings, sources, catalogs) in a temporary folder."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "source", tmp_path / "source")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    return tmp_path
