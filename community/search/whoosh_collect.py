"""One pass over a query's matches: the top documents, the exact total and the tag counts.

Each segment's matches and scores come from whoosh_evaluate.py as arrays; this keeps those the
filter allows, ranks them (relevance times the rank boost, or a sort column), and counts tags.
Ties go to the lower document number by relevance and to the higher one by a column, as in
Whoosh.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from community.search.whoosh_evaluate import SegmentSearch, evaluate
from community.search.whoosh_segments import segment_data


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
    """Match `query` (within the documents `only` matches, when given) in every segment."""
    collected = Collected()
    keys, docnums = [], []
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if reader.segment() is None:
            # An index without a document yet (a new site) has a reader but no segment.
            continue
        data = segment_data(reader)
        segment = SegmentSearch(searcher, reader, data)
        found = evaluate(query, segment)
        matches = found.matches & data.live_documents(reader)
        if only is not None:
            matches &= evaluate(only, segment).matches
        matched = np.flatnonzero(matches)
        if not len(matched):
            continue
        collected.total += len(matched)
        count_tags(collected.tag_counts, data, matches)
        if sort_column:
            segment_keys = data.sort_key(reader, sort_column)[matched]
        else:
            segment_keys = found.scores[matched] * data.boosts[matched]
        best = best_first(segment_keys, matched, limit, bool(sort_column))
        keys.append(segment_keys[best])
        docnums.append(matched[best] + offset)
    if keys:
        all_keys, all_docnums = np.concatenate(keys), np.concatenate(docnums)
        best = best_first(all_keys, all_docnums, limit, bool(sort_column))
        collected.top = list(zip(all_keys[best].tolist(), all_docnums[best].tolist(), strict=True))
    return collected


def best_first(keys: np.ndarray, docnums: np.ndarray, limit: int, by_column: bool) -> np.ndarray:
    """Indexes of the `limit` best: highest key first; ties to the higher document number by a
    column, to the lower one by relevance."""
    candidates = np.arange(len(keys))
    if len(keys) > limit:
        threshold = np.partition(keys, len(keys) - limit)[len(keys) - limit]
        candidates = np.flatnonzero(keys >= threshold)
    tie = docnums[candidates] if by_column else -docnums[candidates]
    order = np.lexsort((-tie, -keys[candidates]))
    return candidates[order[:limit]]


def count_tags(counts: Counter, data, matches: np.ndarray) -> None:
    per_document = np.diff(data.tag_starts)
    chosen = np.repeat(matches, per_document)
    found = np.bincount(data.tag_codes[chosen], minlength=len(data.tag_names))
    for code in np.flatnonzero(found).tolist():
        counts[data.tag_names[code]] += int(found[code])
