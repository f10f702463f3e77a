"""Whoosh queries evaluated a segment at a time over whole posting arrays.

Whoosh matches a query by stepping a tree of matchers through documents one at a time, several
Python calls per document and node; a common word matches tens of thousands of documents. Here
every node of the query evaluates at once to two arrays over the segment's documents: which
match, and their scores. The semantics are those of Whoosh's matchers for the same query (a
test compares both on the same index): a term scores BM25F in fields with lengths and its weight
elsewhere; And and Or add their parts' scores (Or only those of the parts that match); AndNot
keeps its positive part's score; a boost multiplies; a phrase matches where its words follow each
other and scores their sum; Every scores 1. A compound query of a single part is that part
alone, its own boost ignored, as in Whoosh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from community.search.whoosh_codec import term_postings
from community.search.whoosh_segments import SegmentData

# BM25F as the searcher weighs: k1 above Whoosh's 1.2 saturates term frequency later, so a
# title term (weight 5) still counts about twice a body term.
K1 = 2.0
B = 0.75
POSITION_SHIFT = np.int64(32)


@dataclass
class Found:
    """Which documents of a segment match, and their scores (zero where they do not)."""

    matches: np.ndarray
    scores: np.ndarray


class SegmentSearch:
    """One segment of a searcher, with the statistics a score needs from the whole index."""

    def __init__(self, searcher, reader, data: SegmentData) -> None:
        self.searcher, self.reader, self.data = searcher, reader, data
        self.size = data.size
        self.schema = searcher.schema

    def nothing(self) -> Found:
        return Found(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def term_bytes(self, fieldname: str, text) -> bytes | None:
        if fieldname not in self.schema:
            return None
        try:
            return self.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def postings(self, fieldname: str, text, with_positions: bool = False):
        term = self.term_bytes(fieldname, text)
        if term is None:
            return None, None
        return term, term_postings(self.reader, fieldname, term, with_positions)

    def term_scores(self, fieldname: str, term: bytes, postings) -> np.ndarray:
        """Each posting's score, as Whoosh's BM25F (or weight) scorer gives it."""
        tf = postings.weights.astype(np.float64)
        if not self.schema[fieldname].scorable:
            return tf
        idf = self.searcher.idf(fieldname, term)
        average = self.searcher.avg_field_length(fieldname) or 1
        lengths = self.data.field_lengths(self.reader, fieldname)[postings.ids]
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / average)))


def evaluate(query: wq.Query, segment: SegmentSearch) -> Found:
    """Which documents of `segment` match `query`, and how they score (deletions included)."""
    if isinstance(query, wq.Term):
        found = term(query, segment)
    elif isinstance(query, wq.Phrase):
        found = phrase(query, segment)
    elif isinstance(query, wq.AndNot):
        found = evaluate(query.a, segment)
        excluded = evaluate(query.b, segment).matches
        found.matches &= ~excluded
        found.scores[excluded] = 0.0
        return found
    elif isinstance(query, wq.And | wq.Or):
        return compound(query, segment)
    elif isinstance(query, wq.Every):
        found = Found(np.ones(segment.size, dtype=bool), np.ones(segment.size))
    elif isinstance(query, type(wq.NullQuery)):
        return segment.nothing()
    else:
        raise TypeError(f"cannot evaluate {type(query).__name__} queries")
    if query.boost != 1.0:
        found.scores *= query.boost
    return found


def term(query: wq.Term, segment: SegmentSearch) -> Found:
    term_bytes, postings = segment.postings(query.fieldname, query.text)
    found = segment.nothing()
    if postings is not None:
        found.matches[postings.ids] = True
        found.scores[postings.ids] = segment.term_scores(query.fieldname, term_bytes, postings)
    return found


def compound(query: wq.And | wq.Or, segment: SegmentSearch) -> Found:
    parts = query.subqueries
    if not parts:
        return segment.nothing()
    if len(parts) == 1:
        return evaluate(parts[0], segment)
    conjunction = isinstance(query, wq.And)
    found = evaluate(parts[0], segment)
    for part in parts[1:]:
        if conjunction and not found.matches.any():
            return segment.nothing()
        other = evaluate(part, segment)
        if conjunction:
            found.matches &= other.matches
        else:
            found.matches |= other.matches
        found.scores += other.scores
    if conjunction:
        found.scores[~found.matches] = 0.0
    if query.boost != 1.0:
        found.scores *= query.boost
    return found


def phrase(query: wq.Phrase, segment: SegmentSearch) -> Found:
    """Documents where the words occur at consecutive positions, in order (slop 1)."""
    found = segment.nothing()
    words = []
    for word in query.words:
        term_bytes, postings = segment.postings(query.fieldname, word, with_positions=True)
        if postings is None:
            return found
        words.append((term_bytes, postings))
    candidates = np.ones(segment.size, dtype=bool)
    for _term, postings in words:
        present = np.zeros(segment.size, dtype=bool)
        present[postings.ids] = True
        candidates &= present
    if len(words) > 1:
        starts = None
        for offset, (_term, postings) in enumerate(words):
            keys = _position_keys(postings, candidates) - offset
            starts = keys if starts is None else starts[_contains(keys, starts)]
            if not len(starts):
                return found
        candidates = np.zeros(segment.size, dtype=bool)
        candidates[np.unique(starts >> POSITION_SHIFT)] = True
    for term_bytes, postings in words:
        keep = candidates[postings.ids]
        ids = postings.ids[keep]
        found.scores[ids] += segment.term_scores(query.fieldname, term_bytes, postings)[keep]
    found.matches = candidates
    if query.boost != 1.0:
        found.scores *= query.boost
    return found


def _position_keys(postings, candidates: np.ndarray) -> np.ndarray:
    """(document << 32) + position of every occurrence in a candidate document, ascending."""
    counts = np.diff(postings.starts)
    docs = np.repeat(postings.ids.astype(np.int64), counts)
    keys = (docs << POSITION_SHIFT) + postings.positions.astype(np.int64)
    return keys[candidates[docs]]


def _contains(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each of `wanted`, whether it is in `sorted_keys`."""
    if not len(sorted_keys):
        return np.zeros(len(wanted), dtype=bool)
    at = np.searchsorted(sorted_keys, wanted)
    return sorted_keys[np.minimum(at, len(sorted_keys) - 1)] == wanted
