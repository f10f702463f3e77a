"""A full rebuild of the Whoosh index: documents in batches to segment builders, one process or
several, and their segments listed in a new generation of the index's table of contents.

With several processes the parent reads the documents and hands out batches; each forked
process fills segments of its own (whoosh_bulk.py) and reports them when the documents run out.
A process that fails or dies ends the rebuild with an error instead of a hang.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import traceback
from collections.abc import Callable, Iterable, Iterator

from whoosh.index import TOC

from community.search.analysis import fold_table
from community.search.documents import SearchDocument
from community.search.whoosh_bulk import SegmentBuilder

logger = logging.getLogger(__name__)

BATCH_DOCUMENTS = 1000
WAIT_SECONDS = 1.0


class RebuildFailed(RuntimeError):
    """A rebuild process raised or died; the index being built is incomplete."""


def batches(documents: Iterable[SearchDocument], progress: Callable[[int], None]) -> Iterator:
    """The documents to index in lists of `BATCH_DOCUMENTS`; deleted ones are skipped."""
    batch: list[SearchDocument] = []
    for doc in documents:
        progress(1)
        if not doc.deleted:
            batch.append(doc)
            if len(batch) == BATCH_DOCUMENTS:
                yield batch
                batch = []
    if batch:
        yield batch


def build_index(ix, documents: Iterable[SearchDocument], progress, processes: int = 1) -> int:
    """Index `documents` into the empty index `ix`; return how many were indexed."""
    if processes > 1:
        segments, count = _in_processes(ix, documents, progress, processes)
    else:
        builder = SegmentBuilder(ix.storage, ix.schema, ix.indexname)
        count = 0
        for batch in batches(documents, progress):
            builder.add_batch(batch)
            count += len(batch)
        segments = builder.finish()
    TOC(ix.schema, segments, ix.latest_generation() + 1).write(ix.storage, ix.indexname)
    return count


def _build(ix, tasks, results) -> None:
    """A rebuild process: batches from `tasks` until None, then its segments to `results`."""
    try:
        builder = SegmentBuilder(ix.storage, ix.schema, ix.indexname)
        while (batch := tasks.get()) is not None:
            builder.add_batch(batch)
        results.put(("done", builder.finish()))
    except BaseException:
        results.put(("failed", traceback.format_exc()))
        raise SystemExit(1) from None


def _in_processes(ix, documents, progress, processes: int):
    context = multiprocessing.get_context("fork")
    tasks = context.Queue(maxsize=2 * processes)
    results = context.Queue()
    # Built once here, so the forked processes share it.
    fold_table()
    workers = [
        context.Process(target=_build, args=(ix, tasks, results), daemon=True)
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        count = 0
        for batch in batches(documents, progress):
            _hand_over(tasks, batch, workers, results)
            count += len(batch)
        for _ in workers:
            _hand_over(tasks, None, workers, results)
        segments = []
        for _ in workers:
            segments.extend(_result(results, workers))
        for worker in workers:
            worker.join()
        return segments, count
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        tasks.cancel_join_thread()
        tasks.close()
        results.close()


def _hand_over(tasks, batch, workers, results) -> None:
    while True:
        try:
            tasks.put(batch, timeout=WAIT_SECONDS)
            return
        except queue.Full:
            _check(workers, results)


def _result(results, workers) -> list:
    while True:
        try:
            kind, value = results.get(timeout=WAIT_SECONDS)
        except queue.Empty:
            _check(workers, results)
            continue
        if kind == "failed":
            raise RebuildFailed(f"a rebuild process failed:\n{value}")
        return value


def _check(workers, results) -> None:
    """Raise if a process has ended with an error (with what it reported, if anything)."""
    failed = [worker for worker in workers if not worker.is_alive() and worker.exitcode]
    if not failed:
        return
    try:
        kind, value = results.get(timeout=WAIT_SECONDS)
    except queue.Empty:
        kind = None
    if kind == "failed":
        raise RebuildFailed(f"a rebuild process failed:\n{value}")
    raise RebuildFailed(f"a rebuild process died (exit code {failed[0].exitcode})")
