"""Search statements of the PostgreSQL backend: a query plan as SQL conditions and a rank, the
summary statement (total, tag facets and the page's ids in one pass over the matches) and the
statement that reads the page's rows.

Conditions and ranks are built from fixed fragments; every value is a bound parameter.
"""

from __future__ import annotations

from community.search.postgres_rows import HIT_COLUMNS
from community.search.postgres_terms import TAG_PREFIX, all_of, any_of, quote, sequence
from community.search.query import QueryPlan, TextMatch

WEIGHTS = "'{0.2, 0.5, 0.4, 1.0}'"  # D, C, B, A
FACET_LIMIT = 20
# The same multiplier as `SearchDocument.rank_boost`: 精华 counts most, votes a little.
BOOST = (
    "(CASE WHEN d.featured THEN 1.3 ELSE 1.0 END)"
    " * (1.0 + GREATEST(-0.2, LEAST(d.votes, 50) / 250.0))"
)
# Per sort: what a match keeps to be ordered by, and the order.
ORDERS = {
    "relevance": ("({rank}) * " + BOOST + " AS rank", "rank DESC, id DESC"),
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
    FROM tag_sets, unnest(string_to_array(tag_sets.tags, E'\\n')) AS tag
    WHERE tag <> ''
    GROUP BY tag
    ORDER BY {facet_order}
    LIMIT :facet_limit
)
SELECT
    (SELECT count(*) FROM matches) AS total,
    ARRAY(SELECT id FROM matches ORDER BY {order} LIMIT :limit OFFSET :offset) AS ids,
    ARRAY(SELECT tag FROM facets ORDER BY {facet_order}) AS facet_tags,
    ARRAY(SELECT n FROM facets ORDER BY {facet_order}) AS facet_counts
"""
PAGE_ROWS = (
    "SELECT {columns}, ({rank}) * {boost} AS rank FROM search_documents d"
    " WHERE d.id = ANY(CAST(:ids AS integer[]))"
)


class Compiler:
    """Collects SQL conditions with numbered parameters."""

    def __init__(self) -> None:
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
        terms = sequence(match.terms) if phrase else all_of([quote(t) for t in match.required])
        options = [self.tsquery("terms", terms)]
        if not phrase:
            options.append(self.tsquery("terms", quote(TAG_PREFIX + match.tag)))
        if match.grams and not strict:
            options.append(self.tsquery("grams", sequence(match.grams)))
        return "(" + " OR ".join(options) + ")"


def compile_plan(plan: QueryPlan, *, strict: bool = False) -> tuple[str, str, dict]:
    """The WHERE clause, the rank expression and their parameters.

    Strict: every word (no bigram fallback). Otherwise any word matches and every word ranks first.
    """
    compiler = Compiler()
    conditions = [
        compiler.text_condition(match, phrase=True, strict=strict) for match in plan.phrases
    ]
    rank = "1.0"
    if plan.words and strict:
        any_terms = any_of([quote(term) for match in plan.words for term in match.required])
        conditions += [
            compiler.text_condition(match, phrase=False, strict=True) for match in plan.words
        ]
        rank = compiler.rank("terms", any_terms)
    elif plan.words:
        any_terms = any_of(
            [quote(term) for match in plan.words for term in match.required]
            + [quote(TAG_PREFIX + match.tag) for match in plan.words]
        )
        any_grams = any_of([sequence(match.grams) for match in plan.words if match.grams])
        matches = [compiler.tsquery("terms", any_terms)]
        ranks = [compiler.rank("terms", any_terms)]
        if any_grams:
            matches.append(compiler.tsquery("grams", any_grams))
            ranks.append("0.5 * " + compiler.rank("grams", any_grams))
        every_word = " AND ".join(
            compiler.text_condition(match, phrase=False) for match in plan.words
        )
        conditions.append("(" + " OR ".join(matches) + ")")
        rank = f"{' + '.join(ranks)} + (CASE WHEN {every_word} THEN 1.0 ELSE 0.0 END)"
    for match in plan.excluded:
        conditions.append("NOT " + compiler.text_condition(match, phrase=True))
    for tag in plan.tags:
        conditions.append(compiler.tsquery("terms", quote(TAG_PREFIX + tag)))
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
    return PAGE_ROWS.format(columns=HIT_COLUMNS, rank=rank, boost=BOOST)
