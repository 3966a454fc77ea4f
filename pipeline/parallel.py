"""Per-document work on a process pool: documents are independent, so N cores give nearly N times the speed."""

from __future__ import annotations

import contextlib
import gc
import io
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

__all__ = ["default_jobs", "run_parallel", "start_beside", "MINIMUM_ITEMS"]

#: Below this many items a pool costs more (forking, pickling results) than it saves.
MINIMUM_ITEMS = 24

#: A worker's young-generation collection threshold (CPython's default is 700).
#: Per-document work allocates many short-lived containers (entries, matches,
#: tuples) and makes few cycles, so at the default a checking worker spent 15%
#: of its time in collections (0.9 s of 6 s for 300 catalogs); at this threshold
#: 0.15 s, for a few MB more garbage held between collections.
WORKER_GC_THRESHOLD = 50_000


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
        for item in items:
            yield function(item)
        return
    context = multiprocessing.get_context("fork")
    # Items go out in contiguous chunks (a document's catalogs stay together, and so do the caches they
    # warm); small enough chunks that the last one leaves the other workers idle for little time.
    chunk = max(1, len(items) // (jobs * 32))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker) as pool:
        yield from pool.map(function, items, chunksize=chunk)


def _start_worker() -> None:
    """Prepare a forked worker's garbage collector for per-document work (see WORKER_GC_THRESHOLD)."""
    gc.freeze()  # what the parent built before forking (settings, indexes) lives as long as the worker: never scan it
    gc.set_threshold(WORKER_GC_THRESHOLD, 10, 10)


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
