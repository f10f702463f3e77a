"""Phrase queries that check word positions with sets instead of Whoosh's span objects.

Whoosh 2.7.4 checks a phrase in every document that has all its words by building a span object
per position and comparing spans pairwise in Python. A phrase of a topic and a word found in most
documents ("京东靠谱") has thousands of such documents, so this matcher decodes each word's
positions in C and keeps the start positions from which every next word follows. A document
matches exactly when it does with Whoosh's phrase, and scores the same (the sum of its words).
"""

from __future__ import annotations

from itertools import accumulate
from pickle import loads

from whoosh import matching
from whoosh import query as wq
from whoosh.query.spans import Span, SpanWrappingMatcher

from community.search.whoosh_conjunction import leapfrog

# An encoded position list: a 4-byte count, then the pickled gaps between positions.
COUNT_SIZE = 4


def positions(matcher) -> set[int]:
    """The positions of the current document in a leaf matcher over a Positions field."""
    # Our own index files, which Whoosh unpickles the same way.
    return set(accumulate(loads(matcher.value()[COUNT_SIZE:])))  # noqa: S301


class ConsecutiveMatcher(SpanWrappingMatcher):
    """Documents where the leaf matchers' terms occur at consecutive positions, in order.

    `sizes` (each term's document count) let the rarest term lead the intersection.
    """

    def __init__(self, leaves: list, sizes: list[int]) -> None:
        self.leaves = leaves
        self.sizes = sizes
        super().__init__(leapfrog(leaves, sizes))

    def copy(self):
        return self.__class__([leaf.copy() for leaf in self.leaves], self.sizes)

    def replace(self, minquality=0):
        # The intersection keeps the leaves this matcher reads positions from; never swap them.
        return self if self.is_active() else matching.NullMatcher()

    def _get_spans(self):
        starts = positions(self.leaves[0])
        for offset, leaf in enumerate(self.leaves[1:], 1):
            starts &= {position - offset for position in positions(leaf)}
            if not starts:
                return []
        last = len(self.leaves) - 1
        return [Span(start, start + last) for start in sorted(starts)]


class WordPhrase(wq.Phrase):
    """A phrase (slop 1) in one of our weighted-section fields, matched by `ConsecutiveMatcher`."""

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        field = searcher.schema[self.fieldname]
        leaves, sizes = [], []
        for word in self.words:
            term = field.to_bytes(word)
            if (self.fieldname, term) not in reader:
                return matching.NullMatcher()
            leaves.append(wq.Term(self.fieldname, word).matcher(searcher, context))
            sizes.append(reader.doc_frequency(self.fieldname, term))
        matcher = leaves[0] if len(leaves) == 1 else ConsecutiveMatcher(leaves, sizes)
        if self.boost != 1.0:
            matcher = matching.WrappingMatcher(matcher, boost=self.boost)
        return matcher
