"""Per-document work on a process pool: documents are independent, so N cores give nearly N times the speed."""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

__all__ = ["default_jobs", "run_parallel", "start_beside", "collector_paused", "MINIMUM_ITEMS"]

#: Below this many items a pool costs more (forking, pickling results) than it saves.
MINIMUM_ITEMS = 24

# Garbage collection during per-document work. The work allocates many short-lived containers
# (entries, matches, tuples) and makes no reference cycles (tests/test_parallel.py runs every stage
# to see), so reference counting frees it all. CPython's cyclic collector, started by allocation
# counts, would only scan again and again what the caches keep: at its threshold of 700 a checking
# worker spent 15% of its time collecting, at 50,000 still 6% (1.4 s of 23 s for the benchmark's
# 3,003 catalogs). So the collector is off during the work, and the youngest generation is
# collected after each item: a cycle an item makes after all is freed when the item is done, and
# what the caches keep is scanned once (0.5 s for the same catalogs).


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_parallel(function: Callable, items: Sequence, jobs: int) -> Iterator:
    """Yield ``function(item)`` for each item in order, computed in ``jobs`` forked processes when worth it.

    Workers are forked, so they share what the parent loaded (settings, the
    glossary's indexes) without pickling it; ``function`` must be defined at
    module level, and its results picklable. Results are handed over as they
    come, so the caller need not hold them all at once.
    """
    if jobs <= 1 or len(items) < MINIMUM_ITEMS:
        yield from _one_by_one(function, items)
        return
    context = multiprocessing.get_context("fork")
    # Items go out in contiguous chunks (a document's catalogs stay together, and so do the caches they
    # warm); small enough chunks that the last one leaves the other workers idle for little time.
    chunk = max(1, len(items) // (jobs * 32))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker) as pool:
        yield from pool.map(functools.partial(_collected_after, function), items, chunksize=chunk)


def _one_by_one(function: Callable, items: Sequence) -> Iterator:
    """``function(item)`` for each item in this process, with the collector as in a worker while the
    items are worked on (see the note above default_jobs), and as it was before afterwards."""
    with collector_paused():
        # What this process holds already is frozen, as a worker's is: with the collector paused for
        # the whole command, the youngest generation holds everything the run made so far (the
        # caches of 12,000 catalogs at four thousand articles), and the first collection after an
        # item scanned it all, 50 ms per stage after one edit.
        thawed = gc.get_freeze_count() == 0
        gc.freeze()
        try:
            for item in items:
                yield _collected_after(function, item)
        finally:
            if thawed:  # no one else froze anything: leave the generations as they were
                gc.unfreeze()


def _collected_after(function: Callable, item):
    """``function(item)``, then a collection of the youngest generation: the cycles the item left."""
    result = function(item)
    gc.collect(0)
    return result


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector from running inside the ``with`` block; as it was afterwards.

    For a command's whole run, in the process that runs its stages: their work
    makes no reference cycles (see the note above default_jobs), and a collection
    there scans every object the stages hold (caches, digests, payloads) for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _start_worker() -> None:
    """Prepare a forked worker's garbage collector for per-document work (see the note above default_jobs)."""
    gc.freeze()  # what the parent built before forking (settings, indexes) lives as long as the worker: never scan it
    gc.disable()


def start_beside(function: Callable, *args) -> Callable[[], object]:
    """Start ``function(*args)`` in a forked process while this one goes on; return the function that waits for it.

    Waiting writes what the process printed (held back until then) to this
    process's stdout and stderr, so the output reads as if the two had run one
    after the other, and returns ``function``'s result or raises its exception.
    Both must be picklable. A process that dies without an answer raises
    RuntimeError. Wait exactly once.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_answer, args=(sender, function, args))
    for stream in {sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__} - {None}:
        stream.flush()  # else the child would write out, a second time, what this process had buffered
    process.start()
    sender.close()

    def wait():
        try:
            outcome, value, printed, errors = receiver.recv()
        except EOFError:
            process.join()
            raise RuntimeError(f"{function.__name__} ended without an answer (exit code {process.exitcode})") from None
        finally:
            receiver.close()
        process.join()
        sys.stdout.write(printed)
        sys.stderr.write(errors)
        if outcome == "raised":
            raise value
        return value

    return wait


def _answer(sender, function: Callable, args: tuple) -> None:
    printed, errors = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
            value = function(*args)
        answer = ("returned", value, printed.getvalue(), errors.getvalue())
    except BaseException as exc:  # handed to the waiting process, which raises it
        answer = ("raised", exc, printed.getvalue(), errors.getvalue())
    try:
        sender.send(answer)
    except Exception as exc:  # a result or an exception that does not pickle
        sender.send(("raised", RuntimeError(f"{function.__name__}: {answer[1]!r} ({exc})"), *answer[2:]))
    sender.close()
