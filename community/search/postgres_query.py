"""Search statements of the PostgreSQL backend: a query plan as SQL conditions and a rank, the
summary statement (total, tag facets and the page's ids in one pass over the matches) and the
statement that reads the page's rows.

Conditions and ranks are built from fixed fragments; every value is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from community.search.postgres_rows import HIT_COLUMNS
from community.search.postgres_terms import TAG_PREFIX, all_of, any_of, quote, sequence
from community.search.query import QueryPlan, TextMatch

# D, C, B, A. ts_rank gives a term at most the largest weight among its occurrences, and the first
# occurrence (a title's comes first) the most: a title or tag match (A) ranks a term above 0.6,
# any other at most 0.25, whatever the rank boost below does to that.
WEIGHTS = "'{0.1, 0.25, 0.2, 1.0}'"
FACET_LIMIT = 20
# The same multiplier as `SearchDocument.rank_boost`: 精华 counts most, votes a little.
BOOST = (
    "(CASE WHEN d.featured THEN 1.3 ELSE 1.0 END)"
    " * (1.0 + GREATEST(-0.2, LEAST(d.votes, 50) / 250.0))"
)
# Per sort: what a match keeps to be ordered by, and the order.
ORDERS = {
    "relevance": ("{rank} AS rank", "rank DESC, id DESC"),
    "newest": ("d.created_at", "created_at DESC, id DESC"),
    "votes": ("d.votes", "votes DESC, id DESC"),
}
# Tags in code point order (as Python sorts them) whatever the database's collation.
FACET_ORDER = 'n DESC, tag COLLATE "C"'
# Facets count the matches of each distinct set of tags first, then split the sets: far fewer
# rows to split than there are matches.
SUMMARY = """
WITH matches AS MATERIALIZED (
    SELECT d.id, d.tags, {kept} FROM search_documents d WHERE {where}
), tag_sets AS (
    SELECT tags, count(*) AS n FROM matches GROUP BY tags
), facets AS (
    SELECT tag, CAST(sum(n) AS bigint) AS n
    FROM tag_sets, unnest(string_to_array(tag_sets.tags, ',')) AS tag
    WHERE tag <> ''
    GROUP BY tag
    ORDER BY {facet_order}
    LIMIT :facet_limit
)
SELECT
    (SELECT count(*) FROM matches) AS total,
    ARRAY(SELECT id FROM matches ORDER BY {order} LIMIT :limit OFFSET :offset) AS ids,
    ARRAY(SELECT tag FROM facets ORDER BY {facet_order}) AS facet_tags,
    ARRAY(SELECT n FROM facets ORDER BY {facet_order}) AS facet_counts,
    (SELECT index_format FROM search_state WHERE backend = 'postgres') AS index_format
"""
PAGE_ROWS = (
    "SELECT {columns}, {rank} AS rank FROM search_documents d"
    " WHERE d.id = ANY(CAST(:ids AS integer[]))"
)


@dataclass(frozen=True)
class Columns:
    """The vectors a search reads: the whole text's, or those of what is open to all."""

    terms: str
    grams: str


WHOLE_TEXT = Columns("terms", "grams")
OPEN_TEXT = Columns("open_terms", "open_grams")


class Compiler:
    """Collects SQL conditions with numbered parameters."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self.params: dict[str, str] = {}

    def tsquery(self, column: str, query: str) -> str:
        name = f"q{len(self.params)}"
        self.params[name] = query
        return f"d.{column} @@ CAST(:{name} AS tsquery)"

    def rank(self, column: str, query: str) -> str:
        name = f"q{len(self.params)}"
        self.params[name] = query
        return f"ts_rank({WEIGHTS}, d.{column}, CAST(:{name} AS tsquery))"

    def text_condition(self, match: TextMatch, *, phrase: bool, strict: bool = False) -> str:
        """A word (all its terms, or it as a tag) or a phrase; unless strict, or its bigrams."""
        terms = sequence(match.terms) if phrase else needed_terms(match)
        options = [self.tsquery(self.columns.terms, terms)]
        if not phrase:
            options.append(self.tsquery(self.columns.terms, quote(TAG_PREFIX + match.tag)))
        if match.grams and not strict:
            options.append(self.tsquery(self.columns.grams, gram_query(match)))
        return "(" + " OR ".join(options) + ")"


def needed_term(match: TextMatch, term: str) -> str:
    """A term a word needs: itself, or all the parts of a compound (analysis.compound_parts)."""
    parts = match.parts.get(term)
    if not parts:
        return quote(term)
    return any_of([quote(term), all_of([quote(part) for part in parts])])


def needed_terms(match: TextMatch) -> str:
    return all_of([needed_term(match, term) for term in match.required])


def gram_query(match: TextMatch) -> str:
    """The bigram fallback of a word: its bigrams in order, or those of each of its pieces."""
    options = [sequence(match.grams)]
    if match.part_grams:
        options.append(all_of([sequence(grams) for grams in match.part_grams]))
    return any_of(options)


def compile_plan(
    plan: QueryPlan, *, open_only: bool = False, strict: bool = False
) -> tuple[str, str, dict]:
    """The WHERE clause, the rank expression and their parameters, over the whole text's vectors
    or (`open_only`) those of what is open to all.

    Strict: every word (no bigram fallback). Otherwise any word matches and every word ranks
    first. The rank boost multiplies the text's rank, not the bonus for every word, so that it
    cannot outweigh where the words were found.
    """
    columns = OPEN_TEXT if open_only else WHOLE_TEXT
    compiler = Compiler(columns)
    conditions = [
        compiler.text_condition(match, phrase=True, strict=strict) for match in plan.phrases
    ]
    # What ranks the text: any word's needed terms, the words as tags, the phrases.
    ranked = any_of(
        [needed_term(match, term) for match in plan.words for term in match.required]
        + [quote(TAG_PREFIX + match.tag) for match in plan.words]
        + [sequence(match.terms) for match in plan.phrases]
    )
    ranks = [compiler.rank(columns.terms, ranked)] if ranked else []
    bonus = ""
    if plan.words and strict:
        conditions += [
            compiler.text_condition(match, phrase=False, strict=True) for match in plan.words
        ]
    elif plan.words:
        any_terms = any_of(
            [needed_term(match, term) for match in plan.words for term in match.required]
            + [quote(TAG_PREFIX + match.tag) for match in plan.words]
        )
        any_grams = any_of([gram_query(match) for match in plan.words if match.grams])
        matches = [compiler.tsquery(columns.terms, any_terms)]
        if any_grams:
            matches.append(compiler.tsquery(columns.grams, any_grams))
            ranks.append("0.5 * " + compiler.rank(columns.grams, any_grams))
        every_word = " AND ".join(
            compiler.text_condition(match, phrase=False) for match in plan.words
        )
        conditions.append("(" + " OR ".join(matches) + ")")
        bonus = f"(CASE WHEN {every_word} THEN 1.0 ELSE 0.0 END) + "
    rank = f"{bonus}({' + '.join(ranks) or '1.0'}) * {BOOST}"
    for match in plan.excluded:
        conditions.append("NOT " + compiler.text_condition(match, phrase=True))
    for tag in plan.tags:
        conditions.append(compiler.tsquery(columns.terms, quote(TAG_PREFIX + tag)))
    for flag in sorted(plan.flags):
        conditions.append("d.answer_count = 0" if flag == "unanswered" else f"d.{flag}")
    for number, user in enumerate(plan.users):
        compiler.params[f"user{number}"] = user
        conditions.append(f"d.author = :user{number}")
    return " AND ".join(conditions) or "TRUE", rank, compiler.params


def summary_sql(where: str, rank: str, sort: str) -> str:
    """Total, facets and the page's ids of the matches of `where`, ordered by `sort`.

    Parameters besides the plan's: `limit`, `offset` and `facet_limit`.
    """
    kept, order = ORDERS.get(sort, ORDERS["relevance"])
    return SUMMARY.format(
        kept=kept.format(rank=rank), where=where, order=order, facet_order=FACET_ORDER
    )


def page_rows_sql(rank: str) -> str:
    """The wide columns and the rank of the rows whose ids are the parameter `ids`."""
    return PAGE_ROWS.format(columns=HIT_COLUMNS, rank=rank)
