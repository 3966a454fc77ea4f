import os

import pytest

from pipeline.runstate import tree_listing


def _project(root):
    """A small tree as a run sees it: sources, a catalog, outputs, and a cache the walk skips."""
    for name, text in {"source/a.html": "a", "source/b.html": "b", "locales/es/a.po": "msgid",
                       "build/site/a.html": "page", "build/cache/run.json": "{}"}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text("[tool.pipeline]\n")
    return [root / "pyproject.toml", root / "source", root / "locales", root / "build"]


def _rewrite(path):
    path.write_text(path.read_text() + " again")
    return [path]


def _remove(path):
    path.unlink()
    return [path]


@pytest.mark.parametrize("change", [
    pytest.param(lambda root: _rewrite(root / "build/site/a.html"), id="an output written again"),
    pytest.param(lambda root: _remove(root / "build/site/a.html"), id="an output removed"),
    pytest.param(lambda root: [root / "build/cache/run.json", root / "build/cache/new.json"],
                 id="caches written (the walk skips them)"),
    pytest.param(lambda root: [root / "elsewhere.txt"], id="a file outside the listed paths"),
    pytest.param(lambda root: _rewrite(root / "source/a.html") + _rewrite(root / "locales/es/a.po"),
                 id="several files"),
])
def test_a_listing_brought_up_to_date_for_what_a_run_wrote_is_the_listing_a_new_walk_makes(tmp_path, change):
    paths = _project(tmp_path)
    before = tree_listing(paths, "extra")
    written = change(tmp_path)
    for path in written:
        if path.parent.name == "cache":
            path.write_text("{}")
    after = before.after_writing(str(path) for path in written)
    assert after is not None
    assert after.signature() == tree_listing(paths, "extra").signature()
    assert after.lines == tree_listing(paths, "extra").lines


def test_a_new_file_the_walk_would_meet_asks_for_a_new_walk(tmp_path):
    paths = _project(tmp_path)
    before = tree_listing(paths)
    new = tmp_path / "build/site/b.html"
    new.write_text("page")
    assert before.after_writing([str(new)]) is None
    under_missing = tmp_path / "glossary.csv"  # listed as missing, then written
    listing = tree_listing([*paths, under_missing])
    under_missing.write_text("concept,en\n")
    assert listing.after_writing([str(under_missing)]) is None


def test_a_file_changed_by_someone_else_during_the_run_keeps_its_old_line(tmp_path):
    # Not among the files the run wrote: the signature it records differs from the tree's, so the
    # next run sees the change and does its work.
    paths = _project(tmp_path)
    before = tree_listing(paths)
    catalog = tmp_path / "locales/es/a.po"
    catalog.write_text("msgid changed by a translator")
    os.utime(catalog, ns=(1, 1))
    after = before.after_writing([])
    assert after.signature() == before.signature() != tree_listing(paths).signature()
