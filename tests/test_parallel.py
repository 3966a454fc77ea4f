"""Work on several cores: another stage beside this one (start_beside), and when `all` uses it."""

import gc
import os
import shutil
import weakref

import pytest

import pipeline.cli as cli
from pipeline.config import load_settings
from pipeline.errors import CatalogError
from pipeline.checking import check_stage
from pipeline.parallel import run_parallel, start_beside
from pipeline.publishing import build_stage
from pipeline.workflow import MINIMUM_ITEMS, Writer, extract_stage, little_left_to_do, normalize_stage, update_stage
from tests.test_cli import run, tree_state


STAGES = {"normalize": normalize_stage, "extract": extract_stage, "update": update_stage, "check": check_stage,
          "build": build_stage}


def _prints_and_returns(word):
    print(f"child says {word}")
    return {"word": word}


def _fails_on_a_catalog():
    print("checked half")
    raise CatalogError("unterminated string", "locales/es/LC_MESSAGES/x.po", 12)


def _dies():
    os._exit(3)


def _returns_what_does_not_pickle():
    return lambda: None


def _collector_of_this_process(number):
    return number, os.getpid(), gc.isenabled(), gc.get_freeze_count() > 0


class _Node:
    """Something a weak reference can point at, to tell when a cycle it is in was freed."""


_LEFT_IN_A_CYCLE: list[weakref.ref] = []


def _leaves_a_cycle(number):
    """Leave a reference cycle behind; tell whether the one the previous item left is gone already."""
    previous_freed = _LEFT_IN_A_CYCLE[-1]() is None if _LEFT_IN_A_CYCLE else None
    node = _Node()
    node.me = node
    _LEFT_IN_A_CYCLE.append(weakref.ref(node))
    return number, os.getpid(), previous_freed


def test_pool_workers_collect_no_garbage_during_an_item_and_never_scan_what_the_parent_built():
    results = list(run_parallel(_collector_of_this_process, range(MINIMUM_ITEMS * 2), 2))
    assert [number for number, *_ in results] == list(range(MINIMUM_ITEMS * 2))  # in order
    assert {pid for _, pid, *_ in results} - {os.getpid()}, "the items ran in workers"
    assert all(not enabled and frozen for _, _, enabled, frozen in results)
    assert gc.isenabled()  # the parent's own collector is left as it was


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cycle_an_item_leaves_is_freed_once_the_item_is_done(jobs):
    _LEFT_IN_A_CYCLE.clear()
    results = list(run_parallel(_leaves_a_cycle, range(MINIMUM_ITEMS * 2), jobs))
    if jobs > 1:
        assert {pid for _, pid, _ in results} - {os.getpid()}, "the items ran in workers"
    # Each process's first item has no predecessor there; every later one finds the last cycle freed.
    firsts = {pid: number for number, pid, _ in reversed(results)}
    assert all(freed is (None if firsts[pid] == number else True) for number, pid, freed in results)
    assert gc.isenabled()  # in process, the collector runs again once the items are done


@pytest.mark.parametrize("enabled_before", [True, False])
def test_a_stage_command_runs_with_the_collector_paused_and_leaves_it_as_it_was(project, monkeypatch, enabled_before):
    seen = []

    def recording_check_stage(*args, **kwargs):
        seen.append(gc.isenabled())
        return check_stage(*args, **kwargs)

    monkeypatch.setattr(cli, "check_stage", recording_check_stage)
    (gc.enable if enabled_before else gc.disable)()
    try:
        assert cli.main(["--root", str(project), "check"]) in (0, 1)
        assert seen == [False]
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()


def test_the_result_comes_back_and_what_the_child_printed_follows_what_was_printed_before(capsys):
    wait = start_beside(_prints_and_returns, "hello")
    print("parent first")
    assert wait() == {"word": "hello"}
    assert capsys.readouterr().out == "parent first\nchild says hello\n"


def test_an_error_keeps_its_file_and_line_and_what_was_printed_before_it(capsys):
    wait = start_beside(_fails_on_a_catalog)
    with pytest.raises(CatalogError) as raised:
        wait()
    assert str(raised.value) == "locales/es/LC_MESSAGES/x.po:12: unterminated string"
    assert (raised.value.line, str(raised.value.path)) == (12, "locales/es/LC_MESSAGES/x.po")
    assert capsys.readouterr().out == "checked half\n"


@pytest.mark.parametrize("function, said", [
    (_dies, "exit code 3"),
    (_returns_what_does_not_pickle, "_returns_what_does_not_pickle"),
])
def test_a_child_without_a_usable_answer_is_an_error_not_a_hang(function, said):
    with pytest.raises(RuntimeError, match=said):
        start_beside(function)()


def test_little_left_to_do_only_when_both_caches_are_current_and_few_files_changed(project):
    settings = load_settings(project)
    assert not little_left_to_do(settings, 0), "no caches yet: check and build have everything to do"
    assert run(project, "all") == 0
    assert little_left_to_do(settings, 0)
    assert not little_left_to_do(settings, MINIMUM_ITEMS), "the earlier stages changed many files"
    glossary = settings.glossary_path
    glossary.write_text(glossary.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not little_left_to_do(settings, 0), "a new glossary: every catalog is checked again"


def test_check_beside_build_gives_what_one_after_the_other_gives(project, tmp_path, monkeypatch, capsys):
    alone = tmp_path / "alone"
    shutil.copytree(project, alone)
    started = []

    def recorded_start_beside(function, *args):
        started.append(function.__name__)
        return start_beside(function, *args)

    monkeypatch.setattr(cli, "start_beside", recorded_start_beside)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the templates' dates agree across the two projects
    outputs = []
    for root, jobs in ((project, "2"), (alone, "1")):
        assert main_all(root, jobs) == 0
        capsys.readouterr()
        source = root / "source" / "000277.html"
        source.write_text(source.read_text(encoding="utf-8").replace("liver", "Liver", 1), encoding="utf-8")
        assert main_all(root, jobs) == 1  # a new message: es falls below its bar
        outputs.append((capsys.readouterr().out, {name: content for name, (content, _) in tree_state(root).items()
                                                  if not name.startswith("build/cache/")}))
    assert started == ["_run_check_beside"], "with two jobs, the rerun after one edit checks beside the build"
    assert outputs[0] == outputs[1]


def main_all(root, jobs):
    return cli.main(["--root", str(root), "-j", jobs, "all"])


@pytest.mark.parametrize("stage", ["normalize", "extract", "update", "check", "build"])
def test_no_stage_leaves_a_reference_cycle_on_the_shipped_articles(project, stage):
    # Workers collect only the youngest generation, after each document: a cycle would be found
    # (and scanned) there each time, and before that it would hold a whole tree.
    settings = load_settings(project)
    order = list(STAGES)
    for name in order[:order.index(stage)]:  # the stages before it, as `make` runs them
        STAGES[name](settings, Writer(settings.root), jobs=1)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept in gc.garbage, to be seen
    try:
        STAGES[stage](settings, Writer(settings.root), jobs=1)
        gc.collect()
        left = [type(thing).__qualname__ for thing in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []
