"""A full rebuild of the Whoosh index: documents in chunks, each chunk split between processes
that write segments of their own, all segments listed in a new table of contents.

With several processes the documents of a chunk are read first; then the chunk is split in
contiguous parts, and forked processes build all parts but the first, which this process
builds itself (rebuild_processes.py); only the segments they wrote come back.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.index import TOC

from community.search.analysis import fold_table
from community.search.documents import SearchDocument
from community.search.rebuild_processes import chunks, in_processes, split
from community.search.whoosh_bulk import SegmentBuilder

BATCH_DOCUMENTS = 1000
CHUNK_DOCUMENTS = 100_000


def build_index(ix, documents: Iterable[SearchDocument], progress, processes: int = 1) -> int:
    """Index `documents` into the empty index `ix`; return how many were indexed."""
    segments, count = [], 0
    if processes > 1:
        # Built here once, so that every forked process has it.
        fold_table()
        for chunk in chunks(documents, progress, CHUNK_DOCUMENTS):
            parts = split(chunk, processes)
            for built in in_processes(lambda part: build_part(ix, part), parts):
                segments += built
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
