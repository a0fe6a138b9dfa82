"""Extraction worker processes that are safe to start from a threaded process.

A Prefect flow runs its tasks on threads, and forking a threaded process can copy a lock
held by another thread into the child, which then hangs. :func:`worker_pool` therefore starts
its workers with ``forkserver`` (a clean single-threaded server forks them; ``spawn`` where
there is none), and each worker builds the cached extract pipeline once
(:func:`pipeline.extract.build.build_nlp`, about a second) for the pool's lifetime. Hold
one pool over a whole run and pass it to :func:`pipeline.extract.evidence.extract_each`.

>>> # with worker_pool(2) as pool:
>>> #     for chunk in chunks:
>>> #         extract_each(chunk, build_nlp(), pool=pool)
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool

from pipeline.extract import evidence
from pipeline.extract.build import build_nlp
from pipeline.limits import DEFAULT_RESUME_LIMITS, ResumeLimits


def _start_method() -> str:
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


@contextmanager
def worker_pool(n_process: int, limits: ResumeLimits = DEFAULT_RESUME_LIMITS
                ) -> Iterator[Pool | None]:
    """``n_process`` extraction workers (None for 1: extract in this process).

    Raises ValueError for ``n_process`` < 1.
    """
    if n_process < 1:
        raise ValueError(f"workers={n_process}: expected 1 (this process) or more")
    if n_process == 1:
        yield None
        return
    context = mp.get_context(_start_method())
    with context.Pool(n_process, _init_worker, (limits,)) as pool:
        yield pool


def _init_worker(limits: ResumeLimits) -> None:
    evidence._set_worker_nlp(build_nlp(), limits)
