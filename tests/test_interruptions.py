"""Kill the pipeline at random moments while it updates many catalogs: each catalog is old or new, never broken."""

import multiprocessing
import os
import random
import shutil
import signal
import time

from pipeline.catalogs import read_catalog
from pipeline.cli import main
from pipeline.config import load_settings
from pipeline.workflow import Writer, update_stage

INTERRUPTIONS = int(os.environ.get("KILL_TEST_INTERRUPTIONS", "200"))
DOCUMENTS = 6


def _update(root):
    update_stage(load_settings(root), Writer(root))
    os._exit(0)


def _catalogs(root):
    return sorted(p for p in (root / "locales").rglob("*.po"))


def _snapshot(root):
    return {p: p.read_bytes() for p in _catalogs(root)}


def _templates(root):
    return {p: p.read_bytes() for p in (root / "locales/templates").glob("*.pot")}


def _set_templates(templates):
    for path, data in templates.items():
        path.write_bytes(data)


def test_killing_an_update_at_random_never_corrupts_a_catalog(project, capsys):
    for number in range(1, DOCUMENTS):
        shutil.copy(project / "source/000277.html", project / "source" / f"a{number:02d}.html")
    main(["--root", str(project), "all"])
    capsys.readouterr()
    state_a = (_templates(project), _snapshot(project))
    for page in (project / "source").glob("*.html"):
        page.write_text(page.read_text(encoding="utf-8").replace("<p>Treatment depends on:</p>",
                                                                 "<p>Treatment depends on these things:</p>"),
                        encoding="utf-8")
    main(["--root", str(project), "normalize"])
    main(["--root", str(project), "extract"])
    main(["--root", str(project), "update"])
    state_b = (_templates(project), _snapshot(project))
    capsys.readouterr()
    assert len(state_a[1]) == len(state_b[1]) >= 3 * DOCUMENTS
    assert all(state_a[1][p] != state_b[1][p] for p in state_a[1] if "site.po" not in p.name)

    fork = multiprocessing.get_context("fork")
    _set_templates(state_b[0])

    def run_from_old_catalogs():
        for path, data in state_a[1].items():  # every run starts from the old catalogs
            path.write_bytes(data)
        child = fork.Process(target=_update, args=(project,))
        child.start()
        return child

    # How long a run lasts, timed as the killed runs are made (a forked child from the old catalogs),
    # the shortest of five: runs slowed by a moment's load on the machine (a median of three, on a
    # CI machine just after its apt-get install) made the random delays outlast most of the runs
    # they were meant to interrupt (88 of 200 killed).
    durations = []
    for _ in range(5):
        started = time.monotonic()
        run_from_old_catalogs().join()
        durations.append(time.monotonic() - started)
    full_run = min(durations)
    rng = random.Random(20261127)
    corrupted, mixed, killed_mid_run = 0, 0, 0
    for _ in range(INTERRUPTIONS):
        child = run_from_old_catalogs()
        time.sleep(rng.uniform(0, full_run * 1.1))
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
            killed_mid_run += 1
        child.join()
        states = set()
        for path in _catalogs(project):
            data = path.read_bytes()
            if data == state_a[1][path]:
                states.add("old")
            elif data == state_b[1][path]:
                states.add("new")
            else:
                corrupted += 1
            read_catalog(path)  # and it parses
        mixed += len(states) > 1
    leftovers = [p.name for p in (project / "locales").rglob(".*.tmp")]
    with capsys.disabled():
        print(f"\nkill test: {INTERRUPTIONS} runs, {killed_mid_run} killed mid-update, "
              f"{len(state_a[1])} catalogs checked after each, {corrupted} corrupted, "
              f"{mixed} left a mix of old and new catalogs, {len(leftovers)} temporary files left behind")
    assert corrupted == 0
    assert killed_mid_run >= INTERRUPTIONS // 2, "most runs must really be interrupted"
    assert all(name.endswith(".tmp") for name in leftovers)
    main(["--root", str(project), "update"])
    assert not list((project / "locales").rglob(".*.tmp")), "the next run clears what a killed one left"
