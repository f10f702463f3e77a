"""The PostgreSQL backend: our terms in tsvector columns with GIN indexes, for several hosts.

Applying changes happens in the outbox's own transaction (the rows and the index commit together);
an advisory lock keeps indexers from overwriting each other's newer documents with older ones.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import UTC

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.dialects.postgresql import insert

from community.extensions import db
from community.search.analysis import fold_text, latin_words
from community.search.documents import ANSWER_SEPARATOR, SearchDocument, current_source
from community.search.errors import IndexBusy
from community.search.highlight import Highlighter
from community.search.models import IndexedDocument
from community.search.postgres_terms import (
    TAG_PREFIX,
    all_of,
    any_of,
    document_vectors,
    quote,
    sequence,
)
from community.search.query import QueryPlan, TextMatch
from community.search.results import HitText, ReadRule, SearchHit, SearchResults
from community.search.spelling import closest_word

ADVISORY_KEY = 0x5EA4C4  # "search": one indexer at a time
WEIGHTS = "'{0.2, 0.5, 0.4, 1.0}'"  # D, C, B, A
FACET_LIMIT = 20
ENOUGH_STRICT_MATCHES = 10
FACET_SCAN_LIMIT = 5000
VOCABULARY_SECONDS = 600.0
# The same multiplier as `SearchDocument.rank_boost`: 精华 counts most, votes a little.
BOOST = (
    "(CASE WHEN d.featured THEN 1.3 ELSE 1.0 END)"
    " * (1.0 + GREATEST(-0.2, LEAST(d.votes, 50) / 250.0))"
)
HIT_COLUMNS = (
    "d.id, d.external_id, d.title, d.teaser, d.body, d.top_answers, d.other_answers, d.tags,"
    " d.answer_count, d.accepted, d.featured, d.public, d.closed, d.votes, d.created_at"
)
ORDERS = {
    "relevance": "rank DESC, d.id DESC",
    "newest": "d.created_at DESC, d.id DESC",
    "votes": "d.votes DESC, d.id DESC",
}


def document_row(doc: SearchDocument) -> dict:
    terms, grams = document_vectors(doc)
    return {
        "id": doc.id,
        "external_id": doc.external_id,
        "title": doc.title,
        "teaser": doc.teaser,
        "body": doc.body,
        "top_answers": ANSWER_SEPARATOR.join(doc.top_answers),
        "other_answers": ANSWER_SEPARATOR.join(doc.other_answers),
        "tags": "\n".join(fold_text(tag.strip()) for tag in doc.tags if tag.strip()),
        "author": fold_text(doc.author.strip())[:80],
        "featured": doc.featured,
        "public": doc.public,
        "closed": doc.closed,
        "accepted": doc.accepted,
        "answer_count": doc.answer_count,
        "votes": doc.votes,
        "created_at": doc.created_at,
        "updated_at": doc.updated_at,
        "terms": terms,
        "grams": grams,
        "spelling": " ".join(sorted(set(latin_words_of(doc)))),
    }


def latin_words_of(doc: SearchDocument) -> list[str]:
    return latin_words(" ".join([doc.title, *doc.tags, doc.body]))


class PostgresWriter:
    def __init__(self) -> None:
        self.changed = False

    def put(self, documents: Iterable[SearchDocument]) -> None:
        rows = [document_row(doc) for doc in documents]
        if not rows:
            return
        statement = insert(IndexedDocument).values(rows)
        columns = {name: statement.excluded[name] for name in rows[0] if name != "id"}
        db.session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=columns))
        self.changed = True

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            db.session.execute(delete(IndexedDocument).where(IndexedDocument.id.in_(ids)))
            self.changed = True


class PostgresBackend:
    name = "postgres"
    writer_class = PostgresWriter

    def __init__(self) -> None:
        self.vocabulary: list[str] = []
        self.vocabulary_loaded_at = 0.0

    def is_ready(self) -> bool:
        """Ready once it holds a document, or when there is nothing to index."""
        return bool(db.session.scalar(select(exists().where(IndexedDocument.id.isnot(None))))) or (
            current_source().count() == 0
        )

    def close(self) -> None:
        """Nothing to close: queries use the request's database session."""

    @contextmanager
    def writing(self):
        """Changes join the caller's transaction; the advisory lock ends with it."""
        locked = db.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY}
        )
        if not locked:
            raise IndexBusy("another indexer holds the PostgreSQL search lock")
        yield PostgresWriter()

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        progress: Callable[[int], None],
        processes: int = 1,
    ) -> int:
        """Replace every row in one transaction: readers see the old index until it commits.

        The terms are computed in this process (`processes` is for backends that fork writers).
        """
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})
        db.session.execute(delete(IndexedDocument))
        writer = PostgresWriter()
        count = 0
        batch: list[SearchDocument] = []
        for doc in documents:
            if not doc.deleted:
                batch.append(doc)
            progress(1)
            if len(batch) >= 200:
                writer.put(batch)
                count += len(batch)
                batch = []
        writer.put(batch)
        count += len(batch)
        db.session.commit()
        return count

    def document_count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(IndexedDocument)) or 0

    def search(
        self, plan: QueryPlan, *, page: int, per_page: int, sort: str, may_read: ReadRule
    ) -> SearchResults:
        where, rank, params = compile_plan(plan, strict=True)
        total = self.count(where, params)
        if total < ENOUGH_STRICT_MATCHES and plan.has_text:
            where, rank, params = compile_plan(plan)
            total = self.count(where, params)
        # `where` and `rank` are built from fixed fragments; every value is a bound parameter.
        query = f"SELECT {HIT_COLUMNS}, ({rank}) * {BOOST} AS rank FROM search_documents d"  # noqa: S608
        order = ORDERS.get(sort, ORDERS["relevance"])
        rows = db.session.execute(
            text(f"{query} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"),
            params | {"limit": per_page, "offset": (page - 1) * per_page},
        ).all()
        highlighter = Highlighter(
            [match.text for match in plan.words], [match.text for match in plan.phrases]
        )
        return SearchResults(
            total=total or 0,
            page=page,
            per_page=per_page,
            hits=[hit_from_row(row, highlighter, may_read) for row in rows],
            facets=self.facets(where, params),
            suggestion=self.suggest(plan),
        )

    def count(self, where: str, params: dict) -> int:
        sql = f"SELECT count(*) FROM search_documents d WHERE {where}"  # noqa: S608
        return db.session.scalar(text(sql), params) or 0

    def facets(self, where: str, params: dict) -> list[tuple[str, int]]:
        tags = db.session.scalars(
            text(f"SELECT d.tags FROM search_documents d WHERE {where} LIMIT :limit"),  # noqa: S608
            params | {"limit": FACET_SCAN_LIMIT},
        )
        counts = Counter(tag for value in tags for tag in value.split("\n") if tag)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_LIMIT]

    def suggest(self, plan: QueryPlan) -> str | None:
        """Replace Latin words found nowhere in the index by the closest indexed word."""
        parts, changed = [], False
        for match in plan.words:
            word = match.text.lower()
            if word.isascii() and word.isalpha() and len(word) > 3 and not self.known(match):
                found = closest_word(word, self.spelling_vocabulary())
                if found:
                    parts.append(found)
                    changed = True
                    continue
            parts.append(match.text)
        return " ".join(parts) if changed else None

    def known(self, match: TextMatch) -> bool:
        return bool(
            db.session.scalar(
                text(
                    "SELECT EXISTS (SELECT 1 FROM search_documents"
                    " WHERE terms @@ CAST(:q AS tsquery))"
                ),
                {"q": sequence(match.terms)},
            )
        )

    def spelling_vocabulary(self) -> list[str]:
        if time.monotonic() - self.vocabulary_loaded_at > VOCABULARY_SECONDS:
            self.vocabulary = list(
                db.session.scalars(
                    text(
                        "SELECT DISTINCT word FROM search_documents,"
                        " regexp_split_to_table(spelling, ' ') AS word WHERE word <> ''"
                    )
                )
            )
            self.vocabulary_loaded_at = time.monotonic()
        return self.vocabulary


def hit_from_row(row, highlighter: Highlighter, may_read: ReadRule) -> SearchHit:
    hit = SearchHit(
        id=row.id,
        external_id=row.external_id,
        title=row.title,
        tags=[tag for tag in row.tags.split("\n") if tag],
        answer_count=row.answer_count,
        accepted=row.accepted,
        featured=row.featured,
        public=row.public,
        closed=row.closed,
        votes=row.votes,
        created_at=row.created_at.replace(tzinfo=UTC),
        score=float(row.rank or 0.0),
    )
    text_ = HitText(
        title=row.title,
        teaser=row.teaser,
        body=row.body,
        top_answers=[part for part in row.top_answers.split(ANSWER_SEPARATOR) if part.strip()],
        other_answers=[part for part in row.other_answers.split(ANSWER_SEPARATOR) if part.strip()],
    )
    hit.title_html = highlighter.title(row.title)
    hit.snippet = highlighter.snippet(text_, may_read(hit))
    return hit


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
