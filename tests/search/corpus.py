"""A fixed corpus of Q&A threads, served through a test SearchSource like a domain would."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from community.qa.access import ANYONE
from community.search import AnswerText, Listing, SearchDocument

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)

# key -> title, body, tags, answers ([text, "accepted"/"canonical"/""]) and options
# (featured, public, closed, deleted, votes, aliases).
THREADS: dict[str, dict] = json.loads((Path(__file__).with_name("corpus.json")).read_text("utf-8"))

AUTHORS = ["会员小李", "老王", "Alice", "运营小林"]


def build_documents() -> list[SearchDocument]:
    documents = []
    for number, (key, thread) in enumerate(THREADS.items(), 1):
        options = thread.get("options", {})
        created = BASE_TIME + timedelta(days=number)
        documents.append(
            SearchDocument(
                id=number,
                external_id=f"ext-{key}",
                title=thread["title"],
                body=thread["body"],
                tags=list(thread["tags"]),
                answers=[
                    AnswerText(text, accepted=kind == "accepted", canonical=kind == "canonical")
                    for text, kind in thread["answers"]
                ],
                aliases=list(options.get("aliases", [])),
                author=AUTHORS[number % len(AUTHORS)],
                featured=options.get("featured", False),
                public=options.get("public", False),
                closed=options.get("closed", False),
                deleted=options.get("deleted", False),
                votes=options.get("votes", 0),
                open_to_all=options.get("public", False),
                created_at=created,
                updated_at=created,
            )
        )
    return documents


DOCUMENTS = build_documents()
IDS = {key: number for number, key in enumerate(THREADS, 1)}


class CorpusSource:
    """A SearchSource over an in-memory set of documents; tests change it like a domain would."""

    def __init__(self, documents: Sequence[SearchDocument] = DOCUMENTS) -> None:
        self.documents = {doc.id: replace(doc) for doc in documents}
        self.loads: list[list[int]] = []

    def load(self, ids):
        self.loads.append(list(ids))
        found = [self.documents[doc_id] for doc_id in ids if doc_id in self.documents]
        for doc in found:
            # What everyone may read follows the Q&A's read rule, as in its source.
            doc.open_to_all = ANYONE.may_read(doc)
        return found

    def all_ids(self):
        return list(self.documents)

    def count(self) -> int:
        return len(self.documents)

    def search_database(self, words, limit):
        found = [
            doc
            for doc in self.documents.values()
            if any(word in doc.title or word in doc.body for word in words)
        ]
        return found[:limit]

    def listable(self, ids):
        return {
            doc_id: Listing(doc_id, self.documents[doc_id].public)
            for doc_id in ids
            if doc_id in self.documents and not self.documents[doc_id].deleted
        }
