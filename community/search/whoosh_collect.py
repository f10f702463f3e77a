"""One pass over a query's matches: the top documents, the exact total and the tag counts.

Whoosh's collectors call several layers of Python per matched document (and its tag facet adds
more); a search over a common word matches tens of thousands of documents, so this loop does only
what a result page needs: score (BM25F with lengths and rank boosts read from per-segment arrays),
keep the best in a heap, and remember the document for the tag counts.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

from whoosh import query as wq
from whoosh.scoring import BM25F, BM25FScorer

from community.search.whoosh_segments import segment_data


class CachedLengthBM25F(BM25F):
    """BM25F reading field lengths from a per-segment array instead of a column per document.

    k1 above Whoosh's 1.2 saturates term frequency later, so a title term (weight 5) still counts
    about twice a body term.
    """

    def __init__(self) -> None:
        super().__init__(K1=2.0)

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            reader = searcher.reader()
            scorer.dfl = segment_data(reader).field_lengths(reader, fieldname).__getitem__
        return scorer


@dataclass
class Collected:
    """The best documents (global numbers, best first) with their sort keys, and the counts."""

    top: list[tuple[float, int]] = field(default_factory=list)
    total: int = 0
    tag_counts: Counter = field(default_factory=Counter)


def collect(
    searcher,
    query: wq.Query,
    limit: int,
    *,
    only: wq.Query | None = None,
    sort_column: str | None = None,
) -> Collected:
    """Match `query` (within the documents `only` matches, when given) in every segment.

    Ranked by relevance times rank boost, or by a column, largest first. Ties go to the lower
    document number by relevance and to the higher one by a column, as in Whoosh.
    """
    collected = Collected()
    heap: list[tuple[float, int]] = []
    context = searcher.context()
    tie = 1 if sort_column else -1
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        data = segment_data(reader)
        keys = reader.column_reader(sort_column, translate=False) if sort_column else data.boosts
        allowed = set(only.matcher(subsearcher, context).all_ids()) if only else None
        matcher = query.matcher(subsearcher, context)
        matched: list[int] = []
        remember = matched.append
        while matcher.is_active():
            docnum = matcher.id()
            if allowed is None or docnum in allowed:
                remember(docnum)
                key = keys[docnum] if sort_column else matcher.score() * keys[docnum]
                item = (key, tie * (offset + docnum))
                if len(heap) < limit:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
            if matcher.next():
                matcher = matcher.replace()
        collected.total += len(matched)
        collected.tag_counts.update(chain.from_iterable(map(data.tags.__getitem__, matched)))
    collected.top = [(key, tie * docnum) for key, docnum in sorted(heap, reverse=True)]
    return collected
