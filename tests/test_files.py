"""Pending writes put in place together: one sync, old or new at every moment, a translator's save kept."""

import os
from pathlib import Path

import pytest

from pipeline import files
from pipeline.config import load_settings
from pipeline.files import commit_writes, current_stamp, write_pending
from pipeline.cli import main
from pipeline.workflow import Writer, update_stage


def test_pending_writes_are_synced_once_before_they_replace_their_files(tmp_path, monkeypatch):
    events = []
    real_sync, real_replace, real_fsync = files.sync_filesystem, os.replace, os.fsync
    monkeypatch.setattr(files, "sync_filesystem", lambda path: (events.append("sync"), real_sync(path)))
    monkeypatch.setattr(files.os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b)))
    monkeypatch.setattr(files.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    (tmp_path / "a").mkdir()
    old = tmp_path / "a" / "old.po"
    old.write_bytes(b"old")
    pending = [write_pending(old, b"new", current_stamp(old)),
               write_pending(tmp_path / "a" / "created.po", b"created", None),
               write_pending(tmp_path / "b" / "other.po", b"other", None)]
    assert old.read_bytes() == b"old" and not (tmp_path / "a" / "created.po").exists()  # nothing in place yet
    assert commit_writes(pending) == []
    assert events == ["sync", "replace", "replace", "replace", "fsync", "fsync"]  # then each folder, once
    assert old.read_bytes() == b"new" and (tmp_path / "b" / "other.po").read_bytes() == b"other"
    assert oct(old.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", "created.po", "old.po", "other.po"]


def test_a_file_saved_since_its_new_content_was_made_is_left_as_it_is(tmp_path):
    catalog = tmp_path / "es.po"
    catalog.write_bytes(b"as update read it")
    pending = write_pending(catalog, b"merged", current_stamp(catalog))
    catalog.write_bytes(b"the translator's save, a little longer")
    appeared = write_pending(tmp_path / "new.po", b"merged", None)
    (tmp_path / "new.po").write_bytes(b"made meanwhile")
    assert commit_writes([pending, appeared]) == [str(catalog), str(tmp_path / "new.po")]
    assert catalog.read_bytes() == b"the translator's save, a little longer"
    assert (tmp_path / "new.po").read_bytes() == b"made meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["es.po", "new.po"]  # no temporary file left


def test_update_keeps_a_catalog_a_translator_saves_while_it_runs_and_redoes_it_next_time(project, monkeypatch, capsys):
    from pipeline import workflow

    assert main(["--root", str(project), "extract"]) == 0
    catalog = project / "locales/es/LC_MESSAGES/000277.po"
    saved = catalog.read_text(encoding="utf-8").replace('msgstr "Metástasis hepáticas"',
                                                         'msgstr "Metástasis en el hígado"', 1)
    assert "Metástasis en el hígado" in saved
    (project / "locales/templates/000277.pot").write_text(  # a changed template: update rewrites every catalog
        (project / "locales/templates/000277.pot").read_text(encoding="utf-8") + '\nmsgid "New text"\nmsgstr ""\n',
        encoding="utf-8")
    real_commit = workflow.commit_writes

    def translator_saves_first(pending):
        catalog.write_text(saved, encoding="utf-8")
        return real_commit(pending)

    monkeypatch.setattr(workflow, "commit_writes", translator_saves_first)
    result = update_stage(load_settings(project), Writer(project), jobs=1)
    assert catalog.read_text(encoding="utf-8") == saved
    assert any("locales/es/LC_MESSAGES/000277.po changed while update ran" in note for note in result.notes)
    assert "New text" in (project / "locales/ar/LC_MESSAGES/000277.po").read_text(encoding="utf-8")
    monkeypatch.setattr(workflow, "commit_writes", real_commit)
    update_stage(load_settings(project), Writer(project), jobs=1)
    merged = catalog.read_text(encoding="utf-8")
    assert "Metástasis en el hígado" in merged and "New text" in merged
    assert not list(project.rglob(".*.tmp"))


def test_files_on_two_file_systems_get_each_theirs_synced(tmp_path, monkeypatch):
    other = Path("/dev/shm")
    if not other.is_dir() or os.stat(other).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system to write to")
    synced = []
    real_sync = files.sync_filesystem
    monkeypatch.setattr(files, "sync_filesystem", lambda path: (synced.append(os.stat(path).st_dev), real_sync(path)))
    elsewhere = other / f"medloc-test-{os.getpid()}.po"
    try:
        commit_writes([write_pending(tmp_path / "a.po", b"a", None), write_pending(tmp_path / "b.po", b"b", None),
                       write_pending(elsewhere, b"c", None)])
        assert sorted(synced) == sorted({os.stat(tmp_path).st_dev, os.stat(other).st_dev})
        assert elsewhere.read_bytes() == b"c" and (tmp_path / "a.po").read_bytes() == b"a"
    finally:
        elsewhere.unlink(missing_ok=True)


def test_what_a_killed_run_left_pending_is_discarded_and_nothing_else(tmp_path):
    (tmp_path / "es").mkdir()
    catalog, template = tmp_path / "es" / "a.po", tmp_path / "a.pot"
    catalog.write_bytes(b"kept")
    template.write_bytes(b"kept too")
    write_pending(catalog, b"never committed", current_stamp(catalog))
    write_pending(template, b"never committed", current_stamp(template))
    files.discard_pending(tmp_path, ".po")  # the catalogs' only: the template's stays for extract
    left = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert len(left) == 3 and left[0].startswith(".a.pot.") and left[1:] == ["a.po", "a.pot"]
    files.discard_pending(tmp_path, ".pot")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.po", "a.pot"]
    assert catalog.read_bytes() == b"kept" and template.read_bytes() == b"kept too"
