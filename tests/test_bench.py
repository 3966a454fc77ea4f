"""The benchmark runs end to end on a tiny corpus (figures are printed, never asserted)."""

import json
import shutil
import statistics
from pathlib import Path

import pytest

from pipeline import bench
from pipeline.bench import generate_corpus, synthetic_page
from pipeline.cli import main
from tests.conftest import ROOT


def test_synthetic_pages_are_deterministic_and_medlineplus_shaped():
    page = synthetic_page(7)
    assert page == synthetic_page(7) and page != synthetic_page(8)
    assert 25_000 < len(page.encode()) < 70_000
    assert 'id="ency_summary"' in page and "<script>" in page and "Espa\u00c3\u00b1ol" in page


def test_bench_writes_its_figures_with_the_agreed_keys(project, capsys):
    assert main(["--root", str(project), "bench", "--n", "4", "--no-peers", "--repeat", "2"]) == 0
    figures = json.loads((project / "build/bench.json").read_text())
    assert {"n", "locales", "stages", "total_seconds", "peer_total_seconds", "floor_seconds", "noop_seconds",
            "one_edit_seconds", "peak_rss_mb"} <= set(figures)
    assert set(figures["stages"]) == {"normalize", "extract", "update", "check", "build"}
    assert all({"seconds", "peer_seconds"} <= set(stage) for stage in figures["stages"].values())
    assert figures["n"] == 4 and figures["locales"] == ["es", "ar", "zh_Hans"]
    assert len(figures["one_edit_runs"]) == 2, "the edit and its undo, each timed"
    assert [run["peers"] for run in figures["runs"]] == [None, None] and len(figures["runs"][0]["ours"]) == 5
    assert figures["peak_rss_mb"] > 10, "the peak of the pipeline's own runs, measured"
    edits = (project / "build/bench/one-edit-4.log").read_text(encoding="utf-8")
    assert edits.count("normalize: 4 document(s), 2 file(s) written") == 2, "each timed rerun found the article changed"
    out = capsys.readouterr().out
    assert "no-op rerun:" in out and "floor" in out and "rerun after one edit" in out
    bench_folder = project / "build/bench"
    assert not list(bench_folder.glob("*.set-aside-*")), "copies and the corpus's build: removed at the end"
    assert not (bench_folder / "corpus-4/build").exists(), "the pristine corpus holds no output of its generation"


def test_bench_deletes_nothing_before_its_timed_runs(project, monkeypatch):
    (project / "build/bench/work-2.set-aside-1").mkdir(parents=True)  # what an interrupted run left
    removed, removed_before_cold_run = [], []
    real_rmtree, real_cold_run = shutil.rmtree, bench._cold_run

    def recorded_rmtree(path, *args, **kwargs):
        removed.append(Path(path).name)
        return real_rmtree(path, *args, **kwargs)

    def recorded_cold_run(*args):
        removed_before_cold_run.append(list(removed))
        return real_cold_run(*args)

    monkeypatch.setattr(shutil, "rmtree", recorded_rmtree)
    monkeypatch.setattr(bench, "_cold_run", recorded_cold_run)
    assert main(["--root", str(project), "bench", "--n", "2", "--no-peers"]) == 0
    assert removed_before_cold_run == [[]], "no folder was removed before the cold run"
    assert "work-2.set-aside-1" in removed and not list((project / "build/bench").glob("*.set-aside-*"))


def test_corpus_is_reused_when_complete(tmp_path):
    first = generate_corpus(tmp_path, 2, ROOT / "locales/glossary.csv")
    marker = (first / ".complete").stat().st_mtime_ns
    assert generate_corpus(tmp_path, 2, ROOT / "locales/glossary.csv") == first
    assert (first / ".complete").stat().st_mtime_ns == marker
    assert len(list((first / "locales").rglob("*.po"))) == 3 * 3  # two articles and the site, three locales


def test_bench_times_the_peers_in_turn_with_our_runs(project, capsys):
    assert main(["--root", str(project), "bench", "--n", "2", "--repeat", "2"]) == 0
    figures = json.loads((project / "build/bench.json").read_text())
    assert figures["stages"]["normalize"]["peer_seconds"] is None  # html2po's one step is under extract
    assert all(figures["stages"][name]["peer_seconds"] > 0 for name in ("extract", "update", "check", "build"))
    assert figures["peer_total_seconds"] > 0
    assert [set(run["ours"]) for run in figures["runs"]] == [set(figures["stages"])] * 2, "each cold run, in order"
    assert all(set(run["peers"]) == {"extract", "update", "check", "build"} for run in figures["runs"])
    assert figures["stages"]["check"]["peer_seconds"] == pytest.approx(
        statistics.median(run["peers"]["check"] for run in figures["runs"]), abs=0.002), "the median of the runs"
    out = capsys.readouterr().out
    assert "ours and the peers' taken in turn" in out and out.count(" s (") >= 2, "each run's totals and ratio"
