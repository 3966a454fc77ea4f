"""Sharding: N shards together give exactly what one unsharded run gives."""

import json
import shutil

from pipeline.cli import main
from pipeline.workflow import in_shard
from tests.conftest import PAGES, ROOT

FIXTURES = ["medlineplus-ency-alt-test", "medlineplus-topic-liver-cancer", "medlineplus-ency-jaundice-cp1252",
            "generic-article", "densest-block"]


def _project(path):
    shutil.copy(ROOT / "pyproject.toml", path / "pyproject.toml")
    shutil.copytree(ROOT / "source", path / "source")
    shutil.copytree(ROOT / "locales", path / "locales")
    for name in FIXTURES:
        shutil.copy(PAGES / f"{name}.html", path / "source" / f"{name}.html")
    return path


def _outputs(root):
    found = {}
    for folder in ("locales", "build/clean"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def test_shard_assignment_is_stable_and_covers_every_document():
    ids = [f"{number:06d}" for number in range(200)]
    for count in (1, 2, 5):
        owners = [[index for index in range(1, count + 1) if in_shard(doc_id, (index, count))] for doc_id in ids]
        assert all(len(owner) == 1 for owner in owners)
    assert sum(in_shard(doc_id, (1, 2)) for doc_id in ids) in range(80, 121), "roughly even"


def test_two_shards_equal_one_unsharded_run(tmp_path, capsys, monkeypatch):
    # New templates are dated to the minute: without a fixed clock, a minute that turns between the
    # unsharded run and the shards' gives the two projects different headers.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    whole = _project((tmp_path / "whole").mkdir() or tmp_path / "whole")
    split = _project((tmp_path / "split").mkdir() or tmp_path / "split")
    main(["--root", str(whole), "all"])
    for index in (1, 2):
        main(["--root", str(split), "--shard", f"{index}/2", "all"])
    shard_reports = sorted((split / "build/reports").glob("qa.shard-*-of-2.json"))
    assert len(shard_reports) == 2
    main(["--root", str(split), "check", "--merge-reports", *map(str, shard_reports)])
    assert _outputs(split) == _outputs(whole)
    merged = json.loads((split / "build/reports/qa.json").read_text())
    unsharded = json.loads((whole / "build/reports/qa.json").read_text())
    assert merged["summary"] == unsharded["summary"]
    assert merged["documents"] == unsharded["documents"]
    assert [f for f in merged["findings"] if f["check"] != "inconsistent"] == \
        [f for f in unsharded["findings"] if f["check"] != "inconsistent"]


def test_bad_shard_is_a_usage_error(project, capsys):
    assert main(["--root", str(project), "--shard", "3/2", "all"]) == 2
    assert main(["--root", str(project), "--shard", "1/2", "build"]) == 2
    assert "--shard" in capsys.readouterr().err
