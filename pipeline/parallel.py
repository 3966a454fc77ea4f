"""Per-document work on a process pool: documents are independent, so N cores give nearly N times the speed."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

__all__ = ["default_jobs", "run_parallel", "MINIMUM_ITEMS"]

#: Below this many items a pool costs more (forking, pickling results) than it saves.
MINIMUM_ITEMS = 24


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
    chunk = max(1, len(items) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(function, items, chunksize=chunk)
