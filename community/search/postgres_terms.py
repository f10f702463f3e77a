"""Term vectors and term queries for PostgreSQL, written by our analyzer, read by `simple`.

We never let PostgreSQL analyse text: a `tsvector` literal lists our terms with their positions
and a weight per field, and a `tsquery` literal asks for our query terms; the `simple` parser only
reads them back. Weights: A title, aliases and tags (their words, and each tag whole); B body;
C accepted/canonical answers; D the other answers. The open vectors hold what everyone may
read: the same for an open document; the title, aliases, tags and teaser (B) of any other.
"""

from __future__ import annotations

from community.search.analysis import Term, bigram_tuples, fold_text, word_tuples
from community.search.documents import SearchDocument

MAX_POSITION = 16383
MAX_POSITIONS_PER_TERM = 64
# Where each field's positions start, so a phrase never runs from one field into the next.
LAYOUT = (("A", 1), ("B", 2000), ("C", 8000), ("D", 12000))
TAG_PREFIX = "#"


def quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


class Vector:
    """A tsvector literal built field by field: (weight, first position, (text, position, ...)
    terms). It can be written out after some fields and again after more, which is how the open
    vector of a document whose teaser is its body comes out of building the whole one."""

    def __init__(self) -> None:
        self.positions: dict[str, list[str]] = {}
        self.quoted: list[str] = []

    def add(self, weight: str, first: int, terms: list[tuple]) -> Vector:
        positions = self.positions
        for term in terms:
            position = first + term[1]
            if position > MAX_POSITION:
                position = MAX_POSITION
            entries = positions.get(term[0])
            if entries is None:
                positions[term[0]] = [f"{position}{weight}"]
                self.quoted.append(quote(term[0]))
            elif len(entries) < MAX_POSITIONS_PER_TERM:
                entries.append(f"{position}{weight}")
        return self

    def literal(self) -> str:
        return " ".join(
            [
                f"{quoted}:{','.join(entries)}"
                for quoted, entries in zip(self.quoted, self.positions.values(), strict=True)
            ]
        )


def tag_terms(tags: list[str]) -> list[Term]:
    return [Term(TAG_PREFIX + fold_text(tag.strip()), 0, 0, 0) for tag in tags if tag.strip()]


def document_vectors(doc: SearchDocument) -> tuple[str, str, str, str]:
    """The `terms`, `grams`, `open_terms` and `open_grams` vectors of a document."""
    title = doc.title_text
    top = "\n".join(doc.top_answers)
    other = "\n".join(doc.other_answers)
    weights = dict(LAYOUT)
    title_words = word_tuples(title) + tag_terms(doc.tags)
    title_grams = bigram_tuples(title)
    body_grams = bigram_tuples(doc.body)
    terms = Vector().add("A", weights["A"], title_words)
    terms.add("B", weights["B"], word_tuples(doc.body))
    grams = Vector().add("A", weights["A"], title_grams).add("D", weights["B"], body_grams)
    teaser = doc.separate_teaser
    if doc.open_to_all:
        open_vectors = None
    elif teaser:
        open_vectors = (
            Vector()
            .add("A", weights["A"], title_words)
            .add("B", weights["B"], word_tuples(teaser))
            .literal(),
            Vector()
            .add("A", weights["A"], title_grams)
            .add("D", weights["B"], bigram_tuples(teaser))
            .literal(),
        )
    else:
        # The teaser is the body: what is open is what the vectors hold so far.
        open_vectors = (terms.literal(), grams.literal())
    terms.add("C", weights["C"], word_tuples(top)).add("D", weights["D"], word_tuples(other))
    # The answers' bigrams follow the body's (positions count bigrams).
    answer_grams = bigram_tuples(top + "\n" + other, start_position=len(body_grams))
    grams.add("D", weights["B"], answer_grams)
    whole = (terms.literal(), grams.literal())
    return (*whole, *(open_vectors or whole))


def sequence(terms: list[str]) -> str:
    """Terms that must follow one another (a phrase), or one term."""
    return " <-> ".join(quote(term) for term in terms)


def any_of(parts: list[str]) -> str:
    return " | ".join(f"({part})" for part in parts if part)


def all_of(parts: list[str]) -> str:
    return " & ".join(f"({part})" for part in parts if part)
