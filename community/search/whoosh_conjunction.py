"""Documents with every one of several terms, found by leapfrogging their postings.

Whoosh 2.7.4 intersects n posting lists as a tree of binary intersection matchers, and each step
asks every node of the tree whether it is still active; a word of three terms that are all in
thousands of documents spends most of a query there. This matcher keeps the leaves in a flat list,
rarest first, and moves each one straight to the next candidate document. It finds the same
documents as Whoosh's `And` of the same terms, and scores them the same (the sum of the terms).
"""

from __future__ import annotations

from whoosh import matching
from whoosh import query as wq
from whoosh.matching.mcore import Matcher


class LeapfrogMatcher(Matcher):
    """The documents every leaf matcher matches; `leaves` are ordered rarest first."""

    def __init__(self, leaves: list) -> None:
        self.leaves = leaves
        self.active = all(leaf.is_active() for leaf in leaves)
        if self.active:
            self._align()

    def _align(self) -> None:
        """Move the leaves forward to the first document they all match (or deactivate)."""
        leaves = self.leaves
        target = leaves[0].id()
        agreed = 1
        index = 1
        while agreed < len(leaves):
            leaf = leaves[index]
            if leaf.id() < target:
                leaf.skip_to(target)
                if not leaf.is_active():
                    self.active = False
                    return
            found = leaf.id()
            if found == target:
                agreed += 1
            else:
                target = found
                agreed = 1
            index = (index + 1) % len(leaves)
        self.current = target

    def is_active(self) -> bool:
        return self.active

    def id(self) -> int:
        return self.current

    def next(self) -> None:
        lead = self.leaves[0]
        lead.next()
        if not lead.is_active():
            self.active = False
            return
        self._align()

    def skip_to(self, target: int) -> None:
        if not self.active:
            raise matching.ReadTooFar
        if target <= self.current:
            return
        lead = self.leaves[0]
        lead.skip_to(target)
        if not lead.is_active():
            self.active = False
            return
        self._align()

    def score(self) -> float:
        return sum(leaf.score() for leaf in self.leaves)

    def weight(self) -> float:
        return sum(leaf.weight() for leaf in self.leaves)

    def replace(self, minquality=0):
        return self if self.active else matching.NullMatcher()

    def copy(self):
        return self.__class__([leaf.copy() for leaf in self.leaves])

    def children(self):
        return list(self.leaves)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return sum(leaf.max_quality() for leaf in self.leaves)


def leapfrog(leaves: list, sizes: list[int]):
    """One matcher for documents in all `leaves` (`sizes` are their document counts)."""
    if len(leaves) == 1:
        return leaves[0]
    order = sorted(range(len(leaves)), key=sizes.__getitem__)
    return LeapfrogMatcher([leaves[index] for index in order])


class AllTerms(wq.And):
    """Every one of several terms of one field, matched by `LeapfrogMatcher`."""

    def __init__(self, fieldname: str, texts: list[str]) -> None:
        super().__init__([wq.Term(fieldname, text) for text in texts])
        self.fieldname = fieldname

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        field = searcher.schema[self.fieldname]
        leaves, sizes = [], []
        for term in self.subqueries:
            text = field.to_bytes(term.text)
            if (self.fieldname, text) not in reader:
                return matching.NullMatcher()
            leaves.append(term.matcher(searcher, context))
            sizes.append(reader.doc_frequency(self.fieldname, text))
        matcher = leapfrog(leaves, sizes)
        if self.boost != 1.0:
            matcher = matching.WrappingMatcher(matcher, boost=self.boost)
        return matcher
