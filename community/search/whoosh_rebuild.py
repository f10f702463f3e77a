"""A full rebuild of the Whoosh index: documents in chunks, each chunk split between processes
that write segments of their own, all segments listed in a new table of contents.

With several processes the documents of a chunk are read first; then the chunk is split in
contiguous parts, and forked processes build all parts but the first, which this process
builds itself. Forked processes see the chunk's documents without copying them through a pipe
(unpickling a document cost more than analysing it); only the segments they wrote come back.
A process that fails or dies ends the rebuild with an error.
"""

from __future__ import annotations

import logging
import multiprocessing
import traceback
from collections.abc import Callable, Iterable, Iterator

from whoosh.index import TOC

from community.search.analysis import fold_table
from community.search.documents import SearchDocument
from community.search.whoosh_bulk import SegmentBuilder

logger = logging.getLogger(__name__)

BATCH_DOCUMENTS = 1000
CHUNK_DOCUMENTS = 100_000


class RebuildFailed(RuntimeError):
    """A rebuild process raised or died; the index being built is incomplete."""


def chunks(
    documents: Iterable[SearchDocument], progress: Callable[[int], None], size: int
) -> Iterator[list[SearchDocument]]:
    """The documents to index in lists of `size`; deleted ones are skipped."""
    chunk: list[SearchDocument] = []
    for doc in documents:
        progress(1)
        if not doc.deleted:
            chunk.append(doc)
            if len(chunk) == size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def build_index(ix, documents: Iterable[SearchDocument], progress, processes: int = 1) -> int:
    """Index `documents` into the empty index `ix`; return how many were indexed."""
    segments, count = [], 0
    if processes > 1:
        # Built here once, so that every forked process has it.
        fold_table()
        for chunk in chunks(documents, progress, CHUNK_DOCUMENTS):
            segments += build_in_processes(ix, chunk, processes)
            count += len(chunk)
    else:
        builder = SegmentBuilder(ix.storage, ix.schema, ix.indexname)
        for batch in chunks(documents, progress, BATCH_DOCUMENTS):
            builder.add_batch(batch)
            count += len(batch)
        segments = builder.finish()
    TOC(ix.schema, segments, ix.latest_generation() + 1).write(ix.storage, ix.indexname)
    return count


def build_part(ix, documents: list[SearchDocument]) -> list:
    """Segments holding `documents`, written in batches."""
    builder = SegmentBuilder(ix.storage, ix.schema, ix.indexname)
    for start in range(0, len(documents), BATCH_DOCUMENTS):
        builder.add_batch(documents[start : start + BATCH_DOCUMENTS])
    return builder.finish()


def _build_forked(ix, documents, sender) -> None:
    try:
        sender.send(("done", build_part(ix, documents)))
    except BaseException:
        sender.send(("failed", traceback.format_exc()))
        raise SystemExit(1) from None
    finally:
        sender.close()


def build_in_processes(ix, documents: list[SearchDocument], processes: int) -> list:
    """Segments for `documents`, built by this process and `processes - 1` forked ones."""
    context = multiprocessing.get_context("fork")
    size = -(-len(documents) // processes)
    parts = [documents[start : start + size] for start in range(0, len(documents), size)]
    children = []
    for part in parts[1:]:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_build_forked, args=(ix, part, sender), daemon=True)
        process.start()
        sender.close()
        children.append((process, receiver))
    try:
        segments = build_part(ix, parts[0])
        for process, receiver in children:
            segments += _received(process, receiver)
        return segments
    finally:
        for process, receiver in children:
            if process.is_alive():
                process.terminate()
            process.join()
            receiver.close()


def _received(process, receiver) -> list:
    try:
        kind, value = receiver.recv()
    except EOFError:
        process.join()
        raise RebuildFailed(f"a rebuild process died (exit code {process.exitcode})") from None
    if kind == "failed":
        raise RebuildFailed(f"a rebuild process failed:\n{value}")
    return value
