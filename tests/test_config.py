"""Settings: how paths are shown relative to the project root."""

import os

import pytest

from pipeline.config import load_settings
from tests.conftest import ROOT


@pytest.fixture
def linked_project(tmp_path):
    """The shipped settings in a project reached through a symbolic link (as /tmp is on some systems)."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    (real / "locales" / "es").mkdir(parents=True)
    os.symlink(real, tmp_path / "link")
    return tmp_path


@pytest.mark.parametrize("path, shown", [
    ("link/locales/es/LC_MESSAGES/a.po", "locales/es/LC_MESSAGES/a.po"),
    ("real/locales/es/LC_MESSAGES/a.po", "locales/es/LC_MESSAGES/a.po"),  # by the resolved root
    ("link/locales/es/../es/a.po", "locales/es/a.po"),  # ".." is resolved, not kept
    ("link/locales/..es/a.po", "locales/..es/a.po"),  # a name starting with two dots is only a name
    ("elsewhere/a.po", None),  # outside the project: the path as it is
])
def test_paths_are_shown_from_the_project_root(linked_project, path, shown):
    settings = load_settings(linked_project / "link")
    full = linked_project / path
    assert settings.relative(full) == (shown if shown is not None else full.as_posix())
